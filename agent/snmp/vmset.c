/*
 * vmset.c - the SET transaction of the VM and vif tables (vmset.h): the
 * Net-SNMP handlers, RESERVE1's syntax checks, the phases of one PDU, the
 * errors on the varbinds, and COMMIT's bookkeeping in the loop thread.
 *
 * The PDU's varbinds are kept as items (vmset_int.h) from RESERVE1 on,
 * because in an AgentX subagent every mode gets fresh request structures:
 * in later modes the k-th request of a table is the k-th item of that
 * table.  The work of a mode is done once, in the first handler call of
 * that mode (or in vmset_action_now), the other calls only report.
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

static struct vs_txn S;
static bool S_open, S_stray;
/* the modes seen per PDU, only to recognise a TestSet sent again */
static struct mibset_txn S_phase;

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
	S.failed = true;
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

/* does the PDU try to create VM vm (refused or not)? */
static bool vs_creating(int32_t vm)
{
	size_t i;

	for (i = 0; i < S.n_items; i++)
		if (S.items[i].table == VS_VM && S.items[i].vm == vm &&
		    S.items[i].col == VMIB_COL_vmibVmRowStatus &&
		    S.items[i].num == VMIB_ENUM_vmibVmRowStatus_createAndGo)
			return true;
	return false;
}

/* the reason in the row's LastError, or the host's when the VM does not
 * exist (yet), and in the log */
static void vs_tell(const struct vs_item *it, const char *phase)
{
	struct tracker *t = S.ctx->tracker;
	const struct vm *cached = it->vm > 0 ? vmcache_get(tracker_cache(t), it->vm) : NULL;
	/* a refused createAndGo is not the existing row's business */
	struct vm *vm = cached && !vs_creating(it->vm) ? tracker_vm_edit(t, cached->uuid) : NULL;
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

static void vs_tell_all(const char *phase)
{
	size_t i;

	for (i = 0; i < S.n_items; i++)
		if (S.items[i].err)
			vs_tell(&S.items[i], phase);
}

/* --- RESERVE1: one varbind's syntax -------------------------------------------------- */

static struct vs_item *vs_item_new(enum vs_table table)
{
	struct vs_item *ni;

	if (S.n_items == S.cap_items) {
		S.cap_items = S.cap_items ? S.cap_items * 2 : 16;
		ni = realloc(S.items, S.cap_items * sizeof(*ni));
		if (!ni)
			return NULL;
		S.items = ni;
	}
	ni = &S.items[S.n_items++];
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

static void vs_reserve1(const struct mibtab *t, enum vs_table table,
			netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	netsnmp_request_info *r;
	struct vs_item *it;
	int rc;

	for (r = requests; r; r = r->next) {
		it = vs_item_new(table);
		if (!it) {
			netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
			S.failed = true;
			continue;
		}
		rc = vs_instance(t, table, it, r->requestvb);
		if (rc == 0)
			rc = table == VS_VM ? vs_parse_vm(it, r->requestvb)
					    : vs_parse_vif(it, r->requestvb);
		if (rc) {
			netsnmp_set_request_error(reqinfo, r, rc);
			vs_tell(it, "RESERVE1");
		}
	}
}

/* later modes: the errors of this table's items onto its requests */
static void vs_report(enum vs_table table, netsnmp_agent_request_info *reqinfo,
		      netsnmp_request_info *requests)
{
	netsnmp_request_info *r = requests;
	size_t i;

	for (i = 0; i < S.n_items && r; i++) {
		if (S.items[i].table != table)
			continue;
		if (S.items[i].err)
			netsnmp_set_request_error(reqinfo, r, S.items[i].err);
		r = r->next;
	}
}

/* --- the phases -------------------------------------------------------------------- */

/* forget the PDU: everything from items on (vmset_int.h keeps ctx,
 * transid and done first, for this) */
static void vs_reset(void)
{
	vmplan_free(S.plan);
	vmrows_clear(&S);
	free(S.items);
	memset(&S.items, 0, sizeof(S) - offsetof(struct vs_txn, items));
	S.done = 0;
}

/* a call in a mode: which transaction, and is it the first of the mode? */
static bool vs_begin(netsnmp_agent_request_info *reqinfo)
{
	long id = reqinfo->asp && reqinfo->asp->pdu ? reqinfo->asp->pdu->transid : 0;
	unsigned int bit = 1u << reqinfo->mode;

	if (!S_open || S.transid != id ||
	    (reqinfo->mode == MODE_SET_RESERVE1 && (S.done & ~bit))) {
		vs_reset();
		S_open = true;
		S.transid = id;
		/* a later mode of a PDU whose RESERVE1 this vmibd never saw */
		S_stray = reqinfo->mode != MODE_SET_RESERVE1;
	}
	if (S.done & bit)
		return false;
	S.done |= bit;
	return true;
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
	struct tracker *t = opaque;
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
			if (vs_defined(p, i) && S.ctx && S.ctx->shapes)
				shapestore_vm_created(S.ctx->shapes, tg->index);
		} else if (tg->lookup_rc == 1) {
			tracker_vm_forget(t, tg->uuid);
		}
	}
	vs_commit_errors(t, p);
}

