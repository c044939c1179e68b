/*
 * mib_vm.c - vmibVmTable (VMIB-MIB).
 *
 * One row per VM of the cache, indexed by vmibVmIndex; every column is
 * present for every row (dense, for Zabbix-style walks).  Reads are
 * answered here from the cache; the table is registered read-write and
 * its SETs go to vmset.c (creation, administrative state, scheduler,
 * migration), which changes libvirt and brings the cache in step.
 * vmibVmOperState reads migrating(9) while an outgoing migration runs
 * (vm_oper_vmib).
 */
#include "guestready.h"
#include "mib_tables.h"
#include "mibset.h"
#include "vmib_oids.h"
#include "vmset.h"

static const oid mib_vm_table[] = {VMIB_OID_vmibVmTable};
static const oid mib_vm_entry[] = {VMIB_OID_vmibVmEntry};

static const void *mib_vm_get(const struct mibtab *t, const oid *idx)
{
	const struct agent_ctx *ctx = t->ctx;

	return mibtab_vm_get(tracker_cache(ctx->tracker), idx);
}

static const void *mib_vm_next(const struct mibtab *t, const oid *q, size_t q_len,
			       oid *out)
{
	const struct agent_ctx *ctx = t->ctx;

	return mibtab_vm_next(tracker_cache(ctx->tracker), q, q_len, out);
}

static long mib_vm_u32(uint64_t v, uint64_t max)
{
	return (long)(v > max ? max : v);
}

static int mib_vm_col(const struct mibtab *t, const void *row, unsigned int col,
		      struct mib_value *v)
{
	const struct agent_ctx *ctx = t->ctx;
	const struct vm *vm = row;
	char uuid[VM_UUID_STR_LEN + 1];

	switch (col) {
	case VMIB_COL_vmibVmName:
		mib_value_str(v, vm->name, VMIB_SIZE_vmibVmName_MAX);
		break;
	case VMIB_COL_vmibVmUuid:
		vm_uuid_format(vm->uuid, uuid);
		mib_value_str(v, uuid, VMIB_SIZE_vmibVmUuid_MAX);
		break;
	case VMIB_COL_vmibVmImage:
		mib_value_str(v, images_of_vm(ctx->images, vm), VMIB_SIZE_vmibVmImage_MAX);
		break;
	case VMIB_COL_vmibVmMemoryKBytes:
		mib_value_int(v, ASN_UNSIGNED,
			      mib_vm_u32(vm->max_mem_kib, UINT32_MAX));
		break;
	case VMIB_COL_vmibVmVcpus:
		mib_value_int(v, ASN_UNSIGNED, mib_vm_u32(vm->vcpus, VMIB_RANGE_vmibVmVcpus_MAX));
		break;
	case VMIB_COL_vmibVmOperState:
		mib_value_int(v, ASN_INTEGER, vm_oper_vmib(vm));
		break;
	case VMIB_COL_vmibVmAdminState:
		mib_value_int(v, ASN_INTEGER, vm_admin_vmib(vm));
		break;
	case VMIB_COL_vmibVmCpuTimeMs:
		mib_value_u64(v, vm->cpu_time_ns / 1000000u);
		break;
	case VMIB_COL_vmibVmSchedWeight:
		mib_value_int(v, ASN_UNSIGNED, vm->has_sched ? (long)vm->sched_weight : 0);
		break;
	case VMIB_COL_vmibVmSchedCapPercent:
		mib_value_int(v, ASN_UNSIGNED, (long)vm->sched_cap_pct);
		break;
	case VMIB_COL_vmibVmMigrateTarget:
		mib_value_str(v, vm->migrate_target, VMIB_SIZE_vmibVmMigrateTarget_MAX);
		break;
	case VMIB_COL_vmibVmMigrateLive:
		mib_value_int(v, ASN_INTEGER, vm->migrate_live ? VMIB_ENUM_vmibVmMigrateLive_true
							       : VMIB_ENUM_vmibVmMigrateLive_false);
		break;
	case VMIB_COL_vmibVmMigrateStatus:
		mib_value_int(v, ASN_INTEGER, vm->migrate_status);
		break;
	case VMIB_COL_vmibVmMigrateDowntimeMs:
		mib_value_int(v, ASN_UNSIGNED, (long)vm->migrate_downtime_ms);
		break;
	case VMIB_COL_vmibVmLastError:
		mib_value_str(v, vm->last_error, VMIB_SIZE_vmibVmLastError_MAX);
		break;
	case VMIB_COL_vmibVmRowStatus:
		mib_value_int(v, ASN_INTEGER, VMIB_ENUM_vmibVmRowStatus_active);
		break;
	case VMIB_COL_vmibVmGuestState:
		mib_value_int(v, ASN_INTEGER,
			      guestready_state(ctx->cfg ? ctx->cfg->console_dir : NULL, vm->name,
					       vm_oper_vmib(vm) == VMIB_ENUM_vmibVmOperState_running));
		break;
	default:
		return -1;
	}
	return 0;
}

static void mib_vm_prepare(const struct mibtab *t)
{
	const struct agent_ctx *ctx = t->ctx;

	tracker_need_stats(ctx->tracker);
}

int mib_vm_register(struct mibtab *t)
{
	return mibset_register(t, vmset_vm_handler);
}

void mib_vm_setup(struct mibtab *t, struct agent_ctx *ctx)
{
	*t = (struct mibtab){
		.name = "vmibVmTable",
		.root = mib_vm_table,
		.root_len = VMIB_OID_vmibVmTable_LEN,
		.entry = mib_vm_entry,
		.entry_len = VMIB_OID_vmibVmEntry_LEN,
		.col_min = VMIB_TABLE_vmibVmTable_MIN_COL,
		.col_max = VMIB_TABLE_vmibVmTable_MAX_COL,
		.index_len = 1,
		.stats_col_min = VMIB_COL_vmibVmCpuTimeMs,
		.stats_col_max = VMIB_COL_vmibVmCpuTimeMs,
		.prepare = mib_vm_prepare,
		.row_get = mib_vm_get,
		.row_next = mib_vm_next,
		.col_value = mib_vm_col,
		.ctx = ctx,
	};
}
