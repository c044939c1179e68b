/*
 * vmcache.h - the VMs vmibd serves, sorted by vmibVmIndex.
 *
 * Two sorted arrays of pointers to the same records: by index (what GET
 * and GETNEXT need, O(log n)) and by UUID (what libvirt events and stats
 * need, O(log n)).  Insert and remove are O(n) memmoves, cheap for the
 * thousands of VMs a host can have and rare next to reads.  The cache owns
 * its records (vmcache_clear frees them; replace/remove hand the old one
 * back to the caller).  Loop thread only.
 */
#ifndef VMIB_VMCACHE_H
#define VMIB_VMCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"

struct vmcache {
	struct vm **by_index;
	struct vm **by_uuid;
	size_t n, cap;
};

void vmcache_init(struct vmcache *c);
void vmcache_clear(struct vmcache *c);
size_t vmcache_count(const struct vmcache *c);

struct vm *vmcache_get(const struct vmcache *c, int32_t index);
struct vm *vmcache_by_uuid(const struct vmcache *c, const unsigned char *uuid);
/* i-th record in index order (0 <= i < count) */
struct vm *vmcache_at(const struct vmcache *c, size_t i);
/* first record with index >= key, NULL if none (key may exceed int32) */
struct vm *vmcache_lower_bound(const struct vmcache *c, uint64_t key);
/* first record with index > key */
struct vm *vmcache_after(const struct vmcache *c, uint64_t key);

/* vm->index must be set and unused, the UUID not present: else -1. */
int vmcache_insert(struct vmcache *c, struct vm *vm);
/* Swap in a fresh record for the same UUID and index; returns the old
 * one (caller frees), NULL (and nothing changed) if absent or the index
 * differs. */
struct vm *vmcache_replace(struct vmcache *c, struct vm *fresh);
/* Take a record out; returns it (caller frees), NULL if absent. */
struct vm *vmcache_remove(struct vmcache *c, const unsigned char *uuid);

/* Lowest index >= 1 not used by the cache and not in extra[] (sorted). */
int32_t vmcache_lowest_free(const struct vmcache *c, const int32_t *extra,
			    size_t n_extra);

#endif
