/*
 * run.c - the engine of `vmibctl run` (run.h): the repetitions, setup,
 * the timeline's events, the commands in the guests (all at once, polled
 * in one loop that also samples), the collection.  The scenario changes
 * are in run_scenario.c, the sampling in run_sample.c, the files of the
 * results directory in run_files.c.  It never prints but through the
 * progress writer.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd_snmp.h"
#include "env.h"
#include "experiment.h"
#include "gexec.h"
#include "mem.h"
#include "out.h"
#include "run_int.h"
#include "timeline.h"

#define RUN_POLL_S 0.1
#define RUN_KILL_GRACE_S 5.0
#define RUN_POLL_GRACE_S 60.0

static volatile sig_atomic_t run_stop_signal;

void run_request_stop(int sig)
{
	run_stop_signal = sig;
}

bool run_stopping(void)
{
	return run_stop_signal != 0;
}

double run_mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

double run_now(struct run *r)
{
	return run_mono() - r->t0;
}

static void run_nap(double s)
{
	struct timespec t = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&t, NULL);
}

/* --- where a VM is ------------------------------------------------------------- */

/* the VM's host in the desired state (moves with migrate events) */
static const struct real_host *run_vm_host(struct run *r, const char *vm)
{
	const struct state *d = &r->c->s->load.desired;
	size_t h, i;

	for (h = 0; h < d->n_hosts; h++)
		for (i = 0; i < d->hosts[h].n_vms; i++)
			if (strcmp(d->hosts[h].vms[i].name, vm) == 0)
				return env_real_host(r->c->s->load.real, d->hosts[h].name);
	return NULL;
}

static void run_target(struct run *r, const char *vm, struct gexec_target *t, char *addr)
{
	const struct real_host *h = run_vm_host(r, vm);
	const struct virt_vm *v = env_virt_vm(r->c->s->load.virt, vm);

	t->vm = vm;
	t->uri = h ? h->libvirt : NULL;
	t->host = h ? h->name : NULL;
	t->addr = NULL;
	if (v && v->n_ifaces && v->ifaces[0].has_addr) {
		ip4_format(v->ifaces[0].addr, addr);
		t->addr = addr;
	}
}

/* each guest's kernel (uname -r), for the manifest; NULL where it failed */
static void run_guest_kernels(struct run *r)
{
	const struct virt_env *v = r->c->s->load.virt;
	char addr[IP4_STRLEN], err[1024];
	struct gexec_target t;
	struct gexec_result res;
	size_t i;

	r->guest_kernels = mem_alloc((v->n_vms + 1) * sizeof(*r->guest_kernels));
	for (i = 0; i < v->n_vms && !run_stopping(); i++) {
		run_target(r, v->vms[i].name, &t, addr);
		if (gexec_run(r->c->g, &t, "uname -r", 20, &res, err, sizeof(err)) == 0 &&
		    res.exited && res.status == 0) {
			res.out[strcspn(res.out, "\n")] = '\0';
			r->guest_kernels[i] = mem_strdup(res.out);
		}
		gexec_result_release(&res);
	}
}

int run_wait_guest(struct run *r, const char *vm, double limit_s, char *err, size_t errlen)
{
	double deadline = run_mono() + limit_s;
	char addr[IP4_STRLEN];
	struct gexec_target t;
	struct gexec_result res;

	for (;;) {
		run_target(r, vm, &t, addr);
		if (gexec_run(r->c->g, &t, "true", 10, &res, err, errlen) == 0 && res.exited &&
		    res.status == 0) {
			gexec_result_release(&res);
			return 0;
		}
		gexec_result_release(&res);
		if (run_mono() > deadline || run_stopping()) {
			size_t n = strlen(err);

			snprintf(err + n, errlen - n, " (VM %s, waited %.0f s)", vm, limit_s);
			return -1;
		}
		run_nap(0.5);
	}
}

/* --- commands ---------------------------------------------------------------- */

