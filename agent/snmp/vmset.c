/*
 * vmset.c - the SET transaction of the VM and vif tables (vmset.h): the
 * Net-SNMP handlers, RESERVE1's syntax checks, the phases of one PDU, the
 * errors on the varbinds, and COMMIT's bookkeeping in the loop thread.
 *
 * The VM and vif tables are one participant of the SET coordinator
 * (mibset.h), in its first slot: the shape rows of a VM or vif that the
 * same PDU creates need the VM's ACTION to have run.  The PDU's state is
 * a struct vs_txn (vmset_int.h) the coordinator keeps from RESERVE1 to
 * the end; the varbinds are kept in it as items, because in an AgentX
 * subagent every mode gets fresh request structures: in later modes the
 * k-th request of a table is the k-th item of that table.
 *
 * Threads: loop thread only.  The libvirt calls are vmplan.c's, in the
 * control thread; this file waits for them (bounded) and then brings the
 * cache in step through the tracker.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "migrate.h"
#include "mibset.h"
#include "name.h"
#include "shapestore.h"
#include "vmset_syntax.h"
#include "vmib_oids.h"
#include "vmset.h"
#include "vmset_int.h"
#include "stop_deadline.h"

static bool vs_bridge_sysfs(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", name);
	return access(path, F_OK) == 0;
}

bool (*vmset_bridge_exists)(const char *name) = vs_bridge_sysfs;

static const char *const vs_vm_cols[VS_VM_COLS] = {
	"vmibVmIndex", "vmibVmIndex", "vmibVmName", "vmibVmUuid", "vmibVmImage",
	"vmibVmMemoryKBytes", "vmibVmVcpus", "vmibVmOperState", "vmibVmAdminState",
	"vmibVmCpuTimeMs", "vmibVmSchedWeight", "vmibVmSchedCapPercent",
	"vmibVmMigrateTarget", "vmibVmMigrateLive", "vmibVmMigrateStatus",
	"vmibVmMigrateDowntimeMs", "vmibVmLastError", "vmibVmRowStatus",
};
static const char *const vs_vif_cols[VS_VIF_COLS] = {
	"vmibVifIndex", "vmibVifIndex", "vmibVifDevice", "vmibVifMac", "vmibVifBridge",
	"vmibVifAddr", "vmibVifPrefixLen", "vmibVifRoutes", "vmibVifIfIndex",
	"vmibVifRxOctets", "vmibVifRxPkts", "vmibVifRxErrors", "vmibVifRxDrops",
	"vmibVifTxOctets", "vmibVifTxPkts", "vmibVifTxErrors", "vmibVifTxDrops",
	"vmibVifRowStatus",
};

static const char *vs_err_name(int err)
{
	switch (err) {
	case SNMP_ERR_NOACCESS: return "noAccess";
	case SNMP_ERR_WRONGTYPE: return "wrongType";
	case SNMP_ERR_WRONGLENGTH: return "wrongLength";
	case SNMP_ERR_WRONGVALUE: return "wrongValue";
	case SNMP_ERR_NOCREATION: return "noCreation";
	case SNMP_ERR_INCONSISTENTVALUE: return "inconsistentValue";
	case SNMP_ERR_RESOURCEUNAVAILABLE: return "resourceUnavailable";
	case SNMP_ERR_COMMITFAILED: return "commitFailed";
	case SNMP_ERR_NOTWRITABLE: return "notWritable";
	case SNMP_ERR_INCONSISTENTNAME: return "inconsistentName";
	default: return "genErr";
	}
}

/* --- errors ---------------------------------------------------------------------- */

int vmset_fail(struct vs_item *it, int err, const char *fmt, ...)
{
	va_list ap;

	if (!it)
		return -1;
	if (it->err)
		return -1; /* the first reason of a varbind stays */
	it->err = err;
	va_start(ap, fmt);
	vsnprintf(it->why, sizeof(it->why), fmt, ap);
	va_end(ap);
	return -1;
}

