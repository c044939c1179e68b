/*
 * plan_caps.h - the plan against what each host can do: for every host
 * whose vmibHostCapabilities lacks netem, one warning per link (shape row
 * name) whose NetEm parameters (delay, jitter, loss, duplicate, corrupt,
 * reorder) it would receive: the agent applies the rest of the row (rate,
 * burst, limit) and reports the row unsupported (vmibd(8)); and for
 * every VM the plan creates or changes with less memory than its image
 * declares (vmibImageMinMemoryKBytes in the host's image table), a
 * warning that the agent will refuse it.
 */
#ifndef VMIB_PLAN_CAPS_H
#define VMIB_PLAN_CAPS_H

#include "plan.h"

void plan_caps_warn(const struct state *want, const struct state *have, struct plan *p);

#endif
