/*
 * test_manager_validate.c - vmibctl validate: which guest sends to which
 * for each shape row, the parsers of iperf3's and ping's output (iputils
 * and busybox), and the command end to end with a stand-in guest access
 * command (tests/data/validate/fake-guest) whose answers are fixed, so the
 * CSV and the verdicts can be checked exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "load.h"
#include "validate.h"
#include "testutil.h"
#include "unit.h"

#define SCHEMAS "schemas"
#define DEMO_REAL "tests/data/base/real.xml"
#define DEMO "scenarios/demo/virtual.xml"
#define P2P_REAL "scenarios/p2p-overlay/real.xml"
#define P2P "scenarios/p2p-overlay/virtual.xml"

static void validate_rows_pair_sender_and_receiver(void)
{
	struct validate v;
	struct load l;
	char a[IP4_STRLEN], b[IP4_STRLEN];

	CU_ASSERT_EQUAL_FATAL(load_files(DEMO_REAL, DEMO, SCHEMAS, &l), 0);
	CU_ASSERT_EQUAL_FATAL(l.diag.n, 0);
	validate_rows(&l.desired, &v);
	/* demo: east1 <-> west1, one row on each end */
	CU_ASSERT_EQUAL_FATAL(v.n, 2);
	CU_ASSERT_STRING_EQUAL(v.rows[0].link, "west1>east1");
	CU_ASSERT_STRING_EQUAL(v.rows[0].from->name, "west1");
	CU_ASSERT_STRING_EQUAL(v.rows[0].to->name, "east1");
	CU_ASSERT_STRING_EQUAL(v.rows[0].from_host, "h2");
	CU_ASSERT_STRING_EQUAL(v.rows[0].to_host, "h1");
	CU_ASSERT_STRING_EQUAL(ip4_format(v.rows[0].from_addr, a), "10.2.0.11");
	CU_ASSERT_STRING_EQUAL(ip4_format(v.rows[0].to_addr, b), "10.1.0.11");
	CU_ASSERT_EQUAL(v.rows[0].p->rate_kbps, 10000);
	CU_ASSERT_STRING_EQUAL(v.rows[1].from->name, "east1");
	validate_release(&v);
	load_release(&l);
}

static void validate_rows_know_the_reverse_delay(void)
{
	struct validate v;
	struct load l;
	size_t i, with_reverse = 0;

	CU_ASSERT_EQUAL_FATAL(load_files(P2P_REAL, P2P, SCHEMAS, &l), 0);
	CU_ASSERT_EQUAL_FATAL(l.diag.n, 0);
	validate_rows(&l.desired, &v);
	CU_ASSERT(v.n > 0);
	for (i = 0; i < v.n; i++) {
		CU_ASSERT_PTR_NOT_EQUAL(v.rows[i].from, v.rows[i].to);
		/* symmetric links: the reverse row has the same delay */
		if (v.rows[i].reverse_delay_us) {
			with_reverse++;
			CU_ASSERT_EQUAL(v.rows[i].reverse_delay_us, v.rows[i].p->delay_us);
		}
	}
	CU_ASSERT(with_reverse > 0);
	validate_release(&v);
	load_release(&l);
}

static void validate_parses_iperf3_and_both_pings(void)
{
	double bps = 0, avg = 0, loss = 0;

	CU_ASSERT_EQUAL(validate_parse_iperf3("{\"end\": {\"sum_sent\": {\"bits_per_second\": 1},"
					      " \"sum_received\": {\"bytes\": 9, "
					      "\"bits_per_second\": 9876543.5}}}", &bps), 0);
	CU_ASSERT_DOUBLE_EQUAL(bps, 9876543.5, 0.01);
	CU_ASSERT_EQUAL(validate_parse_iperf3("{\"error\": \"unable to connect\"}", &bps), -1);
	CU_ASSERT_EQUAL(validate_parse_ping(
		"5 packets transmitted, 5 received, 0% packet loss, time 803ms\n"
		"rtt min/avg/max/mdev = 20.112/20.480/21.003/0.312 ms\n", &avg, &loss), 0);
	CU_ASSERT_DOUBLE_EQUAL(avg, 20480, 0.5);
	CU_ASSERT_DOUBLE_EQUAL(loss, 0, 0.001);
	CU_ASSERT_EQUAL(validate_parse_ping(
		"20 packets transmitted, 19 packets received, 5% packet loss\n"
		"round-trip min/avg/max = 0.212/0.400/0.713 ms\n", &avg, &loss), 0);
	CU_ASSERT_DOUBLE_EQUAL(avg, 400, 0.5);
	CU_ASSERT_DOUBLE_EQUAL(loss, 5, 0.001);
	CU_ASSERT_EQUAL(validate_parse_ping(
		"3 packets transmitted, 0 packets received, 100% packet loss\n", &avg, &loss), 0);
	CU_ASSERT_DOUBLE_EQUAL(loss, 100, 0.001);
	CU_ASSERT_EQUAL(validate_parse_ping("ping: bad address\n", &avg, &loss), -1);
}

