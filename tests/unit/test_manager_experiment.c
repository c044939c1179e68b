/*
 * test_manager_experiment.c - experiment files (manager/xml_experiment.c,
 * manager/experiment.c) over their data, picked up by loops so that a
 * case is files, not C:
 *
 *  - tests/data/experiment/valid.xml loads with no problem, and what it
 *    says is what was parsed (groups expanded, defaults, quantities);
 *  - every tests/data/experiment/invalid/NAME.xml fails with exactly the
 *    problems in NAME.expect ("file:line: element: message" per line, file
 *    names without their directory), checked against the scenario it
 *    names (tests/data/base);
 *  - every experiments/NAME/experiment.xml of the tree is clean with the
 *    scenario it names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "experiment.h"
#include "load.h"
#include "testutil.h"
#include "unit.h"

#define SCHEMAS "schemas"
#define EXP_DATA "tests/data/experiment"
#define EXP_INVALID EXP_DATA "/invalid"
#define SHIPPED "experiments"

#define check(ok, line, ...) testutil_check(ok, line, __FILE__, __VA_ARGS__)

static char *format_problems(const struct diag *d)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);

	for (i = 0; i < d->n; i++) {
		const char *base = strrchr(d->v[i].file, '/');

		base = base ? base + 1 : d->v[i].file;
		if (d->v[i].line)
			fprintf(fp, "%s:%u: %s: %s\n", base, d->v[i].line, d->v[i].element,
				d->v[i].message);
		else
			fprintf(fp, "%s: %s: %s\n", base, d->v[i].element, d->v[i].message);
	}
	fclose(fp);
	return buf;
}

/* load file and its scenario, check; problems of the experiment in d */
static struct experiment *load_checked(const char *file, struct diag *d, struct load *l)
{
	struct experiment *e = NULL;
	int rc = experiment_load(file, SCHEMAS, d, &e);

	memset(l, 0, sizeof(*l));
	check(rc == 0, __LINE__, "%s: the schema could not be loaded", file);
	if (e && e->real_file && e->virt_file) {
		check(load_files(e->real_file, e->virt_file, SCHEMAS, l) == 0 && l->diag.n == 0,
		      __LINE__, "%s: its scenario does not load cleanly", file);
		experiment_check(e, l->real, l->virt, d);
	}
	return e;
}

static void experiment_valid_file_parses_as_written(void)
{
	struct diag d = { 0 };
	struct load l;
	struct experiment *e = load_checked(EXP_DATA "/valid.xml", &d, &l);
	char *got = format_problems(&d);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	check(d.n == 0, __LINE__, "valid.xml: problems:\n%s", got);
	CU_ASSERT_EQUAL(e->repetitions, 3);
	CU_ASSERT_EQUAL(e->tolerance_us, 500000);
	CU_ASSERT_EQUAL(e->n_setup, 4);
	CU_ASSERT_EQUAL(e->setup[0].timeout_us, 10000000);
	CU_ASSERT_EQUAL(e->setup[1].timeout_us, 60000000);        /* default */
	CU_ASSERT_EQUAL(e->setup[1].who.n_names, 2);              /* subnet a: a1 a2 */
	CU_ASSERT_EQUAL(e->setup[2].who.n_names, 2);              /* a*: a1 a2 */
	CU_ASSERT_EQUAL(e->setup[3].who.n_names, 2);
	CU_ASSERT_EQUAL_FATAL(e->n_events, 12);
	CU_ASSERT_EQUAL(e->events[0].kind, EXP_RUN);
	CU_ASSERT_TRUE(e->events[0].background);
	CU_ASSERT_STRING_EQUAL(e->events[0].name, "load");
	CU_ASSERT_EQUAL(e->events[1].kind, EXP_LINK);
	CU_ASSERT_EQUAL(e->events[1].at_us, 2000000);
	CU_ASSERT_EQUAL(shape_get(&e->events[1].params, SHAPE_RATE), 2000);
	CU_ASSERT_EQUAL(shape_get(&e->events[1].params, SHAPE_LOSS), 5000);
	CU_ASSERT_FALSE(shape_has(&e->events[1].params, SHAPE_BURST));
	CU_ASSERT_EQUAL(e->events[3].at_us, 3500000);
	CU_ASSERT_EQUAL(e->events[4].weight, 512);
	CU_ASSERT_EQUAL(e->events[4].cap_percent, 50);
	CU_ASSERT_STRING_EQUAL(e->events[7].host, "h2");
	CU_ASSERT_EQUAL(e->events[8].wait, EXP_WAIT_COMMAND);
	CU_ASSERT_EQUAL(e->events[9].wait, EXP_WAIT_BACKGROUND);
	CU_ASSERT_EQUAL(e->events[10].wait, EXP_WAIT_DURATION);
	CU_ASSERT_EQUAL(e->events[10].duration_us, 1000000);
	CU_ASSERT_TRUE(e->events[11].may_fail);
	CU_ASSERT_STRING_EQUAL(e->events[11].name, "e23");         /* e<line> */
	CU_ASSERT_EQUAL(e->sample_interval_us, 250000);
	CU_ASSERT_EQUAL_FATAL(e->n_series, 6);
	CU_ASSERT_STRING_EQUAL(e->series[0].label, "b1.vif1.rxOctets");
	CU_ASSERT_STRING_EQUAL(e->series[3].label, "a>b.sentOctets");
	CU_ASSERT_STRING_EQUAL(e->series[5].label, "a1.cpuTimeMs");
	CU_ASSERT_EQUAL(e->n_collect, 2);
	CU_ASSERT_EQUAL(e->collect[1].who.n_names, 1);
	free(got);
	experiment_free(e);
	load_release(&l);
	diag_release(&d);
}

