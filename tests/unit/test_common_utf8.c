/*
 * test_common_utf8.c - character boundaries (utf8.h): a cut never splits a
 * character, malformed sequences count as single bytes.
 */
#include <string.h>

#include "unit.h"
#include "utf8.h"

static void utf8_prefix_never_splits_a_character(void)
{
	CU_ASSERT_EQUAL(utf8_prefix("abc", 2), 2);
	CU_ASSERT_EQUAL(utf8_prefix("abc", 10), 3);
	CU_ASSERT_EQUAL(utf8_prefix("a\xc3\xa9", 2), 1);          /* é is 2 bytes */
	CU_ASSERT_EQUAL(utf8_prefix("a\xc3\xa9", 3), 3);
	CU_ASSERT_EQUAL(utf8_prefix("\xe2\x82\xac\xe2\x82\xac", 5), 3);   /* € */
	CU_ASSERT_EQUAL(utf8_prefix("\xf0\x9f\x98\x80x", 3), 0);  /* a 4-byte emoji */
	CU_ASSERT_EQUAL(utf8_prefix("\xf0\x9f\x98\x80x", 4), 4);
}

static void utf8_char_len_counts_malformed_bytes_alone(void)
{
	CU_ASSERT_EQUAL(utf8_char_len("\xc3\xa9", 2), 2);
	CU_ASSERT_EQUAL(utf8_char_len("\xc3", 1), 1);             /* truncated */
	CU_ASSERT_EQUAL(utf8_char_len("\xc3(", 2), 1);            /* bad continuation */
	CU_ASSERT_EQUAL(utf8_char_len("\xc0\xaf", 2), 1);         /* overlong '/' */
	CU_ASSERT_EQUAL(utf8_char_len("\xed\xa0\x80", 3), 1);     /* a surrogate */
	CU_ASSERT_EQUAL(utf8_char_len("\xf4\x90\x80\x80", 4), 1); /* above U+10FFFF */
	CU_ASSERT_EQUAL(utf8_char_len("\x80", 1), 1);
}

static const struct unit_test tests[] = {
	UNIT_TEST(utf8_prefix_never_splits_a_character),
	UNIT_TEST(utf8_char_len_counts_malformed_bytes_alone),
	{NULL, NULL},
};

UNIT_SUITE(common_utf8, NULL, NULL, tests)
