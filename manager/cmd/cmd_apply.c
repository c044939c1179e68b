/*
 * cmd_apply.c - `vmibctl apply` and `vmibctl destroy`: read every host,
 * plan (plan.h), execute the plan with SETs (apply.h), then read every
 * host again to verify that it matches the scenario (apply) or holds
 * nothing of it any more (destroy), and that nothing the agents report is
 * failed.  Exit 0 only when every host was read, every SET succeeded and
 * the verification found nothing left to do; 4 otherwise.
 *
 * --wait SECONDS makes the verification wait (polling) until the hosts
 * show every change, the scenario's VMs run and their shape rows are in
 * force, or time runs out.  --timeout SECONDS bounds apply.h's waits (a
 * replaced VM going away, a migration).
 *
 * A plan with items that destroy a running VM (plan.h) is carried out
 * only when it was reviewed: --yes, a "yes" typed at the question asked
 * on a terminal, or --reviewed FILE with FILE written by `plan --save`
 * and the plan computed now exactly that text.  Otherwise apply refuses,
 * changes nothing and exits 4.  --reviewed also refuses any plan that is
 * not the reviewed one, destroying or not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "cmd_snmp.h"
#include "mem.h"
#include "out.h"
#include "plan.h"
#include "read.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec t = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&t, NULL);
}

static unsigned plan_flags(const struct cmd_snmp *s)
{
	return s->keep_moved ? PLAN_KEEP_MOVED : 0;
}

/* --- review -------------------------------------------------------------------------- */

/* the text of the reviewed plan file, or NULL (said why in *why) */
static char *read_reviewed(const char *path, char **why)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int ch;

	if (!fp) {
		*why = mem_printf("cannot read the reviewed plan %s", path);
		return NULL;
	}
	mem = open_memstream(&buf, &len);
	while ((ch = fgetc(fp)) != EOF)
		fputc(ch, mem);
	fclose(fp);
	fclose(mem);
	return buf;
}

/* NULL when plan p may be carried out, else why not (malloc'd) */
static char *refusal(const struct cmd_snmp *s, const struct plan *p)
{
	char *why = NULL, *saved, *now;

	if (s->reviewed) {
		saved = read_reviewed(s->reviewed, &why);
		if (!saved)
			return why;
		now = plan_text(p);
		if (strcmp(saved, now) != 0)
			why = mem_printf("the plan is not the one reviewed in %s (the hosts or the "
					 "files changed since `vmibctl plan --save`): review it again",
					 s->reviewed);
		free(saved);
		free(now);
		return why;
	}
	return cmd_snmp_confirm_destroys(s, "apply", p->destroys_running, true,
					 "run again with --yes, or review the plan with `vmibctl "
					 "plan --save FILE` and apply it with --reviewed FILE");
}

/* --- what the agents report ------------------------------------------------------- */

static bool vm_running(int state)
{
	return state == 0 || state == VMIB_ENUM_vmibVmOperState_running ||
	       state == VMIB_ENUM_vmibVmOperState_blocked;
}

/* VMIB-MIB vmibVmGuestState: booting until the guest's ready line; an agent
 * that keeps no console says unknown, and then libvirt's state is all */
static bool guest_booting(const struct state_vm *vm)
{
	return vm->oper.guest_state == VMIB_ENUM_vmibVmGuestState_booting;
}

/* the scenario's VMs run, their guests are up, their rows no longer pending */
static bool settled(const struct plan *p)
{
	size_t h, i;

	for (h = 0; h < p->n_hosts; h++) {
		for (i = 0; i < p->hosts[h].n_items; i++) {
			const struct plan_item *it = &p->hosts[h].items[i];

			if (it->have_vm && (!vm_running(it->have_vm->oper.state) ||
					    guest_booting(it->have_vm)))
				return false;
			if (it->have_shape &&
			    it->have_shape->oper.status == VMIB_ENUM_vmibShapeOperStatus_pending)
				return false;
		}
	}
	return true;
}

static const char *oper_name(enum mibcol_id c, int v)
{
	const char *s = mibcol_enum_name(c, v);

	return s ? s : "?";
}

static void problem(struct out *o, size_t *n, const char *host, char *text)
{
	out_text(o, "%s: problem: ", host);
	out_str(o, NULL, "%s\n", text);
	(*n)++;
	free(text);
}

static bool bad_status(int st)
{
	return st == VMIB_ENUM_vmibShapeOperStatus_failed ||
	       st == VMIB_ENUM_vmibShapeOperStatus_unsupported;
}