struct run_job *run_job_start(struct run *r, const char *name, const char *vm,
				     const char *text, double timeout_s, bool may_fail)
{
	struct run_job *j = MEM_PUSH(r->jobs, r->n_jobs);
	char addr[IP4_STRLEN], err[1024];
	struct gexec_target t;

	j->name = mem_strdup(name);
	j->vm = mem_strdup(vm);
	j->may_fail = may_fail;
	j->start_s = run_now(r);
	j->deadline_s = timeout_s > 0 ? j->start_s + timeout_s : 0;
	run_target(r, vm, &t, addr);
	j->job = gexec_start(r->c->g, &t, text, err, sizeof(err));
	if (!j->job) {
		j->done = true;
		j->error = mem_strdup(err);
		j->end_s = j->start_s;
		run_job_finished(r, j);
	}
	return j;
}

/*
 * Where VM vm runs now, looked up on every host of the real environment:
 * its libvirt URI, or NULL (not found, or no host answered).  For a VM
 * that someone else moved (vmibctl migrate, virsh): the desired state
 * still names its old host.
 */
static const char *run_vm_locate(struct run *r, const char *vm)
{
	const struct real_env *re = r->c->s->load.real;
	const char **uris = mem_alloc((re->n_hosts + 1) * sizeof(*uris));
	char err[512];
	const char *uri = NULL;
	size_t i;
	int at;

	for (i = 0; i < re->n_hosts; i++)
		uris[i] = re->hosts[i].libvirt;
	at = gexec_locate(r->c->g, uris, re->n_hosts, vm, err, sizeof(err));
	if (at >= 0)
		uri = re->hosts[at].libvirt;
	free(uris);
	return uri;
}

/*
 * A poll that failed is tried again for a while, at the host where the VM
 * runs now: the guest agent's table of commands is in the guest's memory
 * and moves with it in a live migration, so the command goes on there.
 * The host is the one the run moved it to, or, when the VM is not there
 * (moved by someone else), the one that runs it.
 */
static bool run_job_poll_again(struct run *r, struct run_job *j)
{
	const struct real_host *h = run_vm_host(r, j->vm);
	const char *uri = run_vm_locate(r, j->vm);

	if (j->poll_error_s == 0)
		j->poll_error_s = run_now(r);
	if (uri)
		gexec_job_retarget(j->job, uri);
	else if (h)
		gexec_job_retarget(j->job, h->libvirt);
	return run_now(r) - j->poll_error_s < RUN_POLL_GRACE_S;
}

static void run_job_poll(struct run *r, struct run_job *j)
{
	char err[1024];
	int rc;

	/* not while the run migrates its VM: a guest-exec-status answered by
	 * the guest just before it stops on the source is lost with the
	 * source's channel, and qemu-ga forgets a command once it has
	 * reported its exit */
	if (j->done || (r->migrating && strcmp(r->migrating, j->vm) == 0))
		return;
	rc = gexec_poll(j->job, &j->res, err, sizeof(err));
	/* an agent that does not know the pid has reported its end already
	 * (to a poll whose answer was lost): no use asking again */
	if (rc < 0 && !strstr(err, "Invalid parameter 'pid'") && run_job_poll_again(r, j))
		return;
	if (rc >= 0)
		j->poll_error_s = 0;
	if (rc == 0 && j->deadline_s > 0 && !j->killed && run_now(r) > j->deadline_s) {
		gexec_kill(j->job, err, sizeof(err));
		j->killed = true;
		j->timed_out = true;
		j->kill_s = run_now(r);
	}
	if (rc == 0 && j->killed && run_now(r) > j->kill_s + RUN_KILL_GRACE_S) {
		rc = -1;
		snprintf(err, sizeof(err), "still running %.0f s after it was stopped",
			 RUN_KILL_GRACE_S);
	}
	if (rc == 0)
		return;
	j->done = true;
	j->end_s = run_now(r);
	if (rc < 0)
		j->error = mem_strdup(err);
	gexec_job_free(j->job);
	j->job = NULL;
	run_job_finished(r, j);
}

