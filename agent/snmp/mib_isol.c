/*
 * mib_isol.c - isolation (VMIB-MIB): vmibIsolationTable, vmibSubnetTable
 * and the host scalars vmibIsolationDefault and vmibIsolationOperStatus;
 * the isolation state of the host and the vmibIsolationFailure
 * notification.
 *
 * The configuration is one struct isol_config (isolstore.h), installed
 * as one iptables chain by isolate.h and kept in the state directory.
 * The three writable objects are one participant of the SET coordinator
 * (mibset.h), the last in its order; its state for one PDU is a struct
 * isol_txn.  RESERVE1 collects the varbinds (syntax only); RESERVE2
 * builds the whole new configuration and checks it (RowStatus
 * transitions, required columns, host bits, overlapping subnets, whether
 * this host can filter bridged traffic); ACTION writes the state file's
 * temporary copy and installs the new chain with one iptables-restore
 * --noflush (isolate_apply), so a PDU with rules, subnets and the default
 * changes the chain once; UNDO re-installs the previous chain; COMMIT
 * renames the state file into place.  An error found in a phase is
 * attached, in whichever handler call holds it, to the varbind of the
 * row at fault.
 *
 * At start-up (mib_isol_start) the state file is read and the chain
 * installed again (the same chain and one hook, whatever was there), so
 * the rules survive vmibd and host restarts; nothing is installed when
 * nothing was ever configured.
 *
 * Loop thread only.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "isolstore.h"
#include "log.h"
#include "loop.h"
#include "mib_tables.h"
#include "mibset.h"
#include "vmib_oids.h"

static const oid isol_table_oid[] = {VMIB_OID_vmibIsolationTable};
static const oid isol_entry_oid[] = {VMIB_OID_vmibIsolationEntry};
static const oid isol_subnet_table_oid[] = {VMIB_OID_vmibSubnetTable};
static const oid isol_subnet_entry_oid[] = {VMIB_OID_vmibSubnetEntry};
static const oid isol_host_oid[] = {VMIB_OID_vmibHost};
static const oid isol_default_oid[] = {VMIB_OID_vmibIsolationDefault};
static const oid isol_oper_oid[] = {VMIB_OID_vmibIsolationOperStatus};
static const oid isol_failure_oid[] = {VMIB_OID_vmibIsolationFailure};
static const oid isol_sysuptime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};   /* RFC 3418 */
static const oid isol_trapoid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

#define ISOL_DEFAULT_ARC isol_default_oid[VMIB_OID_vmibIsolationDefault_LEN - 1]
#define ISOL_OPER_ARC isol_oper_oid[VMIB_OID_vmibIsolationOperStatus_LEN - 1]
#define ISOL_NOTIFY_QUEUE 256

/* The isolation state of the host. */
struct isolation {
	struct isol_config cur;        /* in force (or wanted, if failed) */
	enum isol_oper oper;           /* vmibIsolationOperStatus */
	char dir[PATH_MAX];            /* state directory */
	struct isolate_backend *b;     /* not owned */
	uint32_t caps;
	uint64_t counters_ms;
	struct tracker *tracker;       /* vmibHostLastError, may be NULL */
};

/* what a varbind is about */
enum isol_kind { IK_NONE, IK_RULE, IK_SUBNET, IK_DEFAULT };

/* a rule or subnet the PDU touches, with the values it gives */
struct isol_set_row {
	enum isol_kind kind;
	uint32_t index;
	uint32_t cols;           /* bit (1 << column) per column set */
	int status;              /* RowStatus, 0 if none */
	struct isol_rule rule;   /* IK_RULE values */
	struct isol_subnet subnet; /* IK_SUBNET values */
};

/* one SET PDU's transaction: the coordinator's state of this participant */
struct isol_txn {
	struct agent_ctx *ctx;
	struct isol_set_row *rows;
	size_t n_rows, cap_rows;
	bool set_default;
	enum isolate_action new_default;
	struct isol_config next, prev;      /* RESERVE2 builds next; ACTION keeps prev */
	bool built, prepared, applied, failed;
	bool changed;                       /* the PDU changes the configuration */
	/* an error found in a phase, for the handler call holding its varbind */
	int err;
	enum isol_kind err_kind;
	uint32_t err_index;
	bool err_set;
};

static struct {
	struct agent_ctx *ctx;
	struct mibtab *tabs;                /* the MIB_ISOL_N tables */
	/* notifications */
	bool notify_on;
	uint32_t queue[ISOL_NOTIFY_QUEUE];
	size_t n_queue;
	unsigned long sent;
} I;

/* --- the isolation state ------------------------------------------------------------ */

static bool isol_supported(const struct isolation *is)
{
	return CAPS_HAS(is->caps, CAPS_IPTABLES) && CAPS_HAS(is->caps, CAPS_BR_NETFILTER);
}

static void isol_host_error(struct isolation *is, const char *text)
{
	if (is->tracker)
		tracker_host_error(is->tracker, "isolation: %s", text);
}

/* install c (or remove the chain when c configures nothing) */
static int isol_install(struct isolation *is, const struct isol_config *c,
			struct isolate_error *err)
{
	struct isolate_policy p;
	struct isolate_rule *rules;
	struct isolate_prefix *subnets;
	int rc;

