/*
 * test_tc.c - unit tests of the shaping backend (agent/tc*.c, caps.c).
 *
 * The main test is data-driven: every tests/data/tc/NAME.in describes a vif,
 * the capabilities, the rows in force ("old ...") and the wanted rows
 * ("new ..."), and optionally "flags reset" and "fail-at N ERRNO"; it is
 * applied with tc_apply() on the recorder backend, and the recorded netlink
 * requests plus a last line "result: ..." must equal NAME.expected.  Adding
 * a case is adding two files.  What the library logs at notice and above
 * comes first ("log: ..."), so that an error logged twice, or not at all,
 * fails too.  On a mismatch the actual text is written to
 * build/results/tc/NAME.actual.
 *
 * No root, no kernel: only the requests are checked here; the integration
 * tests 30-33 send them to a real kernel.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "caps.h"
#include "log.h"
#include "tc.h"
#include "testutil.h"
#include "unit.h"

/* What the library logged during a case: errors must be logged exactly
 * once, where they are detected, so the log is part of the expected text. */
static FILE *tc_log_out;

static void tc_log_sink(int level, const char *token, const char *msg, void *opaque)
{
	(void)opaque;
	if (tc_log_out && level <= LOG_NOTICE)
		fprintf(tc_log_out, "log: %s %s: %s\n", log_level_name(level), token, msg);
}

static int tc_suite_init(void)
{
	log_set_sink(tc_log_sink, NULL);
	return 0;
}

static int tc_suite_cleanup(void)
{
	log_set_sink(NULL, NULL);
	return 0;
}

struct tc_case {
	struct tc_vif vif;
	char ifname[32];
	uint32_t caps;
	unsigned int flags, fail_at;
	int fail_errno;
	struct shape_row old[64], new_rows[64];
	size_t n_old, n_new;
};

static int errno_of(const char *name)
{
	static const struct { const char *n; int e; } names[] = {
		{"EBUSY", EBUSY}, {"EINVAL", EINVAL}, {"ENOENT", ENOENT},
		{"EEXIST", EEXIST}, {"ENOMEM", ENOMEM}, {"ENODEV", ENODEV}};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].n, name) == 0)
			return names[i].e;
	return EIO;
}

static int case_line(struct tc_case *c, char *line, char *why, size_t len)
{
	char a[64], b[64];
	unsigned int x, y;

	if (strncmp(line, "old ", 4) == 0 && c->n_old < 64)
		return tc_row_parse(line + 4, &c->old[c->n_old++], why, len);
	if (strncmp(line, "new ", 4) == 0 && c->n_new < 64)
		return tc_row_parse(line + 4, &c->new_rows[c->n_new++], why, len);
	if (sscanf(line, "caps %63s", a) == 1)
		return caps_from_string(strcmp(a, "all") ? a : "tbf,htb,netem,u32",
					&c->caps);
	if (sscanf(line, "vif %31s ifindex=%u mtu=%u", c->ifname, &x, &y) == 3) {
		c->vif.ifindex = (int)x;
		c->vif.mtu = y;
		return 0;
	}
	if (strcmp(line, "flags reset") == 0) {
		c->flags |= TC_PLAN_RESET;
		return 0;
	}
	if (sscanf(line, "fail-at %u %63s", &c->fail_at, b) == 2) {
		c->fail_errno = errno_of(b);
		return 0;
	}
	snprintf(why, len, "unknown line '%s'", line);
	return -1;
}

static int case_load(const char *path, struct tc_case *c, char *why, size_t len)
{
	char *text = testutil_read_text(path), *save = NULL, *line;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	snprintf(c->ifname, sizeof(c->ifname), "vnet0");
	c->vif.ifindex = 7;
	c->vif.mtu = 1500;
	if (!text) {
		snprintf(why, len, "cannot read %.150s", path);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save))
		if (line[0] != '#' && line[0] != '\0')
			rc = case_line(c, line, why, len);
	c->vif.ifname = c->ifname;
	free(text);
	return rc;
}

