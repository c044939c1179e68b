/*
 * mibtab.c - the GET/GETNEXT engine behind every vmibd table (mibtab.h).
 *
 * Owns the translation between OIDs and (column, row) and the Net-SNMP
 * handler glue.  It does not know any table: the row and column callbacks
 * do.  GETNEXT follows RFC 3416 4.2.2 lexicographic order: next row in the
 * same column, then the first row of the next column; a column without a
 * value for a row is skipped, not an end of walk (netsnmp.md §9 item 6).
 */
#include <string.h>

#include "mibtab.h"
#include "vmcache.h"

void mib_value_int(struct mib_value *v, u_char type, long value)
{
	v->type = type;
	v->integer = value;
	v->ptr = &v->integer;
	v->len = sizeof(v->integer);
}

void mib_value_u64(struct mib_value *v, uint64_t value)
{
	v->type = ASN_COUNTER64;
	v->c64.high = (u_long)(value >> 32);
	v->c64.low = (u_long)(value & 0xffffffffu);
	v->ptr = &v->c64;
	v->len = sizeof(v->c64);
}

void mib_value_str(struct mib_value *v, const char *s, size_t max_len)
{
	size_t n = s ? strnlen(s, max_len) : 0;

	if (n > sizeof(v->buf))
		n = sizeof(v->buf);
	memcpy(v->buf, s ? s : "", n);
	v->type = ASN_OCTET_STR;
	v->ptr = v->buf;
	v->len = n;
}

void mib_value_bytes(struct mib_value *v, u_char type, const void *p, size_t len)
{
	if (len > sizeof(v->buf))
		len = sizeof(v->buf);
	memcpy(v->buf, p, len);
	v->type = type;
	v->ptr = v->buf;
	v->len = len;
}

void mib_value_oid(struct mib_value *v, const oid *o, size_t n)
{
	mib_value_bytes(v, ASN_OBJECT_ID, o, n * sizeof(oid));
}

/* does name start with prefix? */
static bool mibtab_has_prefix(const oid *name, size_t len, const oid *prefix,
			      size_t plen)
{
	return len >= plen && memcmp(name, prefix, plen * sizeof(oid)) == 0;
}

int mibtab_get(const struct mibtab *t, const oid *name, size_t len,
	       struct mib_value *v)
{
	const void *row;
	unsigned int col;

	if (!mibtab_has_prefix(name, len, t->entry, t->entry_len) ||
	    len <= t->entry_len)
		return SNMP_NOSUCHOBJECT;
	col = name[t->entry_len] > UINT32_MAX ? 0 : (unsigned int)name[t->entry_len];
	if (col < t->col_min || col > t->col_max)
		return SNMP_NOSUCHOBJECT;
	if (len != t->entry_len + 1 + t->index_len)
		return SNMP_NOSUCHINSTANCE;
	row = t->row_get(t, name + t->entry_len + 1);
	if (!row)
		return SNMP_NOSUCHINSTANCE;
	memset(v, 0, offsetof(struct mib_value, buf));
	if (t->col_value(t, row, col, v) < 0)
		return SNMP_NOSUCHINSTANCE;
	return 0;
}

/* where a GETNEXT starts: column and index prefix, or -1 past the table */
static int mibtab_start(const struct mibtab *t, const oid *name, size_t len,
			unsigned int *col, const oid **q, size_t *q_len)
{
	*q = NULL;
	*q_len = 0;
	*col = t->col_min;
	if (snmp_oid_compare(name, len, t->entry, t->entry_len) < 0)
		return 0; /* before the entry: from the start */
	if (!mibtab_has_prefix(name, len, t->entry, t->entry_len))
		return -1; /* after the whole entry */
	if (len == t->entry_len || name[t->entry_len] < t->col_min)
		return 0;
	if (name[t->entry_len] > t->col_max)
		return -1;
	*col = (unsigned int)name[t->entry_len];
	*q = name + t->entry_len + 1;
	*q_len = len - t->entry_len - 1;
	return 0;
}

int mibtab_getnext(const struct mibtab *t, const oid *name, size_t len,
		   oid *out, size_t *out_len, struct mib_value *v)
{
	oid idx[MIBTAB_MAX_INDEX], qbuf[MIBTAB_MAX_INDEX];
	const oid *q;
	size_t q_len;
	unsigned int col;
	const void *row;

	if (mibtab_start(t, name, len, &col, &q, &q_len) < 0)
		return -1;
	for (; col <= t->col_max; col++, q = NULL, q_len = 0) {
		for (;;) {
			row = t->row_next(t, q, q_len, idx);
			if (!row)
				break;
			memset(v, 0, offsetof(struct mib_value, buf));
			if (t->col_value(t, row, col, v) == 0) {
				memcpy(out, t->entry, t->entry_len * sizeof(oid));
				out[t->entry_len] = col;
				memcpy(out + t->entry_len + 1, idx, t->index_len * sizeof(oid));
				*out_len = t->entry_len + 1 + t->index_len;
				return 0;
			}
			/* sparse: this row has no value here, try the next */
			memcpy(qbuf, idx, t->index_len * sizeof(oid));
			q = qbuf;
			q_len = t->index_len;
		}
	}
	return -1;
}

static void mibtab_set_vb(netsnmp_variable_list *vb, const struct mib_value *v)
{
	snmp_set_var_typed_value(vb, v->type, v->ptr, v->len);
}

