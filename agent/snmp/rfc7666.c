/*
 * rfc7666.c - the VM-MIB of RFC 7666 (mib-2 236), read-only.
 *
 * Serves the hypervisor scalars, vmNumber, vmTableLastChange, the two
 * notification switches, vmTable, vmCpuTable, vmCpuAffinityTable,
 * vmStorageTable and vmNetworkTable from the same cache as the vMIB, with
 * vmIndex = vmibVmIndex; OIDs are in vm_oids.h (generated from
 * mib/VM-MIB.txt).  Compliance (RFC 7666
 * section 6.1): every object of vmReadOnlyCompliances, all read-only (the
 * two switches read what vmibd.conf says: rfc7666-notifications,
 * rfc7666-bulk-notifications); the per-VM and bulk notification groups
 * are sent by notify.c.  Where the host gives no value:
 *   - vmCpuAffinityTable: one row per (vCPU, physical CPU of the host,
 *     virNodeGetInfo's count).  vmCpuPhysIndex should be the CPU's
 *     hrDeviceIndex (HOST-RESOURCES-MIB); vmibd serves no such table, so
 *     vmCpuPhysIndex is the CPU number + 1 (libvirt's CPU 0 is 1).
 *     vmCpuAffinity is enable(1)/disable(2) from <vcpu cpuset> and
 *     <cputune><vcpupin> (what virsh vcpupin reports), unknown(0) under
 *     numad placement or for a cpuset vmibd cannot parse.
 *   - vmStorageTable: one row per <disk>, vmStorageIndex = its position + 1
 *     in the domain XML; vmStorageParent is 0 (no hrStorageIndex served);
 *     sizes are -1 ("unknown") until libvirt reports them, and for
 *     inactive domains; counters libvirt does not give read 0 (latencies
 *     through the test driver, everything of an inactive domain).
 */
#include <stdio.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "loop.h"
#include "mib_tables.h"
#include "mib_time.h"
#include "vm_oids.h"

static const oid rfc_hv[] = {VM_OID_vmHypervisor};
static const oid rfc_objects[] = {VM_OID_vmObjects};
static const oid rfc_number[] = {VM_OID_vmObjects, VM_SUB_vmNumber};
static const oid rfc_last_change[] = {VM_OID_vmObjects, VM_SUB_vmTableLastChange};
static const oid rfc_pervm[] = {VM_OID_vmObjects, VM_SUB_vmPerVMNotificationsEnabled};
static const oid rfc_bulk[] = {VM_OID_vmObjects, VM_SUB_vmBulkNotificationsEnabled};
static const oid rfc_vm_table[] = {VM_OID_vmTable};
static const oid rfc_vm_entry[] = {VM_OID_vmEntry};
static const oid rfc_cpu_table[] = {VM_OID_vmCpuTable};
static const oid rfc_cpu_entry[] = {VM_OID_vmCpuEntry};
static const oid rfc_aff_table[] = {VM_OID_vmCpuAffinityTable};
static const oid rfc_aff_entry[] = {VM_OID_vmCpuAffinityEntry};
static const oid rfc_sto_table[] = {VM_OID_vmStorageTable};
static const oid rfc_sto_entry[] = {VM_OID_vmStorageEntry};
static const oid rfc_net_table[] = {VM_OID_vmNetworkTable};
static const oid rfc_net_entry[] = {VM_OID_vmNetworkEntry};
static const oid rfc_zero_dot_zero[] = {0, 0};

