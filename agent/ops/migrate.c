/*
 * migrate.c - migrations out of and into this host (migrate.h).
 *
 * Owns the migration jobs in flight and the migration columns of the
 * cached VMs (migrate_status, migrate_target, migrate_live,
 * migrate_downtime_ms, and last_error on failure).  The libvirt calls run
 * elsewhere: the migration itself on its own thread and connection, the
 * abort and the downtime read in the control thread (ctl.h).  The
 * notifications are notify.c's; the index of an arriving VM is the
 * tracker's (its metadata's, if free here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_thread.h"
#include "log.h"
#include "loop.h"
#include "migrate.h"
#include "vmib_oids.h"

enum mig_kind { MIG_MIGRATE, MIG_ABORT, MIG_DOWNTIME };

struct mig_job {
	struct ctl_job cj;
	enum mig_kind kind;
	unsigned char uuid[VM_UUID_LEN];
	char name[256];
	int32_t index;
	char uri[256];
	char target[256];
	bool live;
	int rc;
	char err[256];
	uint64_t downtime_ms;
	uint64_t started_ms;
	unsigned int tries;   /* MIG_DOWNTIME: reads so far */
};

/* libvirt may report the resume before it has stored the completed
 * job's statistics: the downtime is read again a few times */
#define MIG_DOWNTIME_TRIES 10
#define MIG_DOWNTIME_RETRY_MS 300

static struct {
	struct agent_ctx *ctx;
	unsigned int running;
} M;

static void mig_set_error(struct vm *vm, const char *msg)
{
	size_t n = strlen(msg);

	if (n > VMIB_SIZE_vmibVmLastError_MAX)
		n = VMIB_SIZE_vmibVmLastError_MAX;
	free(vm->last_error);
	vm->last_error = malloc(n + 1);
	if (vm->last_error) {
		memcpy(vm->last_error, msg, n);
		vm->last_error[n] = '\0';
	}
}

/* --- the jobs --------------------------------------------------------------------- */

static void mig_run(struct ctl_job *cj, const struct virt_ops *ops, void *conn, const char *err)
{
	struct mig_job *j = (struct mig_job *)cj;

	if (!conn) {
		j->rc = -1;
		snprintf(j->err, sizeof(j->err), "libvirt: %s", err);
		return;
	}
	switch (j->kind) {
	case MIG_MIGRATE:
		j->rc = ops->migrate(conn, j->uuid, j->uri, j->live, &j->downtime_ms, j->err,
				     sizeof(j->err));
		break;
	case MIG_ABORT:
		j->rc = ops->abort_job(conn, j->uuid, j->err, sizeof(j->err));
		break;
	case MIG_DOWNTIME:
		j->rc = ops->job_downtime(conn, j->uuid, &j->downtime_ms, j->err, sizeof(j->err));
		break;
	}
}

/* the VM's values for vmibMigrationDone: the cached row, or what the job
 * remembers when the row is gone already */
static void mig_notify_done(struct mig_job *j, struct vm *vm)
{
	struct vm gone;

	if (!vm) {
		memset(&gone, 0, sizeof(gone));
		gone.index = j->index;
		gone.name = j->name;
		gone.migrate_target = j->target;
		gone.migrate_status = j->rc == 0 ? VMIB_ENUM_vmibVmMigrateStatus_succeeded
						 : VMIB_ENUM_vmibVmMigrateStatus_failed;
		gone.migrate_downtime_ms = (uint32_t)j->downtime_ms;
		gone.last_error = j->rc == 0 ? NULL : j->err;
		vm = &gone;
	}
	tracker_announce(M.ctx->tracker, vm, TRACKER_VM_MIGRATED);
}

static void mig_migrate_done(struct mig_job *j, bool cancelled)
{
	struct tracker *t = M.ctx->tracker;
	struct vm *vm = tracker_vm_edit(t, j->uuid);
	uint64_t ms = loop_now_ms() - j->started_ms;
	int old_oper;

	M.running--;
	if (cancelled) {
		j->rc = -1;
		snprintf(j->err, sizeof(j->err), "vmibd stopped");
	}
	if (j->rc == 0)
		log_msg(LOG_NOTICE, "virt", "VM %s migrated to %s in %llu ms (downtime %llu ms)",
			j->name, j->target, (unsigned long long)ms,
			(unsigned long long)j->downtime_ms);
	else
		log_msg(LOG_WARNING, "virt", "migration of VM %s to %s failed after %llu ms: %s",
			j->name, j->target, (unsigned long long)ms, j->err);
	if (vm) {
		old_oper = vm_oper_vmib(vm);
		vm->migrate_status = j->rc == 0 ? VMIB_ENUM_vmibVmMigrateStatus_succeeded
						: VMIB_ENUM_vmibVmMigrateStatus_failed;
		vm->migrate_downtime_ms = (uint32_t)j->downtime_ms;
		if (j->rc != 0)
			mig_set_error(vm, j->err);
		tracker_vm_touched(t, vm, old_oper);
		if (j->rc != 0)
			tracker_announce(t, vm, TRACKER_VM_MIGRATING);
	}
	mig_notify_done(j, vm);
	/* undefined here by the migration: the row leaves this host now
	 * (the events that say so may come later, or be lost) */
	if (j->rc == 0 && vm)
		tracker_vm_forget(t, j->uuid);
}

