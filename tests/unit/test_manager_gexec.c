/*
 * test_manager_gexec.c - commands in guests (manager/gexec.c): the guest
 * agent's replies parsed (exit code, signal, base64 output, running),
 * the requests sent (recorded through the agent seam), the kill of a
 * session, locating the VM's host, the quoting of several words, and
 * the template way with real child processes.
 */
#include <stdlib.h>
#include <string.h>

#include "gexec.h"
#include "mem.h"
#include "unit.h"

static void gexec_parse_status_exit_and_output(void)
{
	struct gexec_result r;

	CU_ASSERT_EQUAL(gexec_parse_status("{\"return\":{\"exitcode\":3,\"err-data\":\"ZXJyCg==\","
					   "\"out-data\":\"aGVsbG8K\",\"exited\":true}}", &r), 1);
	CU_ASSERT_TRUE(r.exited);
	CU_ASSERT_EQUAL(r.status, 3);
	CU_ASSERT_STRING_EQUAL(r.out, "hello\n");
	CU_ASSERT_EQUAL(r.out_len, 6);
	CU_ASSERT_STRING_EQUAL(r.err, "err\n");
	gexec_result_release(&r);
}

static void gexec_parse_status_signal_is_128_plus(void)
{
	struct gexec_result r;

	CU_ASSERT_EQUAL(gexec_parse_status("{\"return\": {\"signal\": 15, \"exited\": true}}", &r),
			1);
	CU_ASSERT_EQUAL(r.status, 143);
	CU_ASSERT_STRING_EQUAL(r.out, "");
	gexec_result_release(&r);
}

static void gexec_parse_status_running_and_garbage(void)
{
	struct gexec_result r;

	CU_ASSERT_EQUAL(gexec_parse_status("{\"return\":{\"exited\":false}}", &r), 0);
	CU_ASSERT_EQUAL(gexec_parse_status("{\"error\":{\"class\":\"GenericError\"}}", &r), -1);
	CU_ASSERT_EQUAL(gexec_parse_status("{\"return\":{\"exited\":true}}", &r), -1);
	CU_ASSERT_EQUAL(gexec_parse_status("{\"return\":{\"exitcode\":0,\"out-data\":\"a*b\","
					   "\"exited\":true}}", &r), -1);
}

