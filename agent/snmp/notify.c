/*
 * notify.c - notifications on VM life cycle changes.
 *
 * The tracker's listener: for every change of a VM's operational state
 * (a VM appearing or going included) it sends the vMIB's
 * vmibVmStateChange, and RFC 7666's per-VM notification for the new
 * state (vmRunning ... vmDeleted) when vmPerVMNotificationsEnabled is
 * true.  Varbinds: sysUpTime.0 and snmpTrapOID.0 first (RFC 3416 4.2.6),
 * then the objects with the row's instance, never .0 (netsnmp.md §9 item
 * 8).  Runs in the loop thread, the only thread that calls Net-SNMP.
 * Nothing is sent for the initial load of the cache (it is not a change)
 * or before the SNMP side is up.
 *
 * RFC 7666 bulk notifications (rfc7666-bulk-notifications, reported by
 * vmBulkNotificationsEnabled): the same changes are also collected for
 * NOTIFY_BULK_WINDOW_MS from the first one; then one vmBulkRunning ...
 * vmBulkDeleted goes out per new state with vmAffectedVMs.0, the
 * VirtualMachineList bitmap of the VMs that changed to it (RFC 7666 6.1:
 * octet 1 holds vmIndex 1..8, most significant bit first).  Pending
 * changes take 8 bytes each; a VM whose vmIndex exceeds
 * NOTIFY_BULK_MAX_INDEX is left out of the bitmap (it would pass 8 KiB).
 */
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "log.h"
#include "loop.h"
#include "mib_tables.h"
#include "notify.h"
#include "vm_oids.h"
#include "vmib_oids.h"

/* SNMPv2-MIB (RFC 3418): sysUpTime.0 and snmpTrapOID.0 */
static const oid notify_sysuptime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
static const oid notify_trapoid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

static const oid notify_vmib_state_change[] = {VMIB_OID_vmibVmStateChange};
static const oid notify_vmib_name[] = {VMIB_OID_vmibVmName};
static const oid notify_vmib_oper[] = {VMIB_OID_vmibVmOperState};
static const oid notify_vmib_admin[] = {VMIB_OID_vmibVmAdminState};
static const oid notify_vmib_migrated[] = {VMIB_OID_vmibMigrationDone};
static const oid notify_vmib_mstatus[] = {VMIB_OID_vmibVmMigrateStatus};
static const oid notify_vmib_mtarget[] = {VMIB_OID_vmibVmMigrateTarget};
static const oid notify_vmib_mdowntime[] = {VMIB_OID_vmibVmMigrateDowntimeMs};
static const oid notify_vmib_lasterror[] = {VMIB_OID_vmibVmLastError};
static const oid notify_rfc_entry[] = {VM_OID_vmEntry};
static const oid notify_rfc_base[] = {VM_OID_vmNotifications};

static const oid notify_rfc_affected[] = {VM_OID_vmObjects, VM_SUB_vmAffectedVMs, 0};

/* one change waiting for the bulk notification of its new state */
struct notify_pending {
	int32_t index;
	int trap; /* per-VM notification number, 1..10 */
};

static struct {
	struct agent_ctx *ctx;
	bool enabled;
	unsigned long sent;
	struct notify_pending *bulk; /* changes in the current window */
	size_t n_bulk, cap_bulk;
	int bulk_timer;              /* loop timer, -1 none */
} N = {.bulk_timer = -1};

static void notify_bulk_drop(void)
{
	free(N.bulk);
	N.bulk = NULL;
	N.n_bulk = N.cap_bulk = 0;
	if (N.bulk_timer >= 0)
		loop_update_timeout(N.bulk_timer, -1);
}

void notify_init(struct agent_ctx *ctx)
{
	N.ctx = ctx;
	N.enabled = false;
	N.sent = 0;
	free(N.bulk);
	N.bulk = NULL;
	N.n_bulk = N.cap_bulk = 0;
	N.bulk_timer = -1; /* a timer of an earlier loop is gone with it */
}

void notify_enable(bool on)
{
	N.enabled = on;
	if (!on)
		notify_bulk_drop(); /* going down: the window's changes are dropped */
}

unsigned long notify_sent(void)
{
	return N.sent;
}

