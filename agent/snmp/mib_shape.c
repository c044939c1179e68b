/*
 * mib_shape.c - vmibShapeTable (VMIB-MIB): reads, SETs and the
 * vmibShapeFailure notification.
 *
 * The rows live in the shape store (shapestore.h); this file only
 * translates.  The table is a participant of the SET coordinator
 * (mibset.h), after the VM and vif tables; its state for one PDU is a
 * struct shape_txn.  RESERVE1 checks each varbind's syntax and collects
 * the rows it touches; RESERVE2 turns them into one change per vif
 * (shapestore_change_*) and runs every check (the VM and vif exist,
 * libvirt is reachable so the change can be stored, RowStatus
 * transitions, tc_rows_check with this kernel's capabilities); ACTION
 * applies the changes one vif after the other (the tc requests, then the
 * rows into the table); UNDO reverses the applied ones; the end of the
 * PDU lets the store write the rows to the domains' metadata.
 * Rows of a VM or vif that the same PDU creates (VMIB-MIB
 * vmibShapeRowStatus; mibset_creates) are checked in RESERVE2 on their
 * own (every check that does not need the device), and applied in
 * ACTION, which the coordinator runs after the VM participant's has
 * created the VM.  A failure found in a phase is set on its varbind in
 * this table's handler call of that mode (shape_fault).
 * Error mapping (VMIB-MIB): a malformed value wrongType / wrongLength /
 * wrongValue, a bad index noCreation, a read-only column notWritable, a
 * VM or vif that does not exist inconsistentName (but a bare destroy of
 * such a row is noError: the row does not exist), a refused row
 * (jitter > delay, ...) inconsistentValue (NetEm on a kernel without
 * sch_netem is not refused: the rest of the row is put in force and the
 * row reads unsupported, shapestore.c),
 * libvirt unreachable or the VM's rows not read yet resourceUnavailable,
 * the kernel refusing a request commitFailed.  The reason goes to the
 * row's vmibShapeLastError (when the row exists), to vmibHostLastError
 * (always: a row that fails its createAndGo has no LastError to read)
 * and to the log.
 *
 * Loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mib_tables.h"
#include "mibset.h"
#include "shapestore.h"
#include "vmib_oids.h"

static const oid shape_table_oid[] = {VMIB_OID_vmibShapeTable};
static const oid shape_entry_oid[] = {VMIB_OID_vmibShapeEntry};
static const oid shape_failure_oid[] = {VMIB_OID_vmibShapeFailure};
static const oid shape_sysuptime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};   /* RFC 3418 */
static const oid shape_trapoid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

#define SHAPE_NOTIFY_QUEUE 256

/* --- the writable columns, one entry each ---------------------------------------- */

enum shape_kind { SK_U32, SK_NAME, SK_ADDR, SK_PREFIX, SK_STATUS };

static const struct shape_col {
	unsigned int col;
	enum shape_kind kind;
	uint32_t max;
	size_t off;             /* SK_U32: field of struct shape_row */
} shape_cols[] = {
	{VMIB_COL_vmibShapeName, SK_NAME, SHAPE_NAME_MAX, 0},
	{VMIB_COL_vmibShapeSrcAddr, SK_ADDR, 0, 0},
	{VMIB_COL_vmibShapeSrcPrefixLen, SK_PREFIX, VMIB_RANGE_vmibShapeSrcPrefixLen_MAX, 0},
	{VMIB_COL_vmibShapeRateKbps, SK_U32, UINT32_MAX, offsetof(struct shape_row, rate_kbps)},
	{VMIB_COL_vmibShapeBurstBytes, SK_U32, UINT32_MAX, offsetof(struct shape_row, burst_bytes)},
	{VMIB_COL_vmibShapeDelayUs, SK_U32, VMIB_RANGE_vmibShapeDelayUs_MAX,
	 offsetof(struct shape_row, delay_us)},
	{VMIB_COL_vmibShapeJitterUs, SK_U32, VMIB_RANGE_vmibShapeJitterUs_MAX,
	 offsetof(struct shape_row, jitter_us)},
	{VMIB_COL_vmibShapeLossPpm, SK_U32, VMIB_RANGE_vmibShapeLossPpm_MAX,
	 offsetof(struct shape_row, loss_ppm)},
	{VMIB_COL_vmibShapeDuplicatePpm, SK_U32, VMIB_RANGE_vmibShapeDuplicatePpm_MAX,
	 offsetof(struct shape_row, duplicate_ppm)},
	{VMIB_COL_vmibShapeCorruptPpm, SK_U32, VMIB_RANGE_vmibShapeCorruptPpm_MAX,
	 offsetof(struct shape_row, corrupt_ppm)},
	{VMIB_COL_vmibShapeReorderPpm, SK_U32, VMIB_RANGE_vmibShapeReorderPpm_MAX,
	 offsetof(struct shape_row, reorder_ppm)},
	{VMIB_COL_vmibShapeLimitPkts, SK_U32, VMIB_RANGE_vmibShapeLimitPkts_MAX,
	 offsetof(struct shape_row, limit_pkts)},
	{VMIB_COL_vmibShapeRowStatus, SK_STATUS, 0, 0},
};
#define SHAPE_N_COLS (sizeof(shape_cols) / sizeof(shape_cols[0]))

