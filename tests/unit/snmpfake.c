/*
 * snmpfake.c - the in-memory agents of snmpfake.h.  Requests are answered
 * in order from a FIFO drained by run(), never from inside send(), so the
 * callers' code runs as it does over the network (a callback that sends
 * the next request does not recurse).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "snmpfake.h"

struct fake_fail {
	enum mibcol_id col;
	long status;
	char *last_error;
	unsigned times;          /* SETs still to fail; 0: every one */
	bool used_up;
};

struct fake_dying {              /* a VM destroyed, still shown (linger) */
	uint32_t vm;
	unsigned left;           /* requests that still see it */
};

struct fake_host {
	char *name;
	size_t max_varbinds;
	unsigned linger;         /* snmpfake_linger() */
	struct fake_dying *dying;
	size_t n_dying;
	struct pdu_vb *vb;       /* sorted by OID */
	size_t n;
	struct fake_fail *fails;
	size_t n_fails;
	char *unreachable;
};

struct fake_msg {
	snmpc_cb cb;
	void *arg;
	struct pdu_resp r;
};

struct fake_peer {
	char *target;
	size_t to;
	uint32_t downtime_ms;
};

struct snmpfake {
	struct fake_host *hosts;
	size_t n_hosts;
	struct fake_peer *peers;
	size_t n_peers;
	struct fake_msg *queue;
	size_t n_queue;
	char *log;
	size_t log_len;
	FILE *log_fp;
};

/* --- the store --------------------------------------------------------------- */

/* position of oid, or where it would go; *found tells which */
static size_t store_find(const struct fake_host *h, const uint32_t *oid, size_t len, bool *found)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pdu_oid_cmp(h->vb[mid].oid, h->vb[mid].oid_len, oid, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < h->n && pdu_oid_cmp(h->vb[lo].oid, h->vb[lo].oid_len, oid, len) == 0;
	return lo;
}

static void store_put(struct fake_host *h, const struct pdu_vb *vb)
{
	bool found;
	size_t pos = store_find(h, vb->oid, vb->oid_len, &found);

	if (found) {
		pdu_vb_release(&h->vb[pos]);
	} else {
		h->vb = mem_array(h->vb, h->n + 1, sizeof(*h->vb));
		memmove(h->vb + pos + 1, h->vb + pos, (h->n - pos) * sizeof(*h->vb));
		h->n++;
	}
	pdu_vb_copy(&h->vb[pos], vb);
}

static const struct pdu_vb *store_get(const struct fake_host *h, const uint32_t *oid, size_t len)
{
	bool found;
	size_t pos = store_find(h, oid, len, &found);

	return found ? &h->vb[pos] : NULL;
}

/* remove every instance in `table` whose index starts with prefix */
static void store_drop_rows(struct fake_host *h, enum mibcol_table t, const uint32_t *prefix,
			    size_t plen)
{
	size_t i, j = 0, at;

	for (i = 0; i < h->n; i++) {
		enum mibcol_id c = mibcol_find(h->vb[i].oid, h->vb[i].oid_len, &at);

		if (c != MIBCOL_N && mibcol_cols[c].table == t &&
		    memcmp(h->vb[i].oid + at, prefix, plen * sizeof(*prefix)) == 0) {
			pdu_vb_release(&h->vb[i]);
			continue;
		}
		h->vb[j++] = h->vb[i];
	}
	h->n = j;
}

int snmpfake_load(struct snmpfake *f, size_t host, const char *text, char *why)
{
	char reason[128], *copy = mem_strdup(text), *line, *save = NULL;
	struct pdu_vb vb;
	unsigned no = 0;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		no++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		if (pdu_vb_parse(line, &vb, reason) < 0) {
			snprintf(why, 160, "line %u: %s", no, reason);
			free(copy);
			return -1;
		}
		store_put(&f->hosts[host], &vb);
		pdu_vb_release(&vb);
	}
	free(copy);
	return 0;
}

/* --- rows -------------------------------------------------------------------- */

