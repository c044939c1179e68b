/*
 * mibset.c - SET helpers shared by the writable tables (mibset.h), and
 * the SET coordinator: the one place that orders the modules a SET PDU
 * reaches and runs each phase across them.
 *
 * Why a coordinator.  Net-SNMP calls every handler a PDU reaches once
 * per mode (RESERVE1, RESERVE2, ACTION, then COMMIT, FREE or UNDO), all
 * handlers of one mode before the next mode, in the order of the PDU's
 * first varbind of each registration.  In an AgentX subagent each mode
 * comes in a PDU of its own, with request structures built afresh, so
 * nothing can hang off a request from one mode to the next
 * (agentx/subagent.c maps TestSet to RESERVE1 + RESERVE2, CommitSet to
 * ACTION, UndoSet to UNDO, CleanupSet to COMMIT or FREE).  The
 * coordinator therefore keeps the PDU's context itself, keyed by the
 * AgentX transaction id, from the first RESERVE1 call to the COMMIT,
 * UNDO or FREE that ends it; the master serialises SETs, so one PDU is
 * open at a time.  A module is a participant (struct
 * mibset_participant): a small vtable and its state for this PDU, kept
 * in the context.  No module keeps a transaction of its own.
 *
 * The phases.
 *   RESERVE1  each handler call hands its varbinds to its participant
 *             (joining the PDU on the first): syntax only, and errors
 *             on the varbinds at fault.  A column of a row that a later
 *             varbind creates is not refused here.
 *   RESERVE2  the first call of the mode runs every participant's
 *             reserve2 in slot order (VM, shape, isolation), each with
 *             the whole PDU's varbinds: every check that can fail.  Then
 *             each call reports its participant's errors onto its own
 *             varbinds.  All participants check, so that the error
 *             answered is the one of the lowest varbind, as Net-SNMP
 *             picks it.
 *   ACTION    the first call runs the participants' actions in slot
 *             order and stops at the first that fails: the VM
 *             participant has defined and started the VMs and vifs
 *             before the shape participant puts rows on them.  Then
 *             each call reports.
 *   UNDO      the participants whose action ran, in reverse slot order
 *             (the failing one too: it undoes what it did half-way).
 *   COMMIT    in slot order; infallible bookkeeping and the irreversible
 *             steps (in AgentX the master reads no answer to it).
 *   FREE      after a RESERVE error, in reverse slot order.
 * Then every participant's end releases its state, and the context goes.
 *
 * Copies and strays.  The master sends a TestSet again when the subagent
 * has not answered it within agentXTimeout; the subagent then runs
 * RESERVE1 (and RESERVE2) of the same transaction again, before or after
 * the first copy's RESERVE2, possibly even after the master's CommitSet.
 * A copy is ignored: collected again, each varbind would be there twice,
 * or the transaction would be reset under an ACTION.  A RESERVE1 with
 * another transaction id while a PDU is open abandons the open one (the
 * master never closed it: what it applied stays).  A later mode of a
 * PDU whose RESERVE1 this vmibd never saw is ignored.
 *
 * Loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
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

/* --- the coordinator ------------------------------------------------------------ */

#define MS_BIT(m) (1u << (m))
#define MS_MAX_TABLES 8

/* the open PDU */
struct mibset_pdu {
	long transid;
	int mode;                          /* the latest mode begun */
	unsigned int done;                 /* bit per mode whose phase ran */
	unsigned int failed;               /* bit per mode a participant failed in */
	const struct mibset_participant *part[MIBSET_N_SLOTS];
	void *st[MIBSET_N_SLOTS];          /* part's state, owned by part */
	bool acted[MIBSET_N_SLOTS];        /* its action ran: UNDO owes it an undo */
	const void *seen[MS_MAX_TABLES];   /* RESERVE1: the tables called */
	unsigned int n_seen;
};

static struct mibset_pdu *mibset_open;

static long ms_transid(const netsnmp_agent_request_info *reqinfo)
{
	return reqinfo->asp && reqinfo->asp->pdu ? reqinfo->asp->pdu->transid : 0;
}

/* every participant's end, then the context */
static void ms_close(struct mibset_pdu *p)
{
	size_t i;

	for (i = 0; i < MIBSET_N_SLOTS; i++)
		if (p->part[i])
			p->part[i]->end(p->st[i]);
	free(p);
	if (mibset_open == p)
		mibset_open = NULL;
}

static void ms_abandon(struct mibset_pdu *p)
{
	size_t i;

	for (i = 0; i < MIBSET_N_SLOTS; i++)
		if (p->part[i] && p->part[i]->abandon)
			p->part[i]->abandon(p->st[i]);
	ms_close(p);
}

void mibset_reset(void)
{
	if (mibset_open)
		ms_abandon(mibset_open);
}

/* Is this call part of a copy of the PDU's TestSet (file head)?  key:
 * the table; RESERVE1 of a table already called in this PDU, RESERVE1
 * after a later mode, RESERVE2 once the PDU has gone on to ACTION. */
static bool ms_copy(const netsnmp_agent_request_info *reqinfo, const void *key)
{
	struct mibset_pdu *p = mibset_open;
	unsigned int i;

	if (!p || p->transid != ms_transid(reqinfo))
		return false;
	if (reqinfo->mode == MODE_SET_RESERVE1) {
		if (p->mode != MODE_SET_RESERVE1)
			return true;
		for (i = 0; i < p->n_seen; i++)
			if (p->seen[i] == key)
				return true;
		return false;
	}
	return reqinfo->mode == MODE_SET_RESERVE2 && (p->done & MS_BIT(MODE_SET_ACTION));
}

