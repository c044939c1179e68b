/*
 * vmindex.h - choose the vmibVmIndex of VMs (VMIB-MIB vmibVmIndex).
 *
 * Rules, in order:
 *   1. a VM the cache already serves keeps the index it has (what the
 *      managers have seen wins over metadata that was lost, e.g. by
 *      libvirt's test driver on reconnect, or edited by hand);
 *   2. otherwise the index recorded in its metadata, if no other VM has
 *      it; when two new VMs claim the same index (a clone, or a VM that
 *      migrated in) the lower UUID keeps it;
 *   3. otherwise the lowest index in use by no one, VMs taken in name
 *      order so that the result does not depend on libvirt's list order.
 * Every VM whose resulting index differs from its metadata needs the
 * metadata written (vm->index != vm->meta_index afterwards).
 */
#ifndef VMIB_VMINDEX_H
#define VMIB_VMINDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "vmcache.h"

/* Assign vm->index for every vms[i].  full: the batch is the complete
 * list of domains (after a (re)connect), so cached VMs absent from it do
 * not reserve their index; otherwise every cached VM does.  Returns the
 * number of VMs left without an index (the index space is exhausted). */
size_t vmindex_assign(struct vm **vms, size_t n, const struct vmcache *cache,
		      bool full);

#endif
