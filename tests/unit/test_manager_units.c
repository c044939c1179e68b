/*
 * test_manager_units.c - strict parsing and printing of quantities
 * (manager/units.c): every unit of every kind, the refusals with their
 * reasons, the exactness rule, and parse(format(v)) == v.
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "units.h"

struct ok_case {
	enum units_kind kind;
	const char *in;
	uint32_t out;
};

struct bad_case {
	enum units_kind kind;
	const char *in;
	const char *why;         /* a substring of the reason */
};

static const struct ok_case ok_cases[] = {
	{ UNITS_RATE_KBPS, "1Mbit", 1000 },
	{ UNITS_RATE_KBPS, "512kbit", 512 },
	{ UNITS_RATE_KBPS, "1.5Mbit", 1500 },
	{ UNITS_RATE_KBPS, "2000bit", 2 },
	{ UNITS_RATE_KBPS, "1Gbit", 1000000 },
	{ UNITS_RATE_KBPS, "0.001Mbit", 1 },
	{ UNITS_RATE_KBPS, "4294967295kbit", 4294967295u },
	{ UNITS_TIME_US, "10ms", 10000 },
	{ UNITS_TIME_US, "250us", 250 },
	{ UNITS_TIME_US, "1s", 1000000 },
	{ UNITS_TIME_US, "1.5ms", 1500 },
	{ UNITS_TIME_US, "0.000001s", 1 },
	{ UNITS_TIME_US, "0ms", 0 },
	{ UNITS_TIME_US, "60s", 60000000 },
	{ UNITS_RATIO_PPM, "0.5%", 5000 },
	{ UNITS_RATIO_PPM, "100%", 1000000 },
	{ UNITS_RATIO_PPM, "0.0001%", 1 },
	{ UNITS_RATIO_PPM, "0%", 0 },
	{ UNITS_SIZE_BYTES, "1500B", 1500 },
	{ UNITS_SIZE_BYTES, "32KiB", 32768 },
	{ UNITS_SIZE_BYTES, "1.5KiB", 1536 },
	{ UNITS_SIZE_BYTES, "1kB", 1000 },
	{ UNITS_SIZE_BYTES, "2MB", 2000000 },
	{ UNITS_SIZE_BYTES, "1MiB", 1048576 },
	{ UNITS_COUNT_PKTS, "1000pkts", 1000 },
	{ UNITS_COUNT_PKTS, "1pkt", 1 },
	{ UNITS_COUNT_PKTS, "1000000pkts", 1000000 },
};

static const struct bad_case bad_cases[] = {
	{ UNITS_RATE_KBPS, "", "empty value" },
	{ UNITS_RATE_KBPS, "1", "missing unit (write e.g. 1Mbit)" },
	{ UNITS_RATE_KBPS, "Mbit", "not a number" },
	{ UNITS_RATE_KBPS, "+1Mbit", "not a number" },
	{ UNITS_RATE_KBPS, "1.Mbit", "not a number" },
	{ UNITS_RATE_KBPS, ".5Mbit", "not a number" },
	{ UNITS_RATE_KBPS, "1234567890123456789kbit", "not a number" },
	{ UNITS_RATE_KBPS, "1 Mbit", "no blanks" },
	{ UNITS_RATE_KBPS, " 1Mbit", "no blanks" },
	{ UNITS_RATE_KBPS, "1mbit", "case-sensitive: write Mbit" },
	{ UNITS_RATE_KBPS, "1KBIT", "case-sensitive: write kbit" },
	{ UNITS_RATE_KBPS, "1Mbps", "'Mbps' is ambiguous" },
	{ UNITS_RATE_KBPS, "1kbps", "'kbps' is ambiguous" },
	{ UNITS_RATE_KBPS, "1e6bit", "unknown unit 'e6bit'" },
	{ UNITS_RATE_KBPS, "1500bit", "not a whole number of kbit/s" },
	{ UNITS_RATE_KBPS, "0Mbit", "greater than zero" },
	{ UNITS_RATE_KBPS, "5000Tbit", "unknown unit 'Tbit'" },
	{ UNITS_RATE_KBPS, "5000000Gbit", "too large" },
	{ UNITS_TIME_US, "10", "missing unit (write e.g. 10ms)" },
	{ UNITS_TIME_US, "-1ms", "not a number" },
	{ UNITS_TIME_US, "1.5us", "not a whole number of microseconds" },
	{ UNITS_TIME_US, "10msec", "unknown unit 'msec' (use us, ms or s)" },
	{ UNITS_TIME_US, "10MS", "case-sensitive: write ms" },
	{ UNITS_TIME_US, "5000s", "too large" },
	{ UNITS_TIME_US, "60.000001s", "too large (at most 60s)" },
	{ UNITS_COUNT_PKTS, "1000001pkts", "too large (at most 1000000pkts)" },
	{ UNITS_RATIO_PPM, "5", "missing unit" },
	{ UNITS_RATIO_PPM, "100.0001%", "at most 100%" },
	{ UNITS_RATIO_PPM, "0.00001%", "finer than 0.0001%" },
	{ UNITS_RATIO_PPM, "5ppm", "unknown unit 'ppm'" },
	{ UNITS_SIZE_BYTES, "1kb", "case-sensitive: write kB" },
	{ UNITS_SIZE_BYTES, "1.1B", "not a whole number of bytes" },
	{ UNITS_SIZE_BYTES, "0B", "greater than zero" },
	{ UNITS_COUNT_PKTS, "100", "missing unit (write e.g. 1000pkts)" },
	{ UNITS_COUNT_PKTS, "1.5pkts", "not a whole number of packets" },
	{ UNITS_COUNT_PKTS, "0pkts", "greater than zero" },
};

