/*
 * tracker.c - the VM cache follows libvirt (see tracker.h).
 *
 * Owns the cache, the host state, the connection state machine
 * (down -> connecting -> up -> down ...) with back-off, and the jobs that
 * carry libvirt calls to the worker thread.  Jobs capture the connection
 * generation and an event sequence number when submitted, so that the
 * result of a job that raced with a reconnect is dropped, and a re-read
 * never overwrites a state set by a newer lifecycle event.
 *
 * The backend connection pointer (t->conn) is touched only inside run()
 * halves of jobs, i.e. only in the worker thread.  Everything else here
 * runs in the loop thread.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "log.h"
#include "loop.h"
#include "tracker.h"
#include "vmindex.h"
#include "read_thread.h"

/* a stats job pending this long means libvirt is not answering */
#define TRACKER_HUNG_MS 5000

enum tjob_kind { TJ_CONNECT, TJ_CLOSE, TJ_REFRESH, TJ_STATS, TJ_SET_INDEX,
		 TJ_META_GET, TJ_META_SET };

struct tjob {
	struct work w;
	struct tracker *t;
	enum tjob_kind kind;
	unsigned int gen;
	uint64_t seq;
	uint64_t started_ms;
	int rc;
	char err[256];
	unsigned char uuid[VM_UUID_LEN];
	int32_t index;
	struct vm *vm;
	struct vm **vms;
	size_t n_vms;
	struct virt_host host;
	struct virt_stats *stats;
	size_t n_stats;
	uint64_t mem_free_kib;
	struct virt_stats_req *req;
	size_t n_req;
	char (*devs)[VM_IFNAME_MAX];
	/* TJ_META_*: another module's metadata element */
	const char *meta_uri, *meta_prefix; /* static strings of the caller */
	char *meta_xml;
	tracker_meta_cb meta_cb;
	void *meta_opaque;
	int moment;               /* TJ_REFRESH: enum tracker_moment, -1 none */
};

struct tracker {
	const struct vmibd_config *cfg;
	const struct virt_ops *ops;
	void *conn;            /* worker thread only */
	bool up, connecting, stopping, synced;
	bool lost_while_connecting; /* closed before the connect job returned */
	unsigned int gen;
	unsigned int connections;
	unsigned int fail_streak;
	struct vmcache cache;
	struct tracker_host host;
	uint64_t seq;
	uint64_t stats_ms;
	struct tjob *stats_job;
	int reconnect_timer;
	int kick_timer;
	unsigned int backoff_ms;
	unsigned int hung_ms;     /* counters pending this long: not answering */
	bool hung_noted;          /* the hang is in last_error and the log */
	atomic_int closed_reason; /* -1: none pending */
	atomic_bool closing;      /* stop: queued jobs skip their libvirt calls */
	tracker_listener_fn listener;
	void *listener_opaque;
	struct {
		tracker_hook_fn fn;
		void *opaque;
	} hooks[TRACKER_MAX_HOOKS];
	size_t n_hooks;
	/* incoming migrations started and not yet finished */
	unsigned char arriving[8][VM_UUID_LEN];
	size_t n_arriving;
	struct virt_callbacks cbs;
};

static void tracker_submit(struct tracker *t, struct tjob *j);

/* --- small helpers ----------------------------------------------------------- */

static struct tjob *tjob_new(struct tracker *t, enum tjob_kind kind)
{
	struct tjob *j = calloc(1, sizeof(*j));

	if (!j) {
		log_msg(LOG_ERR, "virt", "out of memory for a libvirt job");
		return NULL;
	}
	j->t = t;
	j->kind = kind;
	j->gen = t->gen;
	j->seq = t->seq;
	j->started_ms = loop_now_ms();
	j->moment = -1;
	return j;
}

static void tjob_free(struct tjob *j)
{
	if (!j)
		return;
	vm_free(j->vm);
	virt_vms_free(j->vms, j->n_vms);
	virt_stats_free(j->stats, j->n_stats);
	free(j->req);
	free(j->devs);
	free(j->meta_xml);
	free(j);
}

static void tracker_note_change(struct tracker *t, bool table)
{
	t->host.last_change_ms = loop_now_ms();
	if (table)
		t->host.table_change_ms = t->host.last_change_ms;
}

static void tracker_tell(struct tracker *t, const struct vm *vm, int old_state,
			 enum tracker_change what)
{
	if (t->listener)
		t->listener(t->listener_opaque, vm, old_state, what);
}

static void tracker_error(struct tracker *t, const char *msg)
{
	/* DisplayString (SIZE (0..255)) */
	snprintf(t->host.last_error, sizeof(t->host.last_error), "%.255s", msg);
}

