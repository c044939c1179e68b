/*
 * ctl.h - where the SET side's libvirt calls run: the control connection.
 *
 * A SET must change the host in ACTION (CommitSet), so the change can
 * fail visibly and be undone, and ACTION must answer within the master's
 * agentXTimeout.  The tracker's worker thread (worker.h) cannot carry
 * that: its queue may hold a slow reload, and it has no way to give up
 * on a job.  So the SET side has its own libvirt connection (opened with
 * no callbacks: no events, virt.h) and its own thread, the control
 * thread, which runs one job at a time.  The loop thread hands it a job
 * and waits for it at most set-timeout-ms (ctl_call): a bounded block of
 * the event loop, during which nothing else is served, in exchange for a
 * SET answer that tells the truth.  If the wait times out, the SET fails
 * and the job is *abandoned*: the control thread runs it to the end and
 * then its revert() undoes what it did, so a late success leaves no
 * trace.
 *
 * Jobs that nobody waits for (an abort, the downtime of an arrived VM)
 * are queued with ctl_submit.  A migration blocks for seconds, and so may
 * a SET's COMMIT steps (a start under load), so each runs on a thread of
 * its own with a connection of its own (ctl_spawn) and never holds up
 * SETs.  The done() half of every job that is not a
 * completed ctl_call runs later in the loop thread.
 *
 * In inline mode (unit tests) everything runs at once in the caller.
 */
#ifndef VMIB_CTL_H
#define VMIB_CTL_H

#include <pthread.h>
#include <stdbool.h>

#include "config.h"
#include "virt.h"

struct ctl_job {
	/* control (or migration) thread: the libvirt calls.  conn is NULL
	 * when libvirt cannot be reached; err then says why. */
	void (*run)(struct ctl_job *j, const struct virt_ops *ops, void *conn,
		    const char *err);
	/* control thread: undo what run() did, for an abandoned ctl_call
	 * job (NULL: nothing to undo) */
	void (*revert)(struct ctl_job *j, const struct virt_ops *ops, void *conn);
	/* loop thread: results of an asynchronous or abandoned job; it
	 * frees the job.  cancelled: vmibd stopped before run() happened. */
	void (*done)(struct ctl_job *j, bool cancelled);
	/* private */
	struct ctl_job *next;
	int state;
	bool abandoned, waited, spawned;
};

/* threaded=false: inline mode */
int ctl_start(const struct vmibd_config *cfg, const struct virt_ops *ops, bool threaded);
/* Waits for queued jobs and running migrations; their done() runs here. */
void ctl_stop(void);

/* Run j and wait at most timeout_ms: 0 it ran (results in j, the caller
 * still owns it and done() is not called), -1 the wait timed out (j now
 * belongs to ctl: revert() and done() follow). */
int ctl_call(struct ctl_job *j, unsigned int timeout_ms);
/* Run j when the control thread is free; done() follows. */
void ctl_submit(struct ctl_job *j);
/* Run j on a thread of its own with its own connection; done() follows.
 * -1 if no thread could be made (nothing is called). */
int ctl_spawn(struct ctl_job *j);

/* jobs queued or running (tests, diagnostics) */
unsigned int ctl_pending(void);

#endif
