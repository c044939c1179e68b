/*
 * vmstop.c - shutdown deadlines of VMs asked to shut off (vmstop.h).
 *
 * Owns a small list of (VM, deadline) and one loop timer set to the
 * nearest deadline.  At a deadline it looks at the cache: a VM that is
 * still active is powered off (virDomainDestroy through the control
 * thread), a VM that stopped or went away is simply forgotten.
 *
 * The list survives a vmibd restart: every change rewrites
 * <state-dir>/shutdown-deadlines (one "UUID DEADLINE TIMEOUT NAME" line a
 * VM, DEADLINE in ms since the epoch; written to a .tmp and renamed), and
 * vmstop_init() reads it back.  A deadline read back powers the VM off
 * only if its vmibVmAdminState still reads shutoff(3) (a SET running(1)
 * since would have cancelled it); it waits while libvirt is not
 * connected, so an empty cache is not taken for "the VM went away".
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control_thread.h"
#include "log.h"
#include "loop.h"
#include "vmib_oids.h"
#include "stop_deadline.h"

struct vmstop_entry {
	unsigned char uuid[VM_UUID_LEN];
	char name[256];
	uint64_t deadline_ms;      /* loop_now_ms() clock */
	uint64_t wall_deadline_ms; /* the same in ms since the epoch (the file) */
	unsigned int timeout_s;
	bool restored;             /* read back at start-up */
};

struct vmstop_job {
	struct ctl_job cj;
	unsigned char uuid[VM_UUID_LEN];
	char name[256];
	int rc;
	char err[256];
	int lookup_rc;      /* the domain afterwards: 0 snap, 1 gone, -1 unknown */
	struct vm *snap;
};

static struct {
	struct agent_ctx *ctx;
	struct vmstop_entry *v;
	size_t n, cap;
	int timer;
	char path[PATH_MAX];       /* "" when there is no state directory */
} P = {.timer = -1};

#define VMSTOP_FILE "shutdown-deadlines"
#define VMSTOP_RETRY_MS 1000  /* a deadline due while libvirt is away */

static uint64_t wall_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* the list to the state file (atomically); failures are logged, the
 * deadlines still hold in memory */
static void vmstop_save(void)
{
	char tmp[PATH_MAX + 8], uuid[VM_UUID_STR_LEN + 1];
	FILE *f;
	size_t i;
	int bad;

	if (!P.path[0])
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", P.path);
	f = fopen(tmp, "w");
	if (!f && errno == ENOENT && P.ctx && P.ctx->cfg->state_dir &&
	    mkdir(P.ctx->cfg->state_dir, 0700) == 0)
		f = fopen(tmp, "w");
	if (!f) {
		log_msg(LOG_WARNING, "main", "%s: %s (shutdown deadlines not kept across restarts)",
			tmp, strerror(errno));
		return;
	}
	for (i = 0; i < P.n; i++) {
		vm_uuid_format(P.v[i].uuid, uuid);
		fprintf(f, "%s %" PRIu64 " %u %s\n", uuid, P.v[i].wall_deadline_ms,
			P.v[i].timeout_s, P.v[i].name);
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad || rename(tmp, P.path) != 0) {
		log_msg(LOG_WARNING, "main", "%s: %s (shutdown deadlines not kept across restarts)",
			P.path, strerror(errno));
		unlink(tmp);
	}
}

static struct vmstop_entry *vmstop_add(void)
{
	struct vmstop_entry *nv;

	if (P.n == P.cap) {
		P.cap = P.cap ? P.cap * 2 : 8;
		nv = realloc(P.v, P.cap * sizeof(*nv));
		if (!nv)
			return NULL;
		P.v = nv;
	}
	memset(&P.v[P.n], 0, sizeof(P.v[P.n]));
	return &P.v[P.n++];
}