/* VirtualMachineOperState from virDomainState and its reason */
int rfc7666_oper_state(int state, int reason)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING:
	case VIR_DOMAIN_BLOCKED:
		return VM_ENUM_vmOperState_running;
	case VIR_DOMAIN_PAUSED:
		if (reason == VIR_DOMAIN_PAUSED_MIGRATION ||
		    reason == VIR_DOMAIN_PAUSED_POSTCOPY)
			return VM_ENUM_vmOperState_migrating;
		if (reason == VIR_DOMAIN_PAUSED_SAVE || reason == VIR_DOMAIN_PAUSED_SNAPSHOT)
			return VM_ENUM_vmOperState_suspending;
		if (reason == VIR_DOMAIN_PAUSED_STARTING_UP)
			return VM_ENUM_vmOperState_preparing;
		return VM_ENUM_vmOperState_paused;
	case VIR_DOMAIN_SHUTDOWN:
		return VM_ENUM_vmOperState_shuttingdown;
	case VIR_DOMAIN_SHUTOFF:
		return VM_ENUM_vmOperState_shutdown;
	case VIR_DOMAIN_CRASHED:
		return VM_ENUM_vmOperState_crashed;
	case VIR_DOMAIN_PMSUSPENDED:
		return VM_ENUM_vmOperState_suspended;
	case VIR_DOMAIN_NOSTATE:
		return VM_ENUM_vmOperState_unknown;
	default:
		return VM_ENUM_vmOperState_other;
	}
}

/* VirtualMachineAdminState: what the VM is meant to be, seen from its
 * state (libvirt keeps no separate administrative state) */
int rfc7666_admin_state(int state)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING:
	case VIR_DOMAIN_BLOCKED:
		return VM_ENUM_vmAdminState_running;
	case VIR_DOMAIN_PAUSED:
		return VM_ENUM_vmAdminState_paused;
	case VIR_DOMAIN_PMSUSPENDED:
		return VM_ENUM_vmAdminState_suspended;
	default:
		return VM_ENUM_vmAdminState_shutdown;
	}
}

static const struct vmcache *rfc_cache(const struct mibtab *t)
{
	const struct agent_ctx *ctx = t->ctx;

	return tracker_cache(ctx->tracker);
}

static void rfc_prepare(const struct mibtab *t)
{
	const struct agent_ctx *ctx = t->ctx;

	tracker_need_stats(ctx->tracker);
}

static long rfc_i32(uint64_t v)
{
	return (long)(v > 2147483647u ? 2147483647u : v);
}

/* --- scalars ------------------------------------------------------------------ */

static int rfc_hv_col(const struct mibtab *t, const void *row, unsigned int col,
		      struct mib_value *v)
{
	const struct agent_ctx *ctx = t->ctx;
	const struct tracker_host *h = tracker_host(ctx->tracker);

	(void)row;
	switch (col) {
	case VM_SUB_vmHvSoftware:
		mib_value_str(v, h->info.hv_type, 255);
		break;
	case VM_SUB_vmHvVersion:
		mib_value_str(v, h->info.hv_version, 255);
		break;
	case VM_SUB_vmHvObjectID:
		/* no registered identity for QEMU/KVM: zeroDotZero */
		mib_value_oid(v, rfc_zero_dot_zero, 2);
		break;
	case VM_SUB_vmHvUpTime:
		mib_value_int(v, ASN_TIMETICKS, (long)mib_hv_uptime());
		break;
	default:
		return -1;
	}
	return 0;
}

static int rfc_obj_col(const struct mibtab *t, const void *row, unsigned int col,
		       struct mib_value *v)
{
	const struct agent_ctx *ctx = t->ctx;

	(void)row;
	switch (col) {
	case VM_SUB_vmNumber:
		mib_value_int(v, ASN_INTEGER, rfc_i32(vmcache_count(rfc_cache(t))));
		break;
	case VM_SUB_vmTableLastChange:
		mib_value_int(v, ASN_TIMETICKS, (long)mib_hv_timestamp(
						    tracker_host(ctx->tracker)->table_change_ms));
		break;
	case VM_SUB_vmPerVMNotificationsEnabled:
		mib_value_int(v, ASN_INTEGER,
			      ctx->cfg->rfc7666_notifications ? VM_ENUM_vmPerVMNotificationsEnabled_true
							      : VM_ENUM_vmPerVMNotificationsEnabled_false);
		break;
	case VM_SUB_vmBulkNotificationsEnabled:
		/* read-only like vmPerVMNotificationsEnabled: vmibd.conf decides */
		mib_value_int(v, ASN_INTEGER,
			      ctx->cfg->rfc7666_bulk_notifications
				      ? VM_ENUM_vmBulkNotificationsEnabled_true
				      : VM_ENUM_vmBulkNotificationsEnabled_false);
		break;
	default:
		return -1;
	}
	return 0;
}

