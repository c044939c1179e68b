/*
 * run_int.h - what the parts of `vmibctl run` share (run.c: the engine;
 * run_scenario.c: scenario changes; run_sample.c: sampling; run_files.c:
 * the results directory and the manifest).  Not for other modules.
 *
 * Ownership: struct run owns its jobs, repetition results, the sampling
 * bindings and the scenario changes it made (undone by
 * run_scenario_restore); it borrows the run_ctx.
 */
#ifndef VMIB_RUN_INT_H
#define VMIB_RUN_INT_H

#include <stdbool.h>
#include <stdio.h>

#include "gexec.h"
#include "run.h"
#include "state.h"
#include "timeline.h"

struct exp_event;
struct virt_link;

struct run_job {                 /* a command in one VM */
	char *name, *vm;
	bool may_fail;
	struct gexec_job *job;       /* NULL once done */
	double start_s, end_s, deadline_s, kill_s;
	double poll_error_s;         /* since when polls fail (0: they do not) */
	bool done, killed, timed_out;
	struct gexec_result res;
	char *error;                 /* could not run / poll */
	char *path;                  /* a collection: the guest file */
};

struct run_cmd_rec {             /* a finished command, for the manifest */
	char *name, *vm, *error;
	double start_s, end_s;
	int status;
	bool exited, timed_out, failed, may_fail;
};

struct run_rep_result {
	struct timeline_record *rec; /* per event */
	char **detail;               /* per event: what went wrong, or NULL */
	struct timeline_summary sum;
	size_t commands_failed;
	bool setup_failed;
	struct run_cmd_rec *cmds;
	size_t n_cmds;
	char *dir;                   /* DIR/repN */
	FILE *measures;
	char *started_utc;
};

struct run_binding;              /* run_sample.c */

struct run_host_info {           /* for the manifest */
	char *name, *libvirt, *qemu, *hv;
};

struct run {
	struct run_ctx *c;
	unsigned rep;
	struct run_rep_result *reps;
	struct run_rep_result *rr;   /* the current one */
	double t0;                   /* run_mono() at the start of the timeline */
	struct run_job *jobs;
	size_t n_jobs;
	bool killed_all;
	const char *current;         /* what runs now, for the progress */
	const char *migrating;       /* the VM the run migrates now, or NULL */
	char *refused;               /* a plan refused (rs_confirm), malloc'd */
	size_t current_event;
	/* sampling */
	FILE *csv;
	double next_sample_s;
	struct run_binding *bind;
	size_t n_bind;
	size_t samples;
	/* scenario changes to undo at the end */
	bool changed;
	const struct virt_link *check_link;  /* a link event's link: rows checked */
	struct run_host_info *hosts;
	size_t n_hosts;
	char **guest_kernels;        /* per VM of the virtual environment */
	double progress_last;
};

bool run_stopping(void);
double run_mono(void);
double run_now(struct run *r);
void run_tick(struct run *r);

struct run_job *run_job_start(struct run *r, const char *name, const char *vm,
			      const char *text, double timeout_s, bool may_fail);
void run_wait_jobs(struct run *r, size_t from, size_t to, double deadline_s);
/* until vm answers "true" (its guest agent runs), at most limit_s */
int run_wait_guest(struct run *r, const char *vm, double limit_s, char *err, size_t errlen);

/* run_files.c */
void run_rep_begin(struct run *r, struct run_rep_result *rr);
void run_rep_end(struct run *r, struct run_rep_result *rr);
void run_rep_result_release(struct run_rep_result *rr, size_t n_events);
void run_job_finished(struct run *r, struct run_job *j);
bool run_job_failed(const struct run_job *j);
void run_fetch_file(struct run *r, const char *vm, const char *path);
void run_set_detail(struct run *r, char *text);   /* takes text */
void run_measure(struct run *r, const char *name, double v);
void run_progress(struct run *r);
void run_progress_event(struct run *r, size_t i);
void run_manifest_hosts(struct run *r);
int run_manifest_write(struct run *r, const struct run_outcome *o);
void run_release(struct run *r);

/* run_scenario.c */
int run_scenario_event(struct run *r, struct exp_event *ev);
void run_scenario_restore(struct run *r);
/* read every host into cur (release with state_release) */
void run_read(struct run *r, struct state *cur);
/*
 * The shape rows of cur that a host has not put in force (vmibShapeOperStatus
 * unsupported or failed: a delay on a host kernel without sch_netem), as
 * "HOST: shape VM/VIF/ROW NAME is unsupported: REASON" lines appended to
 * *lines (owned by the caller): those of link l (its rows as merge.c names
 * them, both directions), or every row when l is NULL.  Returns how many.
 */
size_t run_shape_problems(const struct state *cur, const struct virt_link *l, char ***lines,
			  size_t *n);

/* run_sample.c */
void run_sample_begin(struct run *r);
void run_sample_due(struct run *r);
void run_sample_bind(struct run *r, const struct state *cur);
void run_sample_end(struct run *r);

#endif
