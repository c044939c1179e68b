/*
 * snmpc_netsnmp.c - the Net-SNMP transport of snmpc.h: one session per
 * host opened with the traditional API (snmp_open), requests sent with
 * snmp_async_send, and one select() loop over every session
 * (snmp_select_info / snmp_read / snmp_timeout), as Net-SNMP's own
 * asynchronous example application does.  Session settings come from
 * snmp_parse_args(), so the flags and snmp.conf work as in snmpwalk.
 *
 * It owns the Net-SNMP sessions and converts between Net-SNMP's PDUs and
 * pdu.h's plain data; it must not know anything about the vMIB.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "mem.h"
#include "snmpc.h"

_Static_assert(MIBCOL_INTEGER == ASN_INTEGER && MIBCOL_STRING == ASN_OCTET_STR &&
	       MIBCOL_IPADDRESS == ASN_IPADDRESS && MIBCOL_UNSIGNED == ASN_UNSIGNED &&
	       MIBCOL_COUNTER32 == ASN_COUNTER && MIBCOL_TIMETICKS == ASN_TIMETICKS &&
	       MIBCOL_COUNTER64 == ASN_COUNTER64 && MIBCOL_NULL == ASN_NULL &&
	       MIBCOL_OID == ASN_OBJECT_ID && MIBCOL_NOSUCHOBJECT == SNMP_NOSUCHOBJECT &&
	       MIBCOL_NOSUCHINSTANCE == SNMP_NOSUCHINSTANCE &&
	       MIBCOL_ENDOFMIBVIEW == SNMP_ENDOFMIBVIEW,
	       "mibcol.h's BER tags differ from Net-SNMP's");

struct snmpc_args {
	netsnmp_session template;
	char **argv;             /* a copy: the template points into it */
	int argc;
};

struct ns_failed {               /* a request that failed before the network */
	snmpc_cb cb;
	void *arg;
	char *why;
};

/*
 * Net-SNMP may call a request's callback more than once (RESEND before a
 * retry, SEC_ERROR and then a timeout, a DISCONNECT from snmp_close), so
 * a request is answered once (done) and freed only with the transport.
 */
struct ns_req {
	struct snmpc *c;
	snmpc_cb cb;
	void *arg;
	bool done;
	struct ns_req *next;
};

struct ns_impl {
	netsnmp_session **sess;  /* per host; NULL: could not be opened */
	char **open_error;       /* per host */
	struct ns_failed *failed;
	size_t n_failed;
	struct ns_req *reqs;     /* every request sent */
};

/* --- arguments ----------------------------------------------------------------- */

int snmpc_args_parse(int argc, char **argv, struct snmpc_args **out)
{
	struct snmpc_args *a = mem_alloc(sizeof(*a));
	int i, rc;

	/* vmibctl names no MIB objects: do not parse MIB files unless asked */
	setenv("MIBS", "", 0);
	/* +1: a placeholder peer after the operands, since snmp_parse_args
	 * insists on one; it takes the first operand (or this) as the peer */
	a->argv = mem_array(NULL, (size_t)argc + 2, sizeof(char *));
	for (i = 0; i < argc; i++)
		a->argv[i] = mem_strdup(argv[i]);
	a->argv[argc] = mem_strdup("vmibctl-no-peer");
	a->argv[argc + 1] = NULL;
	a->argc = argc;
	rc = snmp_parse_args(argc + 1, a->argv, &a->template, NULL, NULL);
	if (rc < 0) {
		snmpc_args_free(a);
		*out = NULL;
		return rc == NETSNMP_PARSE_ARGS_SUCCESS_EXIT ? -2 : -1;
	}
	/* snmp_parse_args took the first operand as the peer: give it back */
	a->template.peername = NULL;
	*out = a;
	return rc - 1;
}

