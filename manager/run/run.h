/*
 * run.h - plays an experiment (experiment.h) on an applied scenario:
 * setup, the timeline (timeline.h) with its commands in the guests
 * (gexec.h), its scenario changes (the virtual environment changed in
 * memory, then the manager's own read, plan and apply), sampling of vMIB
 * counters over SNMP into CSV, collection of guest files; the whole
 * repeated; everything written under one results directory:
 *
 *   DIR/manifest.json       the files' hashes, versions per host and VM,
 *                           every event's planned and actual time, per
 *                           repetition, the outcome
 *   DIR/repN/commands/      NAME.VM.stdout, .stderr, .status per command
 *                           (setup commands are setup-K)
 *   DIR/repN/samples.csv    t_ms and one column per sampled object
 *   DIR/repN/files/VM/      the collected files (path with '/' -> '_')
 *   DIR/repN/measures.tsv   "measure<TAB>value" lines for vmibctl results
 *
 * A stop request (run_request_stop, from SIGINT/SIGTERM) kills the
 * background commands, keeps what was collected and finishes the files.
 *
 * Ownership: struct run_ctx borrows everything it points to.
 */
#ifndef VMIB_RUN_H
#define VMIB_RUN_H

#include <stdbool.h>
#include <stddef.h>

struct cmd_snmp;
struct experiment;
struct gexec;
struct out;

struct run_ctx {
	struct cmd_snmp *s;          /* sessions and the loaded scenario */
	struct experiment *e;
	struct gexec *g;
	const char *dir;             /* the results directory (exists) */
	const char *files[3];        /* real, virtual, experiment, for the manifest */
	struct out *progress;        /* text on stderr */
	bool tty;                    /* redraw one progress line */
	/* run_prepare: the shape rows the hosts did not put in force
	 * (run_shape_problems); owned, run_ctx_release() frees them */
	char **not_in_force;
	size_t n_not_in_force;
};

struct run_outcome {
	size_t commands_failed;      /* not mayFail, non-zero or timed out */
	size_t events_failed;        /* a scenario change or wait that failed */
	size_t events_late;          /* beyond the tolerance */
	unsigned repetitions_done;
	bool stopped;                /* interrupted */
	int signal;                  /* the signal that stopped it, or 0 */
};

void run_request_stop(int sig);      /* async-signal-safe */
/*
 * Apply the scenario (or, apply false, check that nothing is pending),
 * then wait up to wait_s for every guest to answer a command.  0, or -1
 * with the reason in err.
 */
int run_prepare(struct run_ctx *c, bool apply, double wait_s, char *err, size_t errlen);
int run_play(struct run_ctx *c, struct run_outcome *o);
void run_ctx_release(struct run_ctx *c);     /* what run_prepare put in c */

/* "measure<TAB>value" lines of DIR/rep*\/measures.tsv: min, median, max */
int run_results_summary(const char *dir, struct out *o);

#endif
