/*
 * test_common_grow.c - grow_array() (common/grow.c): room for what is
 * asked, doubling, and a size that would overflow refused with the array
 * left as it was.
 */
#include <stdint.h>
#include <stdlib.h>

#include "grow.h"
#include "unit.h"

static void grow_array_doubles_from_16(void)
{
	int *v = NULL;
	size_t cap = 0, i;

	CU_ASSERT_EQUAL(grow_array((void **)&v, &cap, 1, sizeof(*v)), 0);
	CU_ASSERT_EQUAL(cap, 16);
	for (i = 0; i < 16; i++)
		v[i] = (int)i;
	CU_ASSERT_EQUAL(grow_array((void **)&v, &cap, 16, sizeof(*v)), 0);
	CU_ASSERT_EQUAL(cap, 16);
	CU_ASSERT_EQUAL(grow_array((void **)&v, &cap, 17, sizeof(*v)), 0);
	CU_ASSERT_EQUAL(cap, 32);
	CU_ASSERT_EQUAL(grow_array((void **)&v, &cap, 100, sizeof(*v)), 0);
	CU_ASSERT_EQUAL(cap, 128);
	CU_ASSERT_EQUAL(v[15], 15);
	free(v);
}

static void grow_array_refuses_overflow(void)
{
	int *v = NULL;
	size_t cap = 0;

	CU_ASSERT_EQUAL(grow_array((void **)&v, &cap, 4, sizeof(*v)), 0);
	CU_ASSERT_EQUAL(grow_array((void **)&v, &cap, SIZE_MAX / 2, sizeof(*v)), -1);
	CU_ASSERT_EQUAL(cap, 16);
	CU_ASSERT_PTR_NOT_NULL(v);
	CU_ASSERT_EQUAL(grow_array((void **)&v, &cap, SIZE_MAX, 1), -1);
	CU_ASSERT_EQUAL(cap, 16);
	free(v);
}

static const struct unit_test tests[] = {
	UNIT_TEST(grow_array_doubles_from_16),
	UNIT_TEST(grow_array_refuses_overflow),
	{ NULL, NULL },
};

UNIT_SUITE(common_grow, NULL, NULL, tests)
