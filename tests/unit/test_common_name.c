/*
 * test_common_name.c - the name rule (name.h) that vmibd and vmibctl apply
 * to every name that becomes a path component, an option or a kernel
 * object name.
 */
#include <string.h>

#include "name.h"
#include "unit.h"

#define N(s) name_safe((s), strlen(s))

static void name_safe_accepts_plain_names(void)
{
	CU_ASSERT_TRUE(N("web-1_a.b"));
	CU_ASSERT_TRUE(N("a"));
	CU_ASSERT_TRUE(N("_x"));
	CU_ASSERT_TRUE(N("9lives"));
	CU_ASSERT_TRUE(N("a.b.c"));
	CU_ASSERT_TRUE(N("trailing."));
	CU_ASSERT_TRUE(N("a.-b"));
	CU_ASSERT_TRUE(name_safe_str("vmib-test"));
}

static void name_safe_refuses_path_components(void)
{
	CU_ASSERT_FALSE(N("."));
	CU_ASSERT_FALSE(N(".."));
	CU_ASSERT_FALSE(N("..."));
	CU_ASSERT_FALSE(N(".hidden"));
	CU_ASSERT_FALSE(N("a..b"));
	CU_ASSERT_FALSE(N("a.."));
	CU_ASSERT_FALSE(N("a/b"));
	CU_ASSERT_FALSE(N("../etc"));
}

static void name_safe_refuses_options_and_empty(void)
{
	CU_ASSERT_FALSE(N("-x"));
	CU_ASSERT_FALSE(N("--help"));
	CU_ASSERT_FALSE(N("-"));
	CU_ASSERT_FALSE(N(""));
	CU_ASSERT_FALSE(name_safe(NULL, 0));
	CU_ASSERT_FALSE(name_safe_str(NULL));
}

static void name_safe_refuses_other_characters(void)
{
	static const char nul[] = {'a', '\0', 'b'};

	CU_ASSERT_FALSE(N("a b"));
	CU_ASSERT_FALSE(N("a:b"));
	CU_ASSERT_FALSE(N("a\nb"));
	CU_ASSERT_FALSE(N("caf\xc3\xa9"));
	CU_ASSERT_FALSE(N("<x>"));
	CU_ASSERT_FALSE(N("a;rm"));
	CU_ASSERT_FALSE(name_safe(nul, sizeof(nul)));
	/* the length counts: a prefix of a bad name may be good */
	CU_ASSERT_TRUE(name_safe("ab..", 2));
}

static const struct unit_test tests[] = {
	UNIT_TEST(name_safe_accepts_plain_names),
	UNIT_TEST(name_safe_refuses_path_components),
	UNIT_TEST(name_safe_refuses_options_and_empty),
	UNIT_TEST(name_safe_refuses_other_characters),
	{NULL, NULL},
};

UNIT_SUITE(common_name, NULL, NULL, tests)