void snmpc_args_free(struct snmpc_args *a)
{
	int i;

	if (!a)
		return;
	for (i = 0; i <= a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	free(a);
}

const char *snmpc_args_version(const struct snmpc_args *a)
{
	switch (a->template.version) {
	case SNMP_VERSION_1:
		return "1";
	case SNMP_VERSION_2c:
		return "2c";
	default:
		return "3";
	}
}

/* --- conversions ------------------------------------------------------------------ */

static void vb_from_netsnmp(struct pdu_vb *vb, const netsnmp_variable_list *v)
{
	size_t i;

	memset(vb, 0, sizeof(*vb));
	vb->oid_len = v->name_length < MIBCOL_MAX_OID ? v->name_length : MIBCOL_MAX_OID;
	for (i = 0; i < vb->oid_len; i++)
		vb->oid[i] = (uint32_t)v->name[i];
	vb->type = v->type;
	switch (v->type) {
	case ASN_INTEGER:
		vb->i = *v->val.integer;
		break;
	case ASN_UNSIGNED:
	case ASN_COUNTER:
	case ASN_TIMETICKS:
		vb->u = (uint32_t)*v->val.integer;
		break;
	case ASN_COUNTER64:
		vb->u = ((uint64_t)v->val.counter64->high << 32) | v->val.counter64->low;
		break;
	case ASN_IPADDRESS:
		if (v->val_len == 4)
			vb->u = (uint32_t)v->val.string[0] << 24 | (uint32_t)v->val.string[1] << 16 |
				(uint32_t)v->val.string[2] << 8 | v->val.string[3];
		break;
	case ASN_OCTET_STR:
		pdu_vb_set_str(vb, (const char *)v->val.string, v->val_len);
		break;
	default:
		break;
	}
}

static void add_var(netsnmp_pdu *np, const struct pdu_vb *vb)
{
	oid name[MIBCOL_MAX_OID];
	u_long u = (u_long)vb->u;
	long l = (long)vb->i;
	u_char ip[4];
	size_t i;

	for (i = 0; i < vb->oid_len; i++)
		name[i] = vb->oid[i];
	switch (vb->type) {
	case MIBCOL_INTEGER:
		snmp_pdu_add_variable(np, name, vb->oid_len, ASN_INTEGER, &l, sizeof(l));
		break;
	case MIBCOL_STRING:
		snmp_pdu_add_variable(np, name, vb->oid_len, ASN_OCTET_STR, vb->s, vb->s_len);
		break;
	case MIBCOL_IPADDRESS:
		ip[0] = (u_char)(vb->u >> 24);
		ip[1] = (u_char)(vb->u >> 16);
		ip[2] = (u_char)(vb->u >> 8);
		ip[3] = (u_char)vb->u;
		snmp_pdu_add_variable(np, name, vb->oid_len, ASN_IPADDRESS, ip, 4);
		break;
	case MIBCOL_UNSIGNED:
	case MIBCOL_COUNTER32:
	case MIBCOL_TIMETICKS:
		snmp_pdu_add_variable(np, name, vb->oid_len, vb->type, &u, sizeof(u));
		break;
	default:
		snmp_add_null_var(np, name, vb->oid_len);
		break;
	}
}

static netsnmp_pdu *pdu_to_netsnmp(const struct pdu *p)
{
	static const int cmds[] = {
		[PDU_GET] = SNMP_MSG_GET, [PDU_GETNEXT] = SNMP_MSG_GETNEXT,
		[PDU_GETBULK] = SNMP_MSG_GETBULK, [PDU_SET] = SNMP_MSG_SET,
	};
	netsnmp_pdu *np = snmp_pdu_create(cmds[p->cmd]);
	size_t i;

	if (p->cmd == PDU_GETBULK) {
		np->non_repeaters = 0;
		np->max_repetitions = p->max_repetitions;
	}
	for (i = 0; i < p->n; i++)
		add_var(np, &p->vb[i]);
	return np;
}

/* --- requests ------------------------------------------------------------------- */

static void deliver(struct snmpc *c, snmpc_cb cb, void *arg, struct pdu_resp *r)
{
	c->outstanding--;
	cb(arg, r);
	pdu_resp_release(r);
}

/* why a request failed, from what Net-SNMP knows */
static char *failure(int op, netsnmp_session *sp, netsnmp_pdu *np)
{
	int err = sp->s_snmp_errno;

	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT)
		return mem_printf("no answer from %s (timeout)", sp->peername);
	if (np && np->command == SNMP_MSG_REPORT)
		err = snmpv3_get_report_type(np);
	if (err == SNMPERR_SUCCESS)
		err = op == NETSNMP_CALLBACK_OP_SEC_ERROR ? SNMPERR_AUTHENTICATION_FAILURE :
		      SNMPERR_GENERR;
	return mem_printf("%s: %s", sp->peername, snmp_api_errstring(err));
}

static int ns_answer(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *np, void *magic)
{
	struct ns_req *q = magic;
	struct pdu_resp r = { 0 };
	netsnmp_variable_list *v;

	(void)reqid;
	if (q->done || op == NETSNMP_CALLBACK_OP_RESEND || op == NETSNMP_CALLBACK_OP_CONNECT)
		return 1;
	q->done = true;
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !np ||
	    np->command == SNMP_MSG_REPORT) {
		r.fail = failure(op, sp, np);
	} else {
		r.status = np->errstat;
		r.index = np->errindex;
		for (v = np->variables; v; v = v->next_variable)
			vb_from_netsnmp(MEM_PUSH(r.vb, r.n), v);
	}
	deliver(q->c, q->cb, q->arg, &r);
	return 1;
}

