/*
 * mibtab.h - GET/GETNEXT for a table (or a group of scalars) whose rows
 * live in vmibd's own sorted structures.
 *
 * A table module describes itself with a struct mibtab: where it is
 * registered, the OID of its entry (instances are entry.column.index...),
 * its readable columns, and three callbacks: find the row with an exact
 * index, find the first row after an index (lexicographic OID order, the
 * index possibly partial or longer than a real one), and give a column's
 * value for a row.  The row callbacks are O(log n), so every GET and
 * GETNEXT is O(log n) (issue #3); nothing here walks a table.
 *
 * A group of scalars is a table with one row whose index is the single
 * sub-identifier 0 (mibtab_scalar_get / mibtab_scalar_next).
 *
 * Registration is read-only (HANDLER_CAN_RONLY): Net-SNMP answers a SET
 * with notWritable before any of this code runs.
 */
#ifndef VMIB_MIBTAB_H
#define VMIB_MIBTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#define MIBTAB_MAX_INDEX 4

struct mib_value {
	u_char type;          /* ASN_INTEGER, ASN_OCTET_STR, ... */
	long integer;         /* INTEGER, Gauge32, Unsigned32, TimeTicks */
	struct counter64 c64; /* Counter64 */
	const void *ptr;      /* strings, IpAddress, OID (points into buf
			       * or at static/row data) */
	size_t len;           /* in bytes */
	char buf[288];
};

void mib_value_int(struct mib_value *v, u_char type, long value);
void mib_value_u64(struct mib_value *v, uint64_t value);
/* string truncated to max_len octets (the object's SIZE) */
void mib_value_str(struct mib_value *v, const char *s, size_t max_len);
void mib_value_bytes(struct mib_value *v, u_char type, const void *p, size_t len);
void mib_value_oid(struct mib_value *v, const oid *o, size_t n);

struct mibtab {
	const char *name;
	const oid *root;          /* registered subtree */
	size_t root_len;
	const oid *entry;         /* instance = entry.col.index */
	size_t entry_len;
	unsigned int col_min, col_max;
	unsigned int index_len;   /* sub-identifiers in an index */
	/* counter columns: prepare() runs first when a request may read them */
	unsigned int stats_col_min, stats_col_max;
	void (*prepare)(const struct mibtab *t);
	const void *(*row_get)(const struct mibtab *t, const oid *idx);
	/* first row with index > q (q_len sub-ids); writes its index */
	const void *(*row_next)(const struct mibtab *t, const oid *q, size_t q_len,
				oid *out);
	/* 0 and *v set, or -1: the row has no such column */
	int (*col_value)(const struct mibtab *t, const void *row, unsigned int col,
			 struct mib_value *v);
	void *ctx;
	/* > 0: register only the arcs root.col_min .. root.range_ubound (an
	 * AgentX range, RFC 2741 5.2), so that another module may register
	 * arcs beside them (vmibHost: 1..12 mib_host.c's, 13..14
	 * mib_isol.c's); root stays the subtree for GETNEXT */
	oid range_ubound;
	/* private */
	netsnmp_handler_registration *reg;
};

/* 0 and v set; or SNMP_NOSUCHOBJECT / SNMP_NOSUCHINSTANCE */
int mibtab_get(const struct mibtab *t, const oid *name, size_t len,
	       struct mib_value *v);
/* 0 with the next instance in out (out_len sub-ids) and v; -1 at the end */
int mibtab_getnext(const struct mibtab *t, const oid *name, size_t len,
		   oid *out, size_t *out_len, struct mib_value *v);

int mibtab_register(struct mibtab *t);
/* The registration of t (its root, or its range) with handler fn. */
netsnmp_handler_registration *mibtab_registration(const struct mibtab *t,
						  Netsnmp_Node_Handler *fn, int modes);
void mibtab_unregister(struct mibtab *t);

/* The Net-SNMP handler itself (exported so unit tests call it directly). */
Netsnmp_Node_Handler mibtab_handler;

/* Row helpers for scalar groups (the one row is t itself). */
const void *mibtab_scalar_get(const struct mibtab *t, const oid *idx);
const void *mibtab_scalar_next(const struct mibtab *t, const oid *q, size_t q_len,
			       oid *out);

/* Index helpers for tables keyed on the VM cache. */
struct vmcache;
const void *mibtab_vm_get(const struct vmcache *c, const oid *idx);
const void *mibtab_vm_next(const struct vmcache *c, const oid *q, size_t q_len,
			   oid *out);
/* (vm index, sub index) tables: child(vm, i) gives the i-th sub-row's
 * sub index (ascending, 0 past the end). */
typedef uint64_t (*mibtab_child_fn)(const void *vm, size_t i);
const void *mibtab_vm2_next(const struct vmcache *c, const oid *q, size_t q_len,
			    oid *out, mibtab_child_fn child, size_t *child_pos);

#endif