static void units_parse_accepts_each_unit(void)
{
	char why[UNITS_WHY_LEN], msg[160];
	uint32_t v;
	size_t i;

	for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];
		int rc;

		v = 12345;
		why[0] = '\0';
		rc = units_parse(c->kind, c->in, &v, why);
		snprintf(msg, sizeof(msg), "'%s' -> %u (rc %d, %s), expected %u", c->in, v, rc,
			 why, c->out);
		CU_assertImplementation(rc == 0 && v == c->out, __LINE__, msg, __FILE__, "",
					CU_FALSE);
	}
}

static void units_parse_rejects_with_reason(void)
{
	char why[UNITS_WHY_LEN], msg[256];
	uint32_t v;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		int rc;

		v = 777;
		why[0] = '\0';
		rc = units_parse(c->kind, c->in, &v, why);
		snprintf(msg, sizeof(msg), "'%s': rc %d, reason '%s', expected '%s'", c->in, rc,
			 why, c->why);
		CU_assertImplementation(rc == -1 && strstr(why, c->why) != NULL && v == 777,
					__LINE__, msg, __FILE__, "", CU_FALSE);
	}
}

static void units_parse_null_is_empty(void)
{
	char why[UNITS_WHY_LEN];
	uint32_t v;

	CU_ASSERT_EQUAL(units_parse(UNITS_TIME_US, NULL, &v, why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "empty"));
}

static void units_format_picks_shortest_exact_unit(void)
{
	static const struct ok_case cases[] = {
		{ UNITS_RATE_KBPS, "1.5Mbit", 1500 }, { UNITS_RATE_KBPS, "1kbit", 1 },
		{ UNITS_RATE_KBPS, "1Gbit", 1000000 }, { UNITS_RATE_KBPS, "1.234Mbit", 1234 },
		{ UNITS_TIME_US, "250us", 250 }, { UNITS_TIME_US, "10ms", 10000 },
		{ UNITS_TIME_US, "1.5ms", 1500 }, { UNITS_TIME_US, "0us", 0 },
		{ UNITS_RATIO_PPM, "0.5%", 5000 }, { UNITS_RATIO_PPM, "0.0001%", 1 },
		{ UNITS_RATIO_PPM, "100%", 1000000 }, { UNITS_SIZE_BYTES, "32KiB", 32768 },
		{ UNITS_SIZE_BYTES, "1500B", 1500 }, { UNITS_SIZE_BYTES, "1MiB", 1048576 },
		{ UNITS_COUNT_PKTS, "1000pkts", 1000 },
	};
	char buf[32], msg[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		units_format(cases[i].kind, cases[i].out, buf, sizeof(buf));
		snprintf(msg, sizeof(msg), "%u -> '%s', expected '%s'", cases[i].out, buf,
			 cases[i].in);
		CU_assertImplementation(strcmp(buf, cases[i].in) == 0, __LINE__, msg, __FILE__,
					"", CU_FALSE);
	}
}

static void units_format_parse_round_trip(void)
{
	static const uint32_t values[] = {
		1, 7, 999, 1000, 1001, 1500, 32768, 65535, 1000000, 1048576, 123456789,
		4294967295u,
	};
	/* the VMIB-MIB column ranges, by kind */
	static const uint32_t max[] = {
		[UNITS_RATE_KBPS] = 4294967295u, [UNITS_TIME_US] = 60000000,
		[UNITS_RATIO_PPM] = 1000000, [UNITS_SIZE_BYTES] = 4294967295u,
		[UNITS_COUNT_PKTS] = 1000000,
	};
	enum units_kind k;
	char buf[32], why[UNITS_WHY_LEN], msg[96];
	uint32_t back;
	size_t i;

	for (k = UNITS_RATE_KBPS; k <= UNITS_COUNT_PKTS; k++) {
		for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
			if (values[i] > max[k])
				continue;
			units_format(k, values[i], buf, sizeof(buf));
			back = 0;
			snprintf(msg, sizeof(msg), "kind %d: %u -> '%s'", (int)k, values[i], buf);
			CU_assertImplementation(units_parse(k, buf, &back, why) == 0 &&
						back == values[i], __LINE__, msg, __FILE__, "",
						CU_FALSE);
		}
	}
}

static const struct unit_test tests[] = {
	UNIT_TEST(units_parse_accepts_each_unit),
	UNIT_TEST(units_parse_rejects_with_reason),
	UNIT_TEST(units_parse_null_is_empty),
	UNIT_TEST(units_format_picks_shortest_exact_unit),
	UNIT_TEST(units_format_parse_round_trip),
	{ NULL, NULL },
};

UNIT_SUITE(manager_units, NULL, NULL, tests)
