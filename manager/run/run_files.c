/*
 * run_files.c - what `vmibctl run` writes (the layout is in run.h): each
 * command's output and status as it finishes, the collected files, the
 * measures of each repetition, the progress on the terminal, and the
 * manifest at the end; and `vmibctl results`, which reads the measures
 * back.  It owns the results directory's contents; the directory itself
 * is made by cmd_run.c.
 */
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "cmd_snmp.h"
#include "env.h"
#include "experiment.h"
#include "gexec.h"
#include "mem.h"
#include "out.h"
#include "run_int.h"
#include "sha256.h"

#ifndef VMIB_VERSION
#define VMIB_VERSION "0.1"
#endif

static char *rf_utc(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return mem_strdup(buf);
}

static int rf_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fwrite(data, 1, len, f) == len ? 0 : -1;
	return fclose(f) != 0 ? -1 : rc;
}

/* a name safe as one path component: '/' and odd characters become '_' */
static char *rf_component(const char *s)
{
	char *c = mem_strdup(s), *p;

	for (p = c; *p; p++)
		if (!(*p == '-' || *p == '.' || *p == '_' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
			*p = '_';
	if (c[0] == '.')
		c[0] = '_';
	return c;
}

void run_measure(struct run *r, const char *name, double v)
{
	if (r->rr && r->rr->measures)
		fprintf(r->rr->measures, "%s\t%.6g\n", name, v);
}

void run_set_detail(struct run *r, char *text)
{
	char **d = r->rr ? &r->rr->detail[r->current_event] : NULL;

	if (!d || *d) {
		free(text);
		return;
	}
	*d = text;
}

/* --- a repetition -------------------------------------------------------------- */

void run_rep_begin(struct run *r, struct run_rep_result *rr)
{
	char *p;

	r->rr = rr;
	rr->dir = mem_printf("%s/rep%u", r->c->dir, r->rep);
	rr->detail = mem_alloc((r->c->e->n_events + 1) * sizeof(*rr->detail));
	rr->started_utc = rf_utc();
	mkdir(rr->dir, 0755);
	p = mem_printf("%s/commands", rr->dir);
	mkdir(p, 0755);
	free(p);
	p = mem_printf("%s/measures.tsv", rr->dir);
	rr->measures = fopen(p, "w");
	free(p);
	out_text(r->c->progress, "run: repetition %u of %u in %s\n", r->rep,
		 r->c->e->repetitions, rr->dir);
}

void run_rep_end(struct run *r, struct run_rep_result *rr)
{
	char name[128];
	size_t i;

	for (i = 0; i < r->c->e->n_events; i++) {
		if (!rr->rec[i].started)
			continue;
		snprintf(name, sizeof(name), "event.%zu.%s.late_ms", i + 1,
			 experiment_kind_name(r->c->e->events[i].kind));
		run_measure(r, name, rr->rec[i].late_s * 1000);
		snprintf(name, sizeof(name), "event.%zu.%s.ms", i + 1,
			 experiment_kind_name(r->c->e->events[i].kind));
		run_measure(r, name, (rr->rec[i].end_s - rr->rec[i].start_s) * 1000);
	}
	run_sample_end(r);
	if (rr->measures)
		fclose(rr->measures);
	rr->measures = NULL;
	if (r->c->tty)
		out_text(r->c->progress, "\r\033[K");
	out_text(r->c->progress, "run: repetition %u: %zu event%s played, %zu late, %zu failed, "
		 "%zu command%s failed%s\n", r->rep, rr->sum.played, rr->sum.played == 1 ? "" : "s",
		 rr->sum.late, rr->sum.failed, rr->commands_failed,
		 rr->commands_failed == 1 ? "" : "s", run_stopping() ? " (stopped)" : "");
}

void run_rep_result_release(struct run_rep_result *rr, size_t n_events)
{
	size_t i;

	for (i = 0; rr->detail && i <= n_events; i++)
		free(rr->detail[i]);
	free(rr->detail);
	for (i = 0; i < rr->n_cmds; i++) {
		free(rr->cmds[i].name);
		free(rr->cmds[i].vm);
		free(rr->cmds[i].error);
	}
	free(rr->cmds);
	free(rr->rec);
	free(rr->dir);
	free(rr->started_utc);
}

/* --- commands ------------------------------------------------------------------ */

bool run_job_failed(const struct run_job *j)
{
	return !j->done || j->error || j->timed_out || (j->res.status != 0 && !j->may_fail);
}

static void rf_collected(struct run *r, const struct run_job *j)
{
	char *vdir = mem_printf("%s/files", r->rr->dir), *vm = rf_component(j->vm);
	char *file = rf_component(j->path), *path;

	mkdir(vdir, 0755);
	path = mem_printf("%s/%s", vdir, vm);
	mkdir(path, 0755);
	free(path);
	path = mem_printf("%s/%s/%s", vdir, vm, file);
	if (j->res.exited && j->res.status == 0)
		rf_write(path, j->res.out, j->res.out_len);
	free(path);
	free(vdir);
	free(vm);
	free(file);
}

static void rf_command_files(struct run *r, const struct run_job *j, const char *status)
{
	char *name = rf_component(j->name), *vm = rf_component(j->vm);
	char *base = mem_printf("%s/commands/%s.%s", r->rr->dir, name, vm), *p;

	p = mem_printf("%s.stdout", base);
	rf_write(p, j->res.out ? j->res.out : "", j->res.out_len);
	free(p);
	p = mem_printf("%s.stderr", base);
	rf_write(p, j->res.err ? j->res.err : "", j->res.err_len);
	free(p);
	p = mem_printf("%s.status", base);
	rf_write(p, status, strlen(status));
	free(p);
	free(base);
	free(name);
	free(vm);
}

void run_job_finished(struct run *r, struct run_job *j)
{
	struct run_cmd_rec *c = MEM_PUSH(r->rr->cmds, r->rr->n_cmds);
	char *status, mname[256];
	bool failed = run_job_failed(j);

	c->name = mem_strdup(j->name);
	c->vm = mem_strdup(j->vm);
	c->error = mem_strdup(j->error);
	c->start_s = j->start_s;
	c->end_s = j->end_s;
	c->status = j->res.status;
	c->exited = j->res.exited && !j->killed && !j->error;
	c->timed_out = j->timed_out;
	c->failed = failed;
	c->may_fail = j->may_fail;
	status = j->error ? mem_printf("error %s\n", j->error) :
		 j->timed_out ? mem_printf("timeout %d\n", j->res.status) :
		 j->killed ? mem_printf("stopped %d\n", j->res.status) :
		 mem_printf("exit %d\n", j->res.status);
	rf_command_files(r, j, status);
	if (j->path)
		rf_collected(r, j);
	snprintf(mname, sizeof(mname), "cmd.%s.%s.seconds", j->name, j->vm);
	run_measure(r, mname, j->end_s - j->start_s);
	snprintf(mname, sizeof(mname), "cmd.%s.%s.status", j->name, j->vm);
	run_measure(r, mname, j->res.status);
	if (failed) {
		r->rr->commands_failed++;
		if (r->c->tty)
			out_text(r->c->progress, "\r\033[K");
		out_text(r->c->progress, "run: %s on %s failed: %s", j->name, j->vm, status);
	}
	free(status);
}

void run_fetch_file(struct run *r, const char *vm, const char *path)
{
	char *cmd = mem_printf("cat '%s'", path);
	size_t from = r->n_jobs;
	struct run_job *j = run_job_start(r, "collect", vm, cmd, 60, false);

	if (!j->done)
		j->path = mem_strdup(path);
	else
		rf_collected(r, j);
	free(cmd);
	run_wait_jobs(r, from, r->n_jobs, 0);
}

/* --- progress -------------------------------------------------------------------- */

static double rf_planned_end(const struct run *r)
{
	const struct experiment *e = r->c->e;

	return e->n_events ? e->events[e->n_events - 1].at_us / 1e6 : 0;
}

void run_progress(struct run *r)
{
	char bg[256] = "";
	size_t i, n = 0, len = 0;

	if (!r->c->tty || run_mono() - r->progress_last < 0.2)
		return;
	r->progress_last = run_mono();
	for (i = 0; i < r->n_jobs && len < sizeof(bg) - 40; i++)
		if (!r->jobs[i].done) {
			len += (size_t)snprintf(bg + len, sizeof(bg) - len, "%s%s@%s", n ? " " : "",
						r->jobs[i].name, r->jobs[i].vm);
			n++;
		}
	out_text(r->c->progress, "\r\033[K[rep %u/%u] %.1f s, %.1f s left | %s | running: %s",
		 r->rep, r->c->e->repetitions, run_now(r),
		 rf_planned_end(r) > run_now(r) ? rf_planned_end(r) - run_now(r) : 0.0,
		 r->current ? r->current : "setup", n ? bg : "-");
	fflush(NULL);
}

void run_progress_event(struct run *r, size_t i)
{
	const struct exp_event *ev = &r->c->e->events[i];

	if (r->c->tty) {
		r->progress_last = 0;
		run_progress(r);
		return;
	}
	out_text(r->c->progress, "run: rep %u t=%.2f s event %zu/%zu %s%s%s (planned %.2f s)\n",
		 r->rep, run_now(r), i + 1, r->c->e->n_events, experiment_kind_name(ev->kind),
		 ev->kind == EXP_RUN ? " " : "", ev->kind == EXP_RUN ? ev->name : "",
		 ev->at_us / 1e6);
}

/* --- the manifest ------------------------------------------------------------------ */

void run_manifest_hosts(struct run *r)
{
	const struct real_env *re = r->c->s->load.real;
	struct state cur;
	size_t i;

	run_read(r, &cur);
	r->n_hosts = re->n_hosts;
	r->hosts = mem_alloc((re->n_hosts + 1) * sizeof(*r->hosts));
	for (i = 0; i < re->n_hosts; i++) {
		struct run_host_info *h = &r->hosts[i];

		h->name = mem_strdup(re->hosts[i].name);
		gexec_versions(r->c->g, re->hosts[i].libvirt, &h->libvirt, &h->qemu);
		if (i < cur.n_hosts && cur.hosts[i].oper.read)
			h->hv = mem_printf("%s %s", cur.hosts[i].oper.hypervisor ?
					   cur.hosts[i].oper.hypervisor : "?",
					   cur.hosts[i].oper.hypervisor_version ?
					   cur.hosts[i].oper.hypervisor_version : "?");
	}
	state_release(&cur);
}

static void rf_ms(struct out *o, const char *key, double s)
{
	out_u64(o, key, NULL, s > 0 ? (uint64_t)(s * 1000 + 0.5) : 0);
}

static void rf_files(struct run *r, struct out *o)
{
	static const char *const roles[] = { "real", "virtual", "experiment" };
	int i;

	out_arr_open(o, "files");
	for (i = 0; i < 3; i++) {
		char *h = sha256_file_hex(r->c->files[i]);

		out_obj_open(o, NULL);
		out_str(o, "role", NULL, roles[i]);
		out_str(o, "path", NULL, r->c->files[i]);
		out_str(o, "sha256", NULL, h);
		out_obj_close(o);
		free(h);
	}
	out_arr_close(o);
}

static void rf_hosts(struct run *r, struct out *o)
{
	struct utsname u;
	size_t i;

	uname(&u);
	out_str(o, "vmibctl", NULL, VMIB_VERSION);
	out_str(o, "managerKernel", NULL, u.release);
	out_arr_open(o, "hosts");
	for (i = 0; i < r->n_hosts; i++) {
		out_obj_open(o, NULL);
		out_str(o, "name", NULL, r->hosts[i].name);
		out_str(o, "libvirt", NULL, r->hosts[i].libvirt);
		out_str(o, "qemu", NULL, r->hosts[i].qemu);
		out_str(o, "vmibdHypervisor", NULL, r->hosts[i].hv);
		/* neither the vMIB nor libvirt's API tells a host's kernel */
		out_str(o, "kernel", NULL, "not exposed by the vMIB or libvirt");
		out_obj_close(o);
	}
	out_arr_close(o);
}

static void rf_guests(struct run *r, struct out *o)
{
	const struct virt_env *ve = r->c->s->load.virt;
	size_t i;

	out_arr_open(o, "guests");
	for (i = 0; i < ve->n_vms; i++) {
		out_obj_open(o, NULL);
		out_str(o, "vm", NULL, ve->vms[i].name);
		out_str(o, "kernel", NULL, r->guest_kernels ? r->guest_kernels[i] : NULL);
		out_obj_close(o);
	}
	out_arr_close(o);
}

/* the scenario's shape rows a host could not put in force (run_prepare) */
static void rf_not_in_force(struct run *r, struct out *o)
{
	size_t i;

	out_arr_open(o, "notInForce");
	for (i = 0; i < r->c->n_not_in_force; i++)
		out_str(o, NULL, NULL, r->c->not_in_force[i]);
	out_arr_close(o);
}

static void rf_events(struct run *r, const struct run_rep_result *rr, struct out *o)
{
	size_t i;

	out_arr_open(o, "events");
	for (i = 0; i < r->c->e->n_events; i++) {
		const struct exp_event *ev = &r->c->e->events[i];
		const struct timeline_record *t = &rr->rec[i];

		out_obj_open(o, NULL);
		out_u64(o, "index", NULL, i + 1);
		out_str(o, "kind", NULL, experiment_kind_name(ev->kind));
		out_str(o, "name", NULL, ev->kind == EXP_RUN ? ev->name : NULL);
		out_u64(o, "line", NULL, ev->line);
		out_u64(o, "plannedMs", NULL, ev->at_us / 1000);
		out_bool(o, "played", NULL, t->started);
		if (t->started) {
			rf_ms(o, "startMs", t->start_s);
			rf_ms(o, "endMs", t->end_s);
			rf_ms(o, "lateMs", t->late_s);
			out_bool(o, "late", NULL, t->late);
			out_bool(o, "failed", NULL, t->failed);
		}
		out_str(o, "detail", NULL, rr->detail ? rr->detail[i] : NULL);
		out_obj_close(o);
	}
	out_arr_close(o);
}

static void rf_commands(const struct run_rep_result *rr, struct out *o)
{
	size_t i;

	out_arr_open(o, "commands");
	for (i = 0; i < rr->n_cmds; i++) {
		const struct run_cmd_rec *c = &rr->cmds[i];

		out_obj_open(o, NULL);
		out_str(o, "name", NULL, c->name);
		out_str(o, "vm", NULL, c->vm);
		rf_ms(o, "startMs", c->start_s);
		rf_ms(o, "endMs", c->end_s);
		out_u64(o, "status", NULL, (uint64_t)c->status);
		out_bool(o, "exited", NULL, c->exited);
		out_bool(o, "timedOut", NULL, c->timed_out);
		out_bool(o, "mayFail", NULL, c->may_fail);
		out_bool(o, "failed", NULL, c->failed);
		out_str(o, "error", NULL, c->error);
		out_obj_close(o);
	}
	out_arr_close(o);
}

static void rf_reps(struct run *r, const struct run_outcome *oc, struct out *o)
{
	unsigned k;

	out_arr_open(o, "repetitions");
	for (k = 0; k < oc->repetitions_done; k++) {
		const struct run_rep_result *rr = &r->reps[k];

		out_obj_open(o, NULL);
		out_u64(o, "number", NULL, k + 1);
		out_str(o, "dir", NULL, rr->dir);
		out_str(o, "started", NULL, rr->started_utc);
		out_bool(o, "setupFailed", NULL, rr->setup_failed);
		out_u64(o, "commandsFailed", NULL, rr->commands_failed);
		out_u64(o, "eventsLate", NULL, rr->sum.late);
		out_u64(o, "eventsFailed", NULL, rr->sum.failed);
		rf_events(r, rr, o);
		rf_commands(rr, o);
		out_obj_close(o);
	}
	out_arr_close(o);
}

int run_manifest_write(struct run *r, const struct run_outcome *oc)
{
	char *path = mem_printf("%s/manifest.json", r->c->dir);
	FILE *f = fopen(path, "w");
	struct out *o;
	int rc;

	free(path);
	if (!f)
		return -1;
	o = out_new(OUT_JSON, f);
	out_obj_open(o, NULL);
	out_str(o, "experiment", NULL, r->c->e->name);
	out_str(o, "dir", NULL, r->c->dir);
	rf_files(r, o);
	rf_hosts(r, o);
	rf_guests(r, o);
	rf_not_in_force(r, o);
	out_u64(o, "toleranceMs", NULL, r->c->e->tolerance_us / 1000);
	out_u64(o, "repetitionsPlanned", NULL, r->c->e->repetitions);
	rf_reps(r, oc, o);
	out_obj_open(o, "outcome");
	out_bool(o, "ok", NULL, oc->commands_failed == 0 && oc->events_failed == 0 &&
		 oc->events_late == 0 && !oc->stopped);
	out_u64(o, "commandsFailed", NULL, oc->commands_failed);
	out_u64(o, "eventsFailed", NULL, oc->events_failed);
	out_u64(o, "eventsLate", NULL, oc->events_late);
	out_bool(o, "stopped", NULL, oc->stopped);
	out_u64(o, "signal", NULL, (uint64_t)oc->signal);
	out_obj_close(o);
	out_obj_close(o);
	rc = out_free(o);
	fputc('\n', f);
	return fclose(f) != 0 ? -1 : rc;
}

void run_release(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n_hosts; i++) {
		free(r->hosts[i].name);
		free(r->hosts[i].libvirt);
		free(r->hosts[i].qemu);
		free(r->hosts[i].hv);
	}
	free(r->hosts);
	free(r->refused);
	for (i = 0; r->guest_kernels && i < r->c->s->load.virt->n_vms; i++)
		free(r->guest_kernels[i]);
	free(r->guest_kernels);
}

/* --- vmibctl results ------------------------------------------------------------------ */

struct rf_measure {
	char *name;
	double *v;
	size_t n;
};

static int rf_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void rf_read_measures(const char *path, struct rf_measure **m, size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[512], *tab;
	size_t i;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab++ = '\0';
		for (i = 0; i < *n && strcmp((*m)[i].name, line) != 0; i++)
			;
		if (i == *n) {
			struct rf_measure *x = MEM_PUSH(*m, *n);

			x->name = mem_strdup(line);
		}
		*MEM_PUSH((*m)[i].v, (*m)[i].n) = strtod(tab, NULL);
	}
	fclose(f);
}