/* up_since follows the transitions between inactive and active */
static void tracker_uptime(struct vm *vm, bool was_active)
{
	if (!vm_is_active(vm))
		vm->up_since_ms = 0;
	else if (!was_active || !vm->up_since_ms)
		vm->up_since_ms = loop_now_ms();
}

/* --- applying results to the cache --------------------------------------------- */

static void tracker_want_index(struct tracker *t, const struct vm *vm)
{
	struct tjob *j;

	if (vm->index == vm->meta_index)
		return;
	j = tjob_new(t, TJ_SET_INDEX);
	if (!j)
		return;
	memcpy(j->uuid, vm->uuid, VM_UUID_LEN);
	j->index = vm->index;
	tracker_submit(t, j);
}

static void tracker_insert(struct tracker *t, struct vm *fresh)
{
	if (!fresh->index) {
		log_msg(LOG_ERR, "virt", "VM %s: no free index left", fresh->name);
		vm_free(fresh);
		return;
	}
	tracker_uptime(fresh, false);
	if (vmcache_insert(&t->cache, fresh) < 0) {
		log_msg(LOG_ERR, "virt", "VM %s: cannot add index %d", fresh->name,
			(int)fresh->index);
		vm_free(fresh);
		return;
	}
	log_msg(LOG_INFO, "virt", "VM %s has index %d", fresh->name, (int)fresh->index);
	tracker_note_change(t, true);
	tracker_tell(t, fresh, -1, TRACKER_VM_APPEARED);
	tracker_want_index(t, fresh);
}

/* fresh replaces the cached record of the same domain */
static void tracker_update(struct tracker *t, struct vm *old, struct vm *fresh,
			   uint64_t job_seq)
{
	int old_state = old->state;

	vm_carry_over(fresh, old);
	if (old->event_seq > job_seq) {
		/* a lifecycle event newer than this read set the state */
		fresh->state = old->state;
		fresh->reason = old->reason;
	}
	tracker_uptime(fresh, vm_is_active(old));
	if (vmcache_replace(&t->cache, fresh) != old) {
		log_msg(LOG_ERR, "virt", "VM %s: cache out of step", fresh->name);
		vm_free(fresh);
		return;
	}
	if (fresh->state != old_state)
		tracker_note_change(t, false);
	vm_free(old);
	tracker_tell(t, fresh, old_state, TRACKER_VM_CHANGED);
	tracker_want_index(t, fresh);
}

static void tracker_drop(struct tracker *t, const unsigned char *uuid)
{
	struct vm *old = vmcache_remove(&t->cache, uuid);

	if (!old)
		return;
	log_msg(LOG_INFO, "virt", "VM %s (index %d) is gone", old->name, (int)old->index);
	tracker_note_change(t, true);
	tracker_tell(t, old, old->state, TRACKER_VM_GONE);
	vm_free(old);
}

static void tracker_apply_one(struct tracker *t, struct vm *fresh, uint64_t seq)
{
	struct vm *old = vmcache_by_uuid(&t->cache, fresh->uuid);

	if (old) {
		fresh->index = old->index;
		tracker_update(t, old, fresh, seq);
		return;
	}
	vmindex_assign(&fresh, 1, &t->cache, false);
	tracker_insert(t, fresh);
}

static int tracker_vm_uuid_cmp(const void *a, const void *b)
{
	const struct vm *x = *(struct vm *const *)a, *y = *(struct vm *const *)b;

	return vm_uuid_cmp(x->uuid, y->uuid);
}

/* a complete list after a (re)connect: drop the missing, add the new */
static void tracker_apply_all(struct tracker *t, struct vm **vms, size_t n,
			      uint64_t seq)
{
	struct vm key, *const pkey = &key, **hit;
	size_t i;

	vmindex_assign(vms, n, &t->cache, true);
	if (n > 1)
		qsort(vms, n, sizeof(*vms), tracker_vm_uuid_cmp);
	for (i = vmcache_count(&t->cache); i-- > 0;) {
		struct vm *cached = vmcache_at(&t->cache, i);

		memcpy(key.uuid, cached->uuid, VM_UUID_LEN);
		hit = n ? bsearch(&pkey, vms, n, sizeof(*vms), tracker_vm_uuid_cmp) : NULL;
		if (!hit)
			tracker_drop(t, cached->uuid);
	}
	for (i = 0; i < n; i++) {
		struct vm *old = vmcache_by_uuid(&t->cache, vms[i]->uuid);

		if (old)
			tracker_update(t, old, vms[i], seq);
		else
			tracker_insert(t, vms[i]);
		vms[i] = NULL;
	}
}

