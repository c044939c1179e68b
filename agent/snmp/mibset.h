/*
 * mibset.h - what vmibd's writable tables (mib_shape.c, mib_isol.c)
 * share for SET requests: value checks that answer with the SNMP error
 * each failure gets (RFC 3416 4.2.5), the RowStatus values vmibd accepts
 * (RFC 2579), the registration of a writable mibtab, and the phases of
 * one SET PDU across the handlers it reaches.
 *
 * Why phases need tracking.  Net-SNMP calls every handler a PDU reaches
 * once per mode (RESERVE1, RESERVE2, ACTION, then COMMIT, FREE or UNDO),
 * all handlers of one mode before the next mode.  In an AgentX subagent
 * each mode comes in a PDU of its own, with request structures built
 * afresh, so nothing can hang off a request from one mode to the next
 * (agentx/subagent.c).  A module therefore keeps its transaction itself:
 * it collects its varbinds in RESERVE1 (syntax only), and does the work
 * of the whole PDU once per mode, in the first handler call of that mode
 * (mibset_first): every check in RESERVE2, the change in ACTION, its
 * reversal in UNDO, the bookkeeping in COMMIT.  The master serialises
 * SETs, so one transaction at a time is enough.
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

/* One SET PDU's progress through the modes. */
struct mibset_txn {
	long transid;
	int mode;
	bool open;
	unsigned int done;       /* bit per mode begun in this PDU */
	const void *seen[8];     /* RESERVE1: the handlers already called */
	unsigned int n_seen;
};
/*
 * Is this call part of a copy of the PDU's TestSet?  The master sends a
 * TestSet again when the subagent has not answered it within
 * agentXTimeout, and the subagent then runs RESERVE1 (and RESERVE2) for
 * the same transaction again, before or after the first copy's RESERVE2,
 * possibly even after the master's CommitSet.  A copy must be ignored:
 * collected again, each varbind would be there twice, or the transaction
 * would be reset under an ACTION.  key: the handler (its table); call
 * before mibset_first, and ignore the call when this returns true.
 */
bool mibset_copy(struct mibset_txn *t, netsnmp_agent_request_info *reqinfo, const void *key);
/* Is this the first handler call of reqinfo's mode in this PDU? */
bool mibset_first(struct mibset_txn *t, netsnmp_agent_request_info *reqinfo);
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