/* column OID + instance */
static size_t notify_instance(oid *out, const oid *col, size_t col_len, int32_t index)
{
	memcpy(out, col, col_len * sizeof(oid));
	out[col_len] = (oid)index;
	return col_len + 1;
}

static void notify_add_int(netsnmp_variable_list **vars, const oid *col, size_t col_len,
			   int32_t index, long value)
{
	oid name[MAX_OID_LEN];
	size_t len = notify_instance(name, col, col_len, index);

	snmp_varlist_add_variable(vars, name, len, ASN_INTEGER, &value, sizeof(value));
}

static void notify_add_str(netsnmp_variable_list **vars, const oid *col, size_t col_len,
			   int32_t index, const void *s, size_t n)
{
	oid name[MAX_OID_LEN];
	size_t len = notify_instance(name, col, col_len, index);

	snmp_varlist_add_variable(vars, name, len, ASN_OCTET_STR, s, n);
}

static netsnmp_variable_list *notify_head(const oid *trap, size_t trap_len)
{
	netsnmp_variable_list *vars = NULL;
	u_long up = netsnmp_get_agent_uptime();

	snmp_varlist_add_variable(&vars, notify_sysuptime, OID_LENGTH(notify_sysuptime),
				  ASN_TIMETICKS, &up, sizeof(up));
	snmp_varlist_add_variable(&vars, notify_trapoid, OID_LENGTH(notify_trapoid),
				  ASN_OBJECT_ID, trap, trap_len * sizeof(oid));
	return vars;
}

static void notify_send(netsnmp_variable_list *vars, const char *what, const struct vm *vm)
{
	send_v2trap(vars);
	snmp_free_varbind(vars);
	N.sent++;
	if (vm)
		log_msg(LOG_DEBUG, "snmp", "sent %s for VM %s (index %d)", what, vm->name,
			(int)vm->index);
	else
		log_msg(LOG_DEBUG, "snmp", "sent %s", what);
}

static void notify_vmib(const struct vm *vm)
{
	netsnmp_variable_list *vars;
	size_t name_len = strnlen(vm->name, VMIB_SIZE_vmibVmName_MAX);

	vars = notify_head(notify_vmib_state_change, OID_LENGTH(notify_vmib_state_change));
	notify_add_str(&vars, notify_vmib_name, OID_LENGTH(notify_vmib_name), vm->index,
		       vm->name, name_len);
	notify_add_int(&vars, notify_vmib_oper, OID_LENGTH(notify_vmib_oper), vm->index,
		       vm_oper_vmib(vm));
	notify_add_int(&vars, notify_vmib_admin, OID_LENGTH(notify_vmib_admin), vm->index,
		       vm_admin_vmib(vm));
	notify_send(vars, "vmibVmStateChange", vm);
}

/* RFC 7666 6.1: the notification for the state a VM changed to */
static int notify_rfc_trap(int rfc_state)
{
	switch (rfc_state) {
	case VM_ENUM_vmOperState_running:
		return VM_SUB_vmRunning;
	case VM_ENUM_vmOperState_shuttingdown:
		return VM_SUB_vmShuttingdown;
	case VM_ENUM_vmOperState_shutdown:
		return VM_SUB_vmShutdown;
	case VM_ENUM_vmOperState_paused:
		return VM_SUB_vmPaused;
	case VM_ENUM_vmOperState_suspending:
		return VM_SUB_vmSuspending;
	case VM_ENUM_vmOperState_suspended:
		return VM_SUB_vmSuspended;
	case VM_ENUM_vmOperState_resuming:
		return VM_SUB_vmResuming;
	case VM_ENUM_vmOperState_migrating:
		return VM_SUB_vmMigrating;
	case VM_ENUM_vmOperState_crashed:
		return VM_SUB_vmCrashed;
	default:
		return 0;
	}
}

/* vmName, vmUUID, vmOperState (the state *before* the change, as the
 * RFC's DESCRIPTIONs say), plus vmPersistent for vmDeleted */