static const struct shape_col *shape_col_of(unsigned int col)
{
	size_t i;

	for (i = 0; i < SHAPE_N_COLS; i++)
		if (shape_cols[i].col == col)
			return &shape_cols[i];
	return NULL;
}

/* --- one SET PDU ---------------------------------------------------------------------- */

/* a row the PDU touches, with the values it gives */
struct shape_set_row {
	int32_t vm;
	uint32_t vif, index;
	uint32_t cols;           /* bit (1 << column) per column set */
	int status;              /* RowStatus set, 0 if none */
	struct shape_entry val;  /* the values given */
};

/* one SET PDU's transaction: the coordinator's state of this participant */
struct shape_txn {
	struct agent_ctx *ctx;
	struct shape_set_row *rows;       /* sorted by (vm, vif, index) */
	size_t n_rows, cap_rows;
	struct shape_change *changes;     /* one per vif */
	struct shape_group {              /* its rows in rows */
		size_t lo, hi;
		bool deferred;            /* the PDU creates the VM or vif */
		bool nothing;             /* destroys of rows that cannot exist */
	} *groups;
	size_t n_changes, n_applied;
	bool failed;                      /* an earlier mode of this PDU failed */
	/* the error of the phase run, for the handler call (shape_request_of) */
	struct { int err; int32_t vm; uint32_t vif, index; } fault;
};

static const struct mibset_participant shape_participant;

static struct {
	struct agent_ctx *ctx;
	/* notifications */
	bool notify_on;
	struct { int32_t vm; uint32_t vif, index; } queue[SHAPE_NOTIFY_QUEUE];
	size_t n_queue;
	unsigned long sent;
} S;
static int shape_key_cmp(const struct shape_set_row *r, int32_t vm, uint32_t vif, uint32_t index)
{
	if (r->vm != vm)
		return r->vm < vm ? -1 : 1;
	if (r->vif != vif)
		return r->vif < vif ? -1 : 1;
	return r->index == index ? 0 : r->index < index ? -1 : 1;
}

static struct shape_set_row *shape_set_row(struct shape_txn *x, int32_t vm, uint32_t vif, uint32_t index)
{
	size_t lo = 0, hi = x->n_rows, mid;
	struct shape_set_row *p;
	int c;

	/* varbinds of one row usually come together: try the last first */
	if (x->n_rows && shape_key_cmp(&x->rows[x->n_rows - 1], vm, vif, index) == 0)
		return &x->rows[x->n_rows - 1];
	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = shape_key_cmp(&x->rows[mid], vm, vif, index);
		if (c == 0)
			return &x->rows[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (x->n_rows == x->cap_rows) {
		size_t cap = x->cap_rows ? 2 * x->cap_rows : 64;

		p = realloc(x->rows, cap * sizeof(*p));
		if (!p)
			return NULL;
		x->rows = p;
		x->cap_rows = cap;
	}
	memmove(&x->rows[lo + 1], &x->rows[lo], (x->n_rows - lo) * sizeof(*x->rows));
	p = &x->rows[lo];
	memset(p, 0, sizeof(*p));
	p->vm = vm;
	p->vif = vif;
	p->index = index;
	x->n_rows++;
	return p;
}

static void *shape_begin(void *ctx)
{
	struct shape_txn *x = calloc(1, sizeof(*x));

	if (x)
		x->ctx = ctx;
	return x;
}

/* the end of the PDU, whichever (COMMIT, FREE, after UNDO, abandoned):
 * the store lets go of the changes (what was applied stays) */
static void shape_end(void *st)
{
	struct shape_txn *x = st;
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->n_changes; i++)
		shapestore_change_end(x->ctx->shapes, &x->changes[i]);
	free(x->rows);
	free(x->changes);
	free(x->groups);
	free(x);
}

/* --- errors ----------------------------------------------------------------------------- */