	if (isolstore_empty(c))
		return isolate_remove(is->b, err);
	if (isolstore_policy(c, &p, &rules, &subnets) < 0) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		err->index = 0;
		return -1;
	}
	rc = isolate_apply(is->b, &p, err);
	free(rules);
	free(subnets);
	return rc;
}

static void isol_set_all(struct isol_config *c, enum isol_oper oper, const char *why)
{
	size_t i;

	for (i = 0; i < c->n_rules; i++) {
		c->rules[i].oper = oper;
		snprintf(c->rules[i].last_error, sizeof(c->rules[i].last_error), "%.255s", why);
	}
}

static void isol_queue(uint32_t index);

struct isolation *mib_isol_new(const char *state_dir, struct isolate_backend *b,
			       uint32_t caps, struct tracker *tracker)
{
	struct isolation *is = calloc(1, sizeof(*is));

	if (!is)
		return NULL;
	isolstore_init(&is->cur);
	snprintf(is->dir, sizeof(is->dir), "%s", state_dir ? state_dir : "");
	is->b = b;
	is->caps = caps;
	is->tracker = tracker;
	is->oper = isol_supported(is) ? ISOL_APPLIED : ISOL_UNSUPPORTED;
	return is;
}

void mib_isol_free(struct isolation *is)
{
	if (!is)
		return;
	isolstore_free(&is->cur);
	free(is);
}

int mib_isol_start(struct isolation *is)
{
	struct isolate_error err;
	char why[300];
	size_t i;
	int rc;

	rc = is->dir[0] ? isolstore_load(is->dir, &is->cur, why, sizeof(why)) : 0;
	if (rc < 0) {
		log_msg(LOG_ERR, "ipt", "isolation state not read, nothing installed: %s", why);
		isol_host_error(is, why);
		is->oper = ISOL_FAILED;
		return -1;
	}
	if (rc == 0)
		return 0; /* never configured: nothing of ours to install */
	log_msg(LOG_INFO, "ipt", "isolation state read: %zu rules, %zu subnets, default %s",
		is->cur.n_rules, is->cur.n_subnets,
		is->cur.default_action == ISOLATE_DROP ? "drop" : "accept");
	if (!isol_supported(is)) {
		snprintf(why, sizeof(why), "this host cannot filter bridged traffic (%s missing)",
			 CAPS_HAS(is->caps, CAPS_IPTABLES) ? "br_netfilter" : "iptables");
		log_msg(LOG_ERR, "ipt", "isolation not installed: %s", why);
		isol_host_error(is, why);
		is->oper = ISOL_UNSUPPORTED;
		isol_set_all(&is->cur, ISOL_UNSUPPORTED, why);
	} else if (isol_install(is, &is->cur, &err) < 0) {
		isol_host_error(is, err.text);
		is->oper = ISOL_FAILED;
		isol_set_all(&is->cur, ISOL_FAILED, err.text);
	} else {
		is->oper = ISOL_APPLIED;
		isol_set_all(&is->cur, ISOL_APPLIED, "");
		return 0;
	}
	for (i = 0; i < is->cur.n_rules; i++)
		isol_queue(is->cur.rules[i].r.index);
	return -1;
}

int mib_isol_oper(const struct isolation *is)
{
	return is->oper;
}

/* --- one SET PDU --------------------------------------------------------------------- */

static void *isol_begin(void *ctx)
{
	struct isol_txn *x = calloc(1, sizeof(*x));

	if (x)
		x->ctx = ctx;
	return x;
}

static void isol_end(void *st)
{
	struct isol_txn *x = st;

	if (!x)
		return;
	if (x->built)
		isolstore_free(&x->next);
	if (x->applied)
		isolstore_free(&x->prev);
	free(x->rows);
	free(x);
}

static struct isol_set_row *isol_set_row(struct isol_txn *x, enum isol_kind kind, uint32_t index)
{
	struct isol_set_row *p;
	size_t i;

