/*
 * check.h - what the schemas cannot say about each scenario file on its
 * own: unique names, references between elements, subnets that overlap,
 * addresses outside their subnet or used twice, routes through gateways
 * that are not on the link, shaping attributes that need one another.
 * Cross-file checks (hosts named by VMs, room on hosts) are merge.c's.
 *
 * check_virtual() also resolves names: each interface's subnet, and each
 * link and rule endpoint (kind and pointer); unresolved ones stay unset.
 */
#ifndef VMIB_CHECK_H
#define VMIB_CHECK_H

#include "env.h"

struct diag;

void check_real(const struct real_env *r, struct diag *d);
void check_virtual(struct virt_env *v, struct diag *d);

#endif
