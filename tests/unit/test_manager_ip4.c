/*
 * test_manager_ip4.c - IPv4 parsing (strict: no leading zeros, nothing
 * around), prefix arithmetic and formatting (common/ip4.c), and the
 * agent's parsers of prefixes in text, which are ip4.c's.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ip4.h"
#include "tc.h"
#include "unit.h"
#include "vmset_syntax.h"

static void ip4_parse_addr_accepts_dotted_quads(void)
{
	uint32_t a;

	CU_ASSERT_EQUAL(ip4_parse_addr("10.1.0.5", &a), 0);
	CU_ASSERT_EQUAL(a, 0x0a010005u);
	CU_ASSERT_EQUAL(ip4_parse_addr("255.255.255.255", &a), 0);
	CU_ASSERT_EQUAL(a, 0xffffffffu);
	CU_ASSERT_EQUAL(ip4_parse_addr("0.0.0.0", &a), 0);
	CU_ASSERT_EQUAL(a, 0u);
}

static void ip4_parse_addr_rejects_the_rest(void)
{
	static const char *const bad[] = {
		"", "10.1.0", "10.1.0.5.6", "010.1.0.5", "10.1.0.256", "10.1.0.5 ",
		" 10.1.0.5", "10..0.5", "a.b.c.d", "10.1.0.5/24", "1000.1.1.1", "-1.1.1.1",
	};
	uint32_t a;
	size_t i;

	CU_ASSERT_EQUAL(ip4_parse_addr(NULL, &a), -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_assertImplementation(ip4_parse_addr(bad[i], &a) == -1, __LINE__, bad[i],
					__FILE__, "", CU_FALSE);
}

static void ip4_parse_prefix_checks_length(void)
{
	static const char *const bad[] = {
		"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/8 ",
		"10.0.0.0/-1", "10.0.0/8", "10.0.0.0/1234",
	};
	struct ip4_prefix p;
	size_t i;

	CU_ASSERT_EQUAL(ip4_parse_prefix("10.0.0.0/8", &p), 0);
	CU_ASSERT_EQUAL(p.addr, 0x0a000000u);
	CU_ASSERT_EQUAL(p.len, 8);
	CU_ASSERT_EQUAL(ip4_parse_prefix("0.0.0.0/0", &p), 0);
	CU_ASSERT_EQUAL(p.len, 0);
	CU_ASSERT_EQUAL(ip4_parse_prefix("10.1.0.7/32", &p), 0);
	CU_ASSERT_EQUAL(p.len, 32);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_assertImplementation(ip4_parse_prefix(bad[i], &p) == -1, __LINE__, bad[i],
					__FILE__, "", CU_FALSE);
}

static void ip4_prefix_arithmetic(void)
{
	struct ip4_prefix a = { 0x0a010000u, 24 }, b = { 0x0a010080u, 25 };
	struct ip4_prefix c = { 0x0a020000u, 24 }, all = { 0, 0 }, h = { 0x0a010005u, 24 };
	struct ip4_prefix n;

	CU_ASSERT_EQUAL(ip4_mask(0), 0u);
	CU_ASSERT_EQUAL(ip4_mask(24), 0xffffff00u);
	CU_ASSERT_EQUAL(ip4_mask(32), 0xffffffffu);
	CU_ASSERT_TRUE(ip4_contains(&a, 0x0a0100ffu));
	CU_ASSERT_FALSE(ip4_contains(&a, 0x0a020001u));
	CU_ASSERT_TRUE(ip4_contains(&all, 0xc0a80101u));
	CU_ASSERT_TRUE(ip4_overlap(&a, &b));
	CU_ASSERT_TRUE(ip4_overlap(&b, &a));
	CU_ASSERT_FALSE(ip4_overlap(&a, &c));
	CU_ASSERT_TRUE(ip4_overlap(&all, &c));
	CU_ASSERT_TRUE(ip4_is_network(&a));
	CU_ASSERT_FALSE(ip4_is_network(&h));
	n = ip4_network(&h);
	CU_ASSERT_TRUE(ip4_equal(&n, &a));
	CU_ASSERT_FALSE(ip4_equal(&a, &b));
}

static void ip4_format_round_trip(void)
{
	char buf[IP4_PREFIX_STRLEN], abuf[IP4_STRLEN];
	struct ip4_prefix p = { 0xc0a80a01u, 32 }, q;

	CU_ASSERT_STRING_EQUAL(ip4_format(0x0a010005u, abuf), "10.1.0.5");
	CU_ASSERT_STRING_EQUAL(ip4_format(0xffffffffu, abuf), "255.255.255.255");
	CU_ASSERT_STRING_EQUAL(ip4_format_prefix(&p, buf), "192.168.10.1/32");
	CU_ASSERT_EQUAL(ip4_parse_prefix(buf, &q), 0);
	CU_ASSERT_TRUE(ip4_equal(&p, &q));
}

/* the agent's text formats (shape rows, vmibVmRoutes) parse with the same
 * parser: network byte order out, a length with a leading zero refused */
static void ip4_agent_formats_share_the_parser(void)
{
	struct vmcheck_route r[VMCHECK_MAX_ROUTES];
	struct in_addr a;
	char why[128];
	uint8_t len;
	size_t n;

	CU_ASSERT_EQUAL(tc_prefix_parse("10.1.0.0/16", &a, &len), 0);
	CU_ASSERT_EQUAL(a.s_addr, htonl(0x0a010000u));
	CU_ASSERT_EQUAL(len, 16);
	CU_ASSERT_EQUAL(tc_prefix_parse("10.1.0.0/016", &a, &len), -1);
	CU_ASSERT_EQUAL(tc_prefix_parse("10.1.0.0/08", &a, &len), -1);
	CU_ASSERT_EQUAL(tc_prefix_parse("10.1.0.0/ 8", &a, &len), -1);
	CU_ASSERT_EQUAL(vmcheck_routes("10.0.0.0/08", r, &n, why, sizeof(why)), -1);
	CU_ASSERT_EQUAL(vmcheck_routes("10.2.0.0/24,10.1.0.1", r, &n, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(r[0].prefix[0], 10);
	CU_ASSERT_EQUAL(r[0].prefix[1], 2);
	CU_ASSERT_EQUAL(r[0].len, 24);
}

static const struct unit_test tests[] = {
	UNIT_TEST(ip4_parse_addr_accepts_dotted_quads),
	UNIT_TEST(ip4_parse_addr_rejects_the_rest),
	UNIT_TEST(ip4_parse_prefix_checks_length),
	UNIT_TEST(ip4_prefix_arithmetic),
	UNIT_TEST(ip4_format_round_trip),
	UNIT_TEST(ip4_agent_formats_share_the_parser),
	{ NULL, NULL },
};

UNIT_SUITE(manager_ip4, NULL, NULL, tests)