/* stop every command still running (a stop request or the end of a repetition) */
static void run_kill_all(struct run *r)
{
	char err[1024];
	size_t i;

	for (i = 0; i < r->n_jobs; i++) {
		struct run_job *j = &r->jobs[i];

		if (!j->done && !j->killed) {
			gexec_kill(j->job, err, sizeof(err));
			j->killed = true;
			j->kill_s = run_now(r);
		}
	}
}

/* one turn of the loop: sample when due, poll the commands, show progress */
void run_tick(struct run *r)
{
	size_t i;

	if (run_stopping() && !r->killed_all) {
		run_kill_all(r);
		r->killed_all = true;
	}
	run_sample_due(r);
	for (i = 0; i < r->n_jobs; i++)
		run_job_poll(r, &r->jobs[i]);
	run_progress(r);
}

static bool run_jobs_done(const struct run *r, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (!r->jobs[i].done)
			return false;
	return true;
}

/* until jobs [from, to) are done (or the deadline passes: 0 for none) */
void run_wait_jobs(struct run *r, size_t from, size_t to, double deadline_s)
{
	for (;;) {
		run_tick(r);
		if (run_jobs_done(r, from, to))
			return;
		if (deadline_s > 0 && run_now(r) > deadline_s)
			return;
		run_nap(RUN_POLL_S);
	}
}

static int run_jobs_status(const struct run *r, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (!r->jobs[i].done || run_job_failed(&r->jobs[i]))
			return -1;
	return 0;
}

/* --- setup ------------------------------------------------------------------------ */

static int run_setup(struct run *r)
{
	size_t i, k, from;
	char name[32];

	for (i = 0; i < r->c->e->n_setup && !run_stopping(); i++) {
		const struct exp_cmd *cmd = &r->c->e->setup[i];

		snprintf(name, sizeof(name), "setup-%zu", i + 1);
		r->current = name;
		from = r->n_jobs;
		for (k = 0; k < cmd->who.n_names; k++)
			run_job_start(r, name, cmd->who.names[k], cmd->text, cmd->timeout_us / 1e6,
				      false);
		run_wait_jobs(r, from, r->n_jobs, 0);
		if (run_jobs_status(r, from, r->n_jobs) < 0) {
			r->rr->setup_failed = true;
			return -1;
		}
	}
	return run_stopping() ? -1 : 0;
}

/* --- the timeline's events ---------------------------------------------------------------- */

static int run_event_run(struct run *r, struct exp_event *ev)
{
	size_t from = r->n_jobs, k;

	for (k = 0; k < ev->who.n_names; k++)
		run_job_start(r, ev->name, ev->who.names[k], ev->text, ev->timeout_us / 1e6,
			      ev->may_fail);
	if (ev->background)
		return 0;
	run_wait_jobs(r, from, r->n_jobs, 0);
	return run_jobs_status(r, from, r->n_jobs);
}

static int run_event_wait(struct run *r, struct exp_event *ev)
{
	double deadline = run_now(r) + ev->timeout_us / 1e6;
	size_t i;

	if (ev->wait == EXP_WAIT_DURATION) {
		double until = run_now(r) + ev->duration_us / 1e6;

		while (run_now(r) < until && !run_stopping()) {
			run_tick(r);
			run_nap(RUN_POLL_S);
		}
		return 0;
	}
	for (;;) {
		bool left = false;

		for (i = 0; i < r->n_jobs; i++)
			if (!r->jobs[i].done && (ev->wait == EXP_WAIT_BACKGROUND ||
						 strcmp(r->jobs[i].name, ev->wait_for) == 0))
				left = true;
		if (!left)
			return 0;
		if (run_now(r) > deadline || run_stopping()) {
			run_set_detail(r, mem_printf("wait: still running after %.0f s",
						     ev->timeout_us / 1e6));
			return -1;
		}
		run_tick(r);
		run_nap(RUN_POLL_S);
	}
}

