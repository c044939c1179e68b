/*
 * test_agent_vmcache.c - the sorted VM cache and index assignment
 * (vmcache.c, vmindex.c).
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "vmcache.h"
#include "vmindex.h"

static struct vm *mk(int uuid_n, const char *name, int32_t index, int32_t meta)
{
	struct vm *vm = vm_new();

	vm->name = strdup(name);
	vm->uuid[15] = (unsigned char)uuid_n;
	vm->uuid[14] = (unsigned char)(uuid_n >> 8);
	vm->index = index;
	vm->meta_index = meta;
	return vm;
}

static void vmcache_insert_keeps_index_order(void)
{
	struct vmcache c;
	int32_t order[] = {30, 10, 20, 5};
	size_t i;

	vmcache_init(&c);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(vmcache_insert(&c, mk((int)i + 1, "v", order[i], 0)), 0);
	CU_ASSERT_EQUAL(vmcache_count(&c), 4);
	CU_ASSERT_EQUAL(vmcache_at(&c, 0)->index, 5);
	CU_ASSERT_EQUAL(vmcache_at(&c, 3)->index, 30);
	CU_ASSERT_EQUAL(vmcache_get(&c, 20)->uuid[15], 3);
	CU_ASSERT_PTR_NULL(vmcache_get(&c, 21));
	CU_ASSERT_PTR_NULL(vmcache_get(&c, 0));
	CU_ASSERT_EQUAL(vmcache_lower_bound(&c, 6)->index, 10);
	CU_ASSERT_EQUAL(vmcache_lower_bound(&c, 10)->index, 10);
	CU_ASSERT_EQUAL(vmcache_after(&c, 10)->index, 20);
	CU_ASSERT_PTR_NULL(vmcache_after(&c, 30));
	/* keys beyond Integer32, as GETNEXT may ask */
	CU_ASSERT_PTR_NULL(vmcache_lower_bound(&c, 4294967295ULL));
	vmcache_clear(&c);
}

static void vmcache_insert_refuses_duplicates(void)
{
	struct vmcache c;
	struct vm *a = mk(1, "a", 7, 0), *b = mk(2, "b", 7, 0), *d = mk(1, "d", 8, 0);
	struct vm *z = mk(3, "z", 0, 0);

	vmcache_init(&c);
	CU_ASSERT_EQUAL(vmcache_insert(&c, a), 0);
	CU_ASSERT_EQUAL(vmcache_insert(&c, b), -1); /* same index */
	CU_ASSERT_EQUAL(vmcache_insert(&c, d), -1); /* same uuid */
	CU_ASSERT_EQUAL(vmcache_insert(&c, z), -1); /* no index */
	vm_free(b);
	vm_free(d);
	vm_free(z);
	vmcache_clear(&c);
}

static void vmcache_replace_and_remove_by_uuid(void)
{
	struct vmcache c;
	struct vm *a = mk(1, "a", 7, 0), *a2 = mk(1, "a2", 7, 0), *a3 = mk(1, "a3", 9, 0);
	struct vm *old;
	unsigned char uuid[16] = {0};

	vmcache_init(&c);
	vmcache_insert(&c, a);
	CU_ASSERT_PTR_NULL(vmcache_replace(&c, a3)); /* index differs */
	old = vmcache_replace(&c, a2);
	CU_ASSERT_PTR_EQUAL(old, a);
	vm_free(old);
	CU_ASSERT_STRING_EQUAL(vmcache_get(&c, 7)->name, "a2");
	uuid[15] = 1;
	CU_ASSERT_PTR_EQUAL(vmcache_by_uuid(&c, uuid), a2);
	old = vmcache_remove(&c, uuid);
	CU_ASSERT_PTR_EQUAL(old, a2);
	vm_free(old);
	CU_ASSERT_EQUAL(vmcache_count(&c), 0);
	CU_ASSERT_PTR_NULL(vmcache_remove(&c, uuid));
	vm_free(a3);
	vmcache_clear(&c);
}

