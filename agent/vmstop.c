/*
 * vmstop.c - shutdown deadlines of VMs asked to shut off (vmstop.h).
 *
 * Owns a small list of (VM, deadline) and one loop timer set to the
 * nearest deadline.  At a deadline it looks at the cache: a VM that is
 * still active is powered off (virDomainDestroy through the control
 * thread), a VM that stopped or went away is simply forgotten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "vmib_oids.h"
#include "vmstop.h"

struct vmstop_entry {
	unsigned char uuid[VM_UUID_LEN];
	char name[256];
	uint64_t deadline_ms;
	unsigned int timeout_s;
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
	struct mib_ctx *ctx;
	struct vmstop_entry *v;
	size_t n, cap;
	int timer;
} P = {.timer = -1};

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
	size_t i = 0;

	(void)timer;
	(void)opaque;
	while (i < P.n) {
		if (P.v[i].deadline_ms > now) {
			i++;
			continue;
		}
		vm = vmcache_by_uuid(tracker_cache(P.ctx->tracker), P.v[i].uuid);
		if (vm && vm_is_active(vm))
			vmstop_poweroff(&P.v[i]);
		P.v[i] = P.v[--P.n];
	}
	vmstop_reschedule();
}

void vmstop_init(struct mib_ctx *ctx)
{
	P.ctx = ctx;
	P.n = 0;
	P.timer = loop_add_timeout(-1, vmstop_tick, NULL, NULL);
	if (P.timer < 0)
		log_msg(LOG_ERR, "main", "no timer for shutdown deadlines");
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
	struct vmstop_entry *e = NULL, *nv;
	size_t i;

	for (i = 0; i < P.n && !e; i++)
		if (vm_uuid_cmp(P.v[i].uuid, uuid) == 0)
			e = &P.v[i];
	if (!e) {
		if (P.n == P.cap) {
			P.cap = P.cap ? P.cap * 2 : 8;
			nv = realloc(P.v, P.cap * sizeof(*nv));
			if (!nv)
				return;
			P.v = nv;
		}
		e = &P.v[P.n++];
	}
	memcpy(e->uuid, uuid, VM_UUID_LEN);
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->timeout_s = timeout_s;
	e->deadline_ms = loop_now_ms() + (uint64_t)timeout_s * 1000;
	vmstop_reschedule();
}

void vmstop_cancel(const unsigned char *uuid)
{
	size_t i;

	for (i = 0; i < P.n; i++) {
		if (vm_uuid_cmp(P.v[i].uuid, uuid) == 0) {
			P.v[i] = P.v[--P.n];
			break;
		}
	}
	vmstop_reschedule();
}

size_t vmstop_pending(void)
{
	return P.n;
}
