/*
 * test_common_log.c - the logger: level names, level and token filtering,
 * the test sink.
 */
#include <string.h>

#include "log.h"
#include "unit.h"

static char last_msg[256];
static char last_token[16];
static int n_msgs;

static void sink(int level, const char *token, const char *msg, void *opaque)
{
	(void)level;
	(void)opaque;
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
	snprintf(last_token, sizeof(last_token), "%s", token);
	n_msgs++;
}

static int setup(void)
{
	log_set_sink(sink, NULL);
	return 0;
}

static int teardown(void)
{
	log_set_sink(NULL, NULL);
	log_set_level(LOG_INFO);
	log_set_tokens("all");
	return 0;
}

static void log_level_parse_names_and_digits(void)
{
	CU_ASSERT_EQUAL(log_level_parse("err"), LOG_ERR);
	CU_ASSERT_EQUAL(log_level_parse("warning"), LOG_WARNING);
	CU_ASSERT_EQUAL(log_level_parse("WARN"), LOG_WARNING);
	CU_ASSERT_EQUAL(log_level_parse("debug"), LOG_DEBUG);
	CU_ASSERT_EQUAL(log_level_parse("6"), LOG_INFO);
	CU_ASSERT_EQUAL(log_level_parse("loud"), -1);
	CU_ASSERT_EQUAL(log_level_parse("8"), -1);
	CU_ASSERT_EQUAL(log_level_parse(""), -1);
	CU_ASSERT_STRING_EQUAL(log_level_name(LOG_NOTICE), "notice");
}

static void log_msg_below_threshold_is_dropped(void)
{
	log_set_level(LOG_NOTICE);
	log_set_tokens("all");
	n_msgs = 0;
	log_msg(LOG_INFO, "virt", "hidden");
	CU_ASSERT_EQUAL(n_msgs, 0);
	log_msg(LOG_NOTICE, "virt", "shown %d", 42);
	CU_ASSERT_EQUAL(n_msgs, 1);
	CU_ASSERT_STRING_EQUAL(last_msg, "shown 42");
	CU_ASSERT_STRING_EQUAL(last_token, "virt");
}

static void log_tokens_filter_debug_but_not_errors(void)
{
	log_set_level(LOG_DEBUG);
	CU_ASSERT_EQUAL(log_set_tokens("snmp,tc"), 0);
	n_msgs = 0;
	log_msg(LOG_DEBUG, "virt", "filtered");
	CU_ASSERT_EQUAL(n_msgs, 0);
	log_msg(LOG_DEBUG, "tc", "kept");
	CU_ASSERT_EQUAL(n_msgs, 1);
	log_msg(LOG_ERR, "virt", "errors always pass");
	CU_ASSERT_EQUAL(n_msgs, 2);
	CU_ASSERT_FALSE(log_enabled(LOG_INFO, "xml"));
	CU_ASSERT_TRUE(log_enabled(LOG_WARNING, "xml"));
}

static void log_tokens_unknown_is_rejected_and_unchanged(void)
{
	log_set_level(LOG_DEBUG);
	CU_ASSERT_EQUAL(log_set_tokens("virt"), 0);
	CU_ASSERT_EQUAL(log_set_tokens("virt,bogus"), -1);
	CU_ASSERT_EQUAL(log_tokens_check("main,ipt,xml"), 0);
	CU_ASSERT_EQUAL(log_tokens_check("nope"), -1);
	/* still only virt */
	CU_ASSERT_TRUE(log_enabled(LOG_DEBUG, "virt"));
	CU_ASSERT_FALSE(log_enabled(LOG_DEBUG, "snmp"));
	CU_ASSERT_EQUAL(log_set_tokens(""), 0);
	CU_ASSERT_TRUE(log_enabled(LOG_DEBUG, "snmp"));
}

static const struct unit_test tests[] = {
	UNIT_TEST(log_level_parse_names_and_digits),
	UNIT_TEST(log_msg_below_threshold_is_dropped),
	UNIT_TEST(log_tokens_filter_debug_but_not_errors),
	UNIT_TEST(log_tokens_unknown_is_rejected_and_unchanged),
	{NULL, NULL},
};

UNIT_SUITE(common_log, setup, teardown, tests)
