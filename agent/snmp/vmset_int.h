/*
 * vmset_int.h - the SET transaction of the VM and vif tables, shared by
 * vmset.c (phases, varbinds, errors, COMMIT bookkeeping) and vmrows.c
 * (the RESERVE2 checks that turn the varbinds into a plan).  Private.
 */
#ifndef VMIB_VMSET_INT_H
#define VMIB_VMSET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mib_tables.h"
#include "vmplan.h"

enum vs_table { VS_VM, VS_VIF };

#define VS_VM_COLS 18   /* columns 1..17 of vmibVmEntry */
#define VS_VIF_COLS 18  /* columns 1..17 of vmibVifEntry */

/* one varbind of the PDU, decoded in RESERVE1 */
struct vs_item {
	enum vs_table table;
	unsigned int col;
	int32_t vm;
	uint32_t vif;
	long num;              /* INTEGER and Unsigned32 values */
	char str[256];         /* DisplayString values, NUL-terminated */
	size_t len;
	uint8_t bytes[6];      /* MacAddress (6), IpAddress (4) */
	int err;               /* the SNMP error of this varbind, 0 none */
	char why[240];         /* its reason */
	char inst[48];         /* the instance as sent ("5.1"), for messages */
};

/* what the PDU asks of one vif row */
struct vs_vif_row {
	uint32_t index;
	int item[VS_VIF_COLS]; /* the varbind of each column, -1 none */
	int rowstatus;         /* RowStatus written, 0 none */
	bool exists;
	struct vm_vif cur;     /* the existing vif (exists) */
};

/* what the PDU asks of one VM row, and what COMMIT has to do for it */
struct vs_vm_row {
	int32_t index;
	int item[VS_VM_COLS];
	int rowstatus;
	bool exists;
	unsigned char uuid[VM_UUID_LEN];
	char name[256];
	struct vs_vif_row *vifs;
	size_t n_vifs;
	/* COMMIT bookkeeping (loop thread) */
	bool set_live, live;
	bool migrate;          /* start a migration to target_uri */
	char target_uri[256];
	char target_text[256];
	bool abort_migration;
	bool shutdown;         /* the power button is pressed: arm the deadline */
	bool stop_deadline;    /* a pending shutdown deadline is void */
};

/* one PDU's transaction, the coordinator's state of the VM participant */
struct vs_txn {
	struct agent_ctx *ctx;
	struct vs_item *items;
	size_t n_items, cap_items;
	struct vs_vm_row *rows;
	size_t n_rows;
	struct vmplan *plan;
	bool failed;           /* a failure on no item (vmset_failed has them all) */
	uint64_t free_kib;     /* host memory left for VMs started by the PDU */
};

/* vmrows.c: RESERVE2.  Groups the items into rows, checks them against
 * the cache, the images, the configuration and each other, and builds
 * tx->plan.  Errors go into the items (err, why). */
void vmrows_prepare(struct vs_txn *tx);
void vmrows_clear(struct vs_txn *tx);

/* vmset.c helpers for vmrows.c */
int vmset_fail(struct vs_item *it, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* has some varbind of the PDU an error (or the PDU another failure)? */
bool vmset_failed(const struct vs_txn *tx);
/* tests: the bridge check (default: a bridge device in this namespace) */
extern bool (*vmset_bridge_exists)(const char *name);
/*
 * RESERVE1's check of one value of column col of vmibVmTable (vif false)
 * or vmibVifTable, alone: the SNMP error (0 accepted) and, in str, the
 * string value kept when accepted or the reason when refused.  For the
 * fuzz target tests/fuzz/fuzz_set_value.c; touches no row and no backend.
 */
int vmset_check_value(bool vif, unsigned int col, const netsnmp_variable_list *vb,
		      char *str, size_t len);

#endif