/* Run one case: the recorder's text plus the result line, malloc'd. */
static char *case_run(struct tc_case *c)
{
	struct tc_backend *b = tc_backend_recorder_new();
	struct tc_error err = {0, ""};
	char *out = NULL;
	size_t size = 0;
	FILE *f;
	int rc;

	if (!b)
		return NULL;
	if (c->fail_at)
		tc_recorder_fail_at(b, c->fail_at, c->fail_errno);
	f = open_memstream(&out, &size);
	tc_log_out = f;
	rc = tc_apply(b, &c->vif, c->old, c->n_old, c->new_rows, c->n_new, c->caps,
		      c->flags, &err);
	tc_log_out = NULL;
	if (f) {
		fputs(tc_recorder_text(b), f);
		if (rc == 0)
			fprintf(f, "result: ok\n");
		else
			fprintf(f, "result: error (shape %u): %s\n", err.index, err.text);
		fclose(f);
	}
	tc_backend_free(b);
	return out;
}

/* Loads and runs one NAME.in (testutil_loaded_case() compares the text). */
static int check_case_load_run(const char *in, char **actual, char *why, size_t len)
{
	struct tc_case *c = malloc(sizeof(*c));
	int rc = -1;

	if (c && case_load(in, c, why, len) == 0) {
		*actual = case_run(c);
		rc = 0;
	}
	free(c);
	return rc;
}

static bool check_case(const char *dir, const char *file)
{
	return testutil_loaded_case("tc", dir, file, check_case_load_run);
}

static void tc_plan_data_cases_match_expected(void)
{
	char dir[PATH_MAX];
	int cases, failed = 0;
	DIR *d;

	d = testutil_data_open("tc", dir, sizeof(dir));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	cases = testutil_data_run(d, dir, ".in", check_case, &failed);
	CU_ASSERT(cases >= 10);  /* the data set is there, not an empty loop */
	CU_ASSERT_EQUAL(failed, 0);
}

