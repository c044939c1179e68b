/*
 * mibcol.h - the vMIB objects vmibctl reads and writes, as data: one row
 * per scalar or column with its name, its OID (taken from the header
 * generated from VMIB-MIB, never typed here), its table and its SNMP type.
 * read.c maps walked varbinds to the model through it, apply.c builds SET
 * varbinds with it, and pdu.c renders and parses varbinds as text with the
 * MIB's names ("vmibVmName.3 = STRING \"east1\"") through it.
 *
 * Pure data and lookups; no I/O.
 */
#ifndef VMIB_MIBCOL_H
#define VMIB_MIBCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmib_oids.h"

#define MIBCOL_MAX_OID 32        /* the longest vMIB instance is 17 */

enum mibcol_table {
	MIBCOL_HOST,             /* vmibHost scalars (instance .0) */
	MIBCOL_VM,               /* vmibVmTable: index vm */
	MIBCOL_VIF,              /* vmibVifTable: index vm, vif */
	MIBCOL_SHAPE,            /* vmibShapeTable: index vm, vif, shape */
	MIBCOL_ISOL,             /* vmibIsolationTable: index rule */
	MIBCOL_SUBNET,           /* vmibSubnetTable: index subnet */
	MIBCOL_IMAGE,            /* vmibImageTable: index image */
	MIBCOL_N_TABLES
};

/* BER tags of the SNMP types (RFC 3416 section 3, RFC 2578 section 7.1) */
enum mibcol_type {
	MIBCOL_INTEGER = 0x02,
	MIBCOL_STRING = 0x04,
	MIBCOL_NULL = 0x05,
	MIBCOL_OID = 0x06,
	MIBCOL_IPADDRESS = 0x40,
	MIBCOL_COUNTER32 = 0x41,
	MIBCOL_UNSIGNED = 0x42,  /* Gauge32 / Unsigned32 */
	MIBCOL_TIMETICKS = 0x43,
	MIBCOL_COUNTER64 = 0x46,
	MIBCOL_NOSUCHOBJECT = 0x80,
	MIBCOL_NOSUCHINSTANCE = 0x81,
	MIBCOL_ENDOFMIBVIEW = 0x82,
};

/* the objects, in MIB order within each table */
enum mibcol_id {
	COL_HOST_NAME, COL_HOST_HV_TYPE, COL_HOST_HV_VERSION, COL_HOST_LIBVIRT_URI,
	COL_HOST_CPUS, COL_HOST_MEM_TOTAL, COL_HOST_MEM_FREE, COL_HOST_CAPS,
	COL_HOST_VM_COUNT, COL_HOST_LAST_CHANGE, COL_HOST_LIBVIRT_STATE,
	COL_HOST_LAST_ERROR, COL_ISOLATION_DEFAULT, COL_ISOLATION_OPER,

	COL_VM_NAME, COL_VM_UUID, COL_VM_IMAGE, COL_VM_MEMORY, COL_VM_VCPUS,
	COL_VM_OPER, COL_VM_ADMIN, COL_VM_CPU_TIME, COL_VM_SCHED_WEIGHT,
	COL_VM_SCHED_CAP, COL_VM_MIGRATE_TARGET, COL_VM_MIGRATE_LIVE,
	COL_VM_MIGRATE_STATUS, COL_VM_MIGRATE_DOWNTIME, COL_VM_LAST_ERROR,
	COL_VM_ROW_STATUS, COL_VM_GUEST_STATE,

	COL_VIF_DEVICE, COL_VIF_MAC, COL_VIF_BRIDGE, COL_VIF_ADDR, COL_VIF_PREFIX_LEN,
	COL_VIF_ROUTES, COL_VIF_IFINDEX, COL_VIF_RX_OCTETS, COL_VIF_RX_PKTS,
	COL_VIF_RX_ERRORS, COL_VIF_RX_DROPS, COL_VIF_TX_OCTETS, COL_VIF_TX_PKTS,
	COL_VIF_TX_ERRORS, COL_VIF_TX_DROPS, COL_VIF_ROW_STATUS,