/* the deadlines of the previous run; a bad line is skipped with a warning */
static void vmstop_load(void)
{
	char line[512], uuid_s[64], name[256];
	uint64_t wall, now = loop_now_ms(), wall_now = wall_now_ms();
	unsigned int timeout_s, lineno = 0;
	struct vmstop_entry *e;
	FILE *f;

	if (!P.path[0] || !(f = fopen(P.path, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned char uuid[VM_UUID_LEN];

		lineno++;
		name[0] = '\0';
		if (sscanf(line, "%63s %" SCNu64 " %u %255[^\n]", uuid_s, &wall, &timeout_s,
			   name) < 3 || vm_uuid_parse(uuid_s, uuid) < 0) {
			log_msg(LOG_WARNING, "main", "%s:%u: not a shutdown deadline, skipped",
				P.path, lineno);
			continue;
		}
		if (!(e = vmstop_add()))
			break;
		memcpy(e->uuid, uuid, VM_UUID_LEN);
		snprintf(e->name, sizeof(e->name), "%s", name);
		e->timeout_s = timeout_s;
		e->wall_deadline_ms = wall;
		e->deadline_ms = now + (wall > wall_now ? wall - wall_now : 0);
		e->restored = true;
		log_msg(LOG_NOTICE, "virt", "VM %s: shutdown deadline kept from before the restart "
			"(%" PRIu64 " ms left)", e->name, e->deadline_ms - now);
	}
	fclose(f);
}

static void vmstop_job_run(struct ctl_job *cj, const struct virt_ops *ops, void *conn,
			   const char *err)
{
	struct vmstop_job *j = (struct vmstop_job *)cj;
	char ignore[256];

	j->lookup_rc = -1;
	if (!conn) {
		j->rc = -1;
		snprintf(j->err, sizeof(j->err), "libvirt: %s", err);
		return;
	}
	j->rc = ops->power(conn, j->uuid, VIRT_POWER_DESTROY, j->err, sizeof(j->err));
	j->lookup_rc = ops->lookup(conn, j->uuid, &j->snap, ignore, sizeof(ignore));
}

static void vmstop_job_done(struct ctl_job *cj, bool cancelled)
{
	struct vmstop_job *j = (struct vmstop_job *)cj;
	struct vm *vm;

	/* the cache in step now, not when the events come */
	if (!cancelled && P.ctx && j->lookup_rc == 0) {
		tracker_vm_apply(P.ctx->tracker, j->snap);
		j->snap = NULL;
	} else if (!cancelled && P.ctx && j->lookup_rc == 1) {
		tracker_vm_forget(P.ctx->tracker, j->uuid);
	}
	vm_free(j->snap);
	if (j->rc != 0 && !cancelled && P.ctx) {
		log_msg(LOG_ERR, "virt", "powering off VM %s: %s", j->name, j->err);
		vm = tracker_vm_edit(P.ctx->tracker, j->uuid);
		if (vm) {
			free(vm->last_error);
			vm->last_error = strndup(j->err, VMIB_SIZE_vmibVmLastError_MAX);
		}
	}
	free(j);
}

static void vmstop_poweroff(const struct vmstop_entry *e)
{
	struct vmstop_job *j = calloc(1, sizeof(*j));

	if (!j)
		return;
	j->cj.run = vmstop_job_run;
	j->cj.done = vmstop_job_done;
	memcpy(j->uuid, e->uuid, VM_UUID_LEN);
	snprintf(j->name, sizeof(j->name), "%s", e->name);
	log_msg(LOG_NOTICE, "virt", "VM %s did not shut down within %u s: powering it off",
		e->name, e->timeout_s);
	ctl_submit(&j->cj);
}

static void vmstop_reschedule(void)
{
	uint64_t now = loop_now_ms(), next = UINT64_MAX;
	size_t i;

	for (i = 0; i < P.n; i++)
		if (P.v[i].deadline_ms < next)
			next = P.v[i].deadline_ms;
	if (P.timer >= 0)
		loop_update_timeout(P.timer, next == UINT64_MAX ? -1
					     : next <= now ? 0 : (int)(next - now));
}

static void vmstop_tick(int timer, void *opaque)
{
	uint64_t now = loop_now_ms();
	const struct vm *vm;
	size_t i = 0, before = P.n;

	(void)timer;
	(void)opaque;
	while (i < P.n) {
		if (P.v[i].deadline_ms > now) {
			i++;
			continue;
		}
		if (!tracker_host(P.ctx->tracker)->connected) {
			/* the cache may not know the VM yet: ask again later */
			P.v[i++].deadline_ms = now + VMSTOP_RETRY_MS;
			continue;
		}
		vm = vmcache_by_uuid(tracker_cache(P.ctx->tracker), P.v[i].uuid);
		if (vm && vm_is_active(vm) &&
		    (!P.v[i].restored || vm_admin_vmib(vm) == VM_ADMIN_SHUTOFF))
			vmstop_poweroff(&P.v[i]);
		P.v[i] = P.v[--P.n];
	}
	if (P.n != before)
		vmstop_save();
	vmstop_reschedule();
}

void vmstop_init(struct agent_ctx *ctx)
{
	const char *dir = ctx && ctx->cfg ? ctx->cfg->state_dir : NULL;

	P.ctx = ctx;
	P.n = 0;
	P.path[0] = '\0';
	if (dir && dir[0] && strcmp(dir, "none") != 0)
		snprintf(P.path, sizeof(P.path), "%s/%s", dir, VMSTOP_FILE);
	P.timer = loop_add_timeout(-1, vmstop_tick, NULL, NULL);
	if (P.timer < 0)
		log_msg(LOG_ERR, "main", "no timer for shutdown deadlines");
	vmstop_load();
	vmstop_reschedule();
}

void vmstop_fini(void)
{
	if (P.timer >= 0)
		loop_remove_timeout(P.timer);
	P.timer = -1;
	free(P.v);
	P.v = NULL;
	P.n = P.cap = 0;
	P.ctx = NULL;
}

void vmstop_arm(const unsigned char *uuid, const char *name, unsigned int timeout_s)
{
	struct vmstop_entry *e = NULL;
	size_t i;

	for (i = 0; i < P.n && !e; i++)
		if (vm_uuid_cmp(P.v[i].uuid, uuid) == 0)
			e = &P.v[i];
	if (!e && !(e = vmstop_add()))
		return;
	memcpy(e->uuid, uuid, VM_UUID_LEN);
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->timeout_s = timeout_s;
	e->deadline_ms = loop_now_ms() + (uint64_t)timeout_s * 1000;
	e->wall_deadline_ms = wall_now_ms() + (uint64_t)timeout_s * 1000;
	e->restored = false;
	vmstop_save();
	vmstop_reschedule();
}

void vmstop_cancel(const unsigned char *uuid)
{
	size_t i;

	for (i = 0; i < P.n; i++) {
		if (vm_uuid_cmp(P.v[i].uuid, uuid) == 0) {
			P.v[i] = P.v[--P.n];
			vmstop_save();
			break;
		}
	}
	vmstop_reschedule();
}

size_t vmstop_pending(void)
{
	return P.n;
}
