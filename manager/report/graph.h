/*
 * graph.h - the virtual topology over the physical hosts as Graphviz DOT:
 * one cluster per host holding its VMs, switches and physical links
 * between hosts, subnets as ellipses joined to their members, and every
 * shaped link as an edge labelled with its bandwidth, delay, jitter and
 * loss (a double-headed edge when symmetric).
 */
#ifndef VMIB_GRAPH_H
#define VMIB_GRAPH_H

#include "env.h"
#include "place.h"

struct out;

/* o must be a text-mode writer */
void graph_write(const struct real_env *r, const struct virt_env *v,
		 const struct placement *p, struct out *o);

#endif