/* failures the agents report for the scenario's rows */
static size_t oper_problems(const struct plan *p, struct out *o, bool waited)
{
	size_t h, i, n = 0;

	out_arr_open(o, "problems");
	for (h = 0; h < p->n_hosts; h++) {
		const char *host = p->hosts[h].want->name;
		const struct state_host *hh = p->hosts[h].have;

		if (hh->oper.read && bad_status(hh->oper.isolation_oper))
			problem(o, &n, host, mem_printf("isolation is %s: %s",
				oper_name(COL_ISOLATION_OPER, hh->oper.isolation_oper),
				hh->oper.last_error ? hh->oper.last_error : ""));
		for (i = 0; i < p->hosts[h].n_items; i++) {
			const struct plan_item *it = &p->hosts[h].items[i];
			char *t = plan_item_title(it);

			if (it->have_vm && (it->have_vm->oper.state == VMIB_ENUM_vmibVmOperState_crashed ||
					    (waited && !vm_running(it->have_vm->oper.state))))
				problem(o, &n, host, mem_printf("%s is %s%s%s", t,
					oper_name(COL_VM_OPER, it->have_vm->oper.state),
					it->have_vm->oper.last_error && *it->have_vm->oper.last_error ?
					": " : "", it->have_vm->oper.last_error ?
					it->have_vm->oper.last_error : ""));
			else if (waited && it->have_vm && guest_booting(it->have_vm))
				problem(o, &n, host, mem_printf("%s runs, but its guest is not up "
					"(vmibVmGuestState booting: no ready line on its console yet)", t));
			if (it->have_shape && bad_status(it->have_shape->oper.status))
				problem(o, &n, host, mem_printf("%s is %s: %s", t,
					oper_name(COL_SHAPE_OPER, it->have_shape->oper.status),
					it->have_shape->oper.last_error ? it->have_shape->oper.last_error : ""));
			if (it->have_rule && bad_status(it->have_rule->oper.status))
				problem(o, &n, host, mem_printf("%s is %s: %s", t,
					oper_name(COL_ISOL_OPER, it->have_rule->oper.status),
					it->have_rule->oper.last_error ? it->have_rule->oper.last_error : ""));
			free(t);
		}
	}
	out_arr_close(o);
	return n;
}

/* changes a plan still has: printed as "h1: not done: ..." */
static size_t left_over(const struct plan *p, struct out *o)
{
	size_t h, i, n = 0;

	out_arr_open(o, "notDone");
	for (h = 0; h < p->n_hosts; h++) {
		for (i = 0; i < p->hosts[h].n_items; i++) {
			const struct plan_item *it = &p->hosts[h].items[i];
			char *t;

			if (it->op == PLAN_UNCHANGED)
				continue;
			t = plan_item_title(it);
			out_text(o, "%s: not done: %s ", p->hosts[h].want->name, plan_op_name(it->op));
			out_str(o, NULL, "%s\n", t);
			free(t);
			n++;
		}
		if (!p->hosts[h].have->oper.read) {
			out_text(o, "%s: not verified: ", p->hosts[h].want->name);
			out_str(o, NULL, "%s\n", p->hosts[h].have->oper.error);
			n++;
		}
	}
	out_arr_close(o);
	return n;
}

/* what is not done and what the agents report as failed, from plan p */
static size_t report_check(const struct plan *p, enum plan_mode mode, bool waited, double t0,
			   struct out *o)
{
	size_t n;

	out_obj_open(o, "verify");
	n = left_over(p, o);
	if (mode == PLAN_APPLY)
		n += oper_problems(p, o, waited);
	out_bool(o, "ok", NULL, n == 0);
	out_u64(o, "ms", NULL, (uint64_t)((now_s() - t0) * 1000));
	if (n == 0)
		out_text(o, "verify: every host %s (%.2f s)\n", mode == PLAN_APPLY ?
			 "matches the scenario" : "is clear of the scenario", now_s() - t0);
	out_obj_close(o);
	return n;
}

/*
 * Read again and check; returns what is wrong.  With --wait, read until
 * the hosts show what was done and the scenario's VMs run with their
 * shape rows in force (an agent may show a change a moment after it
 * answered the SET), unless a SET failed and what is left cannot come.
 * When no SET was sent, the first read (`before`) is checked as it is,
 * unless there is something to wait for.
 */
static size_t verify(struct cmd_snmp *s, enum plan_mode mode, bool sets_failed,
		     const struct plan *before, struct out *o)
{
	double t0 = now_s(), deadline = t0 + s->wait_s;
	struct state cur;
	struct plan p;
	size_t n;

	if (before && (s->wait_s <= 0 || mode == PLAN_DESTROY || settled(before)))
		return report_check(before, mode, s->wait_s > 0, t0, o);
	for (;;) {
		bool done;

		read_hosts(s->c, &s->load.desired, &cur);
		plan_compute_flags(&s->load.desired, &cur, mode, plan_flags(s), &p);
		done = plan_pending(&p) == 0 && (mode == PLAN_DESTROY || settled(&p));
		if (done || s->wait_s <= 0 || p.unreadable > 0 || now_s() >= deadline ||
		    (plan_pending(&p) > 0 && sets_failed))
			break;
		plan_release(&p);
		state_release(&cur);
		sleep_s(0.1);
	}
	n = report_check(&p, mode, s->wait_s > 0, t0, o);
	plan_release(&p);
	state_release(&cur);
	return n;
}

