/*
 * test_manager_diag.c - problems are safe to print (diag.h): no value can
 * forge a line or make the text or JSON output invalid UTF-8, long values
 * are cut on a character boundary, and identical problems are kept once,
 * in linear time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "out.h"
#include "unit.h"
#include "utf8.h"

static int valid_utf8(const char *s)
{
	size_t n = strlen(s), i = 0, k;

	while (i < n) {
		k = utf8_char_len(s + i, n - i);
		if (k == 1 && (unsigned char)s[i] >= 0x80)
			return 0;
		i += k;
	}
	return 1;
}

static void diag_clean_escapes_controls_and_bad_bytes(void)
{
	char *s = diag_clean("bandwidth '10\nv.xml:1: vm: forged\r\t\x1b[31m'", 1000);

	CU_ASSERT_STRING_EQUAL(s, "bandwidth '10\\nv.xml:1: vm: forged\\r\\t\\x1b[31m'");
	free(s);
	s = diag_clean("unit 'ms\xc3' and '\xff\xfe' but '\xc3\xa9' stays", 1000);
	CU_ASSERT_STRING_EQUAL(s, "unit 'ms\\xc3' and '\\xff\\xfe' but '\xc3\xa9' stays");
	CU_ASSERT_TRUE(valid_utf8(s));
	free(s);
}

static void diag_clean_cuts_long_values_on_a_boundary(void)
{
	char in[600], *s;
	size_t i;

	/* 'x' then 200 two-byte characters: the cut must fall between them */
	strcpy(in, "name 'x");
	for (i = 0; i < 200; i++)
		strcat(in, "\xc3\xa9");
	strcat(in, "' is used twice");
	s = diag_clean(in, 1000);
	CU_ASSERT_TRUE(valid_utf8(s));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "...' is used twice"));
	CU_ASSERT_TRUE(strlen(s) <= strlen("name '' is used twice...") + DIAG_VALUE_MAX);
	free(s);
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	s = diag_clean(in, 100);
	CU_ASSERT_TRUE(strlen(s) <= 103);   /* at most 100 bytes, and "..." */
	CU_ASSERT_TRUE(strlen(s) >= 99);
	CU_ASSERT_STRING_EQUAL(s + strlen(s) - 3, "...");
	free(s);
	/* escapes count: bytes that are not UTF-8 become 4 characters each */
	memset(in, 0xff, sizeof(in) - 1);
	in[0] = 'a';   /* so that the escapes do not end on the limit */
	s = diag_clean(in, 100);
	CU_ASSERT_TRUE(strlen(s) <= 103);
	free(s);
}

static void diag_add_output_is_one_line_per_problem_and_valid_json(void)
{
	struct diag d = {0};
	char *buf = NULL;
	size_t len = 0, lines = 0, i;
	FILE *fp = open_memstream(&buf, &len);
	struct out *o;

	diag_add(&d, "v.xml", 3, "link", "bandwidth '%s': bad", "1\nv.xml:9: vm: forged");
	diag_add(&d, "v.xml", 4, "li\nnk", "delay '%s'", "ms\xc3");
	o = out_new(OUT_TEXT, fp);
	diag_print(&d, o);
	out_free(o);
	fflush(fp);
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	CU_ASSERT_EQUAL(lines, 2);
	CU_ASSERT_TRUE(valid_utf8(buf));
	fclose(fp);
	free(buf);
	buf = NULL;
	fp = open_memstream(&buf, &len);
	o = out_new(OUT_JSON, fp);
	out_obj_open(o, NULL);
	diag_print(&d, o);
	out_obj_close(o);
	out_free(o);
	fclose(fp);
	CU_ASSERT_TRUE(valid_utf8(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "'ms\\\\xc3'"));
	free(buf);
	diag_release(&d);
}

static void diag_add_keeps_identical_problems_once(void)
{
	struct diag d = {0};
	unsigned i;

	for (i = 0; i < 100000; i++)
		diag_add(&d, "v.xml", i % 1000, "vm", "name 'v%u' is already used", i % 500);
	CU_ASSERT_EQUAL(d.n, 1000);   /* (line, name) pairs: lcm(1000, 500) */
	diag_sort(&d);
	diag_add(&d, "v.xml", 5, "vm", "name 'v5' is already used");
	CU_ASSERT_EQUAL(d.n, 1000);   /* still found after the sort */
	diag_add(&d, "v.xml", 5, "vm", "another");
	CU_ASSERT_EQUAL(d.n, 1001);
	diag_release(&d);
}

static const struct unit_test tests[] = {
	UNIT_TEST(diag_clean_escapes_controls_and_bad_bytes),
	UNIT_TEST(diag_clean_cuts_long_values_on_a_boundary),
	UNIT_TEST(diag_add_output_is_one_line_per_problem_and_valid_json),
	UNIT_TEST(diag_add_keeps_identical_problems_once),
	{NULL, NULL},
};

UNIT_SUITE(manager_diag, NULL, NULL, tests)