static void shape_host_error(void *opaque, const char *text)
{
	struct agent_ctx *ctx = opaque;

	tracker_host_error(ctx->tracker, "%s", text);
}

/* The reason of a failed SET: the row's LastError if it exists, the
 * host's LastError always. */
static void shape_report(const struct shape_txn *x, int32_t vm, uint32_t vif, uint32_t index,
			 const char *text)
{
	const struct shape_entry *e = index ? shapestore_get(x->ctx->shapes, vm, vif, index) : NULL;

	if (e)
		snprintf(((struct shape_entry *)e)->last_error, sizeof(e->last_error), "%s", text);
	if (index)
		tracker_host_error(x->ctx->tracker, "shape %d.%u.%u: %s", (int)vm, vif, index, text);
	else
		tracker_host_error(x->ctx->tracker, "shape %d.%u: %s", (int)vm, vif, text);
}

/* the first request of (vm, vif, index), or of (vm, vif) with index 0,
 * or the first request at all */
static netsnmp_request_info *shape_request_of(const struct mibtab *t,
					      netsnmp_request_info *requests,
					      int32_t vm, uint32_t vif, uint32_t index)
{
	netsnmp_request_info *r;
	unsigned int col;
	const oid *idx;

	for (r = requests; r; r = r->next)
		if (mibset_instance(t, r->requestvb, &col, &idx) == 0 &&
		    idx[0] == (oid)vm && idx[1] == vif && (!index || idx[2] == index))
			return r;
	return requests;
}

/* a failure found in a phase: reported now, and set on its varbind when
 * the shape table's handler call of this mode comes (shape_fault);
 * vm 0: on the first varbind.  One per phase: each stops at its first. */
static void shape_fail(struct shape_txn *x, int32_t vm, uint32_t vif, uint32_t index,
		       int snmp_err, const char *text)
{
	if (vm)
		shape_report(x, vm, vif, index, text);
	if (!x->fault.err) {
		x->fault.err = snmp_err;
		x->fault.vm = vm;
		x->fault.vif = vif;
		x->fault.index = index;
	}
	x->failed = true;
}

/* report: the phase's failure onto the varbind it concerns */
static void shape_fault(void *st, const struct mibset_call *c)
{
	struct shape_txn *x = st;

	if (!x->fault.err)
		return;
	netsnmp_set_request_error(c->reqinfo, shape_request_of(c->t, c->requests, x->fault.vm,
							       x->fault.vif, x->fault.index),
				  x->fault.err);
	x->fault.err = 0;
}

/* --- RESERVE1: syntax, per varbind --------------------------------------------------------- */

static int shape_value(const struct shape_col *c, const netsnmp_variable_list *vb,
		       struct shape_set_row *r)
{
	uint32_t v;
	int rc = SNMP_ERR_NOERROR;

	switch (c->kind) {
	case SK_U32:
		rc = mibset_u32(vb, 0, c->max, &v);
		if (rc == SNMP_ERR_NOERROR)
			*(uint32_t *)((char *)&r->val.row + c->off) = v;
		break;
	case SK_PREFIX:
		rc = mibset_u32(vb, 0, c->max, &v);
		if (rc == SNMP_ERR_NOERROR)
			r->val.row.src_len = (uint8_t)v;
		break;
	case SK_ADDR:
		rc = mibset_ipaddr(vb, &r->val.row.src);
		break;
	case SK_NAME:
		rc = mibset_string(vb, c->max, r->val.name);
		break;
	case SK_STATUS:
		rc = mibset_rowstatus(vb, &r->status);
		break;
	}
	if (rc == SNMP_ERR_NOERROR)
		r->cols |= 1u << c->col;
	return rc;
}

static int shape_reserve1(struct shape_txn *x, const struct mibtab *t, netsnmp_request_info *r)
{
	const struct shape_col *c;
	struct shape_set_row *row;
	unsigned int col;
	const oid *idx;
	int at = mibset_instance(t, r->requestvb, &col, &idx);

	c = shape_col_of(col);
	if (at < 0 || !c)
		return col == VMIB_COL_vmibShapeIndex ? SNMP_ERR_NOACCESS : SNMP_ERR_NOTWRITABLE;
	/* VMIB-MIB: vmibVmIndex 1..2^31-1, vmibVifIndex 1.., vmibShapeIndex 1..65534 */
	if (at > 0 || idx[0] < 1 || idx[0] > INT32_MAX || idx[1] < 1 || idx[1] > UINT32_MAX ||
	    idx[2] < VMIB_RANGE_vmibShapeIndex_MIN || idx[2] > VMIB_RANGE_vmibShapeIndex_MAX)
		return SNMP_ERR_NOCREATION;
	row = shape_set_row(x, (int32_t)idx[0], (uint32_t)idx[1], (uint32_t)idx[2]);
	if (!row)
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	return shape_value(c, r->requestvb, row);
}