/* --- connection ------------------------------------------------------------------- */

static void tracker_schedule_reconnect(struct tracker *t)
{
	if (t->stopping)
		return;
	if (!t->backoff_ms)
		t->backoff_ms = t->cfg->reconnect_min_ms;
	loop_update_timeout(t->reconnect_timer, (int)t->backoff_ms);
	log_msg(LOG_INFO, "virt", "reconnecting to %s in %u ms", t->cfg->libvirt_uri,
		t->backoff_ms);
	t->backoff_ms *= 2;
	if (t->backoff_ms > t->cfg->reconnect_max_ms)
		t->backoff_ms = t->cfg->reconnect_max_ms;
}

static void tracker_connect_run(struct tjob *j)
{
	struct tracker *t = j->t;

	if (t->conn) {
		t->ops->close(t->conn);
		t->conn = NULL;
	}
	if (atomic_load(&t->closing)) {
		j->rc = -1;
		snprintf(j->err, sizeof(j->err), "stopping");
		return;
	}
	t->conn = t->ops->open(t->cfg->libvirt_uri, &t->cbs, t, j->err, sizeof(j->err));
	if (!t->conn) {
		j->rc = -1;
		return;
	}
	j->rc = t->ops->host(t->conn, &j->host, j->err, sizeof(j->err));
	if (j->rc == 0)
		j->rc = t->ops->list(t->conn, &j->vms, &j->n_vms, j->err, sizeof(j->err));
	if (j->rc < 0) {
		t->ops->close(t->conn);
		t->conn = NULL;
	}
}

static void tracker_connect_failed(struct tracker *t, const char *err)
{
	char msg[320];

	snprintf(msg, sizeof(msg), "libvirt %s: %s", t->cfg->libvirt_uri, err);
	tracker_error(t, msg);
	/* the first failure of a streak is an error, repeats are routine */
	log_msg(t->fail_streak++ ? LOG_INFO : LOG_ERR, "virt", "%s", msg);
	tracker_schedule_reconnect(t);
}

static void tracker_connect_done(struct tjob *j)
{
	struct tracker *t = j->t;

	t->connecting = false;
	if (j->w.cancelled || t->stopping) {
		tjob_free(j);
		return;
	}
	if (j->rc == 0 && t->lost_while_connecting) {
		/* the connection died before we could use it */
		j->rc = -1;
		snprintf(j->err, sizeof(j->err), "connection closed while loading");
		tracker_submit(t, tjob_new(t, TJ_CLOSE));
	}
	t->lost_while_connecting = false;
	if (j->rc < 0) {
		tracker_connect_failed(t, j->err);
		tjob_free(j);
		return;
	}
	t->up = true;
	t->host.connected = true;
	t->host.info = j->host;
	t->host.have_info = true;
	t->backoff_ms = 0;
	t->fail_streak = 0;
	t->connections++;
	t->stats_ms = 0;
	tracker_apply_all(t, j->vms, j->n_vms, j->seq);
	tracker_note_change(t, false);
	t->synced = true;
	log_msg(LOG_NOTICE, "virt", "connected to %s (%s %s): %zu VMs",
		t->cfg->libvirt_uri, j->host.hv_type, j->host.hv_version,
		vmcache_count(&t->cache));
	tjob_free(j);
}

static void tracker_connect(int timer, void *opaque)
{
	struct tracker *t = opaque;
	struct tjob *j;

	loop_update_timeout(timer, -1);
	if (t->connecting || t->up || t->stopping)
		return;
	j = tjob_new(t, TJ_CONNECT);
	if (!j)
		return;
	t->connecting = true;
	tracker_submit(t, j);
}

static void tracker_close_run(struct tjob *j)
{
	if (j->t->conn) {
		j->t->ops->close(j->t->conn);
		j->t->conn = NULL;
	}
}

static void tracker_lost(struct tracker *t, const char *why)
{
	char msg[320];

	if (!t->up)
		return;
	t->up = false;
	t->gen++;
	t->host.connected = false;
	snprintf(msg, sizeof(msg), "libvirt %s: %s", t->cfg->libvirt_uri, why);
	tracker_error(t, msg);
	log_msg(LOG_ERR, "virt", "%s; serving the last known state", msg);
	tracker_submit(t, tjob_new(t, TJ_CLOSE));
	tracker_schedule_reconnect(t);
}

