/*
 * merge.h - the two parsed files and a placement into the desired state of
 * every host (struct state, the vMIB's terms).
 *
 * What each host gets, in this order (stable, so output is reproducible):
 *  - its VMs, in virtual-file order, each with its vifs in interface order
 *    (vmibVifIndex 1..n), the vif's routes (explicit ones in file order,
 *    then the default route through the subnet's gateway, on the first
 *    interface whose subnet has one, unless the VM has its own default
 *    route or is the gateway), and its shape rows;
 *  - every virtual subnet (vmibSubnetTable), the isolation default
 *    (accept when the file has no <isolation>) and every isolation rule:
 *    the same on every host, since a frame crosses the bridge of the
 *    sender's host and of the receiver's.
 *
 * Shape rows (DESIGN section 3): a directed link A->B is shaped on B's vif,
 * classified by A's address (/32), or A's whole prefix when A is a subnet;
 * so every flow is shaped once, on the receiver's host.  When B is a
 * subnet, every VM in it (but A) gets the row on its interface in B: the
 * rate is per receiving VM, not shared by the subnet.  B's vif is the one
 * sharing a subnet with A, else the one B routes A's address through, else
 * B's first.  A's address is the one in the receiver vif's subnet, else the
 * one A routes B's address through, else A's first.  Where two rows'
 * prefixes overlap the longer one wins (VMIB-MIB, vmibShapeTable), so a
 * VM-to-VM link overrides a subnet link; rows are numbered in that order
 * too, most specific source first (vmibShapeIndex 1..n).
 * A symmetric link gives both directions.  Names: the link's name= or
 * "A>B".  Two rows with the same source (or name) on one vif are a problem.
 *
 * Isolation rules: an allow/deny from A to B gives one rule per pair of
 * A's and B's prefixes (a subnet's prefix, a VM's addresses /32), then the
 * reverse pairs when symmetric, in file order; named "A>B", "A>B#2"...
 */
#ifndef VMIB_MERGE_H
#define VMIB_MERGE_H

#include "env.h"
#include "place.h"
#include "state.h"

struct diag;

/* fills out (release with state_release); problems go to d */
void merge_build(const struct real_env *r, const struct virt_env *v,
		 const struct placement *p, struct state *out, struct diag *d);

#endif