static enum mibcol_id row_status_col(enum mibcol_table t)
{
	switch (t) {
	case MIBCOL_VM: return COL_VM_ROW_STATUS;
	case MIBCOL_VIF: return COL_VIF_ROW_STATUS;
	case MIBCOL_SHAPE: return COL_SHAPE_ROW_STATUS;
	case MIBCOL_ISOL: return COL_ISOL_ROW_STATUS;
	case MIBCOL_SUBNET: return COL_SUBNET_ROW_STATUS;
	default: return MIBCOL_N;
	}
}

static enum mibcol_id last_error_col(enum mibcol_table t)
{
	switch (t) {
	case MIBCOL_VM:
	case MIBCOL_VIF: return COL_VM_LAST_ERROR;
	case MIBCOL_SHAPE: return COL_SHAPE_LAST_ERROR;
	case MIBCOL_ISOL: return COL_ISOL_LAST_ERROR;
	default: return COL_HOST_LAST_ERROR;
	}
}

static bool row_exists(const struct fake_host *h, enum mibcol_table t, const uint32_t *ix)
{
	struct pdu p = { PDU_GET, 0, NULL, 0 };
	bool yes;

	if (t == MIBCOL_HOST)
		return true;
	pdu_add(&p, row_status_col(t), ix);
	yes = store_get(h, p.vb[0].oid, p.vb[0].oid_len) != NULL;
	pdu_release(&p);
	return yes;
}

struct set_vb {                  /* a SET varbind, decoded */
	enum mibcol_id col;
	enum mibcol_table t;
	const uint32_t *ix;
	long rs;                 /* RowStatus value, 0 if not a RowStatus */
};

/* does the PDU set RowStatus `rs` on the row (t, ix[0..len-1])? */
static bool pdu_has_rs(const struct set_vb *d, size_t n, enum mibcol_table t,
		       const uint32_t *ix, size_t len, long rs)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (d[i].t == t && d[i].rs == rs &&
		    memcmp(d[i].ix, ix, len * sizeof(*ix)) == 0)
			return true;
	return false;
}

static long check_rs(const struct fake_host *h, const struct set_vb *d, size_t n,
		     const struct set_vb *v)
{
	bool exists = row_exists(h, v->t, v->ix);

	if (v->rs == MIBCOL_RS_CREATE_AND_GO) {
		if (exists)
			return MIBCOL_ERR_INCONSISTENT_VALUE;
		if (v->t == MIBCOL_VIF && !pdu_has_rs(d, n, MIBCOL_VM, v->ix, 1,
						      MIBCOL_RS_CREATE_AND_GO))
			return row_exists(h, MIBCOL_VM, v->ix) ? MIBCOL_ERR_INCONSISTENT_VALUE
								: MIBCOL_ERR_INCONSISTENT_NAME;
		if (v->t == MIBCOL_SHAPE && !row_exists(h, MIBCOL_VIF, v->ix) &&
		    !pdu_has_rs(d, n, MIBCOL_VIF, v->ix, 2, MIBCOL_RS_CREATE_AND_GO))
			return MIBCOL_ERR_INCONSISTENT_NAME;
		return 0;
	}
	if (v->rs == MIBCOL_RS_DESTROY)
		return v->t == MIBCOL_VIF && exists &&
		       !pdu_has_rs(d, n, MIBCOL_VM, v->ix, 1, MIBCOL_RS_DESTROY) ?
		       MIBCOL_ERR_INCONSISTENT_VALUE : 0;
	if (v->rs == MIBCOL_RS_ACTIVE)
		return exists ? 0 : MIBCOL_ERR_INCONSISTENT_VALUE;
	return MIBCOL_ERR_WRONG_VALUE;
}

/* the error-status of varbind i, 0 if it is fine */
static long check_vb(const struct fake_host *h, const struct set_vb *d, size_t n, size_t i)
{
	const struct set_vb *v = &d[i];

	if (v->col == MIBCOL_N)
		return MIBCOL_ERR_NOT_WRITABLE;
	if (v->rs)
		return check_rs(h, d, n, v);
	if (v->t == MIBCOL_HOST || row_exists(h, v->t, v->ix))
		return 0;
	return pdu_has_rs(d, n, v->t, v->ix, mibcol_index_len(v->t), MIBCOL_RS_CREATE_AND_GO)
	       ? 0 : MIBCOL_ERR_INCONSISTENT_NAME;
}

