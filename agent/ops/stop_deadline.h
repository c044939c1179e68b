/*
 * vmstop.h - vmibVmAdminState shutoff(3): the guest is asked to shut down
 * (ACPI power button, a SET's COMMIT step), and if it still runs
 * shutdown-timeout-s later vmibd powers it off.  This module keeps those
 * deadlines (loop thread) and runs the power-off in the control thread.
 */
#ifndef VMIB_VMSTOP_H
#define VMIB_VMSTOP_H

#include "agent_ctx.h"

void vmstop_init(struct agent_ctx *ctx);
void vmstop_fini(void);

/* power the VM off if it still runs timeout_s from now (0: now) */
void vmstop_arm(const unsigned char *uuid, const char *name, unsigned int timeout_s);
/* forget the VM's deadline (it was started, paused, destroyed...) */
void vmstop_cancel(const unsigned char *uuid);
/* deadlines pending (tests) */
size_t vmstop_pending(void);

#endif