static void run_invalid_case(const char *name)
{
	char *path, *expect_path, *want, *got;
	struct diag d = { 0 };
	struct experiment *e;
	struct load l;

	if (asprintf(&path, EXP_INVALID "/%s", name) < 0 ||
	    asprintf(&expect_path, EXP_INVALID "/%.*s.expect", (int)(strlen(name) - 4), name) < 0)
		return;
	e = load_checked(path, &d, &l);
	want = testutil_read_text(expect_path);
	got = format_problems(&d);
	check(d.n > 0, __LINE__, "%s: accepted, but it is in the invalid corpus", name);
	check(want != NULL && *want != '\0', __LINE__, "%s: no (or empty) %s", name, expect_path);
	if (want)
		check(strcmp(got, want) == 0, __LINE__,
		      "%s: problems differ\n--- reported:\n%s--- expected (%s):\n%s", name, got,
		      expect_path, want);
	free(got);
	free(want);
	experiment_free(e);
	load_release(&l);
	diag_release(&d);
	free(path);
	free(expect_path);
}

static void experiment_invalid_files_fail_as_expected(void)
{
	char **names;
	size_t n = testutil_list(EXP_INVALID, ".xml", false, &names), i;

	check(n > 0, __LINE__, "no case in %s (run from the top of the tree)", EXP_INVALID);
	for (i = 0; i < n; i++)
		run_invalid_case(names[i]);
	testutil_free_list(names, n);
}

static void experiment_shipped_experiments_are_clean(void)
{
	char **names, *path, *got;
	size_t n = testutil_list(SHIPPED, "", true, &names), i;

	for (i = 0; i < n; i++) {
		struct diag d = { 0 };
		struct experiment *e;
		struct load l;

		if (asprintf(&path, SHIPPED "/%s/experiment.xml", names[i]) < 0)
			continue;
		e = load_checked(path, &d, &l);
		got = format_problems(&d);
		check(e != NULL && d.n == 0, __LINE__, "%s: problems:\n%s", path, got);
		free(got);
		experiment_free(e);
		load_release(&l);
		diag_release(&d);
		free(path);
	}
	testutil_free_list(names, n);
}

static const struct unit_test tests[] = {
	UNIT_TEST(experiment_valid_file_parses_as_written),
	UNIT_TEST(experiment_invalid_files_fail_as_expected),
	UNIT_TEST(experiment_shipped_experiments_are_clean),
	{ NULL, NULL },
};

UNIT_SUITE(manager_experiment, NULL, NULL, tests);
