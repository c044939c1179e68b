/*
 * test_manager_out.c - the output writer (manager/out.c): one call per
 * field serves text and JSON, JSON strings are escaped (RFC 8259 section
 * 7), commas fall where they belong, unset values print nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "unit.h"

/* run fn against a writer in mode; return what it wrote (malloc'd) */
static char *render(enum out_mode mode, void (*fn)(struct out *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct out *o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	o = out_new(mode, fp);
	fn(o);
	CU_ASSERT_EQUAL(out_free(o), 0);
	fclose(fp);
	return buf;
}

static void sample(struct out *o)
{
	out_obj_open(o, NULL);
	out_str(o, "name", "vm %s", "a1");
	out_u64(o, "vcpus", " vcpus %llu", 2);
	out_str(o, "host", " host %s", NULL);          /* unset: nothing */
	out_bool(o, "pinned", " pinned %s", true);
	out_text(o, "\n");
	out_arr_open(o, "vifs");
	out_obj_open(o, NULL);
	out_u64(o, "index", "  vif %llu\n", 1);
	out_obj_close(o);
	out_obj_open(o, NULL);
	out_u64(o, "index", "  vif %llu\n", 2);
	out_str(o, "note", NULL, "json only");
	out_obj_close(o);
	out_arr_close(o);
	out_arr_open(o, "empty");
	out_arr_close(o);
	out_obj_close(o);
}

static void out_text_mode_prints_formats(void)
{
	char *s = render(OUT_TEXT, sample);

	CU_ASSERT_STRING_EQUAL(s, "vm a1 vcpus 2 pinned yes\n  vif 1\n  vif 2\n");
	free(s);
}

static void out_json_mode_prints_members(void)
{
	char *s = render(OUT_JSON, sample);

	CU_ASSERT_STRING_EQUAL(s, "{\"name\":\"a1\",\"vcpus\":2,\"pinned\":true,"
			       "\"vifs\":[{\"index\":1},{\"index\":2,\"note\":\"json only\"}],"
			       "\"empty\":[]}\n");
	free(s);
}

static void escaping(struct out *o)
{
	out_obj_open(o, NULL);
	out_str(o, "s", NULL, "q\" b\\ n\n t\t c\x01 \xc2\xb1");
	out_obj_close(o);
}

static void out_json_escapes_strings(void)
{
	char *s = render(OUT_JSON, escaping);

	CU_ASSERT_STRING_EQUAL(s, "{\"s\":\"q\\\" b\\\\ n\\n t\\t c\\u0001 \xc2\xb1\"}\n");
	free(s);
}

static void unclosed(struct out *o)
{
	out_obj_open(o, NULL);
	out_arr_open(o, "a");
	out_u64(o, NULL, NULL, 1);
	out_u64(o, NULL, NULL, 2);
}

static void out_free_closes_open_containers(void)
{
	char *s = render(OUT_JSON, unclosed);

	CU_ASSERT_STRING_EQUAL(s, "{\"a\":[1,2]}\n");
	free(s);
}

static void out_free_reports_write_errors(void)
{
	FILE *fp = fopen("/dev/full", "w");
	struct out *o;

	if (!fp) {
		CU_FAIL("cannot open /dev/full");
		return;
	}
	o = out_new(OUT_TEXT, fp);
	out_text(o, "%s\n", "this cannot be written");
	CU_ASSERT_EQUAL(out_free(o), -1);
	fclose(fp);
	CU_ASSERT_EQUAL(out_free(NULL), 0);
}

static const struct unit_test tests[] = {
	UNIT_TEST(out_text_mode_prints_formats),
	UNIT_TEST(out_json_mode_prints_members),
	UNIT_TEST(out_json_escapes_strings),
	UNIT_TEST(out_free_closes_open_containers),
	UNIT_TEST(out_free_reports_write_errors),
	{ NULL, NULL },
};

UNIT_SUITE(manager_out, NULL, NULL, tests)
