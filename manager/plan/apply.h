/*
 * apply.h - executes a plan (plan.h) with SNMP SETs, every host in
 * parallel (one asynchronous session each, snmpc.h), each host's SETs one
 * after the other in a safe order:
 *
 *   1. VMs to delete (and the deleting half of a replacement): removing
 *      never lets traffic through, and frees memory and indexes;
 *   2. isolation: subnets, rules and the default in ONE PDU, so the agent
 *      replaces its chain once, atomically, before any VM starts talking;
 *   3. VMs to create, each with its vif rows in one PDU of its own (the
 *      MIB accepts vif rows only in the PDU that creates their VM), then
 *      changes of existing VMs;
 *   4. shape rows (deleted, changed, created), after their VM exists;
 *   5. live migrations (plan's PLAN_MIGRATE), after the changes made to
 *      the VM where it is.
 *
 * Two kinds of unit wait, once their SET is answered, before the host's
 * next PDU (polling every 0.1 s, for at most wait_timeout_s): the delete
 * half of a replacement waits until the VM's row is gone (the agent
 * powers the VM off after it answered, and its index stays in use until
 * then), and a migration until the VM has left the host and shows on its
 * destination, or the source reports vmibVmMigrateStatus failed.
 *
 * The varbinds of one plan item are a unit that is never split; units of
 * the same phase (but VM creations) share PDUs up to max_varbinds.  When a
 * PDU fails at one varbind, that unit fails and the others of the PDU are
 * sent again without it; the error text is the SNMP error, the object,
 * and the LastError column of the row (or vmibHostLastError) read back
 * from the host.  What depends on a failed unit is skipped: the shape rows
 * of a VM that was not created, VM creations when isolation could not be
 * set.  A host that stops answering is given up; the others carry on.
 *
 * A dry run builds the same PDUs and prints them instead of sending them.
 */
#ifndef VMIB_APPLY_H
#define VMIB_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "snmpc.h"

struct out;

enum apply_progress {
	APPLY_QUIET,
	APPLY_LINES,             /* one line per PDU done */
	APPLY_LIVE,              /* a line per host, redrawn (a terminal) */
};

struct apply_opts {
	bool dry_run;
	size_t max_varbinds;     /* per PDU; 0: APPLY_DEFAULT_VARBINDS */
	enum apply_progress progress;
	struct out *progress_out;    /* text writer for progress (stderr) */
	double wait_timeout_s;   /* waits of apply.h; 0: APPLY_DEFAULT_WAIT_S */
};

#define APPLY_DEFAULT_VARBINDS 60
#define APPLY_DEFAULT_WAIT_S 120.0

struct apply_result {            /* per host */
	const char *host;
	bool reached;            /* every PDU got an answer */
	size_t units, ok, failed, skipped;
	size_t pdus, varbinds;
	double seconds;
	char **errors;           /* "create vm east1 (index 3): inconsistentValue ..." */
	size_t n_errors;
	char **skips;            /* "shape ...: vm west1 was not created" */
	size_t n_skips;
};

struct apply_report {
	struct apply_result *hosts;
	size_t n_hosts;
	size_t ok, failed, skipped;
	double seconds;
};

/*
 * Execute (or print, for a dry run, on o) the plan's changes through c,
 * whose host i is plan->hosts[i].  Returns the number of hosts where
 * something failed or was skipped.
 */
size_t apply_run(struct snmpc *c, const struct plan *p, const struct apply_opts *opts,
		 struct out *o, struct apply_report *rep);
void apply_report_release(struct apply_report *rep);
void apply_report_print(const struct apply_report *rep, struct out *o);

#endif
