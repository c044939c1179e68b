/*
 * testutil.c - the helpers shared by the unit-test files (testutil.h):
 * file slurping, the tree's top, data-directory listings and the
 * expected-versus-actual comparison of data-driven cases.
 *
 * It owns no test state; what a case means stays in its test file.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "unit.h"

char *testutil_read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t size = 0;
	FILE *out;
	int c;

	if (!f)
		return NULL;
	out = open_memstream(&buf, &size);
	while (out && (c = fgetc(f)) != EOF)
		fputc(c, out);
	if (out)
		fclose(out);
	fclose(f);
	return buf;
}

const char *testutil_top_dir(void)
{
	static char top[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;
	int up;

	if (getenv("VMIB_TOP"))
		return getenv("VMIB_TOP");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return ".";
	exe[n] = '\0';
	for (up = 0; up < 3 && (slash = strrchr(exe, '/')); up++)
		*slash = '\0';
	snprintf(top, sizeof(top), "%s", exe);
	return top;
}

void testutil_check(bool ok, int line, const char *file, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	CU_assertImplementation(ok, line, msg ? msg : fmt, file, "", CU_FALSE);
	free(msg);
}

static void sort_names(char **v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

size_t testutil_list(const char *dir, const char *suffix, bool dirs, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL, *path;
	size_t n = 0, sl = strlen(suffix);
	struct stat st;

	*out = NULL;
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name);

		if (e->d_name[0] == '.' || nl < sl || strcmp(e->d_name + nl - sl, suffix) != 0)
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			continue;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) == dirs) {
			v = realloc(v, (n + 1) * sizeof(*v));
			v[n++] = strdup(e->d_name);
		}
		free(path);
	}
	closedir(d);
	sort_names(v, n);
	*out = v;
	return n;
}

void testutil_free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

DIR *testutil_data_open(const char *area, char *dir, size_t len)
{
	snprintf(dir, len, "%s/tests/data/%s", testutil_top_dir(), area);
	return opendir(dir);
}

const char *testutil_data_next(DIR *d, const char *suffix)
{
	size_t sl = strlen(suffix);
	struct dirent *e;

	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len > sl && strcmp(e->d_name + len - sl, suffix) == 0)
			return e->d_name;
	}
	return NULL;
}

int testutil_data_run(DIR *d, const char *dir, const char *suffix,
		      bool (*check)(const char *dir, const char *file), int *failed)
{
	const char *file;
	int cases = 0;

	while ((file = testutil_data_next(d, suffix)) != NULL) {
		cases++;
		if (!check(dir, file))
			(*failed)++;
	}
	closedir(d);
	return cases;
}

static void save_actual(const char *area, const char *name, const char *text)
{
	char path[PATH_MAX + 512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/build/results", testutil_top_dir());
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/build/results/%s", testutil_top_dir(), area);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/build/results/%s/%s.actual", testutil_top_dir(), area,
		 name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	fprintf(stderr, "\n  %s case %s: differs from its .expected; actual text in %s\n",
		area, name, path);
}

bool testutil_text_matches(const char *area, const char *name, const char *actual,
			   const char *expected)
{
	if (actual && expected && strcmp(actual, expected) == 0)
		return true;
	save_actual(area, name, actual ? actual : "(no output)\n");
	return false;
}

bool testutil_script_case(const char *area, const char *dir, const char *file,
			  char *(*run)(const char *text))
{
	char in[PATH_MAX + 300], exp[PATH_MAX + 300], name[256];
	char *text, *expected, *actual;
	bool ok;

	snprintf(name, sizeof(name), "%.*s", (int)(strlen(file) - 3), file);
	snprintf(in, sizeof(in), "%s/%s", dir, file);
	snprintf(exp, sizeof(exp), "%s/%s.expected", dir, name);
	text = testutil_read_text(in);
	expected = testutil_read_text(exp);
	actual = text ? run(text) : NULL;
	ok = testutil_text_matches(area, name, actual, expected);
	free(text);
	free(expected);
	free(actual);
	return ok;
}

bool testutil_loaded_case(const char *area, const char *dir, const char *file,
			  int (*run)(const char *in, char **actual, char *why, size_t len))
{
	char in[PATH_MAX + 300], exp[PATH_MAX + 300], name[256], why[200] = "";
	char *expected, *actual = NULL;
	bool ok;

	snprintf(name, sizeof(name), "%.*s", (int)(strlen(file) - 3), file);
	snprintf(in, sizeof(in), "%s/%s", dir, file);
	snprintf(exp, sizeof(exp), "%s/%s.expected", dir, name);
	expected = testutil_read_text(exp);
	if (run(in, &actual, why, sizeof(why)) < 0) {
		fprintf(stderr, "\n  %s case %s: %s\n", area, name, why);
		ok = false;
	} else {
		ok = testutil_text_matches(area, name, actual, expected);
	}
	free(expected);
	free(actual);
	return ok;
}