static void notify_rfc(const struct vm *vm, int trap, int prior_state)
{
	oid trap_oid[MAX_OID_LEN], col[MAX_OID_LEN];
	size_t base = OID_LENGTH(notify_rfc_base), entry = OID_LENGTH(notify_rfc_entry);
	netsnmp_variable_list *vars;

	memcpy(trap_oid, notify_rfc_base, sizeof(notify_rfc_base));
	trap_oid[base] = (oid)trap;
	vars = notify_head(trap_oid, base + 1);
	memcpy(col, notify_rfc_entry, sizeof(notify_rfc_entry));
	col[entry] = VM_COL_vmName;
	notify_add_str(&vars, col, entry + 1, vm->index, vm->name, strnlen(vm->name, 255));
	col[entry] = VM_COL_vmUUID;
	notify_add_str(&vars, col, entry + 1, vm->index, vm->uuid, VM_UUID_LEN);
	col[entry] = VM_COL_vmOperState;
	notify_add_int(&vars, col, entry + 1, vm->index, prior_state);
	if (trap == VM_SUB_vmDeleted) {
		col[entry] = VM_COL_vmPersistent;
		notify_add_int(&vars, col, entry + 1, vm->index,
			       vm->persistent ? VM_ENUM_vmPersistent_persistent
					      : VM_ENUM_vmPersistent_transient);
	}
	notify_send(vars, "an RFC 7666 notification", vm);
}

/* the RFC 7666 notification (1..10) a change calls for, 0 none; *prior:
 * the vmOperState its varbinds carry */
static int notify_rfc_which(const struct vm *vm, int old_state, enum tracker_change what,
			    int *prior)
{
	int now = rfc7666_oper_state(vm->state, vm->reason);
	int before = old_state < 0 ? VM_ENUM_vmOperState_unknown : rfc7666_oper_state(old_state, 0);

	if (what == TRACKER_VM_GONE) {
		*prior = now;
		return VM_SUB_vmDeleted;
	}
	*prior = before;
	if (what == TRACKER_VM_APPEARED && !vm_is_active(vm))
		return 0; /* defined, not started: no RFC 7666 notification fits */
	if (what == TRACKER_VM_CHANGED && before == now)
		return 0;
	return notify_rfc_trap(now);
}

/* VirtualMachineList (RFC 7666 6.1) of the pending changes to trap:
 * its length in octets (0: none); *out malloc'd */
static size_t notify_bulk_bitmap(int trap, unsigned char **out)
{
	size_t i, len = 0, bit;
	unsigned char *map;

	for (i = 0; i < N.n_bulk; i++)
		if (N.bulk[i].trap == trap && (size_t)(N.bulk[i].index + 7) / 8 > len)
			len = (size_t)(N.bulk[i].index + 7) / 8;
	*out = NULL;
	if (!len || !(map = calloc(1, len)))
		return 0;
	for (i = 0; i < N.n_bulk; i++) {
		if (N.bulk[i].trap != trap)
			continue;
		bit = (size_t)(N.bulk[i].index - 1);
		map[bit / 8] |= (unsigned char)(0x80u >> (bit % 8));
	}
	*out = map;
	return len;
}

/* vmBulk<State> with vmAffectedVMs.0, one per state changed to */
void notify_flush(void)
{
	oid trap_oid[MAX_OID_LEN];
	size_t base = OID_LENGTH(notify_rfc_base), len;
	netsnmp_variable_list *vars;
	unsigned char *map;
	int trap;

	if (N.enabled) {
		memcpy(trap_oid, notify_rfc_base, sizeof(notify_rfc_base));
		for (trap = VM_SUB_vmRunning; trap <= VM_SUB_vmDeleted; trap++) {
			len = notify_bulk_bitmap(trap, &map);
			if (!len)
				continue;
			trap_oid[base] = (oid)(trap + (VM_SUB_vmBulkRunning - VM_SUB_vmRunning));
			vars = notify_head(trap_oid, base + 1);
			snmp_varlist_add_variable(&vars, notify_rfc_affected,
						  OID_LENGTH(notify_rfc_affected), ASN_OCTET_STR,
						  map, len);
			free(map);
			notify_send(vars, "an RFC 7666 bulk notification", NULL);
		}
	}
	notify_bulk_drop();
}

static void notify_bulk_timer(int timer, void *opaque)
{
	(void)timer;
	(void)opaque;
	notify_flush();
}