/* Does this request batch possibly read a counter column? */
static bool mibtab_wants_stats(const struct mibtab *t, int mode,
			       netsnmp_request_info *requests)
{
	netsnmp_request_info *r;
	const netsnmp_variable_list *vb;
	oid col;

	if (!t->prepare)
		return false;
	for (r = requests; r; r = r->next) {
		vb = r->requestvb;
		if (!mibtab_has_prefix(vb->name, vb->name_length, t->entry, t->entry_len) ||
		    vb->name_length == t->entry_len)
			return mode != MODE_GET;
		col = vb->name[t->entry_len];
		if (mode == MODE_GET ? (col >= t->stats_col_min && col <= t->stats_col_max)
				     : col <= t->stats_col_max)
			return true;
	}
	return false;
}

int mibtab_handler(netsnmp_mib_handler *handler,
		   netsnmp_handler_registration *reginfo,
		   netsnmp_agent_request_info *reqinfo,
		   netsnmp_request_info *requests)
{
	const struct mibtab *t = handler->myvoid;
	struct mib_value v;
	oid out[MAX_OID_LEN];
	size_t out_len;
	netsnmp_request_info *r;
	netsnmp_variable_list *vb;
	int rc;

	(void)reginfo;
	if (mibtab_wants_stats(t, reqinfo->mode, requests))
		t->prepare(t);
	for (r = requests; r; r = r->next) {
		if (r->processed)
			continue;
		vb = r->requestvb;
		switch (reqinfo->mode) {
		case MODE_GET:
			rc = mibtab_get(t, vb->name, vb->name_length, &v);
			if (rc)
				netsnmp_set_request_error(reqinfo, r, rc);
			else
				mibtab_set_vb(vb, &v);
			break;
		case MODE_GETNEXT:
			if (r->inclusive && mibtab_get(t, vb->name, vb->name_length, &v) == 0) {
				mibtab_set_vb(vb, &v);
				break;
			}
			/* nothing found: leave the varbind untouched, so the agent
			 * goes on with the next registered subtree */
			if (mibtab_getnext(t, vb->name, vb->name_length, out, &out_len, &v) == 0) {
				snmp_set_var_objid(vb, out, out_len);
				mibtab_set_vb(vb, &v);
			}
			break;
		default:
			netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
			break;
		}
	}
	return SNMP_ERR_NOERROR;
}

netsnmp_handler_registration *mibtab_registration(const struct mibtab *t,
						  Netsnmp_Node_Handler *fn, int modes)
{
	netsnmp_handler_registration *reg;
	oid root[MAX_OID_LEN];
	size_t len = t->root_len;

	memcpy(root, t->root, len * sizeof(oid));
	if (t->range_ubound)
		root[len++] = t->col_min;
	reg = netsnmp_create_handler_registration(t->name, fn, root, len, modes);
	if (reg && t->range_ubound) {
		reg->range_subid = (int)len; /* 1-based: the last sub-id */
		reg->range_ubound = t->range_ubound;
	}
	return reg;
}

int mibtab_register(struct mibtab *t)
{
	netsnmp_handler_registration *reg;

	reg = mibtab_registration(t, mibtab_handler, HANDLER_CAN_RONLY);
	if (!reg)
		return -1;
	reg->handler->myvoid = t;
	if (netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
		snmp_log(LOG_ERR, "cannot register %s\n", t->name);
		return -1;
	}
	t->reg = reg;
	return 0;
}

void mibtab_unregister(struct mibtab *t)
{
	if (t->reg)
		netsnmp_unregister_handler(t->reg);
	t->reg = NULL;
}

/* --- scalar groups --------------------------------------------------------- */

const void *mibtab_scalar_get(const struct mibtab *t, const oid *idx)
{
	return idx[0] == 0 ? t : NULL;
}

const void *mibtab_scalar_next(const struct mibtab *t, const oid *q, size_t q_len,
			       oid *out)
{
	/* the only instance is .0: after any index there is nothing */
	(void)q;
	if (q_len > 0)
		return NULL;
	out[0] = 0;
	return t;
}

/* --- VM-indexed tables ------------------------------------------------------- */

const void *mibtab_vm_get(const struct vmcache *c, const oid *idx)
{
	if (idx[0] < 1 || idx[0] > 2147483647)
		return NULL;
	return vmcache_get(c, (int32_t)idx[0]);
}

const void *mibtab_vm_next(const struct vmcache *c, const oid *q, size_t q_len,
			   oid *out)
{
	const struct vm *vm;

	/* (k) > q  <=>  k > q[0] whether q is (q0) or longer */
	vm = q_len ? vmcache_after(c, q[0]) : vmcache_at(c, 0);
	if (vm)
		out[0] = (oid)vm->index;
	return vm;
}

const void *mibtab_vm2_next(const struct vmcache *c, const oid *q, size_t q_len,
			    oid *out, mibtab_child_fn child, size_t *child_pos)
{
	const struct vm *vm;
	uint64_t sub;
	size_t pos = 0;

	if (q_len == 0) {
		vm = vmcache_at(c, 0);
	} else {
		/* (q0, b) > (q0) for every b, so rows of VM q0 qualify */
		vm = vmcache_lower_bound(c, q[0]);
		if (vm && q_len >= 2 && (uint64_t)vm->index == q[0]) {
			/* same VM: only sub-rows after q1 */
			while ((sub = child(vm, pos)) != 0 && sub <= q[1])
				pos++;
		}
	}
	while (vm) {
		sub = child(vm, pos);
		if (sub) {
			out[0] = (oid)vm->index;
			out[1] = (oid)sub;
			*child_pos = pos;
			return vm;
		}
		vm = vmcache_after(c, (uint64_t)vm->index);
		pos = 0;
	}
	return NULL;
}
