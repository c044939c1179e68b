/*
 * vmcache.c - sorted storage of struct vm records (see vmcache.h).
 *
 * Owns the two index arrays and the records in them.  Knows nothing of
 * libvirt or SNMP; the tracker decides what goes in, the MIB handlers
 * read.
 */
#include <stdlib.h>
#include <string.h>

#include "vmcache.h"

void vmcache_init(struct vmcache *c)
{
	memset(c, 0, sizeof(*c));
}

void vmcache_clear(struct vmcache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		vm_free(c->by_index[i]);
	free(c->by_index);
	free(c->by_uuid);
	memset(c, 0, sizeof(*c));
}

size_t vmcache_count(const struct vmcache *c)
{
	return c->n;
}

/* position of the first record with index >= key */
static size_t vmcache_index_pos(const struct vmcache *c, uint64_t key)
{
	size_t lo = 0, hi = c->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((uint64_t)c->by_index[mid]->index < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* position of the first record with uuid >= key */
static size_t vmcache_uuid_pos(const struct vmcache *c, const unsigned char *uuid)
{
	size_t lo = 0, hi = c->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (vm_uuid_cmp(c->by_uuid[mid]->uuid, uuid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct vm *vmcache_get(const struct vmcache *c, int32_t index)
{
	size_t pos;

	if (index < 1)
		return NULL;
	pos = vmcache_index_pos(c, (uint64_t)index);
	return pos < c->n && c->by_index[pos]->index == index ? c->by_index[pos] : NULL;
}

struct vm *vmcache_by_uuid(const struct vmcache *c, const unsigned char *uuid)
{
	size_t pos = vmcache_uuid_pos(c, uuid);

	if (pos < c->n && vm_uuid_cmp(c->by_uuid[pos]->uuid, uuid) == 0)
		return c->by_uuid[pos];
	return NULL;
}

struct vm *vmcache_at(const struct vmcache *c, size_t i)
{
	return i < c->n ? c->by_index[i] : NULL;
}

struct vm *vmcache_lower_bound(const struct vmcache *c, uint64_t key)
{
	size_t pos = vmcache_index_pos(c, key);

	return pos < c->n ? c->by_index[pos] : NULL;
}

struct vm *vmcache_after(const struct vmcache *c, uint64_t key)
{
	return vmcache_lower_bound(c, key + 1);
}

static int vmcache_grow(struct vmcache *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 64;
	struct vm **a, **b;

	a = realloc(c->by_index, ncap * sizeof(*a));
	if (!a)
		return -1;
	c->by_index = a;
	b = realloc(c->by_uuid, ncap * sizeof(*b));
	if (!b)
		return -1;
	c->by_uuid = b;
	c->cap = ncap;
	return 0;
}

static void vmcache_insert_at(struct vm **arr, size_t n, size_t pos, struct vm *vm)
{
	memmove(&arr[pos + 1], &arr[pos], (n - pos) * sizeof(*arr));
	arr[pos] = vm;
}

static void vmcache_delete_at(struct vm **arr, size_t n, size_t pos)
{
	memmove(&arr[pos], &arr[pos + 1], (n - pos - 1) * sizeof(*arr));
}

int vmcache_insert(struct vmcache *c, struct vm *vm)
{
	size_t ipos, upos;

	if (vm->index < 1 || vmcache_get(c, vm->index) || vmcache_by_uuid(c, vm->uuid))
		return -1;
	if (c->n == c->cap && vmcache_grow(c) < 0)
		return -1;
	ipos = vmcache_index_pos(c, (uint64_t)vm->index);
	upos = vmcache_uuid_pos(c, vm->uuid);
	vmcache_insert_at(c->by_index, c->n, ipos, vm);
	vmcache_insert_at(c->by_uuid, c->n, upos, vm);
	c->n++;
	return 0;
}

struct vm *vmcache_replace(struct vmcache *c, struct vm *fresh)
{
	size_t ipos, upos;
	struct vm *old;

	upos = vmcache_uuid_pos(c, fresh->uuid);
	if (upos >= c->n || vm_uuid_cmp(c->by_uuid[upos]->uuid, fresh->uuid) != 0)
		return NULL;
	old = c->by_uuid[upos];
	if (old->index != fresh->index)
		return NULL;
	ipos = vmcache_index_pos(c, (uint64_t)old->index);
	c->by_index[ipos] = fresh;
	c->by_uuid[upos] = fresh;
	return old;
}

struct vm *vmcache_remove(struct vmcache *c, const unsigned char *uuid)
{
	size_t ipos, upos;
	struct vm *old;

	upos = vmcache_uuid_pos(c, uuid);
	if (upos >= c->n || vm_uuid_cmp(c->by_uuid[upos]->uuid, uuid) != 0)
		return NULL;
	old = c->by_uuid[upos];
	ipos = vmcache_index_pos(c, (uint64_t)old->index);
	vmcache_delete_at(c->by_uuid, c->n, upos);
	vmcache_delete_at(c->by_index, c->n, ipos);
	c->n--;
	return old;
}

int32_t vmcache_lowest_free(const struct vmcache *c, const int32_t *extra,
			    size_t n_extra)
{
	size_t i = 0, j = 0;
	int32_t want = 1, a, b;

	/* merge the two sorted lists of used indexes, stop at the first gap */
	for (;;) {
		a = i < c->n ? c->by_index[i]->index : 0;
		b = j < n_extra ? extra[j] : 0;
		if (a == want) {
			i++;
		} else if (b == want) {
			j++;
		} else if ((a && a < want) || (b && b < want)) {
			/* duplicates or values below want: skip */
			if (a && a < want)
				i++;
			if (b && b < want)
				j++;
			continue;
		} else {
			return want;
		}
		/* want was used by one list; skip it in the other too */
		while (i < c->n && c->by_index[i]->index == want)
			i++;
		while (j < n_extra && extra[j] == want)
			j++;
		if (want == 2147483647)
			return 0;
		want++;
	}
}