static void set_last_error(struct fake_host *h, const struct set_vb *v, const char *text)
{
	enum mibcol_table owner = v->t == MIBCOL_VIF ? MIBCOL_VM : v->t;
	enum mibcol_id c = last_error_col(v->t);
	struct pdu p = { PDU_SET, 0, NULL, 0 };

	/* a row that does not exist (yet) has no LastError: the host's */
	if (owner != MIBCOL_HOST && !row_exists(h, owner, v->ix))
		c = COL_HOST_LAST_ERROR;
	pdu_add_str(&p, c, v->ix, text);
	store_put(h, &p.vb[0]);
	pdu_release(&p);
}

/* move every row of VM vm from h to dst, as a finished migration would */
static void migrate_rows(struct fake_host *h, struct fake_host *dst, uint32_t vm,
			 const struct fake_peer *peer)
{
	struct pdu p = { PDU_SET, 0, NULL, 0 };
	size_t i, j = 0, at;
	const uint32_t ix[1] = { vm };

	for (i = 0; i < h->n; i++) {
		enum mibcol_id c = mibcol_find(h->vb[i].oid, h->vb[i].oid_len, &at);
		enum mibcol_table t = c == MIBCOL_N ? MIBCOL_N_TABLES : mibcol_cols[c].table;

		if ((t == MIBCOL_VM || t == MIBCOL_VIF || t == MIBCOL_SHAPE) &&
		    h->vb[i].oid[at] == vm) {
			if (c == COL_SHAPE_ROW_STATUS)    /* applied on arrival */
				pdu_add_int(&p, COL_SHAPE_OPER, h->vb[i].oid + at,
					    VMIB_ENUM_vmibShapeOperStatus_applied);
			store_put(dst, &h->vb[i]);
			pdu_vb_release(&h->vb[i]);
			continue;
		}
		h->vb[j++] = h->vb[i];
	}
	h->n = j;
	pdu_add_int(&p, COL_VM_MIGRATE_STATUS, ix, VMIB_ENUM_vmibVmMigrateStatus_succeeded);
	pdu_add_uns(&p, COL_VM_MIGRATE_DOWNTIME, ix, peer->downtime_ms);
	for (i = 0; i < p.n; i++)
		store_put(dst, &p.vb[i]);
	pdu_release(&p);
}

static void apply_migrations(struct snmpfake *f, struct fake_host *h, const struct pdu *p,
			     const struct set_vb *d)
{
	size_t i, k;

	for (i = 0; i < p->n; i++) {
		if (d[i].col != COL_VM_MIGRATE_TARGET || !p->vb[i].s)
			continue;
		for (k = 0; k < f->n_peers; k++)
			if (strcmp(f->peers[k].target, p->vb[i].s) == 0 &&
			    &f->hosts[f->peers[k].to] != h)
				migrate_rows(h, &f->hosts[f->peers[k].to], d[i].ix[0], &f->peers[k]);
	}
}

/* the VM's oper state once an admin state written has taken effect (the
 * fake does at once what vmibd does in COMMIT and libvirt then) */
static void fake_oper_follows(struct fake_host *h, const uint32_t *ix, long admin)
{
	struct pdu p = { PDU_SET, 0, NULL, 0 };
	long oper = admin == VMIB_ENUM_vmibVmAdminState_running  ? VMIB_ENUM_vmibVmOperState_running
		  : admin == VMIB_ENUM_vmibVmAdminState_paused ? VMIB_ENUM_vmibVmOperState_paused
							       : VMIB_ENUM_vmibVmOperState_shutoff;

	pdu_add_int(&p, COL_VM_OPER, ix, oper);
	store_put(h, &p.vb[0]);
	pdu_release(&p);
}