static void rf_print_measure(struct out *o, const struct rf_measure *m)
{
	char buf[32];
	double med = m->n % 2 ? m->v[m->n / 2] : (m->v[m->n / 2 - 1] + m->v[m->n / 2]) / 2;

	out_obj_open(o, NULL);
	out_str(o, "measure", "%-44s", m->name);
	out_u64(o, "n", " %3llu", m->n);
	snprintf(buf, sizeof(buf), "%.6g", m->v[0]);
	out_str(o, "min", " %12s", buf);
	snprintf(buf, sizeof(buf), "%.6g", med);
	out_str(o, "median", " %12s", buf);
	snprintf(buf, sizeof(buf), "%.6g", m->v[m->n - 1]);
	out_str(o, "max", " %12s\n", buf);
	out_obj_close(o);
}

int run_results_summary(const char *dir, struct out *o)
{
	static const char *const pats[] = { "/rep*/measures.tsv", "/*/rep*/measures.tsv" };
	struct rf_measure *m = NULL;
	size_t n = 0, i, k, files = 0;
	glob_t g;

	for (k = 0; k < 2 && files == 0; k++) {
		char *pat = mem_printf("%s%s", dir, pats[k]);

		if (glob(pat, 0, NULL, &g) == 0) {
			for (i = 0; i < g.gl_pathc; i++)
				rf_read_measures(g.gl_pathv[i], &m, &n);
			files = g.gl_pathc;
			globfree(&g);
		}
		free(pat);
	}
	if (files == 0)
		return -1;
	out_obj_open(o, NULL);
	out_str(o, "dir", "%s: ", dir);
	out_u64(o, "repetitions", "%llu repetition(s)\n", files);
	out_text(o, "%-44s %3s %12s %12s %12s\n", "measure", "n", "min", "median", "max");
	out_arr_open(o, "measures");
	for (i = 0; i < n; i++) {
		qsort(m[i].v, m[i].n, sizeof(*m[i].v), rf_cmp_double);
		rf_print_measure(o, &m[i]);
		free(m[i].name);
		free(m[i].v);
	}
	out_arr_close(o);
	out_obj_close(o);
	free(m);
	return 0;
}