static void rfc_scalar(struct mibtab *t, struct agent_ctx *ctx, const char *name,
		       const oid *root, unsigned int col)
{
	*t = (struct mibtab){
		.name = name,
		.root = root,
		.root_len = VM_OID_vmObjects_LEN + 1,
		.entry = rfc_objects,
		.entry_len = VM_OID_vmObjects_LEN,
		.col_min = col,
		.col_max = col,
		.index_len = 1,
		.row_get = mibtab_scalar_get,
		.row_next = mibtab_scalar_next,
		.col_value = rfc_obj_col,
		.ctx = ctx,
	};
}

/* --- vmTable ------------------------------------------------------------------ */

static const void *rfc_vm_get(const struct mibtab *t, const oid *idx)
{
	return mibtab_vm_get(rfc_cache(t), idx);
}

static const void *rfc_vm_next(const struct mibtab *t, const oid *q, size_t q_len,
			       oid *out)
{
	return mibtab_vm_next(rfc_cache(t), q, q_len, out);
}

static const char *rfc_os_type(const struct agent_ctx *ctx, const struct vm *vm)
{
	const char *name = images_of_vm(ctx->images, vm);
	const struct image *img = *name && ctx->images ? images_by_name(ctx->images, name)
						      : NULL;

	return img ? img->os : "";
}

static int rfc_vm_col(const struct mibtab *t, const void *row, unsigned int col,
		      struct mib_value *v)
{
	const struct agent_ctx *ctx = t->ctx;
	const struct vm *vm = row;

	switch (col) {
	case VM_COL_vmName:
		mib_value_str(v, vm->name, 255);
		break;
	case VM_COL_vmUUID:
		mib_value_bytes(v, ASN_OCTET_STR, vm->uuid, VM_UUID_LEN);
		break;
	case VM_COL_vmOSType:
		mib_value_str(v, rfc_os_type(ctx, vm), 255);
		break;
	case VM_COL_vmAdminState:
		mib_value_int(v, ASN_INTEGER, rfc7666_admin_state(vm->state));
		break;
	case VM_COL_vmOperState:
		mib_value_int(v, ASN_INTEGER, rfc7666_oper_state(vm->state, vm->reason));
		break;
	case VM_COL_vmAutoStart:
		mib_value_int(v, ASN_INTEGER, vm->autostart ? VM_ENUM_vmAutoStart_enabled
							    : VM_ENUM_vmAutoStart_disabled);
		break;
	case VM_COL_vmPersistent:
		mib_value_int(v, ASN_INTEGER, vm->persistent ? VM_ENUM_vmPersistent_persistent
							     : VM_ENUM_vmPersistent_transient);
		break;
	case VM_COL_vmCurCpuNumber:
		mib_value_int(v, ASN_INTEGER, (long)vm->vcpus);
		break;
	case VM_COL_vmMinCpuNumber:
	case VM_COL_vmMinMem:
		/* libvirt sets no lower bound: -1 "no hard boundary" */
		mib_value_int(v, ASN_INTEGER, -1);
		break;
	case VM_COL_vmMaxCpuNumber:
		mib_value_int(v, ASN_INTEGER, (long)vm->max_vcpus);
		break;
	case VM_COL_vmMemUnit:
		mib_value_int(v, ASN_INTEGER, 1024); /* KiB */
		break;
	case VM_COL_vmCurMem:
		mib_value_int(v, ASN_INTEGER, rfc_i32(vm->mem_kib));
		break;
	case VM_COL_vmMaxMem:
		mib_value_int(v, ASN_INTEGER, rfc_i32(vm->max_mem_kib));
		break;
	case VM_COL_vmUpTime:
		mib_value_int(v, ASN_TIMETICKS,
			      vm->up_since_ms ? (long)((loop_now_ms() - vm->up_since_ms) / 10) : 0);
		break;
	case VM_COL_vmCpuTime:
		mib_value_u64(v, vm->cpu_time_ns / 1000u);
		break;
	default:
		return -1;
	}
	return 0;
}

