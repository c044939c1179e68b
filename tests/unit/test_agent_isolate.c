/*
 * test_isolate.c - unit tests of the isolation backend (agent/isolate.c).
 *
 * Data-driven like test_tc.c: every tests/data/isolate/NAME.in holds a
 * policy ("default accept|drop", "subnet A/L", "rule index=.. src=..
 * dst=.. action=.."), what the filter table looks like now ("hooks N":
 * that many of our FORWARD hooks, "chain": our chain exists; the table
 * always also has a rule of somebody else's), "op apply|remove" and
 * optionally "fail-restore".  The recorder's text (the br_netfilter step,
 * the listings asked for, the full iptables-restore input) plus the log at
 * notice and above and a last line "result: ..." must equal NAME.expected.
 * On a mismatch the actual text goes to build/results/isolate/NAME.actual.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isolate.h"
#include "log.h"
#include "tc.h"
#include "testutil.h"
#include "unit.h"

static FILE *iso_log_out;

static void iso_log_sink(int level, const char *token, const char *msg, void *opaque)
{
	(void)opaque;
	if (iso_log_out && level <= LOG_NOTICE)
		fprintf(iso_log_out, "log: %s %s: %s\n", log_level_name(level), token, msg);
}

static int iso_suite_init(void)
{
	log_set_sink(iso_log_sink, NULL);
	return 0;
}

static int iso_suite_cleanup(void)
{
	log_set_sink(NULL, NULL);
	return 0;
}

struct iso_case {
	struct isolate_rule rules[32];
	struct isolate_prefix subnets[16];
	struct isolate_policy p;
	unsigned int hooks;
	int chain, remove, fail_restore;
};

static int iso_line(struct iso_case *c, char *line, char *why, size_t len)
{
	struct isolate_policy *p = &c->p;

	if (strcmp(line, "default accept") == 0 || strcmp(line, "default drop") == 0) {
		p->default_action = line[8] == 'a' ? ISOLATE_ACCEPT : ISOLATE_DROP;
		return 0;
	}
	if (strncmp(line, "default ", 8) == 0) {   /* a raw MIB value */
		p->default_action = (enum isolate_action)atoi(line + 8);
		return 0;
	}
	if (strncmp(line, "subnet ", 7) == 0 && p->n_subnets < 16)
		return tc_prefix_parse(line + 7, &c->subnets[p->n_subnets].addr,
				       &c->subnets[p->n_subnets].len) < 0 ? -1
				       : (p->n_subnets++, 0);
	if (strncmp(line, "rule ", 5) == 0 && p->n_rules < 32)
		return isolate_rule_parse(line + 5, &c->rules[p->n_rules++], why, len);
	if (sscanf(line, "hooks %u", &c->hooks) == 1)
		return 0;
	if (strcmp(line, "chain") == 0 || strcmp(line, "op remove") == 0 ||
	    strcmp(line, "op apply") == 0 || strcmp(line, "fail-restore") == 0) {
		c->chain |= line[0] == 'c';
		c->remove |= strcmp(line, "op remove") == 0;
		c->fail_restore |= line[0] == 'f';
		return 0;
	}
	snprintf(why, len, "unknown line '%s'", line);
	return -1;
}

static int iso_load(const char *path, struct iso_case *c, char *why, size_t len)
{
	char *text = testutil_read_text(path), *save = NULL, *line;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->p.rules = c->rules;
	c->p.subnets = c->subnets;
	c->p.default_action = ISOLATE_ACCEPT;
	if (!text) {
		snprintf(why, len, "cannot read %.150s", path);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save))
		if (line[0] != '#' && line[0] != '\0')
			rc = iso_line(c, line, why, len);
	free(text);
	return rc;
}

/* The "iptables -t filter -S" the recorder answers with. */
static char *iso_listing(const struct iso_case *c)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	unsigned int i;

	if (!f)
		return NULL;
	fprintf(f, "-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n");
	if (c->chain)
		fprintf(f, "-N VMIB-ISOLATE\n");
	fprintf(f, "-A FORWARD -i docker0 -o docker0 -j ACCEPT\n");
	for (i = 0; i < c->hooks; i++)
		fprintf(f, "-A FORWARD -m physdev --physdev-is-bridged -j VMIB-ISOLATE\n");
	if (c->chain)
		fprintf(f, "-A VMIB-ISOLATE -j RETURN\n");
	fclose(f);
	return text;
}

static char *iso_run(struct iso_case *c)
{
	struct isolate_backend *b = isolate_backend_recorder_new();
	struct isolate_error err = {0, ""};
	char *listing = iso_listing(c), *out = NULL;
	size_t size = 0;
	FILE *f;
	int rc;

	if (!b || !listing) {
		isolate_backend_free(b);
		free(listing);
		return NULL;
	}
	isolate_recorder_set_listing(b, listing, NULL);
	isolate_recorder_fail_restore(b, c->fail_restore);
	f = open_memstream(&out, &size);
	iso_log_out = f;
	rc = c->remove ? isolate_remove(b, &err) : isolate_apply(b, &c->p, &err);
	iso_log_out = NULL;
	if (f) {
		fputs(isolate_recorder_text(b), f);
		if (rc == 0)
			fprintf(f, "result: ok\n");
		else
			fprintf(f, "result: error (rule %u): %s\n", err.index, err.text);
		fclose(f);
	}
	isolate_backend_free(b);
	free(listing);
	return out;
}