/* a value refused in RESERVE1 (wrongType, wrongLength, wrongValue): said
 * in the log and the LastError columns like every other refusal */
static void shape_reserve1_tell(const struct shape_txn *x, const struct mibtab *t,
				const netsnmp_request_info *r, int rc)
{
	const char *what = rc == SNMP_ERR_WRONGTYPE ? "wrongType: not the column's SYNTAX" :
			   rc == SNMP_ERR_WRONGLENGTH ? "wrongLength: longer than the column's SIZE" :
			   "wrongValue: out of the column's range";
	unsigned int col;
	const oid *idx;
	char why[120];

	if (rc != SNMP_ERR_WRONGTYPE && rc != SNMP_ERR_WRONGLENGTH && rc != SNMP_ERR_WRONGVALUE)
		return;
	if (mibset_instance(t, r->requestvb, &col, &idx) != 0)
		return;
	snprintf(why, sizeof(why), "vmibShapeEntry column %u: %s", col, what);
	log_msg(LOG_NOTICE, "snmp", "SET shape %d.%u.%u: %s", (int)idx[0], (unsigned)idx[1],
		(unsigned)idx[2], why);
	shape_report(x, (int32_t)idx[0], (uint32_t)idx[1], (uint32_t)idx[2], why);
}

/* --- RESERVE2: the changes, and every check ------------------------------------------------ */

static void shape_assign(struct shape_entry *e, const struct shape_set_row *r)
{
	size_t i;

	for (i = 0; i < SHAPE_N_COLS; i++) {
		const struct shape_col *c = &shape_cols[i];

		if (!(r->cols & (1u << c->col)))
			continue;
		switch (c->kind) {
		case SK_U32:
			*(uint32_t *)((char *)&e->row + c->off) =
				*(const uint32_t *)((const char *)&r->val.row + c->off);
			break;
		case SK_PREFIX:
			e->row.src_len = r->val.row.src_len;
			break;
		case SK_ADDR:
			e->row.src = r->val.row.src;
			break;
		case SK_NAME:
			memcpy(e->name, r->val.name, sizeof(e->name));
			break;
		case SK_STATUS:
			break;
		}
	}
}

/* RFC 2579 transitions of one row: 0 and the entry to fill (NULL for a
 * destroy or a no-op), or an SNMP error with why */
static int shape_transition(const struct shape_txn *x, struct shape_change *c, const struct shape_set_row *r,
			    struct shape_entry **e, char *why, size_t len)
{
	bool exists = shapestore_get(x->ctx->shapes, r->vm, r->vif, r->index) != NULL;
	bool others = (r->cols & ~(1u << VMIB_COL_vmibShapeRowStatus)) != 0;

	*e = NULL;
	switch (r->status) {
	case MIBSET_RS_CREATE_AND_GO:
		if (exists) {
			snprintf(why, len, "the row exists already");
			return SNMP_ERR_INCONSISTENTVALUE;
		}
		*e = shapestore_change_row(c, r->index, true);
		break;
	case MIBSET_RS_DESTROY:
		if (others) {
			snprintf(why, len, "destroy with other columns of the row");
			return SNMP_ERR_INCONSISTENTVALUE;
		}
		shapestore_change_drop(c, r->index);
		return SNMP_ERR_NOERROR; /* destroy of a missing row: noError */
	case MIBSET_RS_ACTIVE:
	default:
		if (!exists) {
			snprintf(why, len, "no such row (create it with createAndGo)");
			return r->status ? SNMP_ERR_INCONSISTENTVALUE : SNMP_ERR_INCONSISTENTNAME;
		}
		*e = shapestore_change_row(c, r->index, false);
		break;
	}
	if (!*e) {
		snprintf(why, len, "out of memory");
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	}
	return SNMP_ERR_NOERROR;
}

static int shape_verdict_err(enum shape_verdict v)
{
	switch (v) {
	case SHAPE_NO_VIF:
		return SNMP_ERR_INCONSISTENTNAME;
	case SHAPE_UNAVAILABLE:
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	case SHAPE_REFUSED:
		return SNMP_ERR_INCONSISTENTVALUE;
	case SHAPE_OK:
	default:
		return SNMP_ERR_NOERROR;
	}
}