static const char *tracker_close_reason(int reason)
{
	switch (reason) {
	case VIR_CONNECT_CLOSE_REASON_ERROR:
		return "connection closed: I/O error";
	case VIR_CONNECT_CLOSE_REASON_EOF:
		return "connection closed by libvirtd";
	case VIR_CONNECT_CLOSE_REASON_KEEPALIVE:
		return "connection closed: keepalive timeout";
	default:
		return "connection closed";
	}
}

/* loop thread: act on what the close callback (any thread) reported */
static void tracker_kick(int timer, void *opaque)
{
	struct tracker *t = opaque;
	int reason = atomic_exchange(&t->closed_reason, -1);

	loop_update_timeout(timer, -1);
	if (reason < 0)
		return;
	if (t->connecting)
		t->lost_while_connecting = true;
	else
		tracker_lost(t, tracker_close_reason(reason));
}

static void tracker_on_closed(void *opaque, int reason)
{
	struct tracker *t = opaque;

	atomic_store(&t->closed_reason, reason);
	loop_update_timeout(t->kick_timer, 0);
}

/* --- events and re-reads ----------------------------------------------------------- */

static void tracker_refresh_run(struct tjob *j)
{
	struct tracker *t = j->t;

	if (!t->conn || atomic_load(&t->closing)) {
		j->rc = -1;
		snprintf(j->err, sizeof(j->err), "not connected");
		return;
	}
	j->rc = t->ops->lookup(t->conn, j->uuid, &j->vm, j->err, sizeof(j->err));
}

static void tracker_call_hooks(struct tracker *t, const unsigned char *uuid,
			       enum tracker_moment m)
{
	const struct vm *vm;
	size_t i;

	for (i = 0; i < t->n_hooks; i++) {
		/* looked up each time: a hook may change the cache */
		vm = vmcache_by_uuid(&t->cache, uuid);
		if (vm)
			t->hooks[i].fn(t->hooks[i].opaque, vm, m);
	}
}

static void tracker_refresh_done(struct tjob *j)
{
	struct tracker *t = j->t;
	char text[VM_UUID_STR_LEN + 1];

	if (j->w.cancelled || j->gen != t->gen) {
		tjob_free(j);
		return;
	}
	if (j->rc < 0) {
		vm_uuid_format(j->uuid, text);
		log_msg(LOG_WARNING, "virt", "re-reading domain %s: %s", text, j->err);
	} else if (j->rc == 1) {
		tracker_drop(t, j->uuid);
	} else {
		tracker_apply_one(t, j->vm, j->seq);
		j->vm = NULL;
		if (j->moment >= 0)
			tracker_call_hooks(t, j->uuid, (enum tracker_moment)j->moment);
	}
	tjob_free(j);
}

static void tracker_refresh_moment(struct tracker *t, const unsigned char *uuid, int moment)
{
	struct tjob *j = tjob_new(t, TJ_REFRESH);

	if (!j)
		return;
	memcpy(j->uuid, uuid, VM_UUID_LEN);
	j->moment = moment;
	tracker_submit(t, j);
}

static void tracker_refresh(struct tracker *t, const unsigned char *uuid)
{
	tracker_refresh_moment(t, uuid, -1);
}

/* virDomainEventType -> the virDomainState it leads to, -1: re-read only */
static int tracker_event_state(int event)
{
	switch (event) {
	case VIR_DOMAIN_EVENT_STARTED:
	case VIR_DOMAIN_EVENT_RESUMED:
		return VIR_DOMAIN_RUNNING;
	case VIR_DOMAIN_EVENT_SUSPENDED:
		return VIR_DOMAIN_PAUSED;
	case VIR_DOMAIN_EVENT_STOPPED:
		return VIR_DOMAIN_SHUTOFF;
	case VIR_DOMAIN_EVENT_PMSUSPENDED:
		return VIR_DOMAIN_PMSUSPENDED;
	case VIR_DOMAIN_EVENT_CRASHED:
		return VIR_DOMAIN_CRASHED;
	default:
		return -1;
	}
}

static bool tracker_arriving(struct tracker *t, const unsigned char *uuid, int add)
{
	size_t i;

	for (i = 0; i < t->n_arriving; i++) {
		if (vm_uuid_cmp(t->arriving[i], uuid) != 0)
			continue;
		if (add < 0)
			memmove(t->arriving[i], t->arriving[i + 1],
				(--t->n_arriving - i) * VM_UUID_LEN);
		return true;
	}
	if (add > 0 && t->n_arriving < sizeof(t->arriving) / sizeof(t->arriving[0]))
		memcpy(t->arriving[t->n_arriving++], uuid, VM_UUID_LEN);
	return false;
}