static void drop_vm(struct fake_host *h, const uint32_t *ix)
{
	store_drop_rows(h, MIBCOL_VM, ix, 1);
	store_drop_rows(h, MIBCOL_VIF, ix, 1);
	store_drop_rows(h, MIBCOL_SHAPE, ix, 1);
}

/* a destroyed VM stays for h->linger requests, powering off, as vmibd
 * shows a domain until libvirt reports it gone */
static bool linger(struct fake_host *h, const uint32_t *ix)
{
	struct pdu p = { PDU_SET, 0, NULL, 0 };
	struct fake_dying *x;
	size_t i;

	if (!h->linger || !row_exists(h, MIBCOL_VM, ix))
		return false;
	for (i = 0; i < h->n_dying; i++)
		if (h->dying[i].vm == ix[0])
			return true;
	x = MEM_PUSH(h->dying, h->n_dying);
	x->vm = ix[0];
	x->left = h->linger;
	pdu_add_int(&p, COL_VM_OPER, ix, VMIB_ENUM_vmibVmOperState_shuttingDown);
	store_put(h, &p.vb[0]);
	pdu_release(&p);
	return true;
}

/* one request more: the lingering VMs whose time is up go */
static void linger_tick(struct fake_host *h)
{
	size_t i, j = 0;

	for (i = 0; i < h->n_dying; i++) {
		if (h->dying[i].left-- == 0) {
			drop_vm(h, &h->dying[i].vm);
			continue;
		}
		h->dying[j++] = h->dying[i];
	}
	h->n_dying = j;
}

static void apply_set(struct fake_host *h, const struct pdu *p, const struct set_vb *d)
{
	struct pdu_vb vb;
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (d[i].rs != MIBCOL_RS_DESTROY)
			continue;
		if (d[i].t == MIBCOL_VM && linger(h, d[i].ix))
			continue;
		store_drop_rows(h, d[i].t, d[i].ix, mibcol_index_len(d[i].t));
		if (d[i].t == MIBCOL_VM) {
			store_drop_rows(h, MIBCOL_VIF, d[i].ix, 1);
			store_drop_rows(h, MIBCOL_SHAPE, d[i].ix, 1);
		}
	}
	for (i = 0; i < p->n; i++) {
		if (d[i].rs == MIBCOL_RS_DESTROY)
			continue;
		pdu_vb_copy(&vb, &p->vb[i]);
		if (d[i].rs == MIBCOL_RS_CREATE_AND_GO)
			vb.i = MIBCOL_RS_ACTIVE;
		store_put(h, &vb);
		pdu_vb_release(&vb);
		if (d[i].col == COL_VM_ADMIN)
			fake_oper_follows(h, d[i].ix, p->vb[i].i);
	}
}

/* --- requests ------------------------------------------------------------------ */

static void log_set(struct snmpfake *f, const struct fake_host *h, const struct pdu *p,
		    const struct pdu_resp *r)
{
	size_t i;

	fprintf(f->log_fp, "%s SET\n", h->name);
	for (i = 0; i < p->n; i++) {
		char *s = pdu_vb_format(&p->vb[i]);

		fprintf(f->log_fp, "  %s\n", s);
		free(s);
	}
	if (r->status && r->index)
		fprintf(f->log_fp, "  -> %s (varbind %ld)\n", mibcol_error_name(r->status), r->index);
	else if (r->status)
		fprintf(f->log_fp, "  -> %s\n", mibcol_error_name(r->status));
}

static void answer_set(struct snmpfake *f, struct fake_host *h, const struct pdu *p,
		       struct pdu_resp *r)
{
	struct set_vb *d = mem_array(NULL, p->n + 1, sizeof(*d));
	size_t i, k, at;