/* --- vmCpuTable: (vmIndex, vmCpuIndex 1..vcpus) -------------------------------- */

static uint64_t rfc_cpu_child(const void *vmp, size_t i)
{
	const struct vm *vm = vmp;

	return i < vm->vcpus ? i + 1 : 0;
}

/* the scratch row of the two-level tables: valid until the next lookup
 * (the engine copies what it needs before asking again) */
static struct mib_row2 rfc7666_row;

static const void *rfc_cpu_row(const struct vm *vm, size_t pos)
{
	rfc7666_row.vm = vm;
	rfc7666_row.pos = pos;
	return &rfc7666_row;
}

static const void *rfc_cpu_get(const struct mibtab *t, const oid *idx)
{
	const struct vm *vm = mibtab_vm_get(rfc_cache(t), idx);

	if (!vm || idx[1] < 1 || idx[1] > vm->vcpus)
		return NULL;
	return rfc_cpu_row(vm, (size_t)idx[1] - 1);
}

static const void *rfc_cpu_next(const struct mibtab *t, const oid *q, size_t q_len,
				oid *out)
{
	const struct vm *vm;
	size_t pos;

	vm = mibtab_vm2_next(rfc_cache(t), q, q_len, out, rfc_cpu_child, &pos);
	return vm ? rfc_cpu_row(vm, pos) : NULL;
}

static int rfc_cpu_col(const struct mibtab *t, const void *row, unsigned int col,
		       struct mib_value *v)
{
	const struct mib_row2 *r = row;
	const struct vm *vm = r->vm;
	size_t pos = r->pos;

	(void)t;
	if (col != VM_COL_vmCpuCoreTime)
		return -1;
	mib_value_u64(v, pos < vm->n_vcpu_time ? vm->vcpu_time_ns[pos] / 1000u : 0);
	return 0;
}

/* --- vmCpuAffinityTable: (vmIndex, vmCpuIndex, vmCpuPhysIndex) ------------------ */

/* physical CPUs of the host (virNodeGetInfo): vmCpuPhysIndex 1..n is
 * CPU number vmCpuPhysIndex - 1 */
static unsigned int rfc_host_cpus(const struct mibtab *t)
{
	const struct agent_ctx *ctx = t->ctx;

	return tracker_host(ctx->tracker)->info.cpus;
}

static const void *rfc_aff_row(const struct mibtab *t, const struct vm *vm,
			       uint64_t vcpu, uint64_t pcpu)
{
	/* pos packs (vCPU, physical CPU), both 0-based */
	return rfc_cpu_row(vm, (size_t)(vcpu * rfc_host_cpus(t) + pcpu));
}

static const void *rfc_aff_get(const struct mibtab *t, const oid *idx)
{
	const struct vm *vm = mibtab_vm_get(rfc_cache(t), idx);
	unsigned int cpus = rfc_host_cpus(t);

	if (!vm || idx[1] < 1 || idx[1] > vm->vcpus || idx[2] < 1 || idx[2] > cpus)
		return NULL;
	return rfc_aff_row(t, vm, idx[1] - 1, idx[2] - 1);
}

/* the first (vCPU, physical CPU), 1-based, of vm after the query's tail
 * q[1..] (q_len >= 2 sub-ids); 0 if none in this VM */
