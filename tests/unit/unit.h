/*
 * unit.h - the CUnit runner's registry of suites.
 *
 * Each tests/unit/test_<module>.c declares its suite with UNIT_SUITE(); a
 * constructor adds it to a static list that tests/unit/main.c hands to CUnit,
 * so adding a test file needs no edit anywhere else.  Tests are named
 * area_operation_case (STYLE.md).
 */
#ifndef VMIB_UNIT_H
#define VMIB_UNIT_H

#include <CUnit/CUnit.h>

struct unit_test {
	const char *name;
	CU_TestFunc fn;
};

struct unit_suite {
	const char *name;
	CU_InitializeFunc init;
	CU_CleanupFunc cleanup;
	const struct unit_test *tests; /* terminated by { NULL, NULL } */
	struct unit_suite *next;
};

void unit_register(struct unit_suite *suite);

#define UNIT_TEST(fn) { #fn, fn }

/* UNIT_SUITE(module, init, cleanup, tests[]) */
#define UNIT_SUITE(id, init_fn, cleanup_fn, test_array)                     \
	static struct unit_suite unit_suite_##id = {                        \
		#id, init_fn, cleanup_fn, test_array, NULL};                \
	__attribute__((constructor)) static void unit_ctor_##id(void)       \
	{                                                                   \
		unit_register(&unit_suite_##id);                            \
	}

#endif
