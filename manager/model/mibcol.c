/*
 * mibcol.c - the table of vMIB objects behind mibcol.h.  Every OID and
 * every named number comes from build/gen/vmib_oids.h (generated from
 * VMIB-MIB by mib/gen-oids.sh); this file only says which of them vmibctl
 * uses, in which table, with which SNMP type.
 */
#include <string.h>

#include "mibcol.h"

#define E(obj, name) { VMIB_ENUM_##obj##_##name, #name }

static const struct mibcol_enum rowstatus[] = {
	E(vmibVmRowStatus, active), E(vmibVmRowStatus, notInService),
	E(vmibVmRowStatus, notReady), E(vmibVmRowStatus, createAndGo),
	E(vmibVmRowStatus, createAndWait), E(vmibVmRowStatus, destroy), { 0, NULL },
};

static const struct mibcol_enum oper_status[] = {   /* VmibOperStatus */
	E(vmibShapeOperStatus, applied), E(vmibShapeOperStatus, pending),
	E(vmibShapeOperStatus, failed), E(vmibShapeOperStatus, unsupported), { 0, NULL },
};

static const struct mibcol_enum accept_drop[] = {
	E(vmibIsolAction, accept), E(vmibIsolAction, drop), { 0, NULL },
};

static const struct mibcol_enum libvirt_state[] = {
	E(vmibHostLibvirtState, connected), E(vmibHostLibvirtState, stale), { 0, NULL },
};

static const struct mibcol_enum vm_oper[] = {
	E(vmibVmOperState, unknown), E(vmibVmOperState, running), E(vmibVmOperState, blocked),
	E(vmibVmOperState, paused), E(vmibVmOperState, shuttingDown),
	E(vmibVmOperState, shutoff), E(vmibVmOperState, crashed),
	E(vmibVmOperState, pmSuspended), E(vmibVmOperState, migrating), { 0, NULL },
};

static const struct mibcol_enum vm_admin[] = {
	E(vmibVmAdminState, running), E(vmibVmAdminState, paused),
	E(vmibVmAdminState, shutoff), E(vmibVmAdminState, destroyed), { 0, NULL },
};

static const struct mibcol_enum truth[] = {
	E(vmibVmMigrateLive, true), E(vmibVmMigrateLive, false), { 0, NULL },
};

static const struct mibcol_enum guest_state[] = {
	E(vmibVmGuestState, unknown), E(vmibVmGuestState, booting), E(vmibVmGuestState, ready),
	{ 0, NULL },
};

static const struct mibcol_enum migrate_status[] = {
	E(vmibVmMigrateStatus, none), E(vmibVmMigrateStatus, inProgress),
	E(vmibVmMigrateStatus, succeeded), E(vmibVmMigrateStatus, failed), { 0, NULL },
};

