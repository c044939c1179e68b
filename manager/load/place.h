/*
 * place.h - which host each VM of the virtual environment runs on.
 *
 * The policy, in order:
 *  1. a VM with host= is pinned there;
 *  2. a VM without host= that the real environment lists as running on a
 *     host stays there (no migration nobody asked for);
 *  3. every other VM, in file order, goes to the host with the most free
 *     memory among those with room for it; ties go to the host listed
 *     first in the real environment.
 * Room on a host: memoryMiB - reservedMemoryMiB of memory, never
 * overcommitted (guest RAM is real RAM), and cpus * maxVcpusPerCpu vCPUs
 * (default 16 per CPU, as OpenStack Nova's cpu_allocation_ratio).  VMs the
 * real environment lists as running but the virtual environment does not
 * mention are someone else's: they are left alone and take room.  A pinned
 * or staying VM that does not fit, and a VM that fits nowhere, is a problem
 * naming the VM, the host and the numbers.
 */
#ifndef VMIB_PLACE_H
#define VMIB_PLACE_H

#include <stddef.h>
#include <stdint.h>

#include "env.h"

struct diag;

#define PLACE_NONE ((size_t)-1)

struct place_room {              /* one per real host, in file order */
	uint64_t memory_mib;     /* capacity */
	uint64_t memory_used_mib;
	uint64_t vcpus;
	uint64_t vcpus_used;
};

struct placement {               /* one entry per virtual VM, in file order */
	size_t n_vms;
	size_t *host;            /* index into real->hosts, or PLACE_NONE */
	enum state_placed *how;
	const char **moved_from; /* borrowed from real: running elsewhere now */
	size_t n_hosts;
	struct place_room *room;
};

/* always fills out (release with place_release); problems go to d */
void place_vms(const struct real_env *r, const struct virt_env *v,
	       struct placement *out, struct diag *d);
void place_release(struct placement *p);

#endif