static int rfc_aff_start(const struct vm *vm, unsigned int cpus, const oid *q,
			 size_t q_len, uint64_t *vcpu, uint64_t *pcpu)
{
	*vcpu = q[1] ? q[1] : 1;
	*pcpu = 1;
	if (q[1] && q_len >= 3) {
		/* (q1, q2) itself is <= the query: the next CPU */
		if ((uint64_t)q[2] >= cpus) {
			(*vcpu)++;
		} else {
			*pcpu = (uint64_t)q[2] + 1;
		}
	}
	return *vcpu <= vm->vcpus;
}

static const void *rfc_aff_next(const struct mibtab *t, const oid *q, size_t q_len,
				oid *out)
{
	const struct vmcache *c = rfc_cache(t);
	unsigned int cpus = rfc_host_cpus(t);
	const struct vm *vm;
	uint64_t vcpu = 1, pcpu = 1;
	bool fresh = true;

	if (!cpus)
		return NULL;
	vm = q_len ? vmcache_lower_bound(c, q[0]) : vmcache_at(c, 0);
	if (vm && q_len >= 2 && (uint64_t)vm->index == q[0])
		fresh = !rfc_aff_start(vm, cpus, q, q_len, &vcpu, &pcpu);
	if (fresh && vm && q_len >= 2 && (uint64_t)vm->index == q[0])
		vm = vmcache_after(c, (uint64_t)vm->index);
	if (fresh)
		vcpu = pcpu = 1;
	while (vm && vm->vcpus < 1)
		vm = vmcache_after(c, (uint64_t)vm->index);
	if (!vm)
		return NULL;
	out[0] = (oid)vm->index;
	out[1] = (oid)vcpu;
	out[2] = (oid)pcpu;
	return rfc_aff_row(t, vm, vcpu - 1, pcpu - 1);
}

static int rfc_aff_col(const struct mibtab *t, const void *row, unsigned int col,
		       struct mib_value *v)
{
	const struct mib_row2 *r = row;
	unsigned int cpus = rfc_host_cpus(t);
	int allowed;

	if (col != VM_COL_vmCpuAffinity || !cpus)
		return -1;
	allowed = vm_cpu_allowed(r->vm, (unsigned int)(r->pos / cpus),
				 (unsigned int)(r->pos % cpus));
	mib_value_int(v, ASN_INTEGER,
		      allowed == VM_PIN_ANY      ? VM_ENUM_vmCpuAffinity_enable
		      : allowed == VM_PIN_BITMAP ? VM_ENUM_vmCpuAffinity_disable
						 : VM_ENUM_vmCpuAffinity_unknown);
	return 0;
}

/* --- vmStorageTable: (vmStorageVmIndex = vmIndex, vmStorageIndex) ----------------- */

int rfc7666_storage_source_type(const struct vm_disk *d)
{
	if (strcmp(d->type, "block") == 0)
		return VM_ENUM_vmStorageSourceType_block;
	if (strcmp(d->type, "network") == 0)
		return VM_ENUM_vmStorageSourceType_network;
	if (strcmp(d->type, "file") == 0) {
		if (!d->format[0])
			return VM_ENUM_vmStorageSourceType_unknown;
		/* raw: the guest's bytes as they are; every other format
		 * (qcow2, qed, vmdk...) grows as written */
		return strcmp(d->format, "raw") == 0 ? VM_ENUM_vmStorageSourceType_raw
						     : VM_ENUM_vmStorageSourceType_sparse;
	}
	return d->type[0] ? VM_ENUM_vmStorageSourceType_other : VM_ENUM_vmStorageSourceType_unknown;
}

int rfc7666_storage_media_type(const struct vm_disk *d)
{
	if (strcmp(d->device, "disk") == 0 || strcmp(d->device, "lun") == 0)
		return VM_ENUM_vmStorageMediaType_hardDisk;
	if (strcmp(d->device, "cdrom") == 0)
		return VM_ENUM_vmStorageMediaType_opticalDisk;
	if (strcmp(d->device, "floppy") == 0)
		return VM_ENUM_vmStorageMediaType_floppyDisk;
	return d->device[0] ? VM_ENUM_vmStorageMediaType_other : VM_ENUM_vmStorageMediaType_unknown;
}

