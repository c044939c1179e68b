/*
 * cmd_status.c - `vmibctl status` (one report, with rates measured over
 * --interval seconds, default 1; 0 reads once and shows no rates) and
 * `vmibctl watch` (the report refreshed every --interval seconds, default
 * 2, --count times or until interrupted; the screen is cleared between
 * reports on a terminal).  Exit 0 when every host could be read, 4 when
 * some could not.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cmd_snmp.h"
#include "out.h"
#include "plan.h"
#include "read.h"
#include "status.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	double left = t - now_s();
	struct timespec ts;

	if (left <= 0)
		return;
	ts.tv_sec = (time_t)left;
	ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* read, plan against the scenario, print; returns unreadable hosts */
static size_t report(struct cmd_snmp *s, const struct state *prev, double prev_t,
		     struct state *cur, double *cur_t)
{
	struct plan p;
	struct out *o;
	size_t bad;

	read_hosts(s->c, &s->load.desired, cur);
	*cur_t = now_s();
	plan_compute(&s->load.desired, cur, PLAN_APPLY, &p);
	o = out_new(s->ctx.json ? OUT_JSON : OUT_TEXT, s->ctx.out);
	out_obj_open(o, NULL);
	out_bool(o, "ok", NULL, p.unreadable == 0);
	if (prev)
		out_u64(o, "intervalMs", NULL, (uint64_t)((*cur_t - prev_t) * 1000 + 0.5));
	status_print(cur, prev, prev ? *cur_t - prev_t : 0, &p, o);
	out_obj_close(o);
	out_free(o);
	bad = p.unreadable;
	plan_release(&p);
	return bad;
}

int cmd_status(const struct cmd_ctx *ctx, char **operands)
{
	struct state first = { 0 }, cur = { 0 };
	double t0, t1;
	struct cmd_snmp s;
	size_t bad;
	int rc = cmd_snmp_start(ctx, "status", "[--interval SECONDS] [NET-SNMP FLAGS] REAL VIRTUAL",
				OPT_INTERVAL | OPT_REPETITIONS, 2, &s);

	(void)operands;
	if (rc != CMD_OK || !s.c) {
		cmd_snmp_end(&s);
		return rc;
	}
	if (s.interval_s < 0)
		s.interval_s = 1;
	if (s.interval_s > 0) {
		read_hosts(s.c, &s.load.desired, &first);
		t0 = now_s();
		sleep_until(t0 + s.interval_s);
		bad = report(&s, &first, t0, &cur, &t1);
	} else {
		bad = report(&s, NULL, 0, &cur, &t1);
	}
	state_release(&first);
	state_release(&cur);
	cmd_snmp_end(&s);
	return bad ? CMD_INCOMPLETE : CMD_OK;
}

int cmd_watch(const struct cmd_ctx *ctx, char **operands)
{
	struct state prev = { 0 }, cur = { 0 };
	double t_prev = 0, t_cur;
	struct cmd_snmp s;
	struct out *o;
	size_t bad = 0;
	long n;
	int rc = cmd_snmp_start(ctx, "watch", "[--interval SECONDS] [--count N] [NET-SNMP FLAGS] "
				"REAL VIRTUAL", OPT_INTERVAL | OPT_COUNT | OPT_REPETITIONS, 2, &s);

	(void)operands;
	if (rc != CMD_OK || !s.c) {
		cmd_snmp_end(&s);
		return rc;
	}
	if (s.interval_s <= 0)
		s.interval_s = 2;
	for (n = 0; s.count == 0 || n < s.count; n++) {
		if (cmd_snmp_tty(&s) && isatty(fileno(s.ctx.out))) {
			o = out_new(OUT_TEXT, s.ctx.out);
			out_text(o, "\033[H\033[2J");
			out_free(o);
		}
		bad = report(&s, n ? &prev : NULL, t_prev, &cur, &t_cur);
		state_release(&prev);
		prev = cur;
		t_prev = t_cur;
		if (s.count == 0 || n + 1 < s.count)
			sleep_until(t_cur + s.interval_s);
	}
	state_release(&prev);
	cmd_snmp_end(&s);
	return bad ? CMD_INCOMPLETE : CMD_OK;
}