/* the moment (tracker.h) a lifecycle event marks, -1 none */
static int tracker_event_moment(struct tracker *t, const unsigned char *uuid, int event,
				int detail)
{
	switch (event) {
	case VIR_DOMAIN_EVENT_STARTED:
		if (detail != VIR_DOMAIN_EVENT_STARTED_MIGRATED)
			return TRACKER_VM_STARTED;
		tracker_arriving(t, uuid, 1);
		return TRACKER_VM_ARRIVING;
	case VIR_DOMAIN_EVENT_RESUMED:
	case VIR_DOMAIN_EVENT_SUSPENDED:
		/* the end of an incoming migration: resumed, or left paused */
		if (tracker_arriving(t, uuid, 0) &&
		    (detail == VIR_DOMAIN_EVENT_RESUMED_MIGRATED ||
		     event == VIR_DOMAIN_EVENT_SUSPENDED)) {
			tracker_arriving(t, uuid, -1);
			return TRACKER_VM_ARRIVED;
		}
		return -1;
	case VIR_DOMAIN_EVENT_STOPPED:
	case VIR_DOMAIN_EVENT_UNDEFINED:
		tracker_arriving(t, uuid, -1);
		return -1;
	default:
		return -1;
	}
}

static void tracker_on_event(void *opaque, const unsigned char *uuid, int kind,
			     int event, int detail)
{
	struct tracker *t = opaque;
	struct vm *vm = vmcache_by_uuid(&t->cache, uuid);
	int state = kind == VIRT_EV_LIFECYCLE ? tracker_event_state(event) : -1;
	int old_state, moment = -1;

	t->seq++;
	if (kind == VIRT_EV_LIFECYCLE)
		moment = tracker_event_moment(t, uuid, event, detail);
	if (vm && state >= 0 && state != vm->state) {
		old_state = vm->state;
		vm->state = state;
		vm->reason = 0;
		vm->event_seq = t->seq;
		tracker_uptime(vm, old_state == VIR_DOMAIN_RUNNING ||
					   old_state == VIR_DOMAIN_PAUSED ||
					   old_state == VIR_DOMAIN_BLOCKED ||
					   old_state == VIR_DOMAIN_SHUTDOWN ||
					   old_state == VIR_DOMAIN_PMSUSPENDED);
		tracker_note_change(t, false);
		tracker_tell(t, vm, old_state, TRACKER_VM_CHANGED);
	}
	/* the re-read brings device names, metadata, removal; while the
	 * connection is down the reload on reconnect does it */
	if (t->up || t->connecting)
		tracker_refresh_moment(t, uuid, moment);
}

/* --- metadata ---------------------------------------------------------------------- */

static void tracker_set_index_run(struct tjob *j)
{
	struct tracker *t = j->t;

	if (!t->conn || atomic_load(&t->closing)) {
		j->rc = -1;
		snprintf(j->err, sizeof(j->err), "not connected");
		return;
	}
	j->rc = t->ops->set_index(t->conn, j->uuid, j->index, j->err, sizeof(j->err));
}

static void tracker_set_index_done(struct tjob *j)
{
	struct tracker *t = j->t;
	struct vm *vm;

	if (!j->w.cancelled && j->gen == t->gen) {
		vm = vmcache_by_uuid(&t->cache, j->uuid);
		if (j->rc < 0)
			log_msg(LOG_WARNING, "virt", "recording index %d: %s (retried on reconnect)",
				(int)j->index, j->err);
		else if (vm && vm->index == j->index)
			vm->meta_index = j->index;
	}
	tjob_free(j);
}

/* --- other modules' metadata -------------------------------------------------------- */

static void tracker_meta_run(struct tjob *j)
{
	struct tracker *t = j->t;
	char *xml = NULL;

	j->rc = -1;
	if (!t->conn || atomic_load(&t->closing)) {
		snprintf(j->err, sizeof(j->err), "libvirt is not connected");
		return;
	}
	if ((j->kind == TJ_META_GET && !t->ops->get_meta) ||
	    (j->kind == TJ_META_SET && !t->ops->set_meta)) {
		snprintf(j->err, sizeof(j->err), "the %s backend keeps no metadata", t->ops->name);
		return;
	}
	if (j->kind == TJ_META_SET) {
		j->rc = t->ops->set_meta(t->conn, j->uuid, j->meta_uri, j->meta_prefix,
					 j->meta_xml, j->err, sizeof(j->err));
		return;
	}
	j->rc = t->ops->get_meta(t->conn, j->uuid, j->meta_uri, &xml, j->err, sizeof(j->err));
	free(j->meta_xml);
	j->meta_xml = xml;
}