static void gexec_base64_decode_padding_and_binary(void)
{
	size_t n;
	char *s = gexec_base64_decode("AAEC/w==", 8, &n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL((unsigned char)s[3], 0xff);
	free(s);
	s = gexec_base64_decode("YWJj", 4, &n);
	CU_ASSERT_STRING_EQUAL(s, "abc");
	free(s);
	s = gexec_base64_decode("YW\\/j", 5, &n);   /* JSON-escaped '/' */
	CU_ASSERT_EQUAL(n, 3);
	free(s);
}

static void gexec_join_words_quotes_each(void)
{
	char *w[] = { (char *)"echo", (char *)"a b", (char *)"it's" };
	char *s = gexec_join_words(w, 3);

	CU_ASSERT_STRING_EQUAL(s, "'echo' 'a b' 'it'\\''s'");
	free(s);
}

static void gexec_exec_request_escapes_the_command(void)
{
	char *s = gexec_exec_request("echo \"x\"\\\n");

	CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"execute\":\"guest-exec\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"capture-output\":true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, ",\"echo \\\"x\\\"\\\\\\u000a\"]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "exec setsid /bin/sh -c"));
	free(s);
}

/* --- a recorder behind the agent seam ------------------------------------------ */

struct rec {
	char log[4096];
	int polls_running;       /* guest-exec-status answers "running" this often */
	const char *where;       /* the URI that runs the VM */
	bool full;               /* log whole requests */
};

static char *rec_command(void *opaque, const char *uri, const char *vm, const char *json,
			 int timeout_s, char *err, size_t errlen)
{
	struct rec *r = opaque;
	size_t n = strlen(r->log);

	(void)timeout_s;
	(void)err;
	(void)errlen;
	snprintf(r->log + n, sizeof(r->log) - n, "%s %s %.*s\n", uri, vm, r->full ? 4000 : 40,
		 json + 12);
	if (strstr(json, "guest-exec-status")) {
		if (r->polls_running-- > 0)
			return mem_strdup("{\"return\":{\"exited\":false}}");
		return mem_strdup("{\"return\":{\"exitcode\":0,\"out-data\":\"b2sK\",\"exited\":true}}");
	}
	return mem_strdup("{\"return\":{\"pid\":42}}");
}

static int rec_running(void *opaque, const char *uri, const char *vm, char *err, size_t errlen)
{
	struct rec *r = opaque;

	(void)vm;
	if (strcmp(uri, "down") == 0) {
		snprintf(err, errlen, "cannot connect");
		return -1;
	}
	return strcmp(uri, r->where) == 0;
}

static void gexec_agent_start_poll_kill_requests(void)
{
	struct rec r = { .polls_running = 1 };
	struct gexec_agent_ops ops = { rec_command, rec_running, NULL, &r };
	struct gexec *g = gexec_new(NULL, &ops);
	struct gexec_target t = { "vm1", "qemu+tcp://h1/system", "h1", NULL };
	struct gexec_result res;
	struct gexec_job *j;
	char err[256];

	j = gexec_start(g, &t, "sleep 9", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(gexec_poll(j, &res, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(gexec_kill(j, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(gexec_poll(j, &res, err, sizeof(err)), 1);
	CU_ASSERT_STRING_EQUAL(res.out, "ok\n");
	gexec_result_release(&res);
	CU_ASSERT_STRING_EQUAL(r.log,
		"qemu+tcp://h1/system vm1 guest-exec\",\"arguments\":{\"path\":\"/bin/sh\n"
		"qemu+tcp://h1/system vm1 guest-exec-status\",\"arguments\":{\"pid\":42\n"
		"qemu+tcp://h1/system vm1 guest-exec\",\"arguments\":{\"path\":\"/bin/sh\n"
		"qemu+tcp://h1/system vm1 guest-exec-status\",\"arguments\":{\"pid\":42\n");
	gexec_job_free(j);
	gexec_free(g);
}

static void gexec_agent_kill_targets_the_session(void)
{
	struct rec r = { .polls_running = 5 };
	struct gexec_agent_ops ops = { rec_command, rec_running, NULL, &r };
	struct gexec *g = gexec_new(NULL, &ops);
	struct gexec_target t = { "vm1", "u1", "h1", NULL };
	struct gexec_job *j;
	char err[256];

	j = gexec_start(g, &t, "sleep 9", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	r.log[0] = '\0';
	r.full = true;
	CU_ASSERT_EQUAL(gexec_kill(j, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.log, "kill -TERM -42 2>/dev/null || kill -TERM 42"));
	gexec_job_free(j);
	gexec_free(g);
}

static void gexec_locate_finds_the_running_host(void)
{
	struct rec r = { .where = "u2" };
	struct gexec_agent_ops ops = { rec_command, rec_running, NULL, &r };
	struct gexec *g = gexec_new(NULL, &ops);
	const char *uris[] = { "u1", "down", "u2" };
	char err[256] = "";

	CU_ASSERT_EQUAL(gexec_locate(g, uris, 3, "vm1", err, sizeof(err)), 2);
	r.where = "u9";
	CU_ASSERT_EQUAL(gexec_locate(g, uris, 3, "vm1", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "1 unreachable"));
	gexec_free(g);
}

static void gexec_template_runs_with_words_replaced(void)
{
	struct gexec *g = gexec_new("printf %s, {vm} {host} {addr}", NULL);
	struct gexec_target t = { "vm1", NULL, "h1", "10.0.0.1" };
	struct gexec_result r;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(gexec_run(g, &t, "echo x", 10, &r, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(r.out, "vm1,h1,10.0.0.1,echo x,");
	CU_ASSERT_EQUAL(r.status, 0);
	gexec_result_release(&r);
	gexec_free(g);
	g = gexec_new("sh -c", NULL);
	CU_ASSERT_EQUAL_FATAL(gexec_run(g, &t, "echo out; echo err >&2; exit 5", 10, &r, err,
					sizeof(err)), 0);
	CU_ASSERT_TRUE(r.exited);
	CU_ASSERT_EQUAL(r.status, 5);
	CU_ASSERT_STRING_EQUAL(r.out, "out\n");
	CU_ASSERT_STRING_EQUAL(r.err, "err\n");
	gexec_result_release(&r);
	gexec_free(g);
}

static void gexec_template_timeout_kills(void)
{
	struct gexec *g = gexec_new("sh -c", NULL);
	struct gexec_target t = { "vm1", NULL, "h1", NULL };
	struct gexec_result r;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(gexec_run(g, &t, "sleep 30", 0.2, &r, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(r.exited);
	CU_ASSERT_EQUAL(r.status, 128 + 15);
	gexec_result_release(&r);
	gexec_free(g);
}

static const struct unit_test tests[] = {
	UNIT_TEST(gexec_parse_status_exit_and_output),
	UNIT_TEST(gexec_parse_status_signal_is_128_plus),
	UNIT_TEST(gexec_parse_status_running_and_garbage),
	UNIT_TEST(gexec_base64_decode_padding_and_binary),
	UNIT_TEST(gexec_join_words_quotes_each),
	UNIT_TEST(gexec_exec_request_escapes_the_command),
	UNIT_TEST(gexec_agent_start_poll_kill_requests),
	UNIT_TEST(gexec_agent_kill_targets_the_session),
	UNIT_TEST(gexec_locate_finds_the_running_host),
	UNIT_TEST(gexec_template_runs_with_words_replaced),
	UNIT_TEST(gexec_template_timeout_kills),
	{ NULL, NULL },
};

UNIT_SUITE(manager_gexec, NULL, NULL, tests);