	for (i = x->n_rows; i-- > 0;)
		if (x->rows[i].kind == kind && x->rows[i].index == index)
			return &x->rows[i];
	if (x->n_rows == x->cap_rows) {
		size_t cap = x->cap_rows ? 2 * x->cap_rows : 32;

		p = realloc(x->rows, cap * sizeof(*p));
		if (!p)
			return NULL;
		x->rows = p;
		x->cap_rows = cap;
	}
	p = &x->rows[x->n_rows++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->index = index;
	return p;
}

static enum isol_kind isol_kind_of(const struct mibtab *t)
{
	if (t == &I.tabs[MIB_ISOL_RULES])
		return IK_RULE;
	if (t == &I.tabs[MIB_ISOL_SUBNETS])
		return IK_SUBNET;
	if (t == &I.tabs[MIB_ISOL_DEFAULT])
		return IK_DEFAULT;
	return IK_NONE;
}

/* remember an error of the PDU for the varbind of (kind, index) */
static void isol_error(struct isol_txn *x, int err, enum isol_kind kind, uint32_t index, const char *text)
{
	struct isolation *is = x->ctx->isol;
	struct isol_rule *r = kind == IK_RULE ? isolstore_rule(&is->cur, index) : NULL;

	if (r)
		snprintf(r->last_error, sizeof(r->last_error), "%.255s", text);
	isol_host_error(is, text);
	if (x->err == SNMP_ERR_NOERROR) {
		x->err = err;
		x->err_kind = kind;
		x->err_index = index;
	}
	x->failed = true;
}

/* attach the PDU's error to one of this call's varbinds, if it holds it */
static void isol_attach(void *st, const struct mibset_call *c)
{
	struct isol_txn *x = st;
	const struct mibtab *t = c->t;
	enum isol_kind kind = isol_kind_of(t);
	netsnmp_request_info *r;
	unsigned int col;
	const oid *idx;

	if (x->err == SNMP_ERR_NOERROR || x->err_set)
		return;
	for (r = c->requests; r; r = r->next) {
		if (x->err_kind != IK_NONE &&
		    (kind != x->err_kind || mibset_instance(t, r->requestvb, &col, &idx) != 0 ||
		     (kind != IK_DEFAULT && idx[0] != x->err_index)))
			continue;
		netsnmp_set_request_error(c->reqinfo, r, x->err);
		x->err_set = true;
		return;
	}
}

/* --- RESERVE1 ------------------------------------------------------------------------ */

static int isol_rule_value(unsigned int col, const netsnmp_variable_list *vb,
			   struct isol_set_row *row)
{
	struct isol_rule *r = &row->rule;
	uint32_t v = 0;
	long a;
	int rc;

	switch (col) {
	case VMIB_COL_vmibIsolName:
		return mibset_string(vb, ISOL_NAME_MAX, r->name);
	case VMIB_COL_vmibIsolSrcAddr:
		return mibset_ipaddr(vb, &r->r.src.addr);
	case VMIB_COL_vmibIsolDstAddr:
		return mibset_ipaddr(vb, &r->r.dst.addr);
	case VMIB_COL_vmibIsolSrcPrefixLen:
	case VMIB_COL_vmibIsolDstPrefixLen:
		rc = mibset_u32(vb, 0, 32, &v);
		(col == VMIB_COL_vmibIsolSrcPrefixLen ? &r->r.src : &r->r.dst)->len = (uint8_t)v;
		return rc;
	case VMIB_COL_vmibIsolAction:
		rc = mibset_enum(vb, VMIB_ENUM_vmibIsolAction_accept, VMIB_ENUM_vmibIsolAction_drop, &a);
		r->r.action = (enum isolate_action)a;
		return rc;
	case VMIB_COL_vmibIsolRowStatus:
		return mibset_rowstatus(vb, &row->status);
	default:
		return SNMP_ERR_NOTWRITABLE;
	}
}

static int isol_subnet_value(unsigned int col, const netsnmp_variable_list *vb,
			     struct isol_set_row *row)
{
	struct isol_subnet *s = &row->subnet;
	uint32_t v = 0;
	int rc;