/* the PDU's rows [lo, hi) into change c, then its checks */
static int shape_fill(struct shape_txn *x, struct shape_change *c, size_t lo,
		      size_t hi)
{
	const struct shape_set_row *r;
	struct shape_entry *e;
	struct tc_error err;
	enum shape_verdict v;
	char why[200];
	size_t i;
	int rc;

	for (i = lo; i < hi; i++) {
		r = &x->rows[i];
		rc = shape_transition(x, c, r, &e, why, sizeof(why));
		if (rc != SNMP_ERR_NOERROR) {
			log_msg(LOG_NOTICE, "snmp", "SET shape %d.%u.%u: %s", (int)r->vm, r->vif,
				r->index, why);
			shape_fail(x, r->vm, r->vif, r->index, rc, why);
			return -1;
		}
		if (e)
			shape_assign(e, r);
	}
	v = shapestore_change_check(x->ctx->shapes, c, &err);
	if (v != SHAPE_OK) {
		/* tc.c logged the refusal */
		shape_fail(x, c->vm, c->vif, err.index, shape_verdict_err(v),
			   err.text);
		return -1;
	}
	return 0;
}

/* Rows of a VM or vif the PDU creates: only createAndGo (and destroy,
 * a no-op) can name them; the rows are checked alone, with no device. */
static int shape_check_new(struct shape_txn *x, size_t lo, size_t hi)
{
	struct shape_row rows[64], *all = hi - lo <= 64 ? rows : malloc((hi - lo) * sizeof(*all));
	const struct tc_vif vif = {"(a vif this SET creates)", 0, 0};
	struct shape_entry e;
	struct tc_error err;
	size_t i, n = 0;
	int rc = 0;

	for (i = lo; all && rc == 0 && i < hi; i++) {
		const struct shape_set_row *r = &x->rows[i];

		if (r->status == MIBSET_RS_DESTROY)
			continue;
		if (r->status != MIBSET_RS_CREATE_AND_GO) {
			shape_fail(x, r->vm, r->vif, r->index,
				   SNMP_ERR_INCONSISTENTNAME,
				   "no such row (the VM is created by this SET: createAndGo)");
			rc = -1;
			break;
		}
		memset(&e, 0, sizeof(e));
		e.row.index = r->index;
		shape_assign(&e, r);
		if (e.row.src_len == 0)
			e.row.src.s_addr = 0;
		all[n++] = e.row;
		/* without sch_netem the rest of the row is put in force */
		tc_row_kernel_part(&e.row, x->ctx->caps, &e.row);
		if (tc_row_check(&e.row, &vif, x->ctx->caps, &err) < 0)
			rc = -2;
	}
	if (rc == 0 && all && tc_rows_check(all, n, &vif, CAPS_ALL_KERNEL, &err) < 0)
		rc = -2;
	if (rc == -2)
		shape_fail(x, x->rows[lo].vm, x->rows[lo].vif, err.index,
			   SNMP_ERR_INCONSISTENTVALUE, err.text);
	if (!all)
		shape_fail(x, x->rows[lo].vm, x->rows[lo].vif, 0,
			   SNMP_ERR_RESOURCEUNAVAILABLE, "out of memory");
	if (all != rows)
		free(all);
	return all && rc == 0 ? 0 : -1;
}

/* every row of [lo, hi) is a bare destroy (MIB: destroy of a row that
 * does not exist is noError, the VM or vif missing included) */
static bool shape_only_destroys(const struct shape_txn *x, size_t lo, size_t hi)
{
	size_t i;

	for (i = lo; i < hi; i++)
		if (x->rows[i].status != MIBSET_RS_DESTROY ||
		    (x->rows[i].cols & ~(1u << VMIB_COL_vmibShapeRowStatus)) != 0)
			return false;
	return true;
}

/* rows [lo, hi) of x->rows are one vif's: make its change */
static int shape_group(struct shape_txn *x, const struct mibset_pdu *pdu, size_t lo, size_t hi)
{
	struct shape_change *c = &x->changes[x->n_changes];
	struct shape_group *g = &x->groups[x->n_changes];
	const struct shape_set_row *r = &x->rows[lo];
	struct tc_error err;
	enum shape_verdict v;

	g->lo = lo;
	g->hi = hi;
	v = shapestore_change_begin(x->ctx->shapes, r->vm, r->vif, c, &err);
	x->n_changes++;
	if (v == SHAPE_NO_VIF &&
	    (mibset_creates(pdu, &shape_participant, r->vm, r->vif) ||
	     mibset_creates(pdu, &shape_participant, r->vm, 0))) {
		g->deferred = true;
		return shape_check_new(x, lo, hi);
	}
	if (v == SHAPE_NO_VIF && shape_only_destroys(x, lo, hi)) {
		g->nothing = true;
		return 0;
	}
	if (v != SHAPE_OK) {
		log_msg(LOG_NOTICE, "snmp", "SET shape %d.%u: %s", (int)r->vm, r->vif, err.text);
		shape_fail(x, r->vm, r->vif, 0, shape_verdict_err(v), err.text);
		return -1;
	}
	return shape_fill(x, c, lo, hi);
}