static void tracker_meta_done(struct tjob *j)
{
	if (j->w.cancelled) {
		j->rc = -1;
		snprintf(j->err, sizeof(j->err), "vmibd is stopping");
	}
	j->meta_cb(j->meta_opaque, j->rc,
		   j->kind == TJ_META_GET && j->rc == 0 ? j->meta_xml : NULL, j->err);
	tjob_free(j);
}

static int tracker_meta_job(struct tracker *t, enum tjob_kind kind,
			    const unsigned char *uuid, const char *uri,
			    const char *prefix, const char *xml, tracker_meta_cb cb,
			    void *opaque)
{
	struct tjob *j = tjob_new(t, kind);

	if (!j)
		return -1;
	if (xml && !(j->meta_xml = strdup(xml))) {
		tjob_free(j);
		return -1;
	}
	memcpy(j->uuid, uuid, VM_UUID_LEN);
	j->rc = -1;
	j->meta_uri = uri;
	j->meta_prefix = prefix;
	j->meta_cb = cb;
	j->meta_opaque = opaque;
	tracker_submit(t, j);
	return 0;
}

int tracker_meta_read(struct tracker *t, const unsigned char *uuid,
		      const char *uri, tracker_meta_cb cb, void *opaque)
{
	return tracker_meta_job(t, TJ_META_GET, uuid, uri, NULL, NULL, cb, opaque);
}

int tracker_meta_write(struct tracker *t, const unsigned char *uuid,
		       const char *uri, const char *prefix, const char *xml,
		       tracker_meta_cb cb, void *opaque)
{
	return tracker_meta_job(t, TJ_META_SET, uuid, uri, prefix, xml, cb, opaque);
}

/* --- counters ---------------------------------------------------------------------- */

static void tracker_stats_run(struct tjob *j)
{
	struct tracker *t = j->t;

	if (!t->conn || atomic_load(&t->closing)) {
		j->rc = -1;
		snprintf(j->err, sizeof(j->err), "not connected");
		return;
	}
	j->rc = t->ops->stats(t->conn, j->req, j->n_req, &j->stats, &j->n_stats,
			      &j->mem_free_kib, j->err, sizeof(j->err));
}

static void tracker_stats_vm(struct tracker *t, struct vm *vm,
			     const struct virt_stats *s, const struct tjob *j)
{
	struct vm_vif *v;
	int old_state;
	size_t i;

	vm->cpu_time_ns = s->cpu_time_ns;
	if (s->n_vcpu) {
		uint64_t *nv = realloc(vm->vcpu_time_ns, s->n_vcpu * sizeof(*nv));

		if (nv) {
			memcpy(nv, s->vcpu_time_ns, s->n_vcpu * sizeof(*nv));
			vm->vcpu_time_ns = nv;
			vm->n_vcpu_time = s->n_vcpu;
		}
	}
	for (i = 0; i < s->n_vifs; i++) {
		v = vm_vif_by_dev(vm, s->vifs[i].dev);
		if (v)
			v->c = s->vifs[i].c;
	}
	for (i = 0; i < s->n_blks; i++) {
		struct vm_disk *d = vm_disk_by_dev(vm, s->blks[i].dev);

		if (d) {
			d->c = s->blks[i].c;
			d->capacity_bytes = s->blks[i].capacity_bytes;
			d->allocation_bytes = s->blks[i].allocation_bytes;
		}
	}
	vm->stats_ms = j->started_ms;
	/* a state change whose event was lost (no newer event applied) */
	if (s->state > 0 && s->state != vm->state && vm->event_seq <= j->seq) {
		old_state = vm->state;
		vm->state = s->state;
		vm->reason = s->reason;
		tracker_note_change(t, false);
		tracker_tell(t, vm, old_state, TRACKER_VM_CHANGED);
		tracker_refresh(t, vm->uuid);
	}
}

static void tracker_stats_done(struct tjob *j)
{
	struct tracker *t = j->t;
	bool was_hung = t->hung_noted;
	struct vm *vm;
	size_t i;

	if (t->stats_job == j)
		t->stats_job = NULL;
	t->hung_noted = false;
	if (j->w.cancelled || j->gen != t->gen) {
		tjob_free(j);
		return;
	}
	if (j->rc < 0) {
		log_msg(LOG_WARNING, "virt", "reading counters: %s", j->err);
		tracker_error(t, j->err);
		tjob_free(j);
		return;
	}
	for (i = 0; i < j->n_stats; i++) {
		vm = vmcache_by_uuid(&t->cache, j->stats[i].uuid);
		if (vm)
			tracker_stats_vm(t, vm, &j->stats[i], j);
	}
	if (j->mem_free_kib)
		t->host.info.mem_free_kib = j->mem_free_kib;
	log_msg(LOG_DEBUG, "virt", "counters of %zu VMs read in %llu ms", j->n_stats,
		(unsigned long long)(loop_now_ms() - j->started_ms));
	t->stats_ms = j->started_ms;
	t->host.connected = true;
	if (was_hung)
		log_msg(LOG_NOTICE, "virt", "libvirt %s answers again after %llu ms",
			t->cfg->libvirt_uri, (unsigned long long)(loop_now_ms() - j->started_ms));
	tjob_free(j);
}