long rfc7666_storage_size_unit(const struct vm_disk *d)
{
	int64_t big = d->capacity_bytes > d->allocation_bytes ? d->capacity_bytes
							      : d->allocation_bytes;
	long unit = 1;

	while (big > 0 && big / unit > 2147483647 && unit < 1073741824)
		unit *= 1024;
	return unit;
}

static long rfc_storage_size(int64_t bytes, long unit)
{
	if (bytes < 0)
		return -1; /* RFC 7666: -1 when the size is unknown */
	return rfc_i32((uint64_t)bytes / (uint64_t)unit);
}

static uint64_t rfc_sto_child(const void *vmp, size_t i)
{
	const struct vm *vm = vmp;

	return i < vm->n_disks ? i + 1 : 0;
}

static const void *rfc_sto_get(const struct mibtab *t, const oid *idx)
{
	const struct vm *vm = mibtab_vm_get(rfc_cache(t), idx);

	if (!vm || idx[1] < 1 || idx[1] > vm->n_disks)
		return NULL;
	return &vm->disks[idx[1] - 1];
}

static const void *rfc_sto_next(const struct mibtab *t, const oid *q, size_t q_len,
				oid *out)
{
	const struct vm *vm;
	size_t pos;

	vm = mibtab_vm2_next(rfc_cache(t), q, q_len, out, rfc_sto_child, &pos);
	return vm ? &vm->disks[pos] : NULL;
}

static void rfc_sto_string(struct mib_value *v, const char *a, const char *b)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s%s%s", a, *b ? "/" : "", b);
	mib_value_str(v, buf, 255);
}

static int rfc_sto_col(const struct mibtab *t, const void *row, unsigned int col,
		       struct mib_value *v)
{
	const struct vm_disk *d = row;

	(void)t;
	switch (col) {
	case VM_COL_vmStorageParent:
		/* no HOST-RESOURCES-MIB hrStorageIndex/hrDeviceIndex here */
		mib_value_int(v, ASN_INTEGER, 0);
		break;
	case VM_COL_vmStorageSourceType:
		mib_value_int(v, ASN_INTEGER, rfc7666_storage_source_type(d));
		break;
	case VM_COL_vmStorageSourceTypeString:
		rfc_sto_string(v, d->type, d->format);
		break;
	case VM_COL_vmStorageResourceID:
		mib_value_str(v, d->source ? d->source : "", 255);
		break;
	case VM_COL_vmStorageAccess:
		mib_value_int(v, ASN_INTEGER,
			      d->readonly ? VM_ENUM_vmStorageAccess_readonly : VM_ENUM_vmStorageAccess_readwrite);
		break;
	case VM_COL_vmStorageMediaType:
		mib_value_int(v, ASN_INTEGER, rfc7666_storage_media_type(d));
		break;
	case VM_COL_vmStorageMediaTypeString:
		rfc_sto_string(v, d->device, d->bus);
		break;
	case VM_COL_vmStorageSizeUnit:
		mib_value_int(v, ASN_INTEGER, rfc7666_storage_size_unit(d));
		break;
	case VM_COL_vmStorageDefinedSize:
		mib_value_int(v, ASN_INTEGER,
			      rfc_storage_size(d->capacity_bytes, rfc7666_storage_size_unit(d)));
		break;
	case VM_COL_vmStorageAllocatedSize:
		mib_value_int(v, ASN_INTEGER,
			      rfc_storage_size(d->allocation_bytes, rfc7666_storage_size_unit(d)));
		break;
	case VM_COL_vmStorageReadIOs:
		mib_value_u64(v, d->c.rd_reqs);
		break;
	case VM_COL_vmStorageWriteIOs:
		mib_value_u64(v, d->c.wr_reqs);
		break;
	case VM_COL_vmStorageReadOctets:
		mib_value_u64(v, d->c.rd_bytes);
		break;
	case VM_COL_vmStorageWriteOctets:
		mib_value_u64(v, d->c.wr_bytes);
		break;
	case VM_COL_vmStorageReadLatency:
		mib_value_u64(v, d->c.rd_time_ns / 1000u);
		break;
	case VM_COL_vmStorageWriteLatency:
		mib_value_u64(v, d->c.wr_time_ns / 1000u);
		break;
	default:
		return -1;
	}
	return 0;
}