static int shape_reserve2(void *st, const struct mibset_pdu *pdu)
{
	struct shape_txn *x = st;
	size_t lo, hi, groups = 0, extra = 0;

	if (x->failed)
		return -1;
	if (!tracker_host(x->ctx->tracker)->connected) {
		/* the rows are kept in libvirt: a change it cannot store is refused */
		shape_fail(x, x->rows[0].vm, x->rows[0].vif, 0,
			   SNMP_ERR_RESOURCEUNAVAILABLE,
			   "libvirt is not reachable (vmibHostLibvirtState stale): shape rows cannot be stored");
		return -1;
	}
	for (lo = 0; lo < x->n_rows; lo = hi) {
		for (hi = lo + 1; hi < x->n_rows && x->rows[hi].vm == x->rows[lo].vm &&
				  x->rows[hi].vif == x->rows[lo].vif; hi++)
			;
		groups++;
	}
	x->changes = calloc(groups ? groups : 1, sizeof(*x->changes));
	x->groups = calloc(groups ? groups : 1, sizeof(*x->groups));
	if (!x->changes || !x->groups) {
		shape_fail(x, 0, 0, 0, SNMP_ERR_RESOURCEUNAVAILABLE, "out of memory");
		return -1;
	}
	for (lo = 0; lo < x->n_rows; lo = hi) {
		for (hi = lo + 1; hi < x->n_rows && x->rows[hi].vm == x->rows[lo].vm &&
				  x->rows[hi].vif == x->rows[lo].vif; hi++)
			;
		if (shape_group(x, pdu, lo, hi) < 0)
			return -1;
		extra += x->changes[x->n_changes - 1].n + (hi - lo);
	}
	if (shapestore_reserve(x->ctx->shapes, extra) < 0) {
		shape_fail(x, 0, 0, 0, SNMP_ERR_RESOURCEUNAVAILABLE, "out of memory");
		return -1;
	}
	return 0;
}

/* --- ACTION, UNDO ------------------------------------------------------------------------------ */

/* a deferred change: the VM participant's ACTION, which runs before this
 * one's (mibset.h), has created the VM and its vifs */
static int shape_action_new(struct shape_txn *x, size_t k)
{
	const struct shape_group *g = &x->groups[k];
	const struct shape_set_row *r = &x->rows[g->lo];
	struct tc_error err;
	enum shape_verdict v;

	shapestore_vm_created(x->ctx->shapes, r->vm);
	v = shapestore_change_begin(x->ctx->shapes, r->vm, r->vif, &x->changes[k], &err);
	if (v != SHAPE_OK) {
		shape_fail(x, r->vm, r->vif, 0, shape_verdict_err(v), err.text);
		return -1;
	}
	if (shape_fill(x, &x->changes[k], g->lo, g->hi) < 0)
		return -1;
	if (shapestore_reserve(x->ctx->shapes, x->changes[k].n) < 0) {
		shape_fail(x, r->vm, r->vif, 0, SNMP_ERR_RESOURCEUNAVAILABLE,
			   "out of memory");
		return -1;
	}
	return 0;
}

static int shape_action(void *st, const struct mibset_pdu *pdu)
{
	struct shape_txn *x = st;
	struct tc_error err;
	size_t i;

	(void)pdu;
	if (x->failed)
		return -1;
	for (i = 0; i < x->n_changes; i++) {
		struct shape_change *c = &x->changes[i];

		if (x->groups[i].deferred && shape_action_new(x, i) < 0)
			return -1;
		if (x->groups[i].nothing) {
			x->n_applied = i + 1;
			continue;
		}
		if (shapestore_change_apply(x->ctx->shapes, c, &err) < 0) {
			/* tc.c logged the kernel's refusal */
			shape_fail(x, c->vm, c->vif, err.index,
				   SNMP_ERR_COMMITFAILED, err.text);
			return -1;
		}
		x->n_applied = i + 1;
	}
	return 0;
}