static int tl_play(void *opaque, size_t i)
{
	struct run *r = opaque;
	struct exp_event *ev = &r->c->e->events[i];

	r->current_event = i;
	r->current = ev->kind == EXP_RUN ? ev->name : experiment_kind_name(ev->kind);
	run_progress_event(r, i);
	switch (ev->kind) {
	case EXP_RUN:
		return run_event_run(r, ev);
	case EXP_WAIT:
		return run_event_wait(r, ev);
	default:
		return run_scenario_event(r, ev);
	}
}

static double tl_now(void *opaque)
{
	return run_now(opaque);
}

static void tl_sleep_until(void *opaque, double t)
{
	struct run *r = opaque;

	while (run_now(r) < t && !run_stopping()) {
		double left = t - run_now(r);

		run_tick(r);
		run_nap(left < RUN_POLL_S ? (left > 0 ? left : 0) : RUN_POLL_S);
	}
}

static bool tl_stopped(void *opaque)
{
	(void)opaque;
	return run_stopping();
}

static const struct timeline_ops run_tl_ops = { tl_now, tl_sleep_until, tl_play, tl_stopped };

/* --- collection ------------------------------------------------------------------------------- */

static void run_collect(struct run *r)
{
	size_t i, k;

	for (i = 0; i < r->c->e->n_collect; i++) {
		const struct exp_collect *c = &r->c->e->collect[i];

		for (k = 0; k < c->who.n_names; k++)
			run_fetch_file(r, c->who.names[k], c->path);
	}
}

/* --- a repetition ---------------------------------------------------------------------------- */

static void run_rep_release(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n_jobs; i++) {
		gexec_job_free(r->jobs[i].job);
		gexec_result_release(&r->jobs[i].res);
		free(r->jobs[i].name);
		free(r->jobs[i].vm);
		free(r->jobs[i].error);
		free(r->jobs[i].path);
	}
	free(r->jobs);
	r->jobs = NULL;
	r->n_jobs = 0;
	run_sample_end(r);
}

static void run_rep(struct run *r, struct run_rep_result *rr)
{
	size_t from;

	r->t0 = run_mono();
	r->killed_all = false;
	run_rep_begin(r, rr);
	run_scenario_restore(r);    /* each repetition from the scenario as written */
	if (run_setup(r) == 0) {
		r->t0 = run_mono();     /* the timeline's offsets count from here */
		run_sample_begin(r);
		timeline_play(r->c->e, &run_tl_ops, r, rr->rec, &rr->sum);
	}
	/* background commands the timeline did not wait for: stopped */
	from = 0;
	if (!run_jobs_done(r, from, r->n_jobs)) {
		run_kill_all(r);
		run_wait_jobs(r, from, r->n_jobs, run_now(r) + RUN_KILL_GRACE_S + 1);
	}
	if (!run_stopping())
		run_collect(r);
	run_rep_end(r, rr);
	run_rep_release(r);
}

int run_play(struct run_ctx *c, struct run_outcome *o)
{
	struct run r = { 0 };
	unsigned k;
	int rc;

	memset(o, 0, sizeof(*o));
	r.c = c;
	r.reps = mem_alloc(c->e->repetitions * sizeof(*r.reps));
	run_manifest_hosts(&r);
	run_guest_kernels(&r);
	for (k = 0; k < c->e->repetitions && !run_stopping(); k++) {
		r.rep = k + 1;
		r.reps[k].rec = mem_alloc((c->e->n_events + 1) * sizeof(*r.reps[k].rec));
		run_rep(&r, &r.reps[k]);
		o->repetitions_done++;
		o->commands_failed += r.reps[k].commands_failed;
		o->events_failed += r.reps[k].sum.failed;
		o->events_late += r.reps[k].sum.late;
		if (r.reps[k].setup_failed)
			o->events_failed++;
	}
	o->stopped = run_stopping();
	o->signal = run_stop_signal;
	rc = run_manifest_write(&r, o);
	run_scenario_restore(&r);
	for (k = 0; k < c->e->repetitions; k++)
		run_rep_result_release(&r.reps[k], c->e->n_events);
	free(r.reps);
	run_release(&r);
	return rc;
}
