/*
 * testutil.h - helpers the unit-test files share: reading a file whole,
 * finding the top of the tree, walking a data directory of cases, and
 * comparing a transcript with its recorded .expected text (a mismatch
 * leaves the actual text in build/results/AREA/NAME.actual).
 *
 * Test support only: nothing here asserts on its own behalf except
 * testutil_check(), which reports at the caller's file and line.  Each
 * test file keeps its own case format and runner.
 */
#ifndef VMIB_TESTUTIL_H
#define VMIB_TESTUTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>

/* The whole file as a malloc'd string (caller frees); NULL if unreadable. */
char *testutil_read_text(const char *path);

/* The tree's top: $VMIB_TOP, else two levels above build/bin/unit-tests. */
const char *testutil_top_dir(void);

/* A CUnit assertion with a printf message, reported at file:line. */
void testutil_check(bool ok, int line, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The names in dir ending with suffix (files, or directories if dirs),
 * sorted, hidden ones left out; *out is freed with testutil_free_list().
 * Returns the count (0 if dir cannot be read). */
size_t testutil_list(const char *dir, const char *suffix, bool dirs, char ***out);
void testutil_free_list(char **v, size_t n);

/* Opens tests/data/AREA under the top (its path written to dir); NULL on
 * failure.  testutil_data_next() then returns the next entry whose name
 * ends with suffix (and has more than it), NULL at the end. */
DIR *testutil_data_open(const char *area, char *dir, size_t len);
const char *testutil_data_next(DIR *d, const char *suffix);

/* Gives check() every entry of d (opened by testutil_data_open() on dir)
 * whose name ends with suffix, counting in *failed those it rejects;
 * closes d and returns how many it saw. */
int testutil_data_run(DIR *d, const char *dir, const char *suffix,
		      bool (*check)(const char *dir, const char *file), int *failed);

/* Whether actual equals expected (both present); if not, actual is saved
 * as build/results/AREA/NAME.actual and the case named on stderr. */
bool testutil_text_matches(const char *area, const char *name, const char *actual,
			   const char *expected);

/* One script case: DIR/FILE (NAME.in) is read and given to run(), whose
 * malloc'd transcript must equal DIR/NAME.expected. */
bool testutil_script_case(const char *area, const char *dir, const char *file,
			  char *(*run)(const char *text));

/* One case that must load first: run() loads DIR/FILE (NAME.in) and, if it
 * can, sets *actual (malloc'd) and returns 0; if not, it returns -1 with
 * why set, and the case fails with that reason on stderr. */
bool testutil_loaded_case(const char *area, const char *dir, const char *file,
			  int (*run)(const char *in, char **actual, char *why, size_t len));

#endif
