/*
 * test_manager_keymap.c - the hash table of the checks and name look-ups
 * (keymap.h): the first value of a key stays, keys of any bytes, growth.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "keymap.h"
#include "unit.h"

static void keymap_put_keeps_the_first_value(void)
{
	struct keymap m = {0};
	int a, b;

	CU_ASSERT_PTR_NULL(keymap_get_str(&m, "x"));       /* an empty map */
	CU_ASSERT_PTR_NULL(keymap_put_str(&m, "x", &a));
	CU_ASSERT_PTR_EQUAL(keymap_put_str(&m, "x", &b), &a);
	CU_ASSERT_PTR_EQUAL(keymap_get_str(&m, "x"), &a);
	CU_ASSERT_PTR_NULL(keymap_get_str(&m, "y"));
	CU_ASSERT_PTR_NULL(keymap_put_str(&m, NULL, &a));  /* no key: nothing */
	CU_ASSERT_EQUAL(m.n, 1);
	keymap_release(&m);
	keymap_release(&m);
	keymap_release(NULL);
}

static void keymap_binary_keys_and_growth(void)
{
	static char names[20000][8];
	static uint32_t addrs[20000];
	struct keymap m = {0}, a = {0};
	size_t i, bad = 0;

	for (i = 0; i < 20000; i++) {
		snprintf(names[i], sizeof(names[i]), "v%zu", i);
		addrs[i] = (uint32_t)(0x0a000000u + i);
		bad += keymap_put_str(&m, names[i], names[i]) != NULL;
		bad += keymap_put(&a, &addrs[i], sizeof(addrs[i]), &addrs[i]) != NULL;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(m.n, 20000);
	CU_ASSERT_TRUE(m.cap >= 2 * m.n);
	for (i = 0; i < 20000; i++) {
		bad += keymap_get_str(&m, names[i]) != names[i];
		bad += keymap_get(&a, &addrs[i], sizeof(addrs[i])) != &addrs[i];
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* a prefix of a key is another key */
	CU_ASSERT_PTR_NULL(keymap_get(&m, "v1", 1));
	keymap_release(&m);
	keymap_release(&a);
}

static const struct unit_test tests[] = {
	UNIT_TEST(keymap_put_keeps_the_first_value),
	UNIT_TEST(keymap_binary_keys_and_growth),
	{NULL, NULL},
};

UNIT_SUITE(manager_keymap, NULL, NULL, tests)
