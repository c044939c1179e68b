/*
 * vmset.h - SETs on vmibVmTable and vmibVifTable: creating, changing and
 * destroying VMs and their vifs, their administrative state, scheduler
 * parameters and migrations, atomically per PDU (VMIB-MIB; issue #4).
 *
 * Both tables are registered read-write (mibset_register) with these
 * handlers, and are one participant of the SET coordinator (mibset.h),
 * the first in its order; one SET PDU is one transaction across them:
 *   RESERVE1  syntax of each varbind (type, length, range, characters);
 *   RESERVE2  every other check, once for the whole PDU (vmrows.c), and
 *             the plan of libvirt steps (vmplan.h);
 *   ACTION    the plan's reversible steps, in the control thread, waited
 *             for at most set-timeout-ms; a failure undoes them all;
 *   UNDO      undoes them (another varbind of the PDU failed);
 *   COMMIT    the irreversible steps (power off, power button, hot
 *             unplug), migrations started, shutdown deadlines; never fails.
 * Errors get the SNMP error VMIB-MIB names and a readable reason in the
 * row's vmibVmLastError (vmibHostLastError for a row that does not exist)
 * and in the log.
 */
#ifndef VMIB_VMSET_H
#define VMIB_VMSET_H

#include <stdbool.h>
#include <stdint.h>

#include "mib_tables.h"

/* start and stop with no SET PDU open (the coordinator's, mibset_reset);
 * the PDU's context comes from its tables (mibtab ctx) */
void vmset_init(struct agent_ctx *ctx);
void vmset_fini(void);

Netsnmp_Node_Handler vmset_vm_handler;
Netsnmp_Node_Handler vmset_vif_handler;

/*
 * The VM participant's answers, for callers outside a participant (the
 * participants ask the coordinator: mibset_creates): does the open PDU
 * create this VM / vif (its RowStatus createAndGo was among the varbinds
 * of RESERVE1, and not refused)?  And run the open PDU's ACTION now if
 * it has not run yet (mibset_phase_now: every participant's, in order;
 * idempotent): 0, or -1 if it failed (the PDU is being undone).
 */
bool vmset_pdu_creates_vm(int32_t vm);
bool vmset_pdu_creates_vif(int32_t vm, uint32_t vif);
int vmset_action_now(netsnmp_agent_request_info *reqinfo);

#endif