static void vs_prepare(void)
{
	size_t i;

	if (S_stray || S.failed)
		return;
	S.plan = vmplan_new(vs_apply, S.ctx->tracker);
	if (!S.plan) {
		vmset_fail(&S.items[0], SNMP_ERR_RESOURCEUNAVAILABLE, "out of memory");
	} else {
		vmrows_prepare(&S);
		for (i = 0; S.plan && i < S.plan->n_steps; i++)
			log_msg(LOG_DEBUG, "snmp", "SET plan: %s %s",
				vmplan_kind_name(S.plan->steps[i].kind),
				S.plan->targets[S.plan->steps[i].target].name);
	}
	vs_tell_all("RESERVE2");
}

static int vs_action(void)
{
	int first = S.plan && S.plan->n_steps ? S.plan->steps[0].item : 0;
	unsigned int timeout_ms = S.ctx->cfg->set_timeout_ms;
	struct vs_item *blame;

	if (S_stray || S.failed || !S.plan)
		return S.failed ? -1 : 0;
	if (vmplan_action(&S.plan, timeout_ms) == 0)
		return 0;
	if (!S.plan) {
		blame = &S.items[first];
		vmset_fail(blame, SNMP_ERR_COMMITFAILED, "libvirt did not answer within %u ms "
			   "(set-timeout-ms); what it did late is undone", timeout_ms);
	} else {
		int idx = S.plan->failed < (int)S.plan->n_steps
				  ? S.plan->steps[S.plan->failed].item : first;

		blame = &S.items[idx];
		vmset_fail(blame, SNMP_ERR_COMMITFAILED, "%s; the whole SET is undone",
			   S.plan->err);
	}
	vs_tell(blame, "ACTION");
	return -1;
}

static void vs_undo(void)
{
	if (S_stray || !S.plan)
		return;
	vmplan_undo(&S.plan, S.ctx->cfg->set_timeout_ms);
	log_msg(LOG_INFO, "snmp", "SET undone (another varbind of the PDU failed)");
}

/* COMMIT steps that failed: the VM's LastError */
static void vs_commit_row(const struct vs_vm_row *r)
{
	struct vm *vm = tracker_vm_edit(S.ctx->tracker, r->uuid);

	if (r->set_live && vm)
		vm->migrate_live = r->live;
	if (r->stop_deadline)
		vmstop_cancel(r->uuid);
	if (r->shutdown)
		vmstop_arm(r->uuid, r->name, S.ctx->cfg->shutdown_timeout_s);
	if (r->abort_migration)
		migrate_abort(r->uuid);
	if (r->migrate)
		migrate_start(r->uuid, r->target_uri, r->target_text, r->live);
}

