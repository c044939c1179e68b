/*
 * read.h - the current state of every host, read over SNMP: the host
 * scalars and the VM, vif, shape, isolation and subnet tables of each
 * host's vMIB, walked with GETBULK on all hosts at once, into a struct
 * state of the same types as the desired state (state.h), so that plan.c
 * can diff the two.
 *
 * A host that cannot be read (no answer, SNMPv3 error, an agent without
 * the vMIB) is not fatal: its oper.read stays false and oper.error says
 * why; the other hosts are read all the same.  Columns an agent does not
 * return read as the MIB's DEFVAL (or zero / empty).
 */
#ifndef VMIB_READ_H
#define VMIB_READ_H

#include <stddef.h>

#include "snmpc.h"
#include "state.h"

/*
 * Read hosts[i] of `hosts` through host i of c into out (release with
 * state_release); out gets the same hosts, in the same order, with their
 * names and addresses.  Returns the number of hosts that could not be read.
 */
size_t read_hosts(struct snmpc *c, const struct state *hosts, struct state *out);

/* the VM of host h with vmibVmIndex index, or NULL */
struct state_vm *read_find_vm(const struct state_host *h, uint32_t index);

#endif