static int run_validate(char **words, int n, char **out, char **err)
{
	size_t ol = 0, el = 0;
	FILE *o = open_memstream(out, &ol), *e = open_memstream(err, &el);
	struct cmd_ctx ctx = { .schema_dir = SCHEMAS, .out = o, .err = e, .argc = n, .argv = words };
	int rc = cmd_validate(&ctx, NULL);

	fclose(o);
	fclose(e);
	return rc;
}

static void validate_command_writes_configured_and_measured(void)
{
	char csv[] = "/tmp/vmib-validate-XXXXXX";
	char *words[] = { (char *)"--exec", (char *)"tests/data/validate/fake-guest {addr} {vm}",
			  (char *)"--csv", csv, (char *)DEMO_REAL, (char *)DEMO };
	char *out = NULL, *err = NULL, *got;
	int fd = mkstemp(csv), rc;

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	rc = run_validate(words, 6, &out, &err);
	/* west1 loses 25% of its pings in the stand-in: not a tolerance
	 * matter, the rates (10 Mbit/s at L2) and round trips are fine */
	CU_ASSERT_EQUAL(rc, CMD_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "west1>east1 (west1 -> east1): rate 10000 kbit/s, "
					   "measured 9996 kbit/s at L2 (9560 TCP); rtt expected 0 us, "
					   "measured 400 us, loss 250 per mille\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "validate: 2 link(s), 0 out of tolerance or not measured"));
	got = testutil_read_text(csv);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got,
		"link,from,to,from_host,to_host,rate_kbps,measured_l4_kbps,measured_l2_kbps,rate_ok,"
		"delay_us,reverse_delay_us,expected_rtt_us,measured_rtt_us,rtt_ok,loss_ppm,"
		"measured_loss_ppm,error\n"
		"\"west1>east1\",west1,east1,h2,h1,10000,9560,9996,1,0,0,0,400,1,0,250000,\"\"\n"
		"\"east1>west1\",east1,west1,h1,h2,10000,9560,9996,1,0,0,0,400,1,0,0,\"\"\n");
	free(got);
	free(out);
	free(err);
	remove(csv);
}

static void validate_command_fails_when_the_guests_do_not_answer(void)
{
	char csv[] = "/tmp/vmib-validate-XXXXXX";
	char *words[] = { (char *)"--exec", (char *)"false {addr}", (char *)"--csv", csv,
			  (char *)DEMO_REAL, (char *)DEMO };
	char *out = NULL, *err = NULL;
	int fd = mkstemp(csv);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL(run_validate(words, 6, &out, &err), CMD_INCOMPLETE);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "iperf3 west1 -> east1: no result"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "validate: 2 link(s), 2 out of tolerance or not measured"));
	free(out);
	free(err);
	out = err = NULL;
	CU_ASSERT_EQUAL(run_validate(words + 2, 4, &out, &err), CMD_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--exec TEMPLATE is needed"));
	free(out);
	free(err);
	remove(csv);
}

static const struct unit_test tests[] = {
	UNIT_TEST(validate_rows_pair_sender_and_receiver),
	UNIT_TEST(validate_rows_know_the_reverse_delay),
	UNIT_TEST(validate_parses_iperf3_and_both_pings),
	UNIT_TEST(validate_command_writes_configured_and_measured),
	UNIT_TEST(validate_command_fails_when_the_guests_do_not_answer),
	{ NULL, NULL },
};

UNIT_SUITE(manager_validate, NULL, NULL, tests)