static void vs_item_name(const struct vs_item *it, char *out, size_t len)
{
	const char *col = it->table == VS_VM ? vs_vm_cols[it->col < VS_VM_COLS ? it->col : 0]
					     : vs_vif_cols[it->col < VS_VIF_COLS ? it->col : 0];

	if (it->inst[0])     /* the instance sent, even one vmibd cannot use */
		snprintf(out, len, "%s.%s", col, it->inst);
	else if (it->table == VS_VM)
		snprintf(out, len, "%s.%d", col, (int)it->vm);
	else
		snprintf(out, len, "%s.%d.%u", col, (int)it->vm, it->vif);
}

bool vmset_failed(const struct vs_txn *tx)
{
	size_t i;

	for (i = 0; !tx->failed && i < tx->n_items; i++)
		if (tx->items[i].err)
			return true;
	return tx->failed;
}

/* does the PDU try to create VM vm (refused or not)? */
static bool vs_creating(const struct vs_txn *tx, int32_t vm)
{
	size_t i;

	for (i = 0; i < tx->n_items; i++)
		if (tx->items[i].table == VS_VM && tx->items[i].vm == vm &&
		    tx->items[i].col == VMIB_COL_vmibVmRowStatus &&
		    tx->items[i].num == VMIB_ENUM_vmibVmRowStatus_createAndGo)
			return true;
	return false;
}

/* the reason in the row's LastError, or the host's when the VM does not
 * exist (yet), and in the log */
static void vs_tell(const struct vs_txn *tx, const struct vs_item *it, const char *phase)
{
	struct tracker *t = tx->ctx->tracker;
	const struct vm *cached = it->vm > 0 ? vmcache_get(tracker_cache(t), it->vm) : NULL;
	/* a refused createAndGo is not the existing row's business */
	struct vm *vm = cached && !vs_creating(tx, it->vm) ? tracker_vm_edit(t, cached->uuid) : NULL;
	char name[96], msg[400];

	vs_item_name(it, name, sizeof(name));
	snprintf(msg, sizeof(msg), "SET %s: %s (%s)", name, it->why, vs_err_name(it->err));
	log_msg(LOG_NOTICE, "snmp", "%s refused a SET of %s: %s: %s", phase, name,
		vs_err_name(it->err), it->why);
	if (vm) {
		free(vm->last_error);
		vm->last_error = strndup(msg, VMIB_SIZE_vmibVmLastError_MAX);
	} else {
		tracker_host_error(t, "%s", msg);
	}
}

static void vs_tell_all(const struct vs_txn *tx, const char *phase)
{
	size_t i;

	for (i = 0; i < tx->n_items; i++)
		if (tx->items[i].err)
			vs_tell(tx, &tx->items[i], phase);
}

/* --- RESERVE1: one varbind's syntax -------------------------------------------------- */

static struct vs_item *vs_item_new(struct vs_txn *tx, enum vs_table table)
{
	struct vs_item *ni;

	if (tx->n_items == tx->cap_items) {
		size_t cap = tx->cap_items ? tx->cap_items * 2 : 16;

		ni = realloc(tx->items, cap * sizeof(*ni));
		if (!ni)
			return NULL;
		tx->items = ni;
		tx->cap_items = cap;
	}
	ni = &tx->items[tx->n_items++];
	memset(ni, 0, sizeof(*ni));
	ni->table = table;
	return ni;
}

static int vs_string(struct vs_item *it, const netsnmp_variable_list *vb, size_t min,
		     size_t max)
{
	int rc = mibset_string(vb, max, it->str);

	if (rc == SNMP_ERR_WRONGVALUE)
		return vmset_fail(it, rc, "not printable ASCII"), rc;
	if (rc)
		return vmset_fail(it, rc, "expected a string of at most %zu octets", max), rc;
	it->len = strlen(it->str);
	if (it->len < min)
		return vmset_fail(it, SNMP_ERR_WRONGLENGTH, "must not be empty"), SNMP_ERR_WRONGLENGTH;
	return 0;
}

