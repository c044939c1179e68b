/*
 * main.c - the CUnit runner for every unit suite (build/bin/unit-tests).
 *
 * Usage: unit-tests [SUITE [TEST]]   run everything, one suite, or one test.
 * Exits non-zero when any assertion failed (CU_get_number_of_failures(), not
 * CU_get_error() alone) and ends with the plain line "N passed, N failed".
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "unit.h"

static struct unit_suite *suites;

void unit_register(struct unit_suite *suite)
{
	struct unit_suite **p = &suites;

	/* keep suites in name order so runs are reproducible */
	while (*p && strcmp((*p)->name, suite->name) < 0)
		p = &(*p)->next;
	suite->next = *p;
	*p = suite;
}

static int add_suite(const struct unit_suite *s, const char *only_test)
{
	CU_pSuite cs = CU_add_suite(s->name, s->init, s->cleanup);
	const struct unit_test *t;
	int added = 0;

	if (!cs)
		return -1;
	for (t = s->tests; t->name; t++) {
		if (only_test && strcmp(only_test, t->name) != 0)
			continue;
		if (!CU_add_test(cs, t->name, t->fn))
			return -1;
		added++;
	}
	return added;
}

int main(int argc, char **argv)
{
	const char *only_suite = argc > 1 ? argv[1] : NULL;
	const char *only_test = argc > 2 ? argv[2] : NULL;
	const struct unit_suite *s;
	unsigned int run, failed;
	int total = 0, n;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (s = suites; s; s = s->next) {
		if (only_suite && strcmp(only_suite, s->name) != 0)
			continue;
		n = add_suite(s, only_test);
		if (n < 0) {
			fprintf(stderr, "unit-tests: cannot register suite %s\n", s->name);
			CU_cleanup_registry();
			return 2;
		}
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "unit-tests: no test matches\n");
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	/* a failed suite init counts as failures too */
	failed += CU_get_number_of_suites_failed();
	printf("\nunit: %u passed, %u failed\n", run - CU_get_number_of_tests_failed(), failed);
	n = (CU_get_number_of_failures() > 0 || failed > 0) ? 1 : 0;
	CU_cleanup_registry();
	return n;
}