/* RESERVE1: the open PDU of this transaction, begun if need be */
static struct mibset_pdu *ms_begin(const netsnmp_agent_request_info *reqinfo)
{
	long id = ms_transid(reqinfo);

	if (mibset_open && mibset_open->transid == id)
		return mibset_open;
	mibset_reset();   /* a PDU the master never closed */
	mibset_open = calloc(1, sizeof(*mibset_open));
	if (!mibset_open)
		return NULL;
	mibset_open->transid = id;
	mibset_open->mode = MODE_SET_RESERVE1;
	mibset_open->done = MS_BIT(MODE_SET_RESERVE1);
	return mibset_open;
}

/* the participant's state in p, begun on its first call */
static void *ms_join(struct mibset_pdu *p, const struct mibset_participant *part, void *ctx)
{
	if (!p->part[part->slot]) {
		p->st[part->slot] = part->begin(ctx);
		if (!p->st[part->slot])
			return NULL;
		p->part[part->slot] = part;
	}
	return p->st[part->slot];
}

static int ms_reserve1(const struct mibset_participant *part, const struct mibset_call *c)
{
	struct mibset_pdu *p = ms_begin(c->reqinfo);
	netsnmp_request_info *r;
	void *st = p ? ms_join(p, part, c->t->ctx) : NULL;

	if (!st) {
		log_msg(LOG_ERR, "snmp", "SET %s: out of memory", part->name);
		for (r = c->requests; r; r = r->next)
			netsnmp_set_request_error(c->reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
		return SNMP_ERR_NOERROR;
	}
	if (p->n_seen < MS_MAX_TABLES)
		p->seen[p->n_seen++] = c->t;
	if (part->reserve1)
		part->reserve1(st, c);
	return SNMP_ERR_NOERROR;
}

/* RESERVE2: every participant; ACTION: up to the first that fails */
static void ms_phase(struct mibset_pdu *p, int mode)
{
	const struct mibset_participant *part;
	size_t i;
	int rc;

	for (i = 0; i < MIBSET_N_SLOTS; i++) {
		part = p->part[i];
		if (!part)
			continue;
		if (mode == MODE_SET_RESERVE2) {
			rc = part->reserve2 ? part->reserve2(p->st[i], p) : 0;
		} else {
			p->acted[i] = true;
			rc = part->action ? part->action(p->st[i], p) : 0;
		}
		if (rc < 0) {
			p->failed |= MS_BIT(mode);
			if (mode == MODE_SET_ACTION)
				return;
		}
	}
}

int mibset_phase_now(netsnmp_agent_request_info *reqinfo)
{
	struct mibset_pdu *p = mibset_open;
	int mode = reqinfo->mode;

	if (!p || p->transid != ms_transid(reqinfo) ||
	    (mode != MODE_SET_RESERVE2 && mode != MODE_SET_ACTION))
		return 0;
	if (!(p->done & MS_BIT(mode))) {
		p->done |= MS_BIT(mode);
		p->mode = mode;
		ms_phase(p, mode);
	}
	return p->failed & MS_BIT(mode) ? -1 : 0;
}

/* COMMIT, UNDO, FREE: the last mode of the PDU */
static void ms_end(struct mibset_pdu *p, int mode)
{
	const struct mibset_participant *part;
	size_t i, k;

	for (k = 0; k < MIBSET_N_SLOTS; k++) {
		i = mode == MODE_SET_COMMIT ? k : MIBSET_N_SLOTS - 1 - k;
		part = p->part[i];
		if (!part)
			continue;
		if (mode == MODE_SET_COMMIT && part->commit)
			part->commit(p->st[i]);
		else if (mode == MODE_SET_UNDO && part->undo && p->acted[i])
			part->undo(p->st[i]);
		else if (mode == MODE_SET_FREE && part->free)
			part->free(p->st[i]);
	}
	ms_close(p);
}

int mibset_handle(const struct mibset_participant *part, int table, netsnmp_mib_handler *handler,
		  netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	struct mibset_call c = {handler->myvoid, table, reqinfo, requests};
	struct mibset_pdu *p = mibset_open;

	if (ms_copy(reqinfo, c.t)) {
		log_msg(LOG_INFO, "snmp", "the master sent a TestSet again: the copy is ignored");
		return SNMP_ERR_NOERROR;
	}
	if (reqinfo->mode == MODE_SET_RESERVE1)
		return ms_reserve1(part, &c);
	if (!p || p->transid != ms_transid(reqinfo))
		return SNMP_ERR_NOERROR;   /* a stray: its RESERVE1 was never seen */
	switch (reqinfo->mode) {
	case MODE_SET_RESERVE2:
	case MODE_SET_ACTION:
		mibset_phase_now(reqinfo);
		if (p->part[part->slot] == part && part->report)
			part->report(p->st[part->slot], &c);
		break;
	case MODE_SET_COMMIT:
	case MODE_SET_UNDO:
	case MODE_SET_FREE:
		ms_end(p, reqinfo->mode);
		break;
	default:
		break;
	}
	return SNMP_ERR_NOERROR;
}

bool mibset_creates(const struct mibset_pdu *pdu, const struct mibset_participant *asker,
		    int32_t vm, uint32_t vif)
{
	size_t i;

	for (i = 0; pdu && i < MIBSET_N_SLOTS; i++)
		if (pdu->part[i] && pdu->part[i] != asker && pdu->part[i]->creates &&
		    pdu->part[i]->creates(pdu->st[i], vm, vif))
			return true;
	return false;
}

void *mibset_state(const struct mibset_participant *p)
{
	return mibset_open && mibset_open->part[p->slot] == p ? mibset_open->st[p->slot] : NULL;
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