static int vs_u32(struct vs_item *it, const netsnmp_variable_list *vb, uint32_t min,
		  uint32_t max)
{
	uint32_t v;
	int rc = mibset_u32(vb, min, max, &v);

	if (rc)
		return vmset_fail(it, rc, "expected Unsigned32 %u..%u", min, max), rc;
	it->num = (long)v;
	return 0;
}

static int vs_enum(struct vs_item *it, const netsnmp_variable_list *vb, long min, long max)
{
	int rc = mibset_enum(vb, min, max, &it->num);

	if (rc)
		return vmset_fail(it, rc, "expected INTEGER %ld..%ld", min, max), rc;
	return 0;
}

static int vs_rowstatus(struct vs_item *it, const netsnmp_variable_list *vb)
{
	int v = 0, rc = mibset_rowstatus(vb, &v);

	if (rc == SNMP_ERR_WRONGVALUE)
		return vmset_fail(it, rc, "rows are made with createAndGo in one PDU: createAndWait, "
				  "notInService and notReady are not accepted"), rc;
	if (rc)
		return vmset_fail(it, rc, "expected a RowStatus"), rc;
	it->num = v;
	return 0;
}

static int vs_parse_vm(struct vs_item *it, const netsnmp_variable_list *vb)
{
	int rc;

	switch (it->col) {
	case VMIB_COL_vmibVmName:
		if ((rc = vs_string(it, vb, 1, VMIB_SIZE_vmibVmName_MAX)))
			return rc;
		if (!vmcheck_vm_name((const unsigned char *)it->str, it->len))
			return vmset_fail(it, SNMP_ERR_WRONGVALUE, "a VM name has %s",
					  name_rule_text), SNMP_ERR_WRONGVALUE;
		return 0;
	case VMIB_COL_vmibVmImage:
		if ((rc = vs_string(it, vb, 0, VMIB_SIZE_vmibVmImage_MAX)))
			return rc;
		if (it->len == 0)
			return vmset_fail(it, SNMP_ERR_WRONGVALUE, "an empty image name"),
			       SNMP_ERR_WRONGVALUE;
		if (!vmcheck_vm_name((const unsigned char *)it->str, it->len))
			return vmset_fail(it, SNMP_ERR_WRONGVALUE, "an image name has %s",
					  name_rule_text), SNMP_ERR_WRONGVALUE;
		return 0;
	case VMIB_COL_vmibVmMemoryKBytes:
		return vs_u32(it, vb, 16384, UINT32_MAX);
	case VMIB_COL_vmibVmVcpus:
		return vs_u32(it, vb, VMIB_RANGE_vmibVmVcpus_MIN, VMIB_RANGE_vmibVmVcpus_MAX);
	case VMIB_COL_vmibVmAdminState:
		return vs_enum(it, vb, VMIB_ENUM_vmibVmAdminState_running,
			       VMIB_ENUM_vmibVmAdminState_destroyed);
	case VMIB_COL_vmibVmSchedWeight:
		return vs_u32(it, vb, 1, VMIB_RANGE_vmibVmSchedWeight_MAX);
	case VMIB_COL_vmibVmSchedCapPercent:
		return vs_u32(it, vb, 0, VMIB_RANGE_vmibVmSchedCapPercent_MAX);
	case VMIB_COL_vmibVmMigrateTarget:
		if ((rc = vs_string(it, vb, 0, VMIB_SIZE_vmibVmMigrateTarget_MAX)))
			return rc;
		if (it->len && vmcheck_target((const unsigned char *)it->str, it->len) < 0)
			return vmset_fail(it, SNMP_ERR_WRONGVALUE, "'%s' is neither a host name nor "
					  "a libvirt URI", it->str), SNMP_ERR_WRONGVALUE;
		return 0;
	case VMIB_COL_vmibVmMigrateLive:
		return vs_enum(it, vb, VMIB_ENUM_vmibVmMigrateLive_true,
			       VMIB_ENUM_vmibVmMigrateLive_false);
	case VMIB_COL_vmibVmRowStatus:
		return vs_rowstatus(it, vb);
	default:
		return vmset_fail(it, SNMP_ERR_NOTWRITABLE, "read-only"), SNMP_ERR_NOTWRITABLE;
	}
}

