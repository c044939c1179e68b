/*
 * migrate.h - live migration of VMs: the outgoing ones started through
 * vmibVmMigrateTarget, and the VMs that arrive here by migration.
 *
 * Outgoing: migrate_start (from a SET's COMMIT) marks the VM inProgress
 * (vmibVmOperState migrating), and runs libvirt's peer-to-peer migration
 * (persistent on the destination, undefined here) on a thread of its own
 * (ctl_spawn).  When it ends the row gets succeeded and leaves this
 * host, or failed with the reason in vmibVmLastError; either way
 * vmibMigrationDone is sent with libvirt's measured downtime.
 * Incoming: a tracker hook marks the arrived VM succeeded and reads the
 * downtime the destination measured.  Loop thread only.
 */
#ifndef VMIB_MIGRATE_H
#define VMIB_MIGRATE_H

#include <stdbool.h>

#include "agent_ctx.h"

void migrate_init(struct agent_ctx *ctx);
void migrate_fini(void);

/* start migrating the VM (cached, running or paused) to uri; target is
 * what was written (a peer name or the URI).  -1 if it could not start
 * (the row then shows failed). */
int migrate_start(const unsigned char *uuid, const char *uri, const char *target, bool live);
/* abort the VM's running migration (asynchronous; it ends as failed) */
void migrate_abort(const unsigned char *uuid);

/* migrations running (tests, diagnostics) */
unsigned int migrate_running(void);

#endif