static void vmcache_lowest_free_merges_both_lists(void)
{
	struct vmcache c;
	int32_t extra[] = {2, 4};

	vmcache_init(&c);
	CU_ASSERT_EQUAL(vmcache_lowest_free(&c, NULL, 0), 1);
	vmcache_insert(&c, mk(1, "a", 1, 0));
	vmcache_insert(&c, mk(2, "b", 3, 0));
	CU_ASSERT_EQUAL(vmcache_lowest_free(&c, NULL, 0), 2);
	CU_ASSERT_EQUAL(vmcache_lowest_free(&c, extra, 2), 5);
	vmcache_clear(&c);
}

static void vmindex_keeps_cached_then_metadata_then_lowest(void)
{
	struct vmcache c;
	struct vm *b[4];

	vmcache_init(&c);
	vmcache_insert(&c, mk(1, "known", 3, 3));
	/* known VM with metadata that says otherwise: the cache wins */
	b[0] = mk(1, "known", 0, 8);
	b[1] = mk(2, "meta", 0, 10);
	b[2] = mk(3, "zeta", 0, 0);
	b[3] = mk(4, "alpha", 0, 0);
	CU_ASSERT_EQUAL(vmindex_assign(b, 4, &c, false), 0);
	CU_ASSERT_EQUAL(b[0]->index, 3);
	CU_ASSERT_EQUAL(b[1]->index, 10);
	/* lowest free, in name order: alpha before zeta */
	CU_ASSERT_EQUAL(b[3]->index, 1);
	CU_ASSERT_EQUAL(b[2]->index, 2);
	for (int i = 0; i < 4; i++)
		vm_free(b[i]);
	vmcache_clear(&c);
}

static void vmindex_clash_lower_uuid_keeps_index(void)
{
	struct vmcache c;
	struct vm *b[3];

	vmcache_init(&c);
	vmcache_insert(&c, mk(9, "resident", 5, 5));
	b[0] = mk(7, "clone-b", 0, 4);
	b[1] = mk(6, "clone-a", 0, 4);
	b[2] = mk(8, "migrant", 0, 5); /* arrives with an index in use here */
	vmindex_assign(b, 3, &c, false);
	CU_ASSERT_EQUAL(b[1]->index, 4);
	CU_ASSERT_NOT_EQUAL(b[0]->index, 4);
	CU_ASSERT_NOT_EQUAL(b[2]->index, 5);
	CU_ASSERT_NOT_EQUAL(b[0]->index, b[2]->index);
	CU_ASSERT_TRUE(b[0]->index >= 1 && b[2]->index >= 1);
	for (int i = 0; i < 3; i++)
		vm_free(b[i]);
	vmcache_clear(&c);
}

static void vmindex_full_list_frees_indexes_of_gone_vms(void)
{
	struct vmcache c;
	struct vm *b[1];

	vmcache_init(&c);
	vmcache_insert(&c, mk(1, "gone", 1, 1));
	b[0] = mk(2, "new", 0, 0);
	vmindex_assign(b, 1, &c, true);
	CU_ASSERT_EQUAL(b[0]->index, 1); /* "gone" is not in the full list */
	vmindex_assign(b, 1, &c, false);
	CU_ASSERT_EQUAL(b[0]->index, 2); /* partial: "gone" still holds 1 */
	vm_free(b[0]);
	vmcache_clear(&c);
}

static const struct unit_test tests[] = {
	UNIT_TEST(vmcache_insert_keeps_index_order),
	UNIT_TEST(vmcache_insert_refuses_duplicates),
	UNIT_TEST(vmcache_replace_and_remove_by_uuid),
	UNIT_TEST(vmcache_lowest_free_merges_both_lists),
	UNIT_TEST(vmindex_keeps_cached_then_metadata_then_lowest),
	UNIT_TEST(vmindex_clash_lower_uuid_keeps_index),
	UNIT_TEST(vmindex_full_list_frees_indexes_of_gone_vms),
	{NULL, NULL},
};

UNIT_SUITE(agent_vmcache, NULL, NULL, tests)
