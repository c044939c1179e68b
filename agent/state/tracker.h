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
	/* announced by the migrations (tracker_announce), which libvirt's
	 * events do not show: */
	TRACKER_VM_MIGRATING, /* vmibVmOperState entered or left migrating(9) */
	TRACKER_VM_MIGRATED,  /* a migration ended (vmibVmMigrateStatus says how);
			       * vm may be a copy of a row already gone */
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
/* tell the listener of a change the tracker cannot see (TRACKER_VM_MIGRATING,
 * TRACKER_VM_MIGRATED): so the layers below the notifications report to
 * them without knowing them */
void tracker_announce(struct tracker *t, const struct vm *vm, enum tracker_change what);

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

/* Record a host-wide error of another module (shaping, isolation) as
 * vmibHostLastError. */
void tracker_host_error(struct tracker *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Number of connections established so far (tests, logs). */
unsigned int tracker_connections(const struct tracker *t);

/* How long counters may stay pending before libvirt counts as not
 * answering (stale, with the reason in last_error); default 5000 ms. */
void tracker_set_hung_ms(struct tracker *t, unsigned int ms);

/*
 * Metadata elements other modules keep in a domain (shaping's rows, in
 * their own namespace uri), read and written through the worker thread
 * on the tracker's connection (virt_ops get_meta / set_meta).  cb runs
 * later in the loop thread, always exactly once: rc as get_meta/set_meta
 * (0, 1 the domain is gone, -1 an error, also when libvirt is down or
 * vmibd stops), xml the element read (NULL if none; valid during the
 * call), err the reason when rc is -1.  A write of xml NULL removes the
 * element.  Returns -1 (and cb is not called) only if the job cannot be
 * queued.
 */
typedef void (*tracker_meta_cb)(void *opaque, int rc, const char *xml,
				const char *err);
int tracker_meta_read(struct tracker *t, const unsigned char *uuid,
		      const char *uri, tracker_meta_cb cb, void *opaque);
int tracker_meta_write(struct tracker *t, const unsigned char *uuid,
		       const char *uri, const char *prefix, const char *xml,
		       tracker_meta_cb cb, void *opaque);

/*
 * Moments in a VM's life that other modules act on (shaping re-applies
 * the rows kept in the VM's metadata).  Hooks run in the loop thread,
 * with the VM's cached record, right after the tracker applied the
 * snapshot that shows the moment (device names known):
 *   TRACKER_VM_STARTED   the domain was started here (booted, restored);
 *   TRACKER_VM_ARRIVING  an incoming migration created it here: its vif
 *                        devices exist, it stays paused until the
 *                        migration ends (the index is already chosen:
 *                        its metadata's if free on this host);
 *   TRACKER_VM_ARRIVED   the incoming migration finished (resumed, or
 *                        left paused as it was on the source).
 * Up to TRACKER_MAX_HOOKS hooks, called in the order they were added.
 */
#define TRACKER_MAX_HOOKS 4
enum tracker_moment { TRACKER_VM_STARTED, TRACKER_VM_ARRIVING, TRACKER_VM_ARRIVED };
typedef void (*tracker_hook_fn)(void *opaque, const struct vm *vm, enum tracker_moment m);
int tracker_add_hook(struct tracker *t, tracker_hook_fn fn, void *opaque);

/*
 * The SET side (vmset.c, migrate.c) changes domains on its own control
 * connection and brings the cache in step at once, rather than waiting
 * for the events of its own changes:
 */
/* a snapshot read after the change (takes fresh; insert or update; a new
 * domain gets its metadata's index if free) */
void tracker_vm_apply(struct tracker *t, struct vm *fresh);
/* the domain no longer exists */
void tracker_vm_forget(struct tracker *t, const unsigned char *uuid);
/* the cached record, for the fields the SET side owns (migrate_*,
 * migrate_live, last_error; vm.h); NULL if absent */
struct vm *tracker_vm_edit(struct tracker *t, const unsigned char *uuid);
/* after such an edit: vmibHostLastChange follows if vmibVmOperState
 * changed (it was old_oper) */
void tracker_vm_touched(struct tracker *t, const struct vm *vm, int old_oper);

#endif