/* Loads and runs one NAME.in (testutil_loaded_case() compares the text). */
static int iso_check_load_run(const char *in, char **actual, char *why, size_t len)
{
	struct iso_case *c = malloc(sizeof(*c));
	int rc = -1;

	if (c && iso_load(in, c, why, len) == 0) {
		*actual = iso_run(c);
		rc = 0;
	}
	free(c);
	return rc;
}

static bool iso_check(const char *dir, const char *file)
{
	return testutil_loaded_case("isolate", dir, file, iso_check_load_run);
}

static void isolate_data_cases_match_expected(void)
{
	char dir[PATH_MAX];
	int cases, failed = 0;
	DIR *d;

	d = testutil_data_open("isolate", dir, sizeof(dir));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	cases = testutil_data_run(d, dir, ".in", iso_check, &failed);
	CU_ASSERT(cases >= 6);
	CU_ASSERT_EQUAL(failed, 0);
}

static void isolate_counters_from_listing(void)
{
	static const char listing[] =
		"-P FORWARD ACCEPT -c 10 20\n"
		"-N VMIB-ISOLATE\n"
		"-A FORWARD -m physdev --physdev-is-bridged -c 900 80000 -j VMIB-ISOLATE\n"
		"-A VMIB-ISOLATE -s 10.1.0.5/32 -d 10.2.0.0/24 -m comment --comment vmib-rule-3 -c 17 1428 -j ACCEPT\n"
		"-A VMIB-ISOLATE -s 10.1.0.0/24 -m comment --comment \"vmib-rule-12\" -c 0 0 -j DROP\n"
		"-A VMIB-ISOLATE -s 10.1.0.0/24 -d 10.2.0.0/24 -m comment --comment vmib-default -c 5 420 -j DROP\n"
		"-A VMIB-ISOLATE -c 878 78152 -j RETURN\n"
		"-A OTHER -m comment --comment vmib-rule-4 -c 1 1 -j DROP\n";
	struct isolate_counter c[4];

	CU_ASSERT_EQUAL_FATAL(isolate_counters_parse(listing, c, 4), 2);
	CU_ASSERT_EQUAL(c[0].index, 3);
	CU_ASSERT_EQUAL(c[0].pkts, 17);
	CU_ASSERT_EQUAL(c[0].bytes, 1428);
	CU_ASSERT_EQUAL(c[1].index, 12);
	CU_ASSERT_EQUAL(c[1].pkts, 0);
	CU_ASSERT_EQUAL(isolate_counters_parse(listing, c, 1), 1);
}

static void isolate_hooks_and_chain_from_listing(void)
{
	static const char listing[] =
		"-N VMIB-ISOLATE-OLD\n"
		"-A FORWARD -m physdev --physdev-is-bridged -j VMIB-ISOLATE\n"
		"-A FORWARD -m physdev --physdev-is-bridged -j VMIB-ISOLATE-OLD\n"
		"-A FORWARD -i br0 -m physdev --physdev-is-bridged -j VMIB-ISOLATE\n"
		"-A FORWARD -m physdev --physdev-is-bridged -j VMIB-ISOLATE\n";

	/* only our exact rule counts, and only our exact chain name */
	CU_ASSERT_EQUAL(isolate_count_hooks(listing), 2);
	CU_ASSERT_FALSE(isolate_has_chain(listing));
	CU_ASSERT_TRUE(isolate_has_chain("-P FORWARD ACCEPT\n-N VMIB-ISOLATE\n"));
	CU_ASSERT_EQUAL(isolate_count_hooks(""), 0);
}

static void isolate_exec_reports_exit_and_stderr(void)
{
	const char *ok[] = {"sh", "-c", "cat; echo out", NULL};
	const char *bad[] = {"sh", "-c", "echo first >&2; echo second >&2; exit 3", NULL};
	const char *missing[] = {"vmib-no-such-program", NULL};
	char why[160] = "", *out = NULL;

	CU_ASSERT_EQUAL(isolate_exec(ok, "in\n", &out, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out ? out : "", "in\nout\n");
	free(out);
	CU_ASSERT_EQUAL(isolate_exec(bad, NULL, NULL, why, sizeof(why)), 3);
	CU_ASSERT_STRING_EQUAL(why, "first");
	CU_ASSERT_EQUAL(isolate_exec(missing, NULL, NULL, why, sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "vmib-no-such-program"));
}

static const struct unit_test isolate_tests[] = {
	UNIT_TEST(isolate_data_cases_match_expected),
	UNIT_TEST(isolate_counters_from_listing),
	UNIT_TEST(isolate_hooks_and_chain_from_listing),
	UNIT_TEST(isolate_exec_reports_exit_and_stderr),
	{NULL, NULL},
};

UNIT_SUITE(isolate, iso_suite_init, iso_suite_cleanup, isolate_tests)
