/*
 * mibset.h - what vmibd's writable tables (mib_vm.c, mib_vif.c,
 * mib_shape.c, mib_isol.c) share for SET requests: value checks that
 * answer with the SNMP error each failure gets (RFC 3416 4.2.5), the
 * RowStatus values vmibd accepts (RFC 2579), the registration of a
 * writable mibtab, and the coordinator that runs the phases of one SET
 * PDU across the modules it reaches (mibset.c explains how and why).
 */
#ifndef VMIB_MIBSET_H
#define VMIB_MIBSET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "mibtab.h"

/* The RowStatus values (RFC 2579) */
enum {
	MIBSET_RS_ACTIVE = 1,
	MIBSET_RS_NOT_IN_SERVICE = 2,
	MIBSET_RS_NOT_READY = 3,
	MIBSET_RS_CREATE_AND_GO = 4,
	MIBSET_RS_CREATE_AND_WAIT = 5,
	MIBSET_RS_DESTROY = 6,
};

/* Each returns SNMP_ERR_NOERROR with *out set, or the error: wrongType,
 * wrongLength (strings, IpAddress), wrongValue (range). */
int mibset_u32(const netsnmp_variable_list *vb, uint32_t min, uint32_t max,
	       uint32_t *out);
int mibset_enum(const netsnmp_variable_list *vb, long min, long max, long *out);
int mibset_ipaddr(const netsnmp_variable_list *vb, struct in_addr *out);
/* DisplayString of at most max octets, printable ASCII; out has max + 1 */
int mibset_string(const netsnmp_variable_list *vb, size_t max, char *out);
/* createAndGo, destroy and active; createAndWait, notInService and
 * notReady give wrongValue (VMIB-MIB: rows are created in one PDU). */
int mibset_rowstatus(const netsnmp_variable_list *vb, int *out);

/*
 * The SET coordinator.  A participant is the transaction of one module
 * (the VM and vif tables, vmset.c; the shape table, mib_shape.c; the
 * isolation objects, mib_isol.c).  Its state for one PDU is made by
 * begin() when the PDU first reaches one of its tables, and lives in
 * the coordinator's context of that PDU until end().  The slots fix the
 * order in which the coordinator runs a phase across the participants
 * of one PDU, whatever the order of the varbinds: a shape row may name
 * a VM or vif the same PDU creates, so the VM participant's ACTION must
 * have run before the shape participant's; isolation depends on
 * neither.  The phases (mibset.c's file head has the rules):
 *   reserve1   every handler call of RESERVE1, with its varbinds: syntax,
 *              errors set on the varbinds at fault;
 *   reserve2   once per PDU, in slot order, every participant;
 *   action     once per PDU, in slot order, up to the first that fails
 *              (-1); the ones after it do not run;
 *   report     every handler call of RESERVE2 and ACTION, after the
 *              phase ran: the participant's errors onto this call's
 *              varbinds;
 *   undo       in reverse slot order, the participants whose action ran;
 *   commit     in slot order (never fails);
 *   free       in reverse slot order, after a RESERVE error;
 *   abandon    a PDU the master never closed (a new PDU began): what
 *              was applied stays;
 *   end        always last: releases the state.
 * Every pointer but name, begin and end may be NULL.
 */
enum mibset_slot { MIBSET_SLOT_VM, MIBSET_SLOT_SHAPE, MIBSET_SLOT_ISOL, MIBSET_N_SLOTS };

struct mibset_pdu;        /* one SET PDU: the coordinator's context */

/* one handler call: the registration's table (handler->myvoid), which
 * of the participant's tables it is, and the call's requests */
struct mibset_call {
	const struct mibtab *t;
	int table;
	netsnmp_agent_request_info *reqinfo;
	netsnmp_request_info *requests;
};

struct mibset_participant {
	const char *name;
	enum mibset_slot slot;
	void *(*begin)(void *ctx);      /* ctx: the table's; NULL out of memory */
	void (*reserve1)(void *st, const struct mibset_call *c);
	int (*reserve2)(void *st, const struct mibset_pdu *pdu);
	int (*action)(void *st, const struct mibset_pdu *pdu);
	void (*report)(void *st, const struct mibset_call *c);
	void (*undo)(void *st);
	void (*commit)(void *st);
	void (*free)(void *st);
	void (*abandon)(void *st);
	void (*end)(void *st);
	/* does the PDU create VM vm (vif 0) or its vif vif? */
	bool (*creates)(const void *st, int32_t vm, uint32_t vif);
};

/*
 * What a participant's Net-SNMP handler calls in every SET mode (table:
 * which of its tables the registration is).  Recognises a copy of the
 * PDU's TestSet (the master sends it again when the subagent has not
 * answered within agentXTimeout; the subagent then runs RESERVE1 and
 * RESERVE2 for the same transaction again, possibly after the master's
 * CommitSet) and ignores it, and ignores a later mode of a PDU whose
 * RESERVE1 this vmibd never saw.  Returns SNMP_ERR_NOERROR: errors are
 * set on the requests.
 */
int mibset_handle(const struct mibset_participant *p, int table, netsnmp_mib_handler *handler,
		  netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests);
/* Run the phase of reqinfo's mode (RESERVE2 or ACTION) of the open PDU
 * now if it has not run: 0, or -1 if a participant failed in it (also
 * when it had run already).  The first handler call of the mode does it. */
int mibset_phase_now(netsnmp_agent_request_info *reqinfo);
/* Does another participant of this PDU create VM vm (vif 0) or vif
 * (vm, vif)?  For RESERVE2: a row of a VM the same PDU creates. */
bool mibset_creates(const struct mibset_pdu *pdu, const struct mibset_participant *asker,
		    int32_t vm, uint32_t vif);
/* p's state in the open PDU, NULL if none (p has not joined it) */
void *mibset_state(const struct mibset_participant *p);
/* Drop the open PDU, if any, as a PDU the master never closed. */
void mibset_reset(void);
bool mibset_mode_is_set(int mode);

/* Register t read-write: GET and GETNEXT go to mibtab_handler, the SET
 * modes to set (with handler->myvoid = t). */
int mibset_register(struct mibtab *t, Netsnmp_Node_Handler *set);

/* The index sub-identifiers of a varbind of t's entry: its column and
 * a pointer to n index sub-ids; -1 if the OID is not an instance of t
 * with exactly t->index_len sub-ids. */
int mibset_instance(const struct mibtab *t, const netsnmp_variable_list *vb,
		    unsigned int *col, const oid **idx);

#endif