/* the devices of every active VM, for backends that ask per device */
static int tracker_stats_req(struct tracker *t, struct tjob *j)
{
	size_t n = vmcache_count(&t->cache), i, k, n_devs = 0, d = 0;
	const struct vm *vm;

	for (i = 0; i < n; i++)
		n_devs += t->cache.by_uuid[i]->n_vifs + t->cache.by_uuid[i]->n_disks;
	j->req = calloc(n ? n : 1, sizeof(*j->req));
	j->devs = calloc(n_devs ? n_devs : 1, sizeof(*j->devs));
	if (!j->req || !j->devs)
		return -1;
	for (i = 0; i < n; i++) {
		vm = t->cache.by_uuid[i];
		if (!vm_is_active(vm))
			continue;
		struct virt_stats_req *r = &j->req[j->n_req++];

		memcpy(r->uuid, vm->uuid, VM_UUID_LEN);
		r->devs = &j->devs[d];
		for (k = 0; k < vm->n_vifs; k++)
			if (vm->vifs[k].dev[0])
				memcpy(j->devs[d + r->n_devs++], vm->vifs[k].dev, VM_IFNAME_MAX);
		d += r->n_devs;
		/* disk target devs follow in the same array */
		r->disks = &j->devs[d];
		for (k = 0; k < vm->n_disks; k++)
			if (vm->disks[k].dev[0])
				memcpy(j->devs[d + r->n_disks++], vm->disks[k].dev, VM_IFNAME_MAX);
		d += r->n_disks;
	}
	return 0;
}

void tracker_need_stats(struct tracker *t)
{
	uint64_t now = loop_now_ms(), waited;
	struct tjob *j;

	if (!t->up || (t->stats_ms && now - t->stats_ms <= t->cfg->stats_max_age_ms))
		return;
	if (t->stats_job) {
		/* one request already waited for this job: do not wait again */
		waited = now - t->stats_job->started_ms;
		if (waited < t->cfg->stats_wait_ms)
			worker_wait(&t->stats_job->w, (unsigned int)(t->cfg->stats_wait_ms - waited));
		return;
	}
	j = tjob_new(t, TJ_STATS);
	if (!j)
		return;
	if (tracker_stats_req(t, j) < 0) {
		tjob_free(j);
		return;
	}
	t->stats_job = j;
	tracker_submit(t, j);
	if (t->stats_job == j && t->cfg->stats_wait_ms)
		worker_wait(&j->w, t->cfg->stats_wait_ms);
}

/* --- jobs --------------------------------------------------------------------------- */

static void tracker_job_run(struct work *w)
{
	struct tjob *j = (struct tjob *)w;

	switch (j->kind) {
	case TJ_CONNECT:
		tracker_connect_run(j);
		break;
	case TJ_CLOSE:
		tracker_close_run(j);
		break;
	case TJ_REFRESH:
		tracker_refresh_run(j);
		break;
	case TJ_STATS:
		tracker_stats_run(j);
		break;
	case TJ_SET_INDEX:
		tracker_set_index_run(j);
		break;
	case TJ_META_GET:
	case TJ_META_SET:
		tracker_meta_run(j);
		break;
	}
}

static void tracker_job_done(struct work *w)
{
	struct tjob *j = (struct tjob *)w;

	switch (j->kind) {
	case TJ_CONNECT:
		tracker_connect_done(j);
		break;
	case TJ_REFRESH:
		tracker_refresh_done(j);
		break;
	case TJ_STATS:
		tracker_stats_done(j);
		break;
	case TJ_SET_INDEX:
		tracker_set_index_done(j);
		break;
	case TJ_META_GET:
	case TJ_META_SET:
		tracker_meta_done(j);
		break;
	case TJ_CLOSE:
		tjob_free(j);
		break;
	}
}

static void tracker_submit(struct tracker *t, struct tjob *j)
{
	(void)t;
	if (!j)
		return;
	j->w.run = tracker_job_run;
	j->w.done = tracker_job_done;
	worker_submit(&j->w);
}

/* --- life cycle --------------------------------------------------------------------- */

