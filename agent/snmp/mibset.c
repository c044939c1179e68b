/*
 * mibset.c - SET helpers shared by the writable tables (mibset.h).
 *
 * Value checks, RowStatus, phase tracking and the read-write handler
 * glue.  It knows no table: the modules keep their own transactions.
 */
#include <string.h>

#include "mibset.h"

int mibset_u32(const netsnmp_variable_list *vb, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long v;

	if (vb->type != ASN_UNSIGNED || !vb->val.integer)
		return SNMP_ERR_WRONGTYPE;
	if (vb->val_len != sizeof(long))
		return SNMP_ERR_WRONGLENGTH;
	v = (unsigned long)*vb->val.integer & 0xffffffffUL;
	if (v < min || v > max)
		return SNMP_ERR_WRONGVALUE;
	*out = (uint32_t)v;
	return SNMP_ERR_NOERROR;
}

int mibset_enum(const netsnmp_variable_list *vb, long min, long max, long *out)
{
	if (vb->type != ASN_INTEGER || !vb->val.integer)
		return SNMP_ERR_WRONGTYPE;
	if (vb->val_len != sizeof(long))
		return SNMP_ERR_WRONGLENGTH;
	if (*vb->val.integer < min || *vb->val.integer > max)
		return SNMP_ERR_WRONGVALUE;
	*out = *vb->val.integer;
	return SNMP_ERR_NOERROR;
}

int mibset_ipaddr(const netsnmp_variable_list *vb, struct in_addr *out)
{
	if (vb->type != ASN_IPADDRESS)
		return SNMP_ERR_WRONGTYPE;
	if (vb->val_len != 4 || !vb->val.string)
		return SNMP_ERR_WRONGLENGTH;
	memcpy(&out->s_addr, vb->val.string, 4);
	return SNMP_ERR_NOERROR;
}

int mibset_string(const netsnmp_variable_list *vb, size_t max, char *out)
{
	size_t i;

	if (vb->type != ASN_OCTET_STR)
		return SNMP_ERR_WRONGTYPE;
	if (vb->val_len > max || (vb->val_len && !vb->val.string))
		return SNMP_ERR_WRONGLENGTH;
	/* DisplayString (RFC 2579): NVT ASCII; vmibd keeps printable text */
	for (i = 0; i < vb->val_len; i++)
		if (vb->val.string[i] < 0x20 || vb->val.string[i] > 0x7e)
			return SNMP_ERR_WRONGVALUE;
	memcpy(out, vb->val.string, vb->val_len);
	out[vb->val_len] = '\0';
	return SNMP_ERR_NOERROR;
}

int mibset_rowstatus(const netsnmp_variable_list *vb, int *out)
{
	long v;
	int rc = mibset_enum(vb, MIBSET_RS_ACTIVE, MIBSET_RS_DESTROY, &v);

	if (rc != SNMP_ERR_NOERROR)
		return rc;
	if (v != MIBSET_RS_ACTIVE && v != MIBSET_RS_CREATE_AND_GO && v != MIBSET_RS_DESTROY)
		return SNMP_ERR_WRONGVALUE;
	*out = (int)v;
	return SNMP_ERR_NOERROR;
}

#define MS_BIT(m) (1u << (m))
#define MS_ENDED (MS_BIT(MODE_SET_COMMIT) | MS_BIT(MODE_SET_FREE) | MS_BIT(MODE_SET_UNDO))

bool mibset_copy(struct mibset_txn *t, netsnmp_agent_request_info *reqinfo, const void *key)
{
	long id = reqinfo->asp && reqinfo->asp->pdu ? reqinfo->asp->pdu->transid : 0;
	bool same = t->open && t->transid == id && !(t->done & MS_ENDED);
	unsigned int i;

	if (reqinfo->mode == MODE_SET_RESERVE1) {
		if (same && t->mode != MODE_SET_RESERVE1)
			return true;   /* RESERVE1 after a later mode */
		if (!same)
			t->n_seen = 0;
		for (i = 0; i < t->n_seen; i++)
			if (t->seen[i] == key)
				return true;   /* this handler's second RESERVE1 */
		if (t->n_seen < sizeof(t->seen) / sizeof(t->seen[0]))
			t->seen[t->n_seen++] = key;
		return false;
	}
	/* the copy's RESERVE2 once the PDU has gone on to ACTION */
	return same && reqinfo->mode == MODE_SET_RESERVE2 && (t->done & MS_BIT(MODE_SET_ACTION));
}

bool mibset_first(struct mibset_txn *t, netsnmp_agent_request_info *reqinfo)
{
	long id = reqinfo->asp && reqinfo->asp->pdu ? reqinfo->asp->pdu->transid : 0;

	if (t->open && t->transid == id && t->mode == reqinfo->mode)
		return false;
	if (!t->open || t->transid != id || reqinfo->mode == MODE_SET_RESERVE1)
		t->done = 0;
	t->open = true;
	t->transid = id;
	t->mode = reqinfo->mode;
	t->done |= MS_BIT(reqinfo->mode);
	return true;
}

bool mibset_mode_is_set(int mode)
{
	switch (mode) {
	case MODE_SET_RESERVE1:
	case MODE_SET_RESERVE2:
	case MODE_SET_ACTION:
	case MODE_SET_COMMIT:
	case MODE_SET_FREE:
	case MODE_SET_UNDO:
		return true;
	default:
		return false;
	}
}

int mibset_instance(const struct mibtab *t, const netsnmp_variable_list *vb,
		    unsigned int *col, const oid **idx)
{
	if (vb->name_length <= t->entry_len ||
	    memcmp(vb->name, t->entry, t->entry_len * sizeof(oid)) != 0)
		return -1;
	*col = vb->name[t->entry_len] > 0xffffffffUL ? 0 : (unsigned int)vb->name[t->entry_len];
	*idx = vb->name + t->entry_len + 1;
	return vb->name_length == t->entry_len + 1 + t->index_len ? 0 : 1;
}

/* what a read-write registration calls: reads to mibtab, sets to the module */
static int mibset_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
			  netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	Netsnmp_Node_Handler *set = (Netsnmp_Node_Handler *)handler->next->access_method;

	if (mibset_mode_is_set(reqinfo->mode))
		return set(handler->next, reginfo, reqinfo, requests);
	return mibtab_handler(handler->next, reginfo, reqinfo, requests);
}

int mibset_register(struct mibtab *t, Netsnmp_Node_Handler *set)
{
	netsnmp_handler_registration *reg;
	netsnmp_mib_handler *inner;

	/* the outer handler dispatches; the inner one carries the table and
	 * the module's SET function, and is never called by the agent */
	reg = mibtab_registration(t, mibset_handler, HANDLER_CAN_RWRITE);
	if (!reg)
		return -1;
	inner = netsnmp_create_handler(t->name, set);
	if (!inner) {
		netsnmp_handler_registration_free(reg);
		return -1;
	}
	inner->myvoid = t;
	reg->handler->next = inner;
	reg->handler->myvoid = t;
	if (netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
		snmp_log(LOG_ERR, "cannot register %s\n", t->name);
		return -1;
	}
	t->reg = reg;
	return 0;
}