/* --- vmNetworkTable: (vmIndex, vmNetworkIndex = vmibVifIndex) ----------------------- */

static uint64_t rfc_net_child(const void *vmp, size_t i)
{
	const struct vm *vm = vmp;

	return i < vm->n_vifs ? vm->vifs[i].index : 0;
}

static const void *rfc_net_get(const struct mibtab *t, const oid *idx)
{
	const struct vm *vm = mibtab_vm_get(rfc_cache(t), idx);

	if (!vm || idx[1] < 1 || idx[1] > 2147483647u)
		return NULL;
	return vm_vif_find(vm, (uint32_t)idx[1]);
}

static const void *rfc_net_next(const struct mibtab *t, const oid *q, size_t q_len,
				oid *out)
{
	const struct vm *vm;
	size_t pos;

	vm = mibtab_vm2_next(rfc_cache(t), q, q_len, out, rfc_net_child, &pos);
	return vm ? &vm->vifs[pos] : NULL;
}

static int rfc_net_col(const struct mibtab *t, const void *row, unsigned int col,
		       struct mib_value *v)
{
	const struct vm_vif *vif = row;

	(void)t;
	switch (col) {
	case VM_COL_vmNetworkIfIndex:
		mib_value_int(v, ASN_INTEGER, (long)vif->ifindex);
		break;
	case VM_COL_vmNetworkParent:
		mib_value_int(v, ASN_INTEGER, (long)vif->parent_ifindex);
		break;
	case VM_COL_vmNetworkModel:
		mib_value_str(v, vif->model, 255);
		break;
	case VM_COL_vmNetworkPhysAddress:
		mib_value_bytes(v, ASN_OCTET_STR, vif->mac, vif->has_mac ? 6 : 0);
		break;
	default:
		return -1;
	}
	return 0;
}

/* --- setup ------------------------------------------------------------------------ */

static void rfc_table(struct mibtab *t, struct agent_ctx *ctx, const char *name,
		      const oid *root, const oid *entry, unsigned int col_min,
		      unsigned int col_max, unsigned int index_len)
{
	*t = (struct mibtab){
		.name = name,
		.root = root,
		.root_len = VM_OID_vmTable_LEN,
		.entry = entry,
		.entry_len = VM_OID_vmTable_LEN + 1,
		.col_min = col_min,
		.col_max = col_max,
		.index_len = index_len,
		.ctx = ctx,
	};
}