	switch (col) {
	case VMIB_COL_vmibSubnetName:
		return mibset_string(vb, ISOL_NAME_MAX, s->name);
	case VMIB_COL_vmibSubnetAddr:
		return mibset_ipaddr(vb, &s->p.addr);
	case VMIB_COL_vmibSubnetPrefixLen:
		rc = mibset_u32(vb, VMIB_RANGE_vmibSubnetPrefixLen_MIN,
				VMIB_RANGE_vmibSubnetPrefixLen_MAX, &v);
		s->p.len = (uint8_t)v;
		return rc;
	case VMIB_COL_vmibSubnetRowStatus:
		return mibset_rowstatus(vb, &row->status);
	default:
		return SNMP_ERR_NOTWRITABLE;
	}
}

/* a value refused in RESERVE1 (wrongType, wrongLength, wrongValue): in
 * the log, vmibHostLastError and the rule's LastError, like every refusal */
static void isol_reserve1_tell(const struct isol_txn *x, const struct mibtab *t,
			       const netsnmp_request_info *r, int rc)
{
	struct isolation *is = x->ctx->isol;
	const char *what = rc == SNMP_ERR_WRONGTYPE ? "wrongType: not the column's SYNTAX" :
			   rc == SNMP_ERR_WRONGLENGTH ? "wrongLength: longer than the column's SIZE" :
			   "wrongValue: out of the column's range";
	enum isol_kind kind = isol_kind_of(t);
	struct isol_rule *rule;
	unsigned int col;
	const oid *idx;
	char why[160];

	if ((rc != SNMP_ERR_WRONGTYPE && rc != SNMP_ERR_WRONGLENGTH && rc != SNMP_ERR_WRONGVALUE) ||
	    mibset_instance(t, r->requestvb, &col, &idx) != 0)
		return;
	snprintf(why, sizeof(why), "SET %s column %u index %u: %s", t->name, col,
		 (unsigned)idx[0], what);
	log_msg(LOG_NOTICE, "snmp", "%s", why);
	rule = kind == IK_RULE ? isolstore_rule(&is->cur, (uint32_t)idx[0]) : NULL;
	if (rule)
		snprintf(rule->last_error, sizeof(rule->last_error), "%.255s", why);
	isol_host_error(is, why);
}

static int isol_reserve1(struct isol_txn *x, const struct mibtab *t, netsnmp_request_info *r)
{
	enum isol_kind kind = isol_kind_of(t);
	struct isol_set_row *row;
	unsigned int col;
	const oid *idx;
	long v;
	int at = mibset_instance(t, r->requestvb, &col, &idx), rc;

	if (kind == IK_DEFAULT) {
		if (at != 0 || col != ISOL_DEFAULT_ARC || idx[0] != 0)
			return SNMP_ERR_NOCREATION;
		rc = mibset_enum(r->requestvb, VMIB_ENUM_vmibIsolationDefault_accept,
				 VMIB_ENUM_vmibIsolationDefault_drop, &v);
		x->set_default = rc == SNMP_ERR_NOERROR;
		x->new_default = (enum isolate_action)v;
		return rc;
	}
	if (kind == IK_NONE || at < 0 || col == 1)
		return at < 0 || col != 1 ? SNMP_ERR_NOTWRITABLE : SNMP_ERR_NOACCESS;
	if (at > 0 || idx[0] < 1 || idx[0] > ISOLATE_INDEX_MAX)
		return SNMP_ERR_NOCREATION;
	row = isol_set_row(x, kind, (uint32_t)idx[0]);
	if (!row)
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	rc = kind == IK_RULE ? isol_rule_value(col, r->requestvb, row)
			     : isol_subnet_value(col, r->requestvb, row);
	if (rc == SNMP_ERR_NOERROR)
		row->cols |= 1u << col;
	return rc;
}

/* --- RESERVE2: the new configuration and its checks ------------------------------------------ */

static void isol_assign_rule(struct isol_rule *dst, const struct isol_set_row *row)
{
	const struct isol_rule *v = &row->rule;

	dst->touched = true;
	if (row->cols & (1u << VMIB_COL_vmibIsolName))
		memcpy(dst->name, v->name, sizeof(dst->name));
	if (row->cols & (1u << VMIB_COL_vmibIsolSrcAddr))
		dst->r.src.addr = v->r.src.addr;
	if (row->cols & (1u << VMIB_COL_vmibIsolSrcPrefixLen))
		dst->r.src.len = v->r.src.len;
	if (row->cols & (1u << VMIB_COL_vmibIsolDstAddr))
		dst->r.dst.addr = v->r.dst.addr;
	if (row->cols & (1u << VMIB_COL_vmibIsolDstPrefixLen))
		dst->r.dst.len = v->r.dst.len;
	if (row->cols & (1u << VMIB_COL_vmibIsolAction))
		dst->r.action = v->r.action;
}

static void isol_assign_subnet(struct isol_subnet *dst, const struct isol_set_row *row)
{
	const struct isol_subnet *v = &row->subnet;

	dst->touched = true;
	if (row->cols & (1u << VMIB_COL_vmibSubnetName))
		memcpy(dst->name, v->name, sizeof(dst->name));
	if (row->cols & (1u << VMIB_COL_vmibSubnetAddr))
		dst->p.addr = v->p.addr;
	if (row->cols & (1u << VMIB_COL_vmibSubnetPrefixLen))
		dst->p.len = v->p.len;
}

/* RFC 2579 transitions and VMIB-MIB's required columns for one row */
static int isol_row_change(struct isol_txn *x, const struct isol_set_row *row, char *why, size_t len)
{
	bool rule = row->kind == IK_RULE;
	unsigned int rs_col = rule ? VMIB_COL_vmibIsolRowStatus : VMIB_COL_vmibSubnetRowStatus;
	bool exists = rule ? isolstore_rule(&x->next, row->index) != NULL
			   : isolstore_subnet(&x->next, row->index) != NULL;
	const char *what = rule ? "isolation rule" : "subnet";

	if (row->status == MIBSET_RS_DESTROY) {
		if (row->cols & ~(1u << rs_col)) {
			snprintf(why, len, "%s %u: destroy with other columns", what, row->index);
			return SNMP_ERR_INCONSISTENTVALUE;
		}
		if (rule)
			isolstore_rule_drop(&x->next, row->index);
		else
			isolstore_subnet_drop(&x->next, row->index);
		x->changed |= exists; /* destroy of a missing row: noError, no change */
		return SNMP_ERR_NOERROR;
	}
	if (row->status == MIBSET_RS_CREATE_AND_GO && exists) {
		snprintf(why, len, "%s %u exists already", what, row->index);
		return SNMP_ERR_INCONSISTENTVALUE;
	}
	if (row->status != MIBSET_RS_CREATE_AND_GO && !exists) {
		snprintf(why, len, "no %s %u (create it with createAndGo)", what, row->index);
		return row->status ? SNMP_ERR_INCONSISTENTVALUE : SNMP_ERR_INCONSISTENTNAME;
	}
	if (row->status == MIBSET_RS_CREATE_AND_GO &&
	    (rule ? !(row->cols & (1u << VMIB_COL_vmibIsolAction))
		  : (row->cols & ((1u << VMIB_COL_vmibSubnetAddr) |
				  (1u << VMIB_COL_vmibSubnetPrefixLen))) !=
			    ((1u << VMIB_COL_vmibSubnetAddr) | (1u << VMIB_COL_vmibSubnetPrefixLen)))) {
		snprintf(why, len, "%s %u: createAndGo needs %s", what, row->index,
			 rule ? "vmibIsolAction" : "vmibSubnetAddr and vmibSubnetPrefixLen");
		return SNMP_ERR_INCONSISTENTVALUE;
	}
	x->changed = true;
	if (rule) {
		struct isol_rule *r = isolstore_rule_add(&x->next, row->index);

		if (!r)
			goto oom;
		isol_assign_rule(r, row);
	} else {
		struct isol_subnet *s = isolstore_subnet_add(&x->next, row->index);

		if (!s)
			goto oom;
		isol_assign_subnet(s, row);
	}
	return SNMP_ERR_NOERROR;
oom:
	snprintf(why, len, "out of memory");
	return SNMP_ERR_RESOURCEUNAVAILABLE;
}

/* a touched subnet against the others (isolate_check says the same with
 * no index; this names the row at fault) */
static int isol_check_subnets(const struct isol_txn *x, char *why, size_t len, uint32_t *index)
{
	struct isolate_policy p = {NULL, 0, NULL, 0, ISOLATE_ACCEPT};
	struct isolate_prefix pair[2];
	struct isolate_error err;
	size_t i, j;

	for (i = 0; i < x->next.n_subnets; i++) {
		if (!x->next.subnets[i].touched)
			continue;
		*index = x->next.subnets[i].index;
		pair[0] = x->next.subnets[i].p;
		p.subnets = pair;
		p.n_subnets = 1;
		if (isolate_check(&p, &err) < 0)
			goto bad;
		for (j = 0; j < x->next.n_subnets; j++) {
			if (j == i)
				continue;
			pair[1] = x->next.subnets[j].p;
			p.n_subnets = 2;
			if (isolate_check(&p, &err) < 0)
				goto bad;
		}
	}
	return 0;
bad:
	snprintf(why, len, "subnet %u: %s", *index, err.text);
	return -1;
}

static void isol_build(struct isol_txn *x)
{
	struct isolation *is = x->ctx->isol;
	struct isolate_policy p;
	struct isolate_rule *rules;
	struct isolate_prefix *subnets;
	struct isolate_error err;
	char why[300];
	uint32_t index = 0;
	size_t i;
	int rc;

	if (!isol_supported(is)) {
		snprintf(why, sizeof(why), "this host cannot filter bridged traffic (capability %s clear)",
			 CAPS_HAS(is->caps, CAPS_IPTABLES) ? "brNetfilter" : "iptables");
		log_msg(LOG_NOTICE, "ipt", "SET refused: %s", why);
		isol_error(x, SNMP_ERR_INCONSISTENTVALUE, IK_NONE, 0, why);
		return;
	}
	if (isolstore_copy(&x->next, &is->cur) < 0) {
		isol_error(x, SNMP_ERR_RESOURCEUNAVAILABLE, IK_NONE, 0, "out of memory");
		return;
	}
	x->built = true;
	for (i = 0; i < x->next.n_rules; i++)
		x->next.rules[i].touched = false;
	for (i = 0; i < x->next.n_subnets; i++)
		x->next.subnets[i].touched = false;
	if (x->set_default) {
		x->next.default_action = x->new_default;
		x->changed = true;
	}
	for (i = 0; i < x->n_rows; i++) {
		rc = isol_row_change(x, &x->rows[i], why, sizeof(why));
		if (rc != SNMP_ERR_NOERROR) {
			log_msg(LOG_NOTICE, "ipt", "SET refused: %s", why);
			isol_error(x, rc, x->rows[i].kind, x->rows[i].index, why);
			return;
		}
	}
	if (isol_check_subnets(x, why, sizeof(why), &index) < 0) {
		isol_error(x, SNMP_ERR_INCONSISTENTVALUE, IK_SUBNET, index, why);
		return;
	}
	if (isolstore_policy(&x->next, &p, &rules, &subnets) < 0) {
		isol_error(x, SNMP_ERR_RESOURCEUNAVAILABLE, IK_NONE, 0, "out of memory");
		return;
	}
	rc = isolate_check(&p, &err);
	free(rules);
	free(subnets);
	if (rc < 0)
		isol_error(x, SNMP_ERR_INCONSISTENTVALUE, err.index ? IK_RULE : IK_NONE, err.index,
			   err.text);
}

/* RESERVE2: the whole new configuration, and its checks */
static int isol_reserve2(void *st, const struct mibset_pdu *pdu)
{
	struct isol_txn *x = st;

	(void)pdu;
	if (!x->failed)
		isol_build(x);
	return x->failed ? -1 : 0;
}

/* --- ACTION, UNDO, COMMIT ------------------------------------------------------------------- */

static void isol_put(struct isol_txn *x)
{
	struct isolation *is = x->ctx->isol;
	struct isolate_error err;
	char why[300];
	size_t i;

	if (!x->changed)
		return; /* nothing to install or write */
	if (is->dir[0] && isolstore_prepare(is->dir, &x->next, why, sizeof(why)) < 0) {
		log_msg(LOG_ERR, "ipt", "isolation state not written: %s", why);
		isol_error(x, SNMP_ERR_COMMITFAILED, IK_NONE, 0, why);
		return;
	}
	x->prepared = is->dir[0] != '\0';
	if (isol_install(is, &x->next, &err) < 0) {
		/* the previous chain stays in force */
		is->oper = ISOL_FAILED;
		isol_error(x, SNMP_ERR_COMMITFAILED, err.index ? IK_RULE : IK_NONE, err.index, err.text);
		return;
	}
	for (i = 0; i < x->next.n_rules; i++) {
		x->next.rules[i].oper = ISOL_APPLIED;
		if (x->next.rules[i].touched)
			x->next.rules[i].last_error[0] = '\0';
		x->next.rules[i].matched_pkts = 0; /* a new chain counts from zero */
	}
	x->prev = is->cur;
	is->cur = x->next;
	x->built = false;
	x->applied = true;
	is->oper = ISOL_APPLIED;
	is->counters_ms = 0;
}

/* ACTION: the state file's temporary copy, and the new chain */
static int isol_action(void *st, const struct mibset_pdu *pdu)
{
	struct isol_txn *x = st;

	(void)pdu;
	if (!x->failed)
		isol_put(x);
	return x->failed ? -1 : 0;
}

static void isol_undo(void *st)
{
	struct isol_txn *x = st;
	struct isolation *is = x->ctx->isol;
	struct isolate_error err;

	if (x->applied) {
		x->next = is->cur;
		is->cur = x->prev;
		x->applied = false;
		x->built = true;
		if (isol_install(is, &is->cur, &err) < 0) {
			log_msg(LOG_ERR, "ipt", "re-installing the previous isolation chain failed");
			isol_host_error(is, err.text);
			is->oper = ISOL_FAILED;
		}
	}
	if (x->prepared)
		isolstore_discard(is->dir);
	x->prepared = false;
}

static void isol_commit(void *st)
{
	struct isol_txn *x = st;
	struct isolation *is = x->ctx->isol;
	char why[300];

	if (x->applied && x->prepared && isolstore_commit(is->dir, why, sizeof(why)) < 0) {
		/* COMMIT cannot fail: the chain is in force, the file is old */
		log_msg(LOG_ERR, "ipt", "isolation state not saved: %s", why);
		isol_host_error(is, why);
	}
	x->prepared = false;
}

/* RESERVE1, one handler call: each varbind's syntax */
static void isol_collect(void *st, const struct mibset_call *c)
{
	struct isol_txn *x = st;
	netsnmp_request_info *r;
	int rc;

	for (r = c->requests; r; r = r->next) {
		rc = isol_reserve1(x, c->t, r);
		if (rc != SNMP_ERR_NOERROR) {
			isol_reserve1_tell(x, c->t, r, rc);
			netsnmp_set_request_error(c->reqinfo, r, rc);
			x->failed = true;
		}
	}
}

static void isol_free(void *st)
{
	struct isol_txn *x = st;

	if (x->prepared)
		isolstore_discard(x->ctx->isol->dir);
	x->prepared = false;
}

/* a PDU the master never closed: the chain it installed stays, and so
 * does its state file */
static void isol_abandon(void *st)
{
	struct isol_txn *x = st;

	if (x->applied)
		isol_commit(x);
}

static const struct mibset_participant isol_participant = {
	.name = "isolation",
	.slot = MIBSET_SLOT_ISOL,
	.begin = isol_begin,
	.reserve1 = isol_collect,
	.reserve2 = isol_reserve2,
	.action = isol_action,
	.report = isol_attach,
	.undo = isol_undo,
	.commit = isol_commit,
	.free = isol_free,
	.abandon = isol_abandon,
	.end = isol_end,
};

static int isol_set(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
		    netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	(void)reginfo;
	return mibset_handle(&isol_participant, isol_kind_of(handler->myvoid), handler, reqinfo,
			     requests);
}

/* --- reads -------------------------------------------------------------------------------- */

static const void *isol_rule_get(const struct mibtab *t, const oid *idx)
{
	const struct agent_ctx *ctx = t->ctx;

	return idx[0] > ISOLATE_INDEX_MAX ? NULL : isolstore_rule(&ctx->isol->cur, (uint32_t)idx[0]);
}

static const void *isol_rule_next(const struct mibtab *t, const oid *q, size_t q_len, oid *out)
{
	const struct agent_ctx *ctx = t->ctx;
	const struct isol_rule *r;

	/* (k) > q  <=>  k > q[0] whether q is (q0) or longer */
	if (q_len && q[0] > ISOLATE_INDEX_MAX)
		return NULL;
	r = isolstore_rule_after(&ctx->isol->cur, q_len ? q[0] : 0);
	if (r)
		out[0] = r->r.index;
	return r;
}

static const void *isol_subnet_get(const struct mibtab *t, const oid *idx)
{
	const struct agent_ctx *ctx = t->ctx;

	return idx[0] > ISOLATE_INDEX_MAX ? NULL
					  : isolstore_subnet(&ctx->isol->cur, (uint32_t)idx[0]);
}

static const void *isol_subnet_next(const struct mibtab *t, const oid *q, size_t q_len,
				    oid *out)
{
	const struct agent_ctx *ctx = t->ctx;
	const struct isol_subnet *s;

	if (q_len && q[0] > ISOLATE_INDEX_MAX)
		return NULL;
	s = isolstore_subnet_after(&ctx->isol->cur, q_len ? q[0] : 0);
	if (s)
		out[0] = s->index;
	return s;
}

static int isol_rule_col(const struct mibtab *t, const void *row, unsigned int col,
			 struct mib_value *v)
{
	const struct isol_rule *r = row;