/* --- the commands ----------------------------------------------------------------- */

static void run_dry(struct cmd_snmp *s, const struct plan *p, struct out *o)
{
	struct apply_opts opts = { true, s->max_varbinds, APPLY_QUIET, NULL, s->timeout_s };
	struct apply_report rep;

	out_obj_open(o, "sets");
	apply_run(s->c, p, &opts, o, &rep);
	out_obj_close(o);
	apply_report_release(&rep);
}

static size_t run_sets(struct cmd_snmp *s, const struct plan *p, struct out *o)
{
	struct out *po = out_new(OUT_TEXT, s->ctx.err);
	struct apply_opts opts = { false, s->max_varbinds, APPLY_QUIET, po, s->timeout_s };
	struct apply_report rep;
	size_t bad;

	if (s->verbose)
		opts.progress = APPLY_LINES;
	else if (!s->ctx.json && cmd_snmp_tty(s))
		opts.progress = APPLY_LIVE;
	bad = apply_run(s->c, p, &opts, o, &rep);
	out_free(po);
	out_obj_open(o, "apply");
	apply_report_print(&rep, o);
	out_u64(o, "changes", NULL, rep.ok);
	out_u64(o, "failed", NULL, rep.failed);
	out_u64(o, "skipped", NULL, rep.skipped);
	out_u64(o, "ms", NULL, (uint64_t)(rep.seconds * 1000 + 0.5));
	out_obj_close(o);
	apply_report_release(&rep);
	return bad;
}

static int run(const struct cmd_ctx *ctx, enum plan_mode mode)
{
	const char *name = mode == PLAN_APPLY ? "apply" : "destroy";
	double t0 = now_s();
	struct state cur = { 0 };
	struct plan p = { 0 };
	struct cmd_snmp s;
	size_t bad = 0;
	char *refused = NULL;
	struct out *o;
	int rc = cmd_snmp_start(ctx, name, mode == PLAN_APPLY ?
				"[--dry-run] [--verbose] [--wait SECONDS] [--timeout SECONDS] "
				"[--max-varbinds N] [--yes | --reviewed FILE] [--keep-moved] "
				"[NET-SNMP FLAGS] REAL VIRTUAL" :
				"[--dry-run] [--verbose] [--wait SECONDS] [--timeout SECONDS] "
				"[--max-varbinds N] [NET-SNMP FLAGS] REAL VIRTUAL", OPT_DRY_RUN |
				OPT_VERBOSE | OPT_WAIT | OPT_MAX_VARBINDS | OPT_REPETITIONS | OPT_TIMEOUT |
				(mode == PLAN_APPLY ? OPT_YES | OPT_REVIEWED | OPT_KEEP_MOVED : 0), 2, &s);

	if (rc != CMD_OK || !s.c) {
		cmd_snmp_end(&s);
		return rc;
	}
	read_hosts(s.c, &s.load.desired, &cur);
	plan_compute_flags(&s.load.desired, &cur, mode, plan_flags(&s), &p);
	o = out_new(s.ctx.json ? OUT_JSON : OUT_TEXT, s.ctx.out);
	out_obj_open(o, NULL);
	out_obj_open(o, "plan");
	plan_print(&p, o, false);
	out_obj_close(o);
	bad = p.unreadable;
	if (!s.dry_run && mode == PLAN_APPLY)
		refused = refusal(&s, &p);
	if (s.dry_run) {
		run_dry(&s, &p, o);
	} else if (refused) {
		out_str(o, "refused", "apply: REFUSED, nothing was changed: %s\n", refused);
		bad++;
	} else {
		bool sent = plan_pending(&p) > 0;
		size_t failed = sent ? run_sets(&s, &p, o) : 0;

		bad += failed + verify(&s, mode, failed > 0, sent ? NULL : &p, o);
	}
	out_bool(o, "ok", NULL, bad == 0);
	out_u64(o, "ms", NULL, (uint64_t)((now_s() - t0) * 1000 + 0.5));
	if (!s.dry_run && !refused)
		out_text(o, "%s: %s (%.2f s)\n", name, bad == 0 ? "done, every host converged" :
			 "INCOMPLETE: see the errors above; running it again retries", now_s() - t0);
	free(refused);
	out_obj_close(o);
	rc = out_free(o) < 0 ? CMD_FAILED : bad ? CMD_INCOMPLETE : CMD_OK;
	plan_release(&p);
	state_release(&cur);
	cmd_snmp_end(&s);
	return rc;
}

int cmd_apply(const struct cmd_ctx *ctx, char **operands)
{
	(void)operands;
	return run(ctx, PLAN_APPLY);
}

int cmd_destroy(const struct cmd_ctx *ctx, char **operands)
{
	(void)operands;
	return run(ctx, PLAN_DESTROY);
}