void rfc7666_setup(struct mibtab t[RFC7666_N_TABLES], struct agent_ctx *ctx)
{
	t[RFC7666_HYPERVISOR] = (struct mibtab){
		.name = "vmHypervisor",
		.root = rfc_hv,
		.root_len = VM_OID_vmHypervisor_LEN,
		.entry = rfc_hv,
		.entry_len = VM_OID_vmHypervisor_LEN,
		.col_min = VM_SUB_vmHvSoftware,
		.col_max = VM_SUB_vmHvUpTime,
		.index_len = 1,
		.row_get = mibtab_scalar_get,
		.row_next = mibtab_scalar_next,
		.col_value = rfc_hv_col,
		.ctx = ctx,
	};
	rfc_scalar(&t[RFC7666_NUMBER], ctx, "vmNumber", rfc_number, VM_SUB_vmNumber);
	rfc_scalar(&t[RFC7666_LAST_CHANGE], ctx, "vmTableLastChange", rfc_last_change,
		   VM_SUB_vmTableLastChange);
	rfc_scalar(&t[RFC7666_PERVM_ENABLED], ctx, "vmPerVMNotificationsEnabled",
		   rfc_pervm, VM_SUB_vmPerVMNotificationsEnabled);
	rfc_scalar(&t[RFC7666_BULK_ENABLED], ctx, "vmBulkNotificationsEnabled",
		   rfc_bulk, VM_SUB_vmBulkNotificationsEnabled);

	rfc_table(&t[RFC7666_VM_TABLE], ctx, "vmTable", rfc_vm_table, rfc_vm_entry,
		  VM_COL_vmName, VM_COL_vmCpuTime, 1);
	t[RFC7666_VM_TABLE].row_get = rfc_vm_get;
	t[RFC7666_VM_TABLE].row_next = rfc_vm_next;
	t[RFC7666_VM_TABLE].col_value = rfc_vm_col;
	t[RFC7666_VM_TABLE].prepare = rfc_prepare;
	t[RFC7666_VM_TABLE].stats_col_min = VM_COL_vmCpuTime;
	t[RFC7666_VM_TABLE].stats_col_max = VM_COL_vmCpuTime;

	rfc_table(&t[RFC7666_CPU_TABLE], ctx, "vmCpuTable", rfc_cpu_table, rfc_cpu_entry,
		  VM_COL_vmCpuCoreTime, VM_COL_vmCpuCoreTime, 2);
	t[RFC7666_CPU_TABLE].row_get = rfc_cpu_get;
	t[RFC7666_CPU_TABLE].row_next = rfc_cpu_next;
	t[RFC7666_CPU_TABLE].col_value = rfc_cpu_col;
	t[RFC7666_CPU_TABLE].prepare = rfc_prepare;
	t[RFC7666_CPU_TABLE].stats_col_min = VM_COL_vmCpuCoreTime;
	t[RFC7666_CPU_TABLE].stats_col_max = VM_COL_vmCpuCoreTime;

	rfc_table(&t[RFC7666_CPU_AFFINITY_TABLE], ctx, "vmCpuAffinityTable", rfc_aff_table,
		  rfc_aff_entry, VM_COL_vmCpuAffinity, VM_COL_vmCpuAffinity, 3);
	t[RFC7666_CPU_AFFINITY_TABLE].row_get = rfc_aff_get;
	t[RFC7666_CPU_AFFINITY_TABLE].row_next = rfc_aff_next;
	t[RFC7666_CPU_AFFINITY_TABLE].col_value = rfc_aff_col;

	rfc_table(&t[RFC7666_STORAGE_TABLE], ctx, "vmStorageTable", rfc_sto_table,
		  rfc_sto_entry, VM_COL_vmStorageParent, VM_COL_vmStorageWriteLatency, 2);
	t[RFC7666_STORAGE_TABLE].row_get = rfc_sto_get;
	t[RFC7666_STORAGE_TABLE].row_next = rfc_sto_next;
	t[RFC7666_STORAGE_TABLE].col_value = rfc_sto_col;
	t[RFC7666_STORAGE_TABLE].prepare = rfc_prepare;
	t[RFC7666_STORAGE_TABLE].stats_col_min = VM_COL_vmStorageSizeUnit;
	t[RFC7666_STORAGE_TABLE].stats_col_max = VM_COL_vmStorageWriteLatency;

	rfc_table(&t[RFC7666_NETWORK_TABLE], ctx, "vmNetworkTable", rfc_net_table,
		  rfc_net_entry, VM_COL_vmNetworkIfIndex, VM_COL_vmNetworkPhysAddress, 2);
	t[RFC7666_NETWORK_TABLE].row_get = rfc_net_get;
	t[RFC7666_NETWORK_TABLE].row_next = rfc_net_next;
	t[RFC7666_NETWORK_TABLE].col_value = rfc_net_col;
}