static void tc_row_text_round_trip(void)
{
	const char *line = "index=7 src=10.1.2.0/24 rate_kbps=1000 burst_bytes=3000 "
			   "delay_us=10 jitter_us=5 loss_ppm=1 duplicate_ppm=2 "
			   "corrupt_ppm=3 reorder_ppm=4 limit_pkts=5";
	struct shape_row r;
	char why[160], buf[512];

	CU_ASSERT_EQUAL(tc_row_parse(line, &r, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(r.index, 7);
	CU_ASSERT_EQUAL(r.src_len, 24);
	CU_ASSERT_EQUAL(ntohl(r.src.s_addr), 0x0a010200u);
	CU_ASSERT_EQUAL(r.limit_pkts, 5);
	CU_ASSERT_STRING_EQUAL(tc_row_format(&r, buf, sizeof(buf)), line);
}

static void tc_row_parse_rejects_bad_fields(void)
{
	struct shape_row r;
	char why[160];

	CU_ASSERT_EQUAL(tc_row_parse("index=1 rate=5", &r, why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "bad shape field 'rate=5'");
	CU_ASSERT_EQUAL(tc_row_parse("index=1 src=10.0.0.0/33", &r, why, sizeof(why)), -1);
	CU_ASSERT_EQUAL(tc_row_parse("index=1 delay_us=-3", &r, why, sizeof(why)), -1);
	CU_ASSERT_EQUAL(tc_row_parse("rate_kbps=5", &r, why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "shape row without index=");
}

static void tc_check_netem_needs_capability(void)
{
	struct tc_vif vif = {"vnet1", 3, 1500};
	struct shape_row r = {.index = 9, .loss_ppm = 10000};
	struct tc_error err;

	CU_ASSERT_EQUAL(tc_row_check(&r, &vif, CAPS_MASK(CAPS_HTB), &err), -1);
	CU_ASSERT_EQUAL(err.index, 9);
	CU_ASSERT_STRING_EQUAL(err.text, "kernel has no sch_netem");
	CU_ASSERT_EQUAL(tc_row_check(&r, &vif, CAPS_MASK(CAPS_HTB) | CAPS_MASK(CAPS_NETEM),
				     &err), 0);
	/* a queue limit alone is a pfifo: no netem needed */
	r.loss_ppm = 0;
	r.limit_pkts = 10;
	CU_ASSERT_EQUAL(tc_row_check(&r, &vif, CAPS_MASK(CAPS_HTB), &err), 0);
}

static void tc_counters_recorder_finds_nothing(void)
{
	struct tc_backend *b = tc_backend_recorder_new();
	struct tc_vif vif = {"vnet2", 4, 1500};
	struct shape_row r = {.index = 3, .rate_kbps = 100};
	struct tc_counters c = {.sent_bytes = 99};

	CU_ASSERT_EQUAL(tc_counters_read(b, &vif, &r, 1, &c, NULL), 0);
	CU_ASSERT_EQUAL(c.index, 3);
	CU_ASSERT_EQUAL(c.sent_bytes, 0);
	CU_ASSERT_STRING_EQUAL(tc_recorder_text(b), "dump dev vnet2 class\n");
	tc_backend_free(b);
}

static void caps_bits_are_the_mib_bits(void)
{
	uint32_t caps = 0;
	uint8_t oct[1];
	char buf[128];

	/* RFC 2578 7.1.4: tbf(0) is the high bit of the first octet */
	caps_to_octets(CAPS_MASK(CAPS_TBF) | CAPS_MASK(CAPS_U32), oct);
	CU_ASSERT_EQUAL(oct[0], 0x80 | 0x10);
	CU_ASSERT_EQUAL(caps_from_string("htb,netem brNetfilter", &caps), 0);
	CU_ASSERT_EQUAL(caps, CAPS_MASK(CAPS_HTB) | CAPS_MASK(CAPS_NETEM) |
			      CAPS_MASK(CAPS_BR_NETFILTER));
	CU_ASSERT_STRING_EQUAL(caps_to_string(caps, buf, sizeof(buf)),
			       "htb,netem,brNetfilter");
	CU_ASSERT_EQUAL(caps_from_string("htb,sfq", &caps), -1);
}

/* The most a vif can have: 65534 /32 rows spread over all 17 index groups:
 * one root (and the delete of libvirt's noqueue before it), a class and a
 * node per row, a table and a link per group. */
static void tc_plan_max_rows_one_vif(void)
{
	struct tc_vif vif = {"vnet3", 5, 1500};
	struct shape_row *rows = calloc(65534, sizeof(*rows));
	struct tc_error err = {0, ""};
	struct tc_plan *plan;
	uint32_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
	for (i = 0; i < 65534; i++) {
		rows[i].index = 65534 - i;   /* not sorted */
		rows[i].src.s_addr = htonl(0x0a000000u + i);
		rows[i].src_len = 32;
		rows[i].rate_kbps = 1000;
	}
	CU_ASSERT_EQUAL(tc_rows_check(rows, 65534, &vif, CAPS_ALL_KERNEL, &err), 0);
	plan = tc_plan_build(&vif, NULL, 0, rows, 65534, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	CU_ASSERT_EQUAL(tc_plan_len(plan), 2 + 2 * 65534 + 2 * 17);
	tc_plan_free(plan);
	/* and all of them removed at once: one request */
	plan = tc_plan_build(&vif, rows, 65534, NULL, 0, 0, &err);
	CU_ASSERT_EQUAL(tc_plan_len(plan), 1);
	tc_plan_free(plan);
	free(rows);
}

static const struct unit_test tc_tests[] = {
	UNIT_TEST(tc_plan_data_cases_match_expected),
	UNIT_TEST(tc_plan_max_rows_one_vif),
	UNIT_TEST(tc_row_text_round_trip),
	UNIT_TEST(tc_row_parse_rejects_bad_fields),
	UNIT_TEST(tc_check_netem_needs_capability),
	UNIT_TEST(tc_counters_recorder_finds_nothing),
	UNIT_TEST(caps_bits_are_the_mib_bits),
	{NULL, NULL},
};

UNIT_SUITE(tc, tc_suite_init, tc_suite_cleanup, tc_tests)