static void vs_commit(void)
{
	size_t i;

	if (S_stray || S.failed)
		return;
	if (S.plan)
		vmplan_commit(&S.plan);
	for (i = 0; i < S.n_rows; i++)
		vs_commit_row(&S.rows[i]);
}

static void vs_finish(void)
{
	vmplan_free(S.plan);
	S.plan = NULL;
}

static int vs_handler(enum vs_table table, netsnmp_mib_handler *handler,
		      netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	const struct mibtab *t = handler->myvoid;
	bool first;

	if (!S.ctx)
		S.ctx = t->ctx;
	/* a copy of the PDU's TestSet, sent again by the master (mibset.h):
	 * collected again, each varbind would be there twice; taken as a new
	 * PDU, it would reset the transaction under the master's CommitSet */
	if (mibset_copy(&S_phase, reqinfo, t)) {
		log_msg(LOG_INFO, "snmp", "the master sent a TestSet again: the copy is ignored");
		return SNMP_ERR_NOERROR;
	}
	mibset_first(&S_phase, reqinfo);
	first = vs_begin(reqinfo);
	switch (reqinfo->mode) {
	case MODE_SET_RESERVE1:
		vs_reserve1(t, table, reqinfo, requests);
		break;
	case MODE_SET_RESERVE2:
		if (first)
			vs_prepare();
		vs_report(table, reqinfo, requests);
		break;
	case MODE_SET_ACTION:
		if (first)
			vs_action();
		vs_report(table, reqinfo, requests);
		break;
	case MODE_SET_UNDO:
		if (first) {
			vs_undo();
			vs_finish();
		}
		break;
	case MODE_SET_COMMIT:
		if (first) {
			vs_commit();
			vs_finish();
		}
		break;
	case MODE_SET_FREE:
		if (first)
			vs_finish();
		break;
	default:
		break;
	}
	return SNMP_ERR_NOERROR;
}

int vmset_vm_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
		     netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	(void)reginfo;
	return vs_handler(VS_VM, handler, reqinfo, requests);
}

int vmset_vif_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
		      netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	(void)reginfo;
	return vs_handler(VS_VIF, handler, reqinfo, requests);
}

/* --- for other tables and the daemon ------------------------------------------------ */

void vmset_init(struct agent_ctx *ctx)
{
	vs_reset();
	S.ctx = ctx;
	S_open = S_stray = false;
}

void vmset_fini(void)
{
	vs_reset();
	S_open = false;
}

static bool vs_creates(enum vs_table table, int32_t vm, uint32_t vif)
{
	size_t i;

	for (i = 0; S_open && i < S.n_items; i++) {
		const struct vs_item *it = &S.items[i];

		if (it->table == table && it->vm == vm && (table == VS_VM || it->vif == vif) &&
		    it->col == (table == VS_VM ? VMIB_COL_vmibVmRowStatus
					       : VMIB_COL_vmibVifRowStatus) &&
		    it->num == VMIB_ENUM_vmibVmRowStatus_createAndGo && !it->err)
			return true;
	}
	return false;
}

bool vmset_pdu_creates_vm(int32_t vm)
{
	return vs_creates(VS_VM, vm, 0);
}

bool vmset_pdu_creates_vif(int32_t vm, uint32_t vif)
{
	return vs_creates(VS_VIF, vm, vif);
}

int vmset_action_now(netsnmp_agent_request_info *reqinfo)
{
	long id = reqinfo->asp && reqinfo->asp->pdu ? reqinfo->asp->pdu->transid : 0;

	if (!S_open || S.transid != id || reqinfo->mode != MODE_SET_ACTION)
		return 0;
	if (S.done & (1u << MODE_SET_ACTION))
		return S.failed ? -1 : 0;
	S.done |= 1u << MODE_SET_ACTION;
	return vs_action();
}