static int vs_parse_vif(struct vs_item *it, const netsnmp_variable_list *vb)
{
	struct vmcheck_route rt[VMCHECK_MAX_ROUTES];
	struct in_addr a;
	char why[200];
	size_t n;
	int rc;

	switch (it->col) {
	case VMIB_COL_vmibVifMac:
		if (vb->type != ASN_OCTET_STR)
			return vmset_fail(it, SNMP_ERR_WRONGTYPE, "expected a MacAddress"),
			       SNMP_ERR_WRONGTYPE;
		if (vb->val_len != 6 || !vb->val.string)
			return vmset_fail(it, SNMP_ERR_WRONGLENGTH, "a MacAddress has 6 octets"),
			       SNMP_ERR_WRONGLENGTH;
		memcpy(it->bytes, vb->val.string, 6);
		if (!vmcheck_mac_unicast(it->bytes))
			return vmset_fail(it, SNMP_ERR_WRONGVALUE, "a multicast or all-zero MAC"),
			       SNMP_ERR_WRONGVALUE;
		return 0;
	case VMIB_COL_vmibVifBridge:
		if ((rc = vs_string(it, vb, 0, VMIB_SIZE_vmibVifBridge_MAX)))
			return rc;
		if (it->len && !vmcheck_ifname((const unsigned char *)it->str, it->len))
			return vmset_fail(it, SNMP_ERR_WRONGVALUE, "not an interface name: a "
					  "bridge name has at most 15 octets, %s", name_rule_text),
			       SNMP_ERR_WRONGVALUE;
		return 0;
	case VMIB_COL_vmibVifAddr:
		if ((rc = mibset_ipaddr(vb, &a)))
			return vmset_fail(it, rc, "expected an IpAddress"), rc;
		memcpy(it->bytes, &a.s_addr, 4);
		if (!vmcheck_guest_addr(it->bytes))
			return vmset_fail(it, SNMP_ERR_WRONGVALUE, "a multicast, broadcast, loopback "
					  "or reserved address"), SNMP_ERR_WRONGVALUE;
		return 0;
	case VMIB_COL_vmibVifPrefixLen:
		return vs_u32(it, vb, 0, VMIB_RANGE_vmibVifPrefixLen_MAX);
	case VMIB_COL_vmibVifRoutes:
		if ((rc = vs_string(it, vb, 0, VMIB_SIZE_vmibVifRoutes_MAX)))
			return rc;
		if (vmcheck_routes(it->str, rt, &n, why, sizeof(why)) < 0)
			return vmset_fail(it, SNMP_ERR_WRONGVALUE, "%s", why), SNMP_ERR_WRONGVALUE;
		return 0;
	case VMIB_COL_vmibVifRowStatus:
		return vs_rowstatus(it, vb);
	default:
		return vmset_fail(it, SNMP_ERR_NOTWRITABLE, "read-only"), SNMP_ERR_NOTWRITABLE;
	}
}

int vmset_check_value(bool vif, unsigned int col, const netsnmp_variable_list *vb,
		      char *str, size_t len)
{
	struct vs_item it;
	int rc;

	memset(&it, 0, sizeof(it));
	it.table = vif ? VS_VIF : VS_VM;
	it.col = col;
	rc = vif ? vs_parse_vif(&it, vb) : vs_parse_vm(&it, vb);
	if (str && len)
		snprintf(str, len, "%s", rc ? it.why : it.str);
	return rc;
}