	for (i = 0; i < p->n; i++) {
		d[i].col = mibcol_find(p->vb[i].oid, p->vb[i].oid_len, &at);
		d[i].t = d[i].col == MIBCOL_N ? MIBCOL_N_TABLES : mibcol_cols[d[i].col].table;
		d[i].ix = p->vb[i].oid + at;
		d[i].rs = d[i].col != MIBCOL_N && d[i].col == row_status_col(d[i].t) ?
			  (long)p->vb[i].i : 0;
	}
	if (h->max_varbinds && p->n > h->max_varbinds)
		r->status = MIBCOL_ERR_TOO_BIG;
	for (i = 0; i < p->n && !r->status; i++) {
		for (k = 0; k < h->n_fails; k++) {
			struct fake_fail *x = &h->fails[k];

			if (x->col == d[i].col && !x->used_up) {
				r->status = x->status;
				set_last_error(h, &d[i], x->last_error);
				x->used_up = x->times == 1;
				x->times -= x->times > 0;
				break;
			}
		}
		if (!r->status)
			r->status = check_vb(h, d, p->n, i);
		if (r->status)
			r->index = (long)i + 1;
	}
	if (!r->status) {
		apply_set(h, p, d);
		apply_migrations(f, h, p, d);
	}
	log_set(f, h, p, r);
	free(d);
}

static void push_vb(struct pdu_resp *r, const struct pdu_vb *vb, const struct pdu_vb *req,
		    enum mibcol_type exception)
{
	struct pdu_vb *out = MEM_PUSH(r->vb, r->n);

	if (vb) {
		pdu_vb_copy(out, vb);
		return;
	}
	memcpy(out->oid, req->oid, req->oid_len * sizeof(*req->oid));
	out->oid_len = req->oid_len;
	out->type = exception;
}

static void answer_get(struct fake_host *h, const struct pdu *p, struct pdu_resp *r)
{
	size_t i, pos, k, reps;
	bool found;

	size_t *at, ended;

	if (p->cmd == PDU_GET) {
		for (i = 0; i < p->n; i++)
			push_vb(r, store_get(h, p->vb[i].oid, p->vb[i].oid_len), &p->vb[i],
				MIBCOL_NOSUCHINSTANCE);
		return;
	}
	/* GETNEXT, and GETBULK as RFC 3416 4.2.3 orders it: repetition after
	 * repetition, one varbind per requested OID; stop once all have ended */
	at = mem_array(NULL, p->n ? p->n : 1, sizeof(*at));
	for (i = 0; i < p->n; i++) {
		pos = store_find(h, p->vb[i].oid, p->vb[i].oid_len, &found);
		at[i] = pos + found;
	}
	reps = p->cmd == PDU_GETBULK ? (size_t)p->max_repetitions : 1;
	for (k = 0; k < reps; k++) {
		for (i = 0, ended = 0; i < p->n; i++) {
			push_vb(r, at[i] < h->n ? &h->vb[at[i]] : NULL, &p->vb[i],
				MIBCOL_ENDOFMIBVIEW);
			ended += at[i] >= h->n;
			at[i]++;
		}
		if (ended == p->n)
			break;
	}
	free(at);
}

static size_t agentx_bytes(const struct pdu *p)
{
	size_t i, n = 20;  /* the AgentX header */

	for (i = 0; i < p->n; i++)
		n += pdu_vb_agentx_bytes(&p->vb[i]);
	return n;
}

static void fake_send(struct snmpc *c, size_t host, const struct pdu *p, snmpc_cb cb, void *arg)
{
	struct snmpfake *f = c->impl;
	struct fake_host *h = &f->hosts[host];
	struct fake_msg *m = MEM_PUSH(f->queue, f->n_queue);

	m->cb = cb;
	m->arg = arg;
	linger_tick(h);
	if (h->unreachable)
		m->r.fail = mem_strdup(h->unreachable);
	else if (p->cmd == PDU_SET && agentx_bytes(p) > 65536)
		/* what snmpd + Net-SNMP's AgentX parser do with it (pdu.h) */
		m->r.fail = mem_strdup("Timeout (an AgentX PDU over 65536 bytes)");
	else if (p->cmd == PDU_SET)
		answer_set(f, h, p, &m->r);
	else
		answer_get(h, p, &m->r);
}

static void fake_run(struct snmpc *c)
{
	struct snmpfake *f = c->impl;

	while (f->n_queue > 0) {
		struct fake_msg m = f->queue[0];

		memmove(f->queue, f->queue + 1, --f->n_queue * sizeof(*f->queue));
		c->outstanding--;
		m.cb(m.arg, &m.r);
		pdu_resp_release(&m.r);
	}
}