static void shape_undo(void *st)
{
	struct shape_txn *x = st;
	size_t i;

	for (i = x->n_applied; i-- > 0;)
		if (!x->groups[i].nothing)
			shapestore_change_undo(x->ctx->shapes, &x->changes[i]);
	x->n_applied = 0;
}

/* RESERVE1, one handler call: each varbind's syntax */
static void shape_collect(void *st, const struct mibset_call *c)
{
	struct shape_txn *x = st;
	netsnmp_request_info *r;
	int rc;

	for (r = c->requests; r; r = r->next) {
		rc = shape_reserve1(x, c->t, r);
		if (rc != SNMP_ERR_NOERROR) {
			shape_reserve1_tell(x, c->t, r, rc);
			netsnmp_set_request_error(c->reqinfo, r, rc);
			x->failed = true;
		}
	}
}

static const struct mibset_participant shape_participant = {
	.name = "vmibShapeTable",
	.slot = MIBSET_SLOT_SHAPE,
	.begin = shape_begin,
	.reserve1 = shape_collect,
	.reserve2 = shape_reserve2,
	.action = shape_action,
	.report = shape_fault,
	.undo = shape_undo,
	.end = shape_end,
};

static int shape_set(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
		     netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	(void)reginfo;
	return mibset_handle(&shape_participant, 0, handler, reqinfo, requests);
}

/* --- reads ------------------------------------------------------------------------------------ */

static const void *shape_get(const struct mibtab *t, const oid *idx)
{
	const struct agent_ctx *ctx = t->ctx;

	if (idx[0] < 1 || idx[0] > INT32_MAX || idx[1] > UINT32_MAX || idx[2] > UINT32_MAX)
		return NULL;
	return shapestore_get(ctx->shapes, (int32_t)idx[0], (uint32_t)idx[1], (uint32_t)idx[2]);
}

static const void *shape_next(const struct mibtab *t, const oid *q, size_t q_len, oid *out)
{
	const struct agent_ctx *ctx = t->ctx;
	const struct shape_entry *e;
	uint64_t k[4] = {0, 0, 0, 0};
	size_t i;

	for (i = 0; i < q_len && i < 4; i++)
		k[i] = q[i];
	e = shapestore_after(ctx->shapes, k, q_len);
	if (e) {
		out[0] = (oid)e->vm;
		out[1] = e->vif;
		out[2] = e->row.index;
	}
	return e;
}

static int shape_col(const struct mibtab *t, const void *row, unsigned int col,
		     struct mib_value *v)
{
	const struct shape_entry *e = row;
	const struct shape_col *c = shape_col_of(col);

	(void)t;
	if (c && c->kind == SK_U32) {
		mib_value_int(v, ASN_UNSIGNED, (long)*(const uint32_t *)((const char *)&e->row + c->off));
		return 0;
	}
	switch (col) {
	case VMIB_COL_vmibShapeName:
		mib_value_str(v, e->name, SHAPE_NAME_MAX);
		break;
	case VMIB_COL_vmibShapeSrcAddr:
		mib_value_bytes(v, ASN_IPADDRESS, &e->row.src.s_addr, 4);
		break;
	case VMIB_COL_vmibShapeSrcPrefixLen:
		mib_value_int(v, ASN_UNSIGNED, e->row.src_len);
		break;
	case VMIB_COL_vmibShapeOperStatus:
		mib_value_int(v, ASN_INTEGER, e->oper);
		break;
	case VMIB_COL_vmibShapeLastError:
		mib_value_str(v, e->last_error, SHAPE_ERROR_MAX);
		break;
	case VMIB_COL_vmibShapeSentOctets:
		mib_value_u64(v, e->c.sent_bytes);
		break;
	case VMIB_COL_vmibShapeSentPkts:
		mib_value_u64(v, e->c.sent_pkts);
		break;
	case VMIB_COL_vmibShapeDroppedPkts:
		mib_value_u64(v, e->c.dropped_pkts);
		break;
	case VMIB_COL_vmibShapeOverlimits:
		mib_value_u64(v, e->c.overlimits);
		break;
	case VMIB_COL_vmibShapeRowStatus:
		mib_value_int(v, ASN_INTEGER, MIBSET_RS_ACTIVE);
		break;
	default:
		return -1;
	}
	return 0;
}

static void shape_prepare(const struct mibtab *t)
{
	const struct agent_ctx *ctx = t->ctx;

	shapestore_counters(ctx->shapes, ctx->cfg->stats_max_age_ms);
}

/* --- vmibShapeFailure ---------------------------------------------------------------------------- */