/* which instance: column and index, or the error for a bad one */
static int vs_instance(const struct mibtab *t, enum vs_table table, struct vs_item *it,
		       const netsnmp_variable_list *vb)
{
	const oid *idx;
	int rc = mibset_instance(t, vb, &it->col, &idx);
	size_t k, at;

	/* the sub-identifiers after entry.col, as sent */
	for (k = t->entry_len + 1, at = 0; k < vb->name_length && at + 12 < sizeof(it->inst); k++)
		at += (size_t)snprintf(it->inst + at, sizeof(it->inst) - at, "%s%lu", at ? "." : "",
				       (unsigned long)vb->name[k]);

	if (rc < 0 || it->col < 1 || it->col >= (table == VS_VM ? VS_VM_COLS : VS_VIF_COLS))
		return vmset_fail(it, SNMP_ERR_NOTWRITABLE, "no such object"), SNMP_ERR_NOTWRITABLE;
	if (it->col == 1)
		return vmset_fail(it, SNMP_ERR_NOACCESS, "the index is not accessible"),
		       SNMP_ERR_NOACCESS;
	if (rc > 0 || idx[0] < 1 || idx[0] > VMIB_RANGE_vmibVmIndex_MAX ||
	    (table == VS_VIF && (idx[1] < 1 || idx[1] > VMIB_RANGE_vmibVifIndex_MAX)))
		return vmset_fail(it, SNMP_ERR_NOCREATION, "index out of range"), SNMP_ERR_NOCREATION;
	it->vm = (int32_t)idx[0];
	it->vif = table == VS_VIF ? (uint32_t)idx[1] : 0;
	return 0;
}