	(void)t;
	switch (col) {
	case VMIB_COL_vmibIsolName:
		mib_value_str(v, r->name, ISOL_NAME_MAX);
		break;
	case VMIB_COL_vmibIsolSrcAddr:
		mib_value_bytes(v, ASN_IPADDRESS, &r->r.src.addr.s_addr, 4);
		break;
	case VMIB_COL_vmibIsolSrcPrefixLen:
		mib_value_int(v, ASN_UNSIGNED, r->r.src.len);
		break;
	case VMIB_COL_vmibIsolDstAddr:
		mib_value_bytes(v, ASN_IPADDRESS, &r->r.dst.addr.s_addr, 4);
		break;
	case VMIB_COL_vmibIsolDstPrefixLen:
		mib_value_int(v, ASN_UNSIGNED, r->r.dst.len);
		break;
	case VMIB_COL_vmibIsolAction:
		mib_value_int(v, ASN_INTEGER, r->r.action);
		break;
	case VMIB_COL_vmibIsolOperStatus:
		mib_value_int(v, ASN_INTEGER, r->oper);
		break;
	case VMIB_COL_vmibIsolLastError:
		mib_value_str(v, r->last_error, ISOL_ERROR_MAX);
		break;
	case VMIB_COL_vmibIsolMatchedPkts:
		mib_value_u64(v, r->matched_pkts);
		break;
	case VMIB_COL_vmibIsolRowStatus:
		mib_value_int(v, ASN_INTEGER, MIBSET_RS_ACTIVE);
		break;
	default:
		return -1;
	}
	return 0;
}

static int isol_subnet_col(const struct mibtab *t, const void *row, unsigned int col,
			   struct mib_value *v)
{
	const struct isol_subnet *s = row;