static void notify_bulk_add(const struct vm *vm, int trap)
{
	struct notify_pending *nb;

	if (vm->index < 1 || vm->index > NOTIFY_BULK_MAX_INDEX) {
		log_msg(LOG_DEBUG, "snmp", "VM %s (index %d) left out of bulk notifications",
			vm->name, (int)vm->index);
		return;
	}
	if (N.n_bulk == N.cap_bulk) {
		nb = realloc(N.bulk, (N.cap_bulk ? 2 * N.cap_bulk : 16) * sizeof(*nb));
		if (!nb)
			return;
		N.bulk = nb;
		N.cap_bulk = N.cap_bulk ? 2 * N.cap_bulk : 16;
	}
	N.bulk[N.n_bulk++] = (struct notify_pending){vm->index, trap};
	if (N.n_bulk > 1)
		return; /* the window is open already */
	if (N.bulk_timer < 0)
		N.bulk_timer =
			loop_add_timeout(NOTIFY_BULK_WINDOW_MS, notify_bulk_timer, NULL, NULL);
	else
		loop_update_timeout(N.bulk_timer, NOTIFY_BULK_WINDOW_MS);
}

static void notify_rfc_change(const struct vm *vm, int old_state, enum tracker_change what)
{
	const struct vmibd_config *cfg = N.ctx->cfg;
	int trap, prior;

	if (!cfg->rfc7666)
		return;
	trap = notify_rfc_which(vm, old_state, what, &prior);
	if (!trap)
		return;
	if (cfg->rfc7666_notifications)
		notify_rfc(vm, trap, prior);
	if (cfg->rfc7666_bulk_notifications)
		notify_bulk_add(vm, trap);
}


static void notify_add_str0(netsnmp_variable_list **vars, const oid *col, size_t col_len,
			    int32_t index, const char *s, size_t max)
{
	notify_add_str(vars, col, col_len, index, s ? s : "", s ? strnlen(s, max) : 0);
}

/* vmibMigrationDone for vm (its last values when the row is gone) */
static void notify_migration_done(const struct vm *vm)
{
	netsnmp_variable_list *vars;
	oid name[MAX_OID_LEN];
	size_t len;
	u_long downtime = vm->migrate_downtime_ms;

	if (!N.enabled)
		return;
	vars = notify_head(notify_vmib_migrated, OID_LENGTH(notify_vmib_migrated));
	notify_add_str0(&vars, notify_vmib_name, OID_LENGTH(notify_vmib_name), vm->index,
			vm->name, VMIB_SIZE_vmibVmName_MAX);
	notify_add_int(&vars, notify_vmib_mstatus, OID_LENGTH(notify_vmib_mstatus), vm->index,
		       vm->migrate_status);
	notify_add_str0(&vars, notify_vmib_mtarget, OID_LENGTH(notify_vmib_mtarget), vm->index,
			vm->migrate_target, VMIB_SIZE_vmibVmMigrateTarget_MAX);
	len = notify_instance(name, notify_vmib_mdowntime, OID_LENGTH(notify_vmib_mdowntime),
			      vm->index);
	snmp_varlist_add_variable(&vars, name, len, ASN_UNSIGNED, &downtime, sizeof(downtime));
	notify_add_str0(&vars, notify_vmib_lasterror, OID_LENGTH(notify_vmib_lasterror),
			vm->index, vm->last_error, VMIB_SIZE_vmibVmLastError_MAX);
	notify_send(vars, "vmibMigrationDone", vm);
}

void notify_listener(void *opaque, const struct vm *vm, int old_state,
		     enum tracker_change what)
{
	int oper_before;

	(void)opaque;
	if (what == TRACKER_VM_MIGRATING) {
		if (N.enabled)
			notify_vmib(vm);
		return;
	}
	if (what == TRACKER_VM_MIGRATED) {
		notify_migration_done(vm);
		return;
	}
	if (!N.enabled || !N.ctx || !tracker_synced(N.ctx->tracker))
		return;
	if (what == TRACKER_VM_CHANGED) {
		struct vm before = *vm;

		before.state = old_state;
		oper_before = vm_oper_vmib(&before);
		if (oper_before == vm_oper_vmib(vm))
			return;
	}
	notify_vmib(vm);
	notify_rfc_change(vm, old_state, what);
}