#define C(id, obj, tbl, ty, en) \
	[id] = { #obj, { VMIB_OID_##obj }, VMIB_OID_##obj##_LEN, MIBCOL_##tbl, MIBCOL_##ty, en }

const struct mibcol mibcol_cols[MIBCOL_N] = {
	C(COL_HOST_NAME, vmibHostName, HOST, STRING, NULL),
	C(COL_HOST_HV_TYPE, vmibHostHypervisorType, HOST, STRING, NULL),
	C(COL_HOST_HV_VERSION, vmibHostHypervisorVersion, HOST, STRING, NULL),
	C(COL_HOST_LIBVIRT_URI, vmibHostLibvirtUri, HOST, STRING, NULL),
	C(COL_HOST_CPUS, vmibHostCpus, HOST, UNSIGNED, NULL),
	C(COL_HOST_MEM_TOTAL, vmibHostMemoryTotalKBytes, HOST, UNSIGNED, NULL),
	C(COL_HOST_MEM_FREE, vmibHostMemoryFreeKBytes, HOST, UNSIGNED, NULL),
	C(COL_HOST_CAPS, vmibHostCapabilities, HOST, STRING, NULL),
	C(COL_HOST_VM_COUNT, vmibHostVmCount, HOST, UNSIGNED, NULL),
	C(COL_HOST_LAST_CHANGE, vmibHostLastChange, HOST, TIMETICKS, NULL),
	C(COL_HOST_LIBVIRT_STATE, vmibHostLibvirtState, HOST, INTEGER, libvirt_state),
	C(COL_HOST_LAST_ERROR, vmibHostLastError, HOST, STRING, NULL),
	C(COL_ISOLATION_DEFAULT, vmibIsolationDefault, HOST, INTEGER, accept_drop),
	C(COL_ISOLATION_OPER, vmibIsolationOperStatus, HOST, INTEGER, oper_status),

	C(COL_VM_NAME, vmibVmName, VM, STRING, NULL),
	C(COL_VM_UUID, vmibVmUuid, VM, STRING, NULL),
	C(COL_VM_IMAGE, vmibVmImage, VM, STRING, NULL),
	C(COL_VM_MEMORY, vmibVmMemoryKBytes, VM, UNSIGNED, NULL),
	C(COL_VM_VCPUS, vmibVmVcpus, VM, UNSIGNED, NULL),
	C(COL_VM_OPER, vmibVmOperState, VM, INTEGER, vm_oper),
	C(COL_VM_ADMIN, vmibVmAdminState, VM, INTEGER, vm_admin),
	C(COL_VM_CPU_TIME, vmibVmCpuTimeMs, VM, COUNTER64, NULL),
	C(COL_VM_SCHED_WEIGHT, vmibVmSchedWeight, VM, UNSIGNED, NULL),
	C(COL_VM_SCHED_CAP, vmibVmSchedCapPercent, VM, UNSIGNED, NULL),
	C(COL_VM_MIGRATE_TARGET, vmibVmMigrateTarget, VM, STRING, NULL),
	C(COL_VM_MIGRATE_LIVE, vmibVmMigrateLive, VM, INTEGER, truth),
	C(COL_VM_MIGRATE_STATUS, vmibVmMigrateStatus, VM, INTEGER, migrate_status),
	C(COL_VM_MIGRATE_DOWNTIME, vmibVmMigrateDowntimeMs, VM, UNSIGNED, NULL),
	C(COL_VM_LAST_ERROR, vmibVmLastError, VM, STRING, NULL),
	C(COL_VM_ROW_STATUS, vmibVmRowStatus, VM, INTEGER, rowstatus),
	C(COL_VM_GUEST_STATE, vmibVmGuestState, VM, INTEGER, guest_state),

	C(COL_VIF_DEVICE, vmibVifDevice, VIF, STRING, NULL),
	C(COL_VIF_MAC, vmibVifMac, VIF, STRING, NULL),
	C(COL_VIF_BRIDGE, vmibVifBridge, VIF, STRING, NULL),
	C(COL_VIF_ADDR, vmibVifAddr, VIF, IPADDRESS, NULL),
	C(COL_VIF_PREFIX_LEN, vmibVifPrefixLen, VIF, UNSIGNED, NULL),
	C(COL_VIF_ROUTES, vmibVifRoutes, VIF, STRING, NULL),
	C(COL_VIF_IFINDEX, vmibVifIfIndex, VIF, INTEGER, NULL),
	C(COL_VIF_RX_OCTETS, vmibVifRxOctets, VIF, COUNTER64, NULL),
	C(COL_VIF_RX_PKTS, vmibVifRxPkts, VIF, COUNTER64, NULL),
	C(COL_VIF_RX_ERRORS, vmibVifRxErrors, VIF, COUNTER64, NULL),
	C(COL_VIF_RX_DROPS, vmibVifRxDrops, VIF, COUNTER64, NULL),
	C(COL_VIF_TX_OCTETS, vmibVifTxOctets, VIF, COUNTER64, NULL),
	C(COL_VIF_TX_PKTS, vmibVifTxPkts, VIF, COUNTER64, NULL),
	C(COL_VIF_TX_ERRORS, vmibVifTxErrors, VIF, COUNTER64, NULL),
	C(COL_VIF_TX_DROPS, vmibVifTxDrops, VIF, COUNTER64, NULL),
	C(COL_VIF_ROW_STATUS, vmibVifRowStatus, VIF, INTEGER, rowstatus),

	C(COL_SHAPE_NAME, vmibShapeName, SHAPE, STRING, NULL),
	C(COL_SHAPE_SRC_ADDR, vmibShapeSrcAddr, SHAPE, IPADDRESS, NULL),
	C(COL_SHAPE_SRC_PREFIX_LEN, vmibShapeSrcPrefixLen, SHAPE, UNSIGNED, NULL),
	C(COL_SHAPE_RATE, vmibShapeRateKbps, SHAPE, UNSIGNED, NULL),
	C(COL_SHAPE_BURST, vmibShapeBurstBytes, SHAPE, UNSIGNED, NULL),
	C(COL_SHAPE_DELAY, vmibShapeDelayUs, SHAPE, UNSIGNED, NULL),
	C(COL_SHAPE_JITTER, vmibShapeJitterUs, SHAPE, UNSIGNED, NULL),
	C(COL_SHAPE_LOSS, vmibShapeLossPpm, SHAPE, UNSIGNED, NULL),
	C(COL_SHAPE_DUPLICATE, vmibShapeDuplicatePpm, SHAPE, UNSIGNED, NULL),
	C(COL_SHAPE_CORRUPT, vmibShapeCorruptPpm, SHAPE, UNSIGNED, NULL),
	C(COL_SHAPE_REORDER, vmibShapeReorderPpm, SHAPE, UNSIGNED, NULL),
	C(COL_SHAPE_LIMIT, vmibShapeLimitPkts, SHAPE, UNSIGNED, NULL),
	C(COL_SHAPE_OPER, vmibShapeOperStatus, SHAPE, INTEGER, oper_status),
	C(COL_SHAPE_LAST_ERROR, vmibShapeLastError, SHAPE, STRING, NULL),
	C(COL_SHAPE_SENT_OCTETS, vmibShapeSentOctets, SHAPE, COUNTER64, NULL),
	C(COL_SHAPE_SENT_PKTS, vmibShapeSentPkts, SHAPE, COUNTER64, NULL),
	C(COL_SHAPE_DROPPED, vmibShapeDroppedPkts, SHAPE, COUNTER64, NULL),
	C(COL_SHAPE_OVERLIMITS, vmibShapeOverlimits, SHAPE, COUNTER64, NULL),
	C(COL_SHAPE_ROW_STATUS, vmibShapeRowStatus, SHAPE, INTEGER, rowstatus),

	C(COL_ISOL_NAME, vmibIsolName, ISOL, STRING, NULL),
	C(COL_ISOL_SRC_ADDR, vmibIsolSrcAddr, ISOL, IPADDRESS, NULL),
	C(COL_ISOL_SRC_PREFIX_LEN, vmibIsolSrcPrefixLen, ISOL, UNSIGNED, NULL),
	C(COL_ISOL_DST_ADDR, vmibIsolDstAddr, ISOL, IPADDRESS, NULL),
	C(COL_ISOL_DST_PREFIX_LEN, vmibIsolDstPrefixLen, ISOL, UNSIGNED, NULL),
	C(COL_ISOL_ACTION, vmibIsolAction, ISOL, INTEGER, accept_drop),
	C(COL_ISOL_OPER, vmibIsolOperStatus, ISOL, INTEGER, oper_status),
	C(COL_ISOL_LAST_ERROR, vmibIsolLastError, ISOL, STRING, NULL),
	C(COL_ISOL_MATCHED, vmibIsolMatchedPkts, ISOL, COUNTER64, NULL),
	C(COL_ISOL_ROW_STATUS, vmibIsolRowStatus, ISOL, INTEGER, rowstatus),

	C(COL_SUBNET_NAME, vmibSubnetName, SUBNET, STRING, NULL),
	C(COL_SUBNET_ADDR, vmibSubnetAddr, SUBNET, IPADDRESS, NULL),
	C(COL_SUBNET_PREFIX_LEN, vmibSubnetPrefixLen, SUBNET, UNSIGNED, NULL),
	C(COL_SUBNET_ROW_STATUS, vmibSubnetRowStatus, SUBNET, INTEGER, rowstatus),

	C(COL_IMAGE_NAME, vmibImageName, IMAGE, STRING, NULL),
	C(COL_IMAGE_MIN_MEMORY, vmibImageMinMemoryKBytes, IMAGE, UNSIGNED, NULL),
};

static const uint32_t oid_host[] = { VMIB_OID_vmibHost };
static const uint32_t oid_vm[] = { VMIB_OID_vmibVmEntry };
static const uint32_t oid_vif[] = { VMIB_OID_vmibVifEntry };
static const uint32_t oid_shape[] = { VMIB_OID_vmibShapeEntry };
static const uint32_t oid_isol[] = { VMIB_OID_vmibIsolationEntry };
static const uint32_t oid_subnet[] = { VMIB_OID_vmibSubnetEntry };
static const uint32_t oid_image[] = { VMIB_OID_vmibImageEntry };

static const struct {
	const uint32_t *oid;
	size_t len;
	size_t index_len;
} tables[MIBCOL_N_TABLES] = {
	[MIBCOL_HOST] = { oid_host, VMIB_OID_vmibHost_LEN, 1 },
	[MIBCOL_VM] = { oid_vm, VMIB_OID_vmibVmEntry_LEN, 1 },
	[MIBCOL_VIF] = { oid_vif, VMIB_OID_vmibVifEntry_LEN, 2 },
	[MIBCOL_SHAPE] = { oid_shape, VMIB_OID_vmibShapeEntry_LEN, 3 },
	[MIBCOL_ISOL] = { oid_isol, VMIB_OID_vmibIsolationEntry_LEN, 1 },
	[MIBCOL_SUBNET] = { oid_subnet, VMIB_OID_vmibSubnetEntry_LEN, 1 },
	[MIBCOL_IMAGE] = { oid_image, VMIB_OID_vmibImageEntry_LEN, 1 },
};

const uint32_t *mibcol_table_oid(enum mibcol_table t, size_t *len)
{
	*len = tables[t].len;
	return tables[t].oid;
}

size_t mibcol_index_len(enum mibcol_table t)
{
	return tables[t].index_len;
}

enum mibcol_id mibcol_find(const uint32_t *oid, size_t len, size_t *index_at)
{
	int c;

	for (c = 0; c < MIBCOL_N; c++) {
		const struct mibcol *m = &mibcol_cols[c];

		if (len == m->oid_len + mibcol_index_len(m->table) &&
		    memcmp(oid, m->oid, m->oid_len * sizeof(*oid)) == 0) {
			*index_at = m->oid_len;
			return c;
		}
	}
	return MIBCOL_N;
}

enum mibcol_id mibcol_by_name(const char *name)
{
	int c;

	for (c = 0; c < MIBCOL_N; c++)
		if (strcmp(mibcol_cols[c].name, name) == 0)
			return c;
	return MIBCOL_N;
}

const char *mibcol_enum_name(enum mibcol_id c, long v)
{
	const struct mibcol_enum *e;

	for (e = mibcol_cols[c].enums; e && e->name; e++)
		if (e->value == v)
			return e->name;
	return NULL;
}

int mibcol_enum_value(enum mibcol_id c, const char *name, long *v)
{
	const struct mibcol_enum *e;

	for (e = mibcol_cols[c].enums; e && e->name; e++) {
		if (strcmp(e->name, name) == 0) {
			*v = e->value;
			return 0;
		}
	}
	return -1;
}

/* RFC 3416 section 3, error-status */
const char *mibcol_error_name(long status)
{
	static const char *const names[] = {
		"noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr",
		"noAccess", "wrongType", "wrongLength", "wrongEncoding", "wrongValue",
		"noCreation", "inconsistentValue", "resourceUnavailable", "commitFailed",
		"undoFailed", "authorizationError", "notWritable", "inconsistentName",
	};

	if (status < 0 || (size_t)status >= sizeof(names) / sizeof(names[0]))
		return "unknownError";
	return names[status];
}
