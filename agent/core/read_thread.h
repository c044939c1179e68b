/*
 * worker.h - the one thread that makes libvirt calls on vmibd's behalf.
 *
 * A job (struct work, embedded in the caller's own struct) has two halves:
 * run() executes in the worker thread and may block in libvirt; it must
 * touch nothing but the job itself and the libvirt connection.  done()
 * executes later in the loop thread, where it applies the results to the
 * cache and frees the job.  Jobs run one at a time in submission order,
 * and their done() halves are called in the same order (except a job
 * collected early by worker_wait()).  So the SNMP side never waits for
 * libvirt, except a bounded worker_wait().
 *
 * In inline mode (unit tests) worker_submit() runs both halves at once.
 */
#ifndef VMIB_WORKER_H
#define VMIB_WORKER_H

#include <stdbool.h>

struct work {
	void (*run)(struct work *w);
	void (*done)(struct work *w);
	bool cancelled; /* set when vmibd stops before run() happened */
	/* private */
	struct work *next;
	int state;
};

/* threaded=false: inline mode */
int worker_start(bool threaded);
/* Stop the thread once the queued jobs have run; their done() halves are
 * called in the caller's thread.  Jobs submitted after this get done()
 * with cancelled set. */
void worker_stop(void);
void worker_submit(struct work *w);
/* Wait up to timeout_ms for w's run() to finish; if it did, call its
 * done() now and return 0, else return -1 (done() comes later).  Only for a
 * job whose done() has not run yet; w may be freed when this returns 0. */
int worker_wait(struct work *w, unsigned int timeout_ms);
/* Number of jobs queued or running (for tests and diagnostics). */
unsigned int worker_pending(void);

#endif
