/*
 * check_limits.h - the vMIB's limits on what vmibctl will SET, checked
 * before anything is sent: the size of every string (VM, image, subnet,
 * shape row and isolation rule names, including the names merge.c makes
 * up, "A>B#2"; bridge; the vmibVifRoutes text) and the range of every
 * number (memory in KiB, vCPUs, scheduler weight and cap, prefix lengths,
 * shaping values), and the indexes vmibctl numbers itself (vifs per VM,
 * shape rows per vif, subnets, isolation rules), all from VMIB-MIB.
 *
 * check_limits_real() / check_limits_virtual() check one file (check.c
 * calls them; the virtual one needs the endpoints resolved);
 * check_limits_state() checks what only the merged state knows (a vif's
 * routes text with its default route, the shape rows a vif receives) and
 * reports it at the interface in v.
 */
#ifndef VMIB_CHECK_LIMITS_H
#define VMIB_CHECK_LIMITS_H

#include "env.h"
#include "state.h"

struct diag;

void check_limits_real(const struct real_env *r, struct diag *d);
void check_limits_virtual(const struct virt_env *v, struct diag *d);
void check_limits_state(const struct virt_env *v, const struct state *s, struct diag *d);

#endif
