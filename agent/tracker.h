/*
 * tracker.h - keeps the VM cache in step with libvirt.
 *
 * The tracker owns the VM cache and the host state and is the only writer
 * of both.  It follows libvirt's lifecycle events (each event updates the
 * VM's state at once and queues a re-read of the domain), reloads every
 * domain on (re)connect, reconnects with exponential back-off when the
 * connection closes, assigns and records stable indexes (vmindex.h), and
 * refreshes counters on demand: tracker_need_stats() lets a request wait
 * a bounded time for counters at most stats-max-age-ms old.  While libvirt
 * is unreachable the cache keeps its last state, marked stale.
 *
 * Every libvirt call runs as a worker job through struct virt_ops; the
 * tracker itself runs in the loop thread only.
 */
#ifndef VMIB_TRACKER_H
#define VMIB_TRACKER_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "virt.h"
#include "vmcache.h"

struct tracker_host {
	struct virt_host info;       /* valid once have_info */
	bool have_info;
	bool connected;              /* vmibHostLibvirtState */
	char last_error[256];        /* vmibHostLastError */
	uint64_t last_change_ms;     /* vmibHostLastChange (monotonic ms) */
	uint64_t table_change_ms;    /* vmTableLastChange: rows added/removed */
};

enum tracker_change {
	TRACKER_VM_APPEARED, /* a new row (old_state is -1) */
	TRACKER_VM_CHANGED,  /* the row was updated (state may be unchanged) */
	TRACKER_VM_GONE,     /* the row was removed; vm holds its last values */
};

/* Called after every change of a VM row, with the record as it is now (for
 * GONE: as it was) and the libvirt state it had before.  The record is
 * valid only during the call.  Notifications are sent from here
 * (notify.c). */
typedef void (*tracker_listener_fn)(void *opaque, const struct vm *vm,
				    int old_state, enum tracker_change what);

struct tracker;

struct tracker *tracker_new(const struct vmibd_config *cfg,
			    const struct virt_ops *ops);
void tracker_free(struct tracker *t);

void tracker_set_listener(struct tracker *t, tracker_listener_fn fn, void *opaque);

/* Start connecting (asynchronously). */
int tracker_start(struct tracker *t);
/* Close the connection (queues the close job; stop the worker after). */
void tracker_stop(struct tracker *t);

/* true once the first connection has loaded every domain */
bool tracker_synced(const struct tracker *t);

const struct vmcache *tracker_cache(const struct tracker *t);
/* host state; also marks libvirt stale if counters have been pending
 * too long (a libvirtd that hangs without closing the connection) */
const struct tracker_host *tracker_host(struct tracker *t);

/* Make counters fresh enough for a read (see above); never blocks longer
 * than stats-wait-ms, and not at all while libvirt is unreachable. */
void tracker_need_stats(struct tracker *t);

/* Number of connections established so far (tests, logs). */
unsigned int tracker_connections(const struct tracker *t);

#endif