static void vs_reserve1(void *st, const struct mibset_call *c)
{
	struct vs_txn *tx = st;
	enum vs_table table = (enum vs_table)c->table;
	netsnmp_request_info *r;
	struct vs_item *it;
	int rc;

	for (r = c->requests; r; r = r->next) {
		it = vs_item_new(tx, table);
		if (!it) {
			netsnmp_set_request_error(c->reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
			tx->failed = true;
			continue;
		}
		rc = vs_instance(c->t, table, it, r->requestvb);
		if (rc == 0)
			rc = table == VS_VM ? vs_parse_vm(it, r->requestvb)
					    : vs_parse_vif(it, r->requestvb);
		if (rc) {
			netsnmp_set_request_error(c->reqinfo, r, rc);
			vs_tell(tx, it, "RESERVE1");
		}
	}
}

/* later modes: the errors of this table's items onto its requests */
static void vs_report(void *st, const struct mibset_call *c)
{
	const struct vs_txn *tx = st;
	netsnmp_request_info *r = c->requests;
	size_t i;

	for (i = 0; i < tx->n_items && r; i++) {
		if (tx->items[i].table != (enum vs_table)c->table)
			continue;
		if (tx->items[i].err)
			netsnmp_set_request_error(c->reqinfo, r, tx->items[i].err);
		r = r->next;
	}
}

/* --- the phases -------------------------------------------------------------------- */

/* a PDU reaches the VM or vif table: its transaction */
static void *vs_begin(void *ctx)
{
	struct vs_txn *tx = calloc(1, sizeof(*tx));

	if (tx)
		tx->ctx = ctx;
	return tx;
}

/* the PDU has ended: forget it */
static void vs_end(void *st)
{
	struct vs_txn *tx = st;

	if (!tx)
		return;
	vmplan_free(tx->plan);
	vmrows_clear(tx);
	free(tx->items);
	free(tx);
}

/* did plan p define target i (and did that step run)? */
static bool vs_defined(const struct vmplan *p, size_t i)
{
	size_t k;

	for (k = 0; k < p->n_steps; k++)
		if (p->steps[k].kind == VP_DEFINE && p->steps[k].target == i && p->steps[k].done)
			return true;
	return false;
}

/* loop thread: the snapshots read after a phase, into the cache */
/* COMMIT steps that failed: the VM's and the host's LastError, the log;
 * also for a COMMIT that ended after its SET was answered */
static void vs_commit_errors(struct tracker *t, const struct vmplan *p)
{
	struct vm *vm;
	char msg[600];
	size_t i;

	for (i = 0; i < p->n_steps; i++) {
		const struct vp_step *s = &p->steps[i];

		if (!vmplan_is_commit(s->kind) || s->done || !s->err[0])
			continue;
		vm = tracker_vm_edit(t, p->targets[s->target].uuid);
		snprintf(msg, sizeof(msg), "%s %s: %s", vmplan_kind_name(s->kind),
			 p->targets[s->target].name, s->err);
		log_msg(LOG_ERR, "virt", "SET, COMMIT: %s", msg);
		if (vm) {
			free(vm->last_error);
			vm->last_error = strndup(msg, VMIB_SIZE_vmibVmLastError_MAX);
		}
		tracker_host_error(t, "%s", msg);
	}
}

static void vs_apply(void *opaque, struct vmplan *p)
{
	struct agent_ctx *ctx = opaque;
	struct tracker *t = ctx->tracker;
	size_t i;

	for (i = 0; i < p->n_targets; i++) {
		struct vp_target *tg = &p->targets[i];

		if (tg->lookup_rc == 0 && tg->snap) {
			tracker_vm_apply(t, tg->snap);
			tg->snap = NULL;
			/* a domain this PDU defined has no shape rows in its
			 * metadata: they need not be read before a later PDU
			 * may add some (else that PDU would get
			 * resourceUnavailable while the read is under way) */
			if (vs_defined(p, i) && ctx->shapes)
				shapestore_vm_created(ctx->shapes, tg->index);
		} else if (tg->lookup_rc == 1) {
			tracker_vm_forget(t, tg->uuid);
		}
	}
	vs_commit_errors(t, p);
}

/* RESERVE2: every check, and the plan */
static int vs_prepare(void *st, const struct mibset_pdu *pdu)
{
	struct vs_txn *tx = st;
	size_t i;

	(void)pdu;
	if (vmset_failed(tx))
		return -1;
	tx->plan = vmplan_new(vs_apply, tx->ctx);
	if (!tx->plan) {
		vmset_fail(&tx->items[0], SNMP_ERR_RESOURCEUNAVAILABLE, "out of memory");
	} else {
		vmrows_prepare(tx);
		for (i = 0; tx->plan && i < tx->plan->n_steps; i++)
			log_msg(LOG_DEBUG, "snmp", "SET plan: %s %s",
				vmplan_kind_name(tx->plan->steps[i].kind),
				tx->plan->targets[tx->plan->steps[i].target].name);
	}
	vs_tell_all(tx, "RESERVE2");
	return vmset_failed(tx) ? -1 : 0;
}

static int vs_action(void *st, const struct mibset_pdu *pdu)
{
	struct vs_txn *tx = st;
	int first = tx->plan && tx->plan->n_steps ? tx->plan->steps[0].item : 0;
	unsigned int timeout_ms = tx->ctx->cfg->set_timeout_ms;
	struct vs_item *blame;

	(void)pdu;
	if (vmset_failed(tx) || !tx->plan)
		return vmset_failed(tx) ? -1 : 0;
	if (vmplan_action(&tx->plan, timeout_ms) == 0)
		return 0;
	if (!tx->plan) {
		blame = &tx->items[first];
		vmset_fail(blame, SNMP_ERR_COMMITFAILED, "libvirt did not answer within %u ms "
			   "(set-timeout-ms); what it did late is undone", timeout_ms);
	} else {
		int idx = tx->plan->failed < (int)tx->plan->n_steps
				  ? tx->plan->steps[tx->plan->failed].item : first;

		blame = &tx->items[idx];
		vmset_fail(blame, SNMP_ERR_COMMITFAILED, "%s; the whole SET is undone",
			   tx->plan->err);
	}
	vs_tell(tx, blame, "ACTION");
	return -1;
}

static void vs_undo(void *st)
{
	struct vs_txn *tx = st;

	if (!tx->plan)
		return;
	vmplan_undo(&tx->plan, tx->ctx->cfg->set_timeout_ms);
	log_msg(LOG_INFO, "snmp", "SET undone (another varbind of the PDU failed)");
}

/* COMMIT's bookkeeping of one VM row */
static void vs_commit_row(const struct vs_txn *tx, const struct vs_vm_row *r)
{
	struct vm *vm = tracker_vm_edit(tx->ctx->tracker, r->uuid);

	if (r->set_live && vm)
		vm->migrate_live = r->live;
	if (r->stop_deadline)
		vmstop_cancel(r->uuid);
	if (r->shutdown)
		vmstop_arm(r->uuid, r->name, tx->ctx->cfg->shutdown_timeout_s);
	if (r->abort_migration)
		migrate_abort(r->uuid);
	if (r->migrate)
		migrate_start(r->uuid, r->target_uri, r->target_text, r->live);
}

static void vs_commit(void *st)
{
	struct vs_txn *tx = st;
	size_t i;

	if (vmset_failed(tx))
		return;
	if (tx->plan)
		vmplan_commit(&tx->plan);
	for (i = 0; i < tx->n_rows; i++)
		vs_commit_row(tx, &tx->rows[i]);
}

static bool vs_creates(const void *st, int32_t vm, uint32_t vif)
{
	const struct vs_txn *tx = st;
	enum vs_table table = vif ? VS_VIF : VS_VM;
	size_t i;

	for (i = 0; i < tx->n_items; i++) {
		const struct vs_item *it = &tx->items[i];

		if (it->table == table && it->vm == vm && (table == VS_VM || it->vif == vif) &&
		    it->col == (table == VS_VM ? VMIB_COL_vmibVmRowStatus
					       : VMIB_COL_vmibVifRowStatus) &&
		    it->num == VMIB_ENUM_vmibVmRowStatus_createAndGo && !it->err)
			return true;
	}
	return false;
}

/* the VM and vif tables are one participant: one plan covers both (a
 * vif is created with its VM in the one domain definition) */
static const struct mibset_participant vs_participant = {
	.name = "vmibVmTable/vmibVifTable",
	.slot = MIBSET_SLOT_VM,
	.begin = vs_begin,
	.reserve1 = vs_reserve1,
	.reserve2 = vs_prepare,
	.action = vs_action,
	.report = vs_report,
	.undo = vs_undo,
	.commit = vs_commit,
	.end = vs_end,
	.creates = vs_creates,
};

int vmset_vm_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
		     netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	(void)reginfo;
	return mibset_handle(&vs_participant, VS_VM, handler, reqinfo, requests);
}

int vmset_vif_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
		      netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	(void)reginfo;
	return mibset_handle(&vs_participant, VS_VIF, handler, reqinfo, requests);
}

/* --- for the daemon ------------------------------------------------------------------ */

void vmset_init(struct agent_ctx *ctx)
{
	(void)ctx;
	mibset_reset();
}

void vmset_fini(void)
{
	mibset_reset();
}

bool vmset_pdu_creates_vm(int32_t vm)
{
	const void *tx = mibset_state(&vs_participant);

	return tx && vs_creates(tx, vm, 0);
}

bool vmset_pdu_creates_vif(int32_t vm, uint32_t vif)
{
	const void *tx = mibset_state(&vs_participant);

	return tx && vif && vs_creates(tx, vm, vif);
}

int vmset_action_now(netsnmp_agent_request_info *reqinfo)
{
	return reqinfo->mode == MODE_SET_ACTION ? mibset_phase_now(reqinfo) : 0;
}