/*
 * A SET is not idempotent (a createAndGo sent twice fails the second
 * time, after the first did its work), and an agent may take a while to
 * define and start a VM: a SET is given at least SET_TIMEOUT_US before it
 * is sent again.  The request keeps the timeout it was sent with, so the
 * session's own is put back at once.
 */
#define SET_TIMEOUT_US 10000000L

static int ns_async_send(netsnmp_session *sess, netsnmp_pdu *np, struct ns_req *q,
			       bool is_set)
{
	long timeout = sess->timeout;
	int rc;

	if (is_set && sess->timeout < SET_TIMEOUT_US)
		sess->timeout = SET_TIMEOUT_US;
	rc = snmp_async_send(sess, np, ns_answer, q);
	sess->timeout = timeout;
	return rc;
}

static void ns_fail_later(struct ns_impl *im, snmpc_cb cb, void *arg, char *why)
{
	struct ns_failed *f = MEM_PUSH(im->failed, im->n_failed);

	f->cb = cb;
	f->arg = arg;
	f->why = why;
}

static void ns_send(struct snmpc *c, size_t host, const struct pdu *p, snmpc_cb cb, void *arg)
{
	struct ns_impl *im = c->impl;
	struct ns_req *q;
	netsnmp_pdu *np;

	if (!im->sess[host]) {
		ns_fail_later(im, cb, arg, mem_strdup(im->open_error[host]));
		return;
	}
	q = mem_alloc(sizeof(*q));
	q->c = c;
	q->cb = cb;
	q->arg = arg;
	q->next = im->reqs;
	im->reqs = q;
	np = pdu_to_netsnmp(p);
	if (ns_async_send(im->sess[host], np, q, p->cmd == PDU_SET) == 0) {
		q->done = true;
		ns_fail_later(im, cb, arg, mem_printf("%s: cannot send: %s",
						     im->sess[host]->peername,
						     snmp_api_errstring(im->sess[host]->s_snmp_errno)));
		snmp_free_pdu(np);
	}
}

/* requests that failed at send time are answered from the loop, in order */
static void ns_flush_failed(struct snmpc *c)
{
	struct ns_impl *im = c->impl;

	while (im->n_failed > 0) {
		struct ns_failed f = im->failed[0];
		struct pdu_resp r = { 0 };

		memmove(im->failed, im->failed + 1, --im->n_failed * sizeof(*im->failed));
		r.fail = f.why;
		deliver(c, f.cb, f.arg, &r);
	}
}

static void ns_run(struct snmpc *c)
{
	while (c->outstanding > 0) {
		struct timeval tv = { 1, 0 };
		int fds = 0, block = 1, n;
		fd_set set;

		ns_flush_failed(c);
		if (c->outstanding == 0)
			break;
		FD_ZERO(&set);
		snmp_select_info(&fds, &set, &tv, &block);
		n = select(fds, &set, NULL, NULL, block ? NULL : &tv);
		if (n > 0)
			snmp_read(&set);
		else if (n == 0)
			snmp_timeout();
		else if (errno != EINTR)
			break;
	}
}

static void ns_free(struct snmpc *c)
{
	struct ns_impl *im = c->impl;
	struct ns_req *q, *next;
	size_t i;

	for (q = im->reqs; q; q = q->next)
		q->done = true;  /* snmp_close may call back: nobody listens now */
	for (i = 0; i < c->n_hosts; i++) {
		if (im->sess[i])
			snmp_close(im->sess[i]);
		free(im->open_error[i]);
	}
	for (q = im->reqs; q; q = next) {
		next = q->next;
		free(q);
	}
	for (i = 0; i < im->n_failed; i++)
		free(im->failed[i].why);
	free(im->failed);
	free(im->sess);
	free(im->open_error);
	free(im);
	snmpc_release(c);
	free(c);
}

static const struct snmpc_ops ns_ops = { ns_send, ns_run, ns_free };

struct snmpc *snmpc_netsnmp_open(const struct snmpc_args *a, const char *const *peers,
				 size_t n)
{
	struct snmpc *c = mem_alloc(sizeof(*c));
	struct ns_impl *im = mem_alloc(sizeof(*im));
	netsnmp_session s;
	size_t i;

	snmpc_init(c, &ns_ops, n, im);
	im->sess = mem_array(NULL, n ? n : 1, sizeof(*im->sess));
	im->open_error = mem_array(NULL, n ? n : 1, sizeof(*im->open_error));
	for (i = 0; i < n; i++) {
		s = a->template;
		s.peername = (char *)peers[i];
		im->open_error[i] = NULL;
		im->sess[i] = snmp_open(&s);
		if (!im->sess[i]) {
			char *why = NULL;

			snmp_error(&s, NULL, NULL, &why);
			im->open_error[i] = mem_printf("%s: %s", peers[i], why ? why : "cannot open");
			free(why);
		}
	}
	return c;
}