static void mig_retry(int timer, void *opaque)
{
	loop_remove_timeout(timer);
	ctl_submit(opaque);
}

static void mig_done(struct ctl_job *cj, bool cancelled)
{
	struct mig_job *j = (struct mig_job *)cj;
	struct vm *vm;

	switch (j->kind) {
	case MIG_MIGRATE:
		mig_migrate_done(j, cancelled);
		break;
	case MIG_ABORT:
		if (j->rc != 0 && !cancelled) {
			log_msg(LOG_WARNING, "virt", "aborting the migration of %s: %s", j->name,
				j->err);
			vm = tracker_vm_edit(M.ctx->tracker, j->uuid);
			if (vm)
				mig_set_error(vm, j->err);
		}
		break;
	case MIG_DOWNTIME:
		vm = tracker_vm_edit(M.ctx->tracker, j->uuid);
		if (vm && j->rc == 0)
			vm->migrate_downtime_ms = (uint32_t)j->downtime_ms;
		else if (j->rc != 0 && !cancelled)
			log_msg(LOG_INFO, "virt", "downtime of the migration of %s: %s", j->name,
				j->err);
		if (vm && !cancelled && j->rc == 0 && j->downtime_ms == 0 &&
		    ++j->tries < MIG_DOWNTIME_TRIES &&
		    loop_add_timeout(MIG_DOWNTIME_RETRY_MS, mig_retry, j, NULL) >= 0)
			return;
		break;
	}
	free(j);
}

static struct mig_job *mig_job_new(enum mig_kind kind, const struct vm *vm)
{
	struct mig_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->cj.run = mig_run;
	j->cj.done = mig_done;
	j->kind = kind;
	memcpy(j->uuid, vm->uuid, VM_UUID_LEN);
	snprintf(j->name, sizeof(j->name), "%s", vm->name);
	j->index = vm->index;
	j->started_ms = loop_now_ms();
	return j;
}

/* --- outgoing ---------------------------------------------------------------------- */

int migrate_start(const unsigned char *uuid, const char *uri, const char *target, bool live)
{
	struct tracker *t = M.ctx->tracker;
	struct vm *vm = tracker_vm_edit(t, uuid);
	struct mig_job *j;
	int old_oper;

	if (!vm)
		return -1;
	old_oper = vm_oper_vmib(vm);
	free(vm->migrate_target);
	vm->migrate_target = strdup(target);
	vm->migrate_live = live;
	vm->migrate_downtime_ms = 0;
	j = mig_job_new(MIG_MIGRATE, vm);
	if (!j) {
		vm->migrate_status = VMIB_ENUM_vmibVmMigrateStatus_failed;
		mig_set_error(vm, "out of memory");
		return -1;
	}
	snprintf(j->uri, sizeof(j->uri), "%s", uri);
	snprintf(j->target, sizeof(j->target), "%s", target);
	j->live = live;
	vm->migrate_status = VMIB_ENUM_vmibVmMigrateStatus_inProgress;
	tracker_vm_touched(t, vm, old_oper);
	tracker_announce(t, vm, TRACKER_VM_MIGRATING);
	log_msg(LOG_NOTICE, "virt", "VM %s (index %d): %s migration to %s (%s)", vm->name,
		(int)vm->index, live ? "live" : "offline", target, uri);
	M.running++;
	if (ctl_spawn(&j->cj) < 0) {
		j->rc = -1;
		snprintf(j->err, sizeof(j->err), "cannot start a migration thread");
		mig_migrate_done(j, false);
		free(j);
		return -1;
	}
	return 0;
}

void migrate_abort(const unsigned char *uuid)
{
	const struct vm *vm = tracker_vm_edit(M.ctx->tracker, uuid);
	struct mig_job *j = vm ? mig_job_new(MIG_ABORT, vm) : NULL;

	if (!j)
		return;
	log_msg(LOG_NOTICE, "virt", "VM %s: aborting its migration", vm->name);
	ctl_submit(&j->cj);
}

unsigned int migrate_running(void)
{
	return M.running;
}

/* --- incoming ----------------------------------------------------------------------- */

static void migrate_hook(void *opaque, const struct vm *cached, enum tracker_moment m)
{
	struct vm *vm;
	struct mig_job *j;

	(void)opaque;
	if (m == TRACKER_VM_ARRIVING) {
		log_msg(LOG_NOTICE, "virt", "VM %s is arriving by migration (index %d)",
			cached->name, (int)cached->index);
		return;
	}
	if (m != TRACKER_VM_ARRIVED)
		return;
	vm = tracker_vm_edit(M.ctx->tracker, cached->uuid);
	if (!vm)
		return;
	vm->migrate_status = VMIB_ENUM_vmibVmMigrateStatus_succeeded;
	log_msg(LOG_NOTICE, "virt", "VM %s arrived by migration (index %d)", vm->name,
		(int)vm->index);
	j = mig_job_new(MIG_DOWNTIME, vm);
	if (j)
		ctl_submit(&j->cj);
}

void migrate_init(struct agent_ctx *ctx)
{
	M.ctx = ctx;
	M.running = 0;
	if (tracker_add_hook(ctx->tracker, migrate_hook, NULL) < 0)
		log_msg(LOG_ERR, "virt", "no room for the migration hook of the tracker");
}

void migrate_fini(void)
{
	M.ctx = NULL;
}