	COL_SHAPE_NAME, COL_SHAPE_SRC_ADDR, COL_SHAPE_SRC_PREFIX_LEN, COL_SHAPE_RATE,
	COL_SHAPE_BURST, COL_SHAPE_DELAY, COL_SHAPE_JITTER, COL_SHAPE_LOSS,
	COL_SHAPE_DUPLICATE, COL_SHAPE_CORRUPT, COL_SHAPE_REORDER, COL_SHAPE_LIMIT,
	COL_SHAPE_OPER, COL_SHAPE_LAST_ERROR, COL_SHAPE_SENT_OCTETS,
	COL_SHAPE_SENT_PKTS, COL_SHAPE_DROPPED, COL_SHAPE_OVERLIMITS,
	COL_SHAPE_ROW_STATUS,

	COL_ISOL_NAME, COL_ISOL_SRC_ADDR, COL_ISOL_SRC_PREFIX_LEN, COL_ISOL_DST_ADDR,
	COL_ISOL_DST_PREFIX_LEN, COL_ISOL_ACTION, COL_ISOL_OPER, COL_ISOL_LAST_ERROR,
	COL_ISOL_MATCHED, COL_ISOL_ROW_STATUS,

	COL_SUBNET_NAME, COL_SUBNET_ADDR, COL_SUBNET_PREFIX_LEN, COL_SUBNET_ROW_STATUS,

	COL_IMAGE_NAME, COL_IMAGE_MIN_MEMORY,

	MIBCOL_N
};

struct mibcol_enum {
	int value;
	const char *name;
};

struct mibcol {
	const char *name;            /* the MIB's descriptor, "vmibVmName" */
	uint32_t oid[MIBCOL_MAX_OID];
	size_t oid_len;
	enum mibcol_table table;
	enum mibcol_type type;
	const struct mibcol_enum *enums;  /* named numbers, NULL if none */
};

extern const struct mibcol mibcol_cols[MIBCOL_N];

/* the OID under which a table's (or the host scalars') instances are walked */
const uint32_t *mibcol_table_oid(enum mibcol_table t, size_t *len);
size_t mibcol_index_len(enum mibcol_table t);

/*
 * The object an OID is an instance of, and where its index starts (*index
 * at oid + *index_at); MIBCOL_N if the OID is no instance of a known one.
 */
enum mibcol_id mibcol_find(const uint32_t *oid, size_t len, size_t *index_at);
enum mibcol_id mibcol_by_name(const char *name);
/* the name of value v of an enumerated object, or NULL */
const char *mibcol_enum_name(enum mibcol_id c, long v);
int mibcol_enum_value(enum mibcol_id c, const char *name, long *v);

/* RowStatus values (RFC 2579), from the generated header */
enum mibcol_rowstatus {
	MIBCOL_RS_ACTIVE = VMIB_ENUM_vmibVmRowStatus_active,
	MIBCOL_RS_CREATE_AND_GO = VMIB_ENUM_vmibVmRowStatus_createAndGo,
	MIBCOL_RS_DESTROY = VMIB_ENUM_vmibVmRowStatus_destroy,
};

/* error-status values used by name (RFC 3416 section 3) */
enum mibcol_error {
	MIBCOL_ERR_TOO_BIG = 1,
	MIBCOL_ERR_WRONG_VALUE = 10,
	MIBCOL_ERR_INCONSISTENT_VALUE = 12,
	MIBCOL_ERR_RESOURCE_UNAVAILABLE = 13,
	MIBCOL_ERR_COMMIT_FAILED = 14,
	MIBCOL_ERR_NOT_WRITABLE = 17,
	MIBCOL_ERR_INCONSISTENT_NAME = 18,
};

/* the SNMP error-status names of RFC 3416 (noError .. inconsistentName) */
const char *mibcol_error_name(long status);

#endif