struct tracker *tracker_new(const struct vmibd_config *cfg, const struct virt_ops *ops)
{
	struct tracker *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cfg = cfg;
	t->ops = ops;
	t->hung_ms = TRACKER_HUNG_MS;
	vmcache_init(&t->cache);
	atomic_init(&t->closed_reason, -1);
	atomic_init(&t->closing, false);
	t->cbs.event = tracker_on_event;
	t->cbs.closed = tracker_on_closed;
	t->reconnect_timer = loop_add_timeout(-1, tracker_connect, t, NULL);
	t->kick_timer = loop_add_timeout(-1, tracker_kick, t, NULL);
	if (t->reconnect_timer < 0 || t->kick_timer < 0) {
		tracker_free(t);
		return NULL;
	}
	snprintf(t->host.info.uri, sizeof(t->host.info.uri), "%s", cfg->libvirt_uri);
	return t;
}

void tracker_free(struct tracker *t)
{
	if (!t)
		return;
	if (t->reconnect_timer > 0)
		loop_remove_timeout(t->reconnect_timer);
	if (t->kick_timer > 0)
		loop_remove_timeout(t->kick_timer);
	vmcache_clear(&t->cache);
	free(t);
}

int tracker_add_hook(struct tracker *t, tracker_hook_fn fn, void *opaque)
{
	if (t->n_hooks >= TRACKER_MAX_HOOKS)
		return -1;
	t->hooks[t->n_hooks].fn = fn;
	t->hooks[t->n_hooks++].opaque = opaque;
	return 0;
}

void tracker_vm_apply(struct tracker *t, struct vm *fresh)
{
	unsigned char uuid[VM_UUID_LEN];
	struct vm *vm;

	/* the snapshot was read after everything the SET did: newer than any
	 * event applied so far, and than any re-read or counter read already
	 * queued (those must not put back the state they saw) */
	memcpy(uuid, fresh->uuid, VM_UUID_LEN);
	t->seq++;
	tracker_apply_one(t, fresh, t->seq);
	vm = vmcache_by_uuid(&t->cache, uuid);
	if (vm)
		vm->event_seq = t->seq;
}

void tracker_vm_forget(struct tracker *t, const unsigned char *uuid)
{
	tracker_drop(t, uuid);
}

struct vm *tracker_vm_edit(struct tracker *t, const unsigned char *uuid)
{
	return vmcache_by_uuid(&t->cache, uuid);
}

void tracker_vm_touched(struct tracker *t, const struct vm *vm, int old_oper)
{
	if (vm_oper_vmib(vm) == old_oper)
		return;
	tracker_note_change(t, false);
}

void tracker_set_listener(struct tracker *t, tracker_listener_fn fn, void *opaque)
{
	t->listener = fn;
	t->listener_opaque = opaque;
}

void tracker_announce(struct tracker *t, const struct vm *vm, enum tracker_change what)
{
	tracker_tell(t, vm, vm->state, what);
}

int tracker_start(struct tracker *t)
{
	t->stopping = false;
	tracker_connect(t->reconnect_timer, t);
	return 0;
}

void tracker_stop(struct tracker *t)
{
	t->stopping = true;
	atomic_store(&t->closing, true);
	t->up = false;
	t->gen++;
	loop_update_timeout(t->reconnect_timer, -1);
	tracker_submit(t, tjob_new(t, TJ_CLOSE));
}

bool tracker_synced(const struct tracker *t)
{
	return t->synced;
}

const struct vmcache *tracker_cache(const struct tracker *t)
{
	return &t->cache;
}

const struct tracker_host *tracker_host(struct tracker *t)
{
	uint64_t pending_ms = t->stats_job ? loop_now_ms() - t->stats_job->started_ms : 0;
	bool hung = t->stats_job && pending_ms > t->hung_ms;
	char msg[320];

	t->host.connected = t->up && !hung;
	if (hung && t->up && !t->hung_noted) {
		/* vmibHostLastError says why the state is stale, once a hang */
		t->hung_noted = true;
		snprintf(msg, sizeof(msg), "libvirt %s: not answering (counters requested %llu ms ago)",
			 t->cfg->libvirt_uri, (unsigned long long)pending_ms);
		tracker_error(t, msg);
		log_msg(LOG_ERR, "virt", "%s; serving the last known state", msg);
	}
	return &t->host;
}

void tracker_set_hung_ms(struct tracker *t, unsigned int ms)
{
	t->hung_ms = ms;
}

void tracker_host_error(struct tracker *t, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tracker_error(t, msg);
}

unsigned int tracker_connections(const struct tracker *t)
{
	return t->connections;
}