static void shape_add_col(netsnmp_variable_list **vars, unsigned int col,
			  const struct shape_entry *e, u_char type, const void *val, size_t len)
{
	oid name[MAX_OID_LEN];
	size_t n = OID_LENGTH(shape_entry_oid);

	memcpy(name, shape_entry_oid, sizeof(shape_entry_oid));
	name[n] = col;
	name[n + 1] = (oid)e->vm;
	name[n + 2] = e->vif;
	name[n + 3] = e->row.index;
	snmp_varlist_add_variable(vars, name, n + 4, type, val, len);
}

static void shape_send(const struct shape_entry *e)
{
	netsnmp_variable_list *vars = NULL;
	u_long up = netsnmp_get_agent_uptime();
	long oper = e->oper;

	/* RFC 3416 4.2.6: sysUpTime.0, snmpTrapOID.0, then the objects with
	 * the row's instance */
	snmp_varlist_add_variable(&vars, shape_sysuptime, OID_LENGTH(shape_sysuptime),
				  ASN_TIMETICKS, &up, sizeof(up));
	snmp_varlist_add_variable(&vars, shape_trapoid, OID_LENGTH(shape_trapoid),
				  ASN_OBJECT_ID, shape_failure_oid, sizeof(shape_failure_oid));
	shape_add_col(&vars, VMIB_COL_vmibShapeName, e, ASN_OCTET_STR, e->name, strlen(e->name));
	shape_add_col(&vars, VMIB_COL_vmibShapeOperStatus, e, ASN_INTEGER, &oper, sizeof(oper));
	shape_add_col(&vars, VMIB_COL_vmibShapeLastError, e, ASN_OCTET_STR, e->last_error,
		      strlen(e->last_error));
	send_v2trap(vars);
	snmp_free_varbind(vars);
	S.sent++;
}

/* the store's hook: send now, or once the SNMP side is up */
static void shape_failure(void *opaque, const struct shape_entry *e)
{
	(void)opaque;
	log_msg(LOG_WARNING, "tc", "shape %d.%u.%u is %s: %s", (int)e->vm, e->vif, e->row.index,
		e->oper == SHAPE_FAILED ? "failed" : "unsupported", e->last_error);
	if (S.notify_on) {
		shape_send(e);
		return;
	}
	if (S.n_queue < SHAPE_NOTIFY_QUEUE) {
		S.queue[S.n_queue].vm = e->vm;
		S.queue[S.n_queue].vif = e->vif;
		S.queue[S.n_queue++].index = e->row.index;
	}
}

void mib_shape_notify_enable(bool on)
{
	const struct shape_entry *e;
	size_t i;

	S.notify_on = on;
	if (!on || !S.ctx)
		return;
	for (i = 0; i < S.n_queue; i++) {
		e = shapestore_get(S.ctx->shapes, S.queue[i].vm, S.queue[i].vif, S.queue[i].index);
		if (e && (e->oper == SHAPE_FAILED || e->oper == SHAPE_UNSUPPORTED))
			shape_send(e);
	}
	S.n_queue = 0;
}

unsigned long mib_shape_notifications(void)
{
	return S.sent;
}

/* --- setup ------------------------------------------------------------------------------------------ */

void mib_shape_setup(struct mibtab *t, struct agent_ctx *ctx)
{
	struct shapestore_hooks hooks = {shape_failure, shape_host_error, ctx};

	S.ctx = ctx;
	S.n_queue = 0;
	if (ctx->shapes)
		shapestore_set_hooks(ctx->shapes, &hooks);
	*t = (struct mibtab){
		.name = "vmibShapeTable",
		.root = shape_table_oid,
		.root_len = VMIB_OID_vmibShapeTable_LEN,
		.entry = shape_entry_oid,
		.entry_len = VMIB_OID_vmibShapeEntry_LEN,
		.col_min = VMIB_TABLE_vmibShapeTable_MIN_COL,
		.col_max = VMIB_TABLE_vmibShapeTable_MAX_COL,
		.index_len = 3,
		.stats_col_min = VMIB_COL_vmibShapeSentOctets,
		.stats_col_max = VMIB_COL_vmibShapeOverlimits,
		.prepare = shape_prepare,
		.row_get = shape_get,
		.row_next = shape_next,
		.col_value = shape_col,
		.ctx = ctx,
	};
}

int mib_shape_register(struct mibtab *t)
{
	return mibset_register(t, shape_set);
}

Netsnmp_Node_Handler *mib_shape_set_handler(void)
{
	return shape_set;
}
