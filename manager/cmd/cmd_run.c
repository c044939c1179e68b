/*
 * cmd_run.c - `vmibctl run [OPTIONS] [NET-SNMP FLAGS] REAL VIRTUAL
 * EXPERIMENT` (play an experiment, run.h; a plan that destroys a running
 * VM needs --yes, as for apply) and `vmibctl results DIR` (the
 * measures of a run's repetitions: min, median, max).  run makes the
 * results directory (--results BASE, default results/, then
 * EXPERIMENT-NAME/UTC-TIMESTAMP), catches SIGINT and SIGTERM to stop
 * cleanly, and picks the exit status: 0 when every command succeeded and
 * every event started in time, 4 when not, 128+N when signal N stopped it.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd_snmp.h"
#include "diag.h"
#include "experiment.h"
#include "gexec.h"
#include "mem.h"
#include "out.h"
#include "run.h"

static int mkdir_p(const char *path)
{
	char *p = mem_strdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0755) < 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

/* BASE/NAME/YYYYmmddTHHMMSSZ (with -2, -3... if that one exists) */
static char *results_dir(const char *base, const char *name)
{
	char stamp[32], *dir;
	time_t t = time(NULL);
	struct tm tm;
	int k;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	dir = mem_printf("%s/%s", base, name);
	if (mkdir_p(dir) < 0) {
		free(dir);
		return NULL;
	}
	free(dir);
	for (k = 1; k < 100; k++) {
		dir = k == 1 ? mem_printf("%s/%s/%s", base, name, stamp) :
		      mem_printf("%s/%s/%s-%d", base, name, stamp, k);
		if (mkdir(dir, 0755) == 0)
			return dir;
		free(dir);
		if (errno != EEXIST)
			return NULL;
	}
	return NULL;
}

static void on_signal(int sig)
{
	run_request_stop(sig);
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int say(const struct cmd_snmp *s, int rc, const char *fmt, const char *arg)
{
	struct out *o = out_new(OUT_TEXT, s->ctx.err);

	out_text(o, "vmibctl run: ");
	out_str(o, NULL, fmt, arg);
	out_free(o);
	return rc;
}

static int load_experiment(struct cmd_snmp *s, const char *file, struct experiment **e)
{
	struct diag d = { 0 };
	int rc = experiment_load(file, s->ctx.schema_dir, &d, e);

	experiment_check(*e, s->load.real, s->load.virt, &d);
	rc = cmd_problems(&s->ctx, rc, &d);
	diag_release(&d);
	return rc;
}

static void report(const struct cmd_snmp *s, const char *dir, const struct run_outcome *oc)
{
	struct out *o = out_new(s->ctx.json ? OUT_JSON : OUT_TEXT, s->ctx.out);
	bool ok = oc->commands_failed == 0 && oc->events_failed == 0 && oc->events_late == 0 &&
		  !oc->stopped;

	out_obj_open(o, NULL);
	out_bool(o, "ok", NULL, ok);
	out_str(o, "dir", "run: results in %s\n", dir);
	out_u64(o, "repetitions", "run: %llu repetition(s) played", oc->repetitions_done);
	out_u64(o, "commandsFailed", ", %llu command(s) failed", oc->commands_failed);
	out_u64(o, "eventsFailed", ", %llu event(s) failed", oc->events_failed);
	out_u64(o, "eventsLate", ", %llu late", oc->events_late);
	out_bool(o, "stopped", oc->stopped ? ", STOPPED by a signal" : NULL, oc->stopped);
	out_text(o, "\n");
	out_obj_close(o);
	out_free(o);
}

static int play(struct cmd_snmp *s, struct experiment *e, char **operands)
{
	struct run_ctx c = { 0 };
	struct run_outcome oc;
	char err[1024] = "", *dir;
	int rc;

	c.s = s;
	c.e = e;
	c.g = gexec_new(s->exec, NULL);
	c.files[0] = operands[0];
	c.files[1] = operands[1];
	c.files[2] = operands[2];
	c.progress = out_new(OUT_TEXT, s->ctx.err);
	c.tty = !s->ctx.json && cmd_snmp_tty(s);
	catch_signals();
	rc = run_prepare(&c, !s->no_apply, s->wait_s, err, sizeof(err)) == 0 ? CMD_OK :
	     say(s, CMD_INCOMPLETE, "%s\n", err);
	dir = rc == CMD_OK ? results_dir(s->results ? s->results : "results", e->name) : NULL;
	if (rc == CMD_OK && !dir)
		rc = say(s, CMD_FAILED, "cannot make a results directory under %s\n",
			 s->results ? s->results : "results");
	if (rc == CMD_OK) {
		c.dir = dir;
		if (run_play(&c, &oc) < 0)
			rc = say(s, CMD_FAILED, "cannot write %s/manifest.json\n", dir);
		report(s, dir, &oc);
		if (oc.stopped)
			rc = 128 + oc.signal;
		else if (rc == CMD_OK && (oc.commands_failed || oc.events_failed || oc.events_late))
			rc = CMD_INCOMPLETE;
	}
	free(dir);
	run_ctx_release(&c);
	out_free(c.progress);
	gexec_free(c.g);
	return rc;
}

int cmd_run(const struct cmd_ctx *ctx, char **operands)
{
	struct experiment *e = NULL;
	struct cmd_snmp s;
	int rc = cmd_snmp_start(ctx, "run", "[--no-apply] [--yes] [--wait S] [--results DIR] "
				"[--exec TEMPLATE] [NET-SNMP FLAGS] REAL VIRTUAL EXPERIMENT",
				OPT_NO_APPLY | OPT_YES | OPT_WAIT | OPT_RESULTS | OPT_EXEC, 3, &s);

	(void)operands;
	if (rc == CMD_OK)
		rc = load_experiment(&s, s.operands[2], &e);
	if (rc == CMD_OK && s.c)
		rc = play(&s, e, s.operands);
	experiment_free(e);
	cmd_snmp_end(&s);
	return rc;
}

int cmd_results(const struct cmd_ctx *ctx, char **operands)
{
	struct out *o = out_new(ctx->json ? OUT_JSON : OUT_TEXT, ctx->out);
	int rc = run_results_summary(operands[0], o);

	if (out_free(o) < 0)
		return CMD_FAILED;
	if (rc < 0) {
		o = out_new(OUT_TEXT, ctx->err);
		out_text(o, "vmibctl results: no DIR/rep*/measures.tsv under %s\n", operands[0]);
		out_free(o);
		return CMD_FAILED;
	}
	return CMD_OK;
}