	(void)t;
	switch (col) {
	case VMIB_COL_vmibSubnetName:
		mib_value_str(v, s->name, ISOL_NAME_MAX);
		break;
	case VMIB_COL_vmibSubnetAddr:
		mib_value_bytes(v, ASN_IPADDRESS, &s->p.addr.s_addr, 4);
		break;
	case VMIB_COL_vmibSubnetPrefixLen:
		mib_value_int(v, ASN_UNSIGNED, s->p.len);
		break;
	case VMIB_COL_vmibSubnetRowStatus:
		mib_value_int(v, ASN_INTEGER, MIBSET_RS_ACTIVE);
		break;
	default:
		return -1;
	}
	return 0;
}

static int isol_scalar_col(const struct mibtab *t, const void *row, unsigned int col,
			   struct mib_value *v)
{
	const struct agent_ctx *ctx = t->ctx;

	(void)row;
	if (col == ISOL_DEFAULT_ARC)
		mib_value_int(v, ASN_INTEGER, ctx->isol->cur.default_action);
	else if (col == ISOL_OPER_ARC)
		mib_value_int(v, ASN_INTEGER, ctx->isol->oper);
	else
		return -1;
	return 0;
}

/* vmibIsolMatchedPkts: one "iptables -S -v" per stats-max-age */
static void isol_prepare(const struct mibtab *t)
{
	const struct agent_ctx *ctx = t->ctx;
	struct isolation *is = ctx->isol;
	struct isolate_counter *c;
	struct isolate_error err;
	struct isol_rule *r;
	uint64_t now = loop_now_ms();
	int n, i;

	if (!is->cur.n_rules || is->oper != ISOL_APPLIED ||
	    (is->counters_ms && now - is->counters_ms <= ctx->cfg->stats_max_age_ms))
		return;
	is->counters_ms = now;
	c = calloc(is->cur.n_rules, sizeof(*c));
	n = c ? isolate_counters_read(is->b, c, is->cur.n_rules, &err) : -1;
	for (i = 0; i < n; i++) {
		r = isolstore_rule(&is->cur, c[i].index);
		if (r)
			r->matched_pkts = c[i].pkts;
	}
	free(c);
}

/* --- vmibIsolationFailure --------------------------------------------------------------------- */

static void isol_add_col(netsnmp_variable_list **vars, unsigned int col, uint32_t index,
			 u_char type, const void *val, size_t len)
{
	oid name[MAX_OID_LEN];
	size_t n = OID_LENGTH(isol_entry_oid);

	memcpy(name, isol_entry_oid, sizeof(isol_entry_oid));
	name[n] = col;
	name[n + 1] = index;
	snmp_varlist_add_variable(vars, name, n + 2, type, val, len);
}

static void isol_send(const struct isol_rule *r)
{
	netsnmp_variable_list *vars = NULL;
	u_long up = netsnmp_get_agent_uptime();
	long oper = r->oper;

	snmp_varlist_add_variable(&vars, isol_sysuptime, OID_LENGTH(isol_sysuptime),
				  ASN_TIMETICKS, &up, sizeof(up));
	snmp_varlist_add_variable(&vars, isol_trapoid, OID_LENGTH(isol_trapoid), ASN_OBJECT_ID,
				  isol_failure_oid, sizeof(isol_failure_oid));
	isol_add_col(&vars, VMIB_COL_vmibIsolName, r->r.index, ASN_OCTET_STR, r->name,
		     strlen(r->name));
	isol_add_col(&vars, VMIB_COL_vmibIsolOperStatus, r->r.index, ASN_INTEGER, &oper,
		     sizeof(oper));
	isol_add_col(&vars, VMIB_COL_vmibIsolLastError, r->r.index, ASN_OCTET_STR, r->last_error,
		     strlen(r->last_error));
	send_v2trap(vars);
	snmp_free_varbind(vars);
	I.sent++;
}

static void isol_queue(uint32_t index)
{
	if (I.n_queue < ISOL_NOTIFY_QUEUE)
		I.queue[I.n_queue++] = index;
}

void mib_isol_notify_enable(bool on)
{
	const struct isol_rule *r;
	size_t i;

	I.notify_on = on;
	if (!on || !I.ctx || !I.ctx->isol)
		return;
	for (i = 0; i < I.n_queue; i++) {
		r = isolstore_rule(&I.ctx->isol->cur, I.queue[i]);
		if (r && (r->oper == ISOL_FAILED || r->oper == ISOL_UNSUPPORTED))
			isol_send(r);
	}
	I.n_queue = 0;
}

unsigned long mib_isol_notifications(void)
{
	return I.sent;
}

/* --- setup ---------------------------------------------------------------------------------- */

static void isol_scalar(struct mibtab *t, struct agent_ctx *ctx, const char *name,
			const oid *root, size_t root_len, unsigned int col)
{
	*t = (struct mibtab){
		.name = name,
		.root = root,
		.root_len = root_len,
		.entry = isol_host_oid,
		.entry_len = VMIB_OID_vmibHost_LEN,
		.col_min = col,
		.col_max = col,
		.index_len = 1,
		.row_get = mibtab_scalar_get,
		.row_next = mibtab_scalar_next,
		.col_value = isol_scalar_col,
		.ctx = ctx,
	};
}

void mib_isol_setup(struct mibtab t[MIB_ISOL_N], struct agent_ctx *ctx)
{
	I.ctx = ctx;
	I.tabs = t;
	t[MIB_ISOL_RULES] = (struct mibtab){
		.name = "vmibIsolationTable",
		.root = isol_table_oid,
		.root_len = VMIB_OID_vmibIsolationTable_LEN,
		.entry = isol_entry_oid,
		.entry_len = VMIB_OID_vmibIsolationEntry_LEN,
		.col_min = VMIB_TABLE_vmibIsolationTable_MIN_COL,
		.col_max = VMIB_TABLE_vmibIsolationTable_MAX_COL,
		.index_len = 1,
		.stats_col_min = VMIB_COL_vmibIsolMatchedPkts,
		.stats_col_max = VMIB_COL_vmibIsolMatchedPkts,
		.prepare = isol_prepare,
		.row_get = isol_rule_get,
		.row_next = isol_rule_next,
		.col_value = isol_rule_col,
		.ctx = ctx,
	};
	t[MIB_ISOL_SUBNETS] = (struct mibtab){
		.name = "vmibSubnetTable",
		.root = isol_subnet_table_oid,
		.root_len = VMIB_OID_vmibSubnetTable_LEN,
		.entry = isol_subnet_entry_oid,
		.entry_len = VMIB_OID_vmibSubnetEntry_LEN,
		.col_min = VMIB_TABLE_vmibSubnetTable_MIN_COL,
		.col_max = VMIB_TABLE_vmibSubnetTable_MAX_COL,
		.index_len = 1,
		.row_get = isol_subnet_get,
		.row_next = isol_subnet_next,
		.col_value = isol_subnet_col,
		.ctx = ctx,
	};
	isol_scalar(&t[MIB_ISOL_DEFAULT], ctx, "vmibIsolationDefault", isol_default_oid,
		    VMIB_OID_vmibIsolationDefault_LEN, ISOL_DEFAULT_ARC);
	isol_scalar(&t[MIB_ISOL_OPER], ctx, "vmibIsolationOperStatus", isol_oper_oid,
		    VMIB_OID_vmibIsolationOperStatus_LEN, ISOL_OPER_ARC);
}

int mib_isol_register(struct mibtab t[MIB_ISOL_N])
{
	/* the scalars are vmibHost.13 and .14, next to mib_host.c's range */
	if (mibset_register(&t[MIB_ISOL_RULES], isol_set) < 0 ||
	    mibset_register(&t[MIB_ISOL_SUBNETS], isol_set) < 0 ||
	    mibset_register(&t[MIB_ISOL_DEFAULT], isol_set) < 0 ||
	    mibset_register(&t[MIB_ISOL_OPER], isol_set) < 0)
		return -1;
	return 0;
}

Netsnmp_Node_Handler *mib_isol_set_handler(void)
{
	return isol_set;
}