static void fake_free(struct snmpc *c)
{
	struct snmpfake *f = c->impl;
	size_t i, k;

	for (i = 0; i < f->n_hosts; i++) {
		struct fake_host *h = &f->hosts[i];

		for (k = 0; k < h->n; k++)
			pdu_vb_release(&h->vb[k]);
		free(h->vb);
		for (k = 0; k < h->n_fails; k++)
			free(h->fails[k].last_error);
		free(h->fails);
		free(h->unreachable);
		free(h->dying);
		free(h->name);
	}
	for (i = 0; i < f->n_queue; i++)
		pdu_resp_release(&f->queue[i].r);
	for (i = 0; i < f->n_peers; i++)
		free(f->peers[i].target);
	free(f->peers);
	free(f->queue);
	fclose(f->log_fp);
	free(f->log);
	free(f->hosts);
	free(f);
	snmpc_release(c);
	free(c);
}

static const struct snmpc_ops fake_ops = { fake_send, fake_run, fake_free };

struct snmpc *snmpfake_open(const char *const *host_names, size_t n, struct snmpfake **fake)
{
	struct snmpc *c = mem_alloc(sizeof(*c));
	struct snmpfake *f = mem_alloc(sizeof(*f));
	size_t i;

	f->hosts = mem_array(NULL, n ? n : 1, sizeof(*f->hosts));
	memset(f->hosts, 0, (n ? n : 1) * sizeof(*f->hosts));
	f->n_hosts = n;
	for (i = 0; i < n; i++)
		f->hosts[i].name = mem_strdup(host_names[i]);
	f->log_fp = open_memstream(&f->log, &f->log_len);
	snmpc_init(c, &fake_ops, n, f);
	*fake = f;
	return c;
}

void snmpfake_fail_times(struct snmpfake *f, size_t host, const char *object, long status,
			 const char *last_error, unsigned times)
{
	struct fake_fail *x = MEM_PUSH(f->hosts[host].fails, f->hosts[host].n_fails);

	x->col = mibcol_by_name(object);
	x->status = status;
	x->last_error = mem_strdup(last_error);
	x->times = times;
}

void snmpfake_fail(struct snmpfake *f, size_t host, const char *object, long status,
		   const char *last_error)
{
	snmpfake_fail_times(f, host, object, status, last_error, 0);
}

void snmpfake_max_varbinds(struct snmpfake *f, size_t host, size_t n)
{
	f->hosts[host].max_varbinds = n;
}

void snmpfake_peer(struct snmpfake *f, const char *target, size_t to, uint32_t downtime_ms)
{
	struct fake_peer *p = MEM_PUSH(f->peers, f->n_peers);

	p->target = mem_strdup(target);
	p->to = to;
	p->downtime_ms = downtime_ms;
}

void snmpfake_linger(struct snmpfake *f, size_t host, unsigned requests)
{
	f->hosts[host].linger = requests;
}

void snmpfake_unreachable(struct snmpfake *f, size_t host, const char *why)
{
	free(f->hosts[host].unreachable);
	f->hosts[host].unreachable = mem_strdup(why);
}

char *snmpfake_take_log(struct snmpfake *f)
{
	char *s;

	fflush(f->log_fp);
	s = mem_strdup(f->log ? f->log : "");
	fclose(f->log_fp);
	free(f->log);
	f->log = NULL;
	f->log_len = 0;
	f->log_fp = open_memstream(&f->log, &f->log_len);
	return s;
}

char *snmpfake_dump(struct snmpfake *f, size_t host)
{
	const struct fake_host *h = &f->hosts[host];
	char *buf = NULL;
	size_t bl = 0, i;
	FILE *fp = open_memstream(&buf, &bl);

	for (i = 0; i < h->n; i++) {
		char *s = pdu_vb_format(&h->vb[i]);

		fprintf(fp, "%s\n", s);
		free(s);
	}
	fclose(fp);
	return buf;
}
