/*
 * vmset.h - SETs on vmibVmTable and vmibVifTable: creating, changing and
 * destroying VMs and their vifs, their administrative state, scheduler
 * parameters and migrations, atomically per PDU (VMIB-MIB; issue #4).
 *
 * Both tables are registered read-write (mibset_register) with these
 * handlers; one SET PDU is one transaction across them, keyed by the
 * AgentX transaction id (mibset.h explains why):
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

void vmset_init(struct agent_ctx *ctx);
void vmset_fini(void);

Netsnmp_Node_Handler vmset_vm_handler;
Netsnmp_Node_Handler vmset_vif_handler;

/*
 * For the other tables of a PDU (shape rows created with their VM):
 * does the PDU now being processed create this VM / vif (its RowStatus
 * createAndGo was among the varbinds of RESERVE1)?  And run this PDU's
 * ACTION now if it has not run yet (so the VM exists, with its vif
 * devices, before a later handler's ACTION needs it; idempotent):
 * 0, or -1 if it failed (the PDU is being undone).
 */
bool vmset_pdu_creates_vm(int32_t vm);
bool vmset_pdu_creates_vif(int32_t vm, uint32_t vif);
int vmset_action_now(netsnmp_agent_request_info *reqinfo);

#endif
