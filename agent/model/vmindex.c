/*
 * vmindex.c - index assignment for a batch of VM snapshots (vmindex.h).
 *
 * Pure: reads the cache, writes only vm->index of the batch.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vmindex.h"

struct vmindex_used {
	int32_t *v;
	size_t n, cap;
};

static int vmindex_cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

static bool vmindex_is_used(const struct vmindex_used *u, int32_t idx)
{
	return u->n && bsearch(&idx, u->v, u->n, sizeof(*u->v), vmindex_cmp_i32) != NULL;
}

/* keep the array sorted (insertion: batches are small next to the cost
 * of the libvirt calls that produced them) */
static int vmindex_use(struct vmindex_used *u, int32_t idx)
{
	size_t pos = 0;
	int32_t *nv;

	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 64;
		nv = realloc(u->v, u->cap * sizeof(*u->v));
		if (!nv)
			return -1;
		u->v = nv;
	}
	while (pos < u->n && u->v[pos] < idx)
		pos++;
	memmove(&u->v[pos + 1], &u->v[pos], (u->n - pos) * sizeof(*u->v));
	u->v[pos] = idx;
	u->n++;
	return 0;
}

static int vmindex_cmp_meta(const void *a, const void *b)
{
	const struct vm *x = *(struct vm *const *)a, *y = *(struct vm *const *)b;

	if (x->meta_index != y->meta_index)
		return x->meta_index < y->meta_index ? -1 : 1;
	return vm_uuid_cmp(x->uuid, y->uuid);
}

static int vmindex_cmp_name(const void *a, const void *b)
{
	const struct vm *x = *(struct vm *const *)a, *y = *(struct vm *const *)b;
	int c = strcmp(x->name ? x->name : "", y->name ? y->name : "");

	return c ? c : vm_uuid_cmp(x->uuid, y->uuid);
}

/* lowest index free in both the cache (when not full) and the used set */
static int32_t vmindex_lowest(const struct vmindex_used *u,
			      const struct vmcache *cache, bool full)
{
	struct vmcache none;

	if (full) {
		vmcache_init(&none);
		return vmcache_lowest_free(&none, u->v, u->n);
	}
	return vmcache_lowest_free(cache, u->v, u->n);
}

size_t vmindex_assign(struct vm **vms, size_t n, const struct vmcache *cache,
		      bool full)
{
	struct vmindex_used used = {NULL, 0, 0};
	struct vm **order;
	const struct vm *known;
	size_t i, left = 0;

	order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return n;
	/* 1. VMs the cache already serves */
	for (i = 0; i < n; i++) {
		vms[i]->index = 0;
		known = vmcache_by_uuid(cache, vms[i]->uuid);
		if (known) {
			vms[i]->index = known->index;
			vmindex_use(&used, known->index);
		}
	}
	/* 2. recorded indexes, lowest UUID first on a clash */
	if (n)
		memcpy(order, vms, n * sizeof(*order));
	qsort(order, n, sizeof(*order), vmindex_cmp_meta);
	for (i = 0; i < n; i++) {
		struct vm *vm = order[i];
		const struct vm *holder;

		if (vm->index || vm->meta_index < 1)
			continue;
		holder = full ? NULL : vmcache_get(cache, vm->meta_index);
		if (holder || vmindex_is_used(&used, vm->meta_index)) {
			log_msg(LOG_NOTICE, "virt",
				"VM %s: index %d is taken, choosing another",
				vm->name, (int)vm->meta_index);
			continue;
		}
		vm->index = vm->meta_index;
		vmindex_use(&used, vm->index);
	}
	/* 3. the rest: lowest free index, in name order */
	qsort(order, n, sizeof(*order), vmindex_cmp_name);
	for (i = 0; i < n; i++) {
		if (order[i]->index)
			continue;
		order[i]->index = vmindex_lowest(&used, cache, full);
		if (!order[i]->index) {
			left++;
			continue;
		}
		vmindex_use(&used, order[i]->index);
	}
	free(order);
	free(used.v);
	return left;
}
