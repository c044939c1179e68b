/*
 * notify.h - SNMP notifications on VM life cycle changes (notify.c):
 * the vMIB's, RFC 7666's per-VM ones and its bulk ones.
 */
#ifndef VMIB_NOTIFY_H
#define VMIB_NOTIFY_H

#include <stdbool.h>

#include "mib_tables.h"
#include "tracker.h"

void notify_init(struct agent_ctx *ctx);
/* send only once the AgentX side is initialised */
void notify_enable(bool on);
/* the tracker listener (tracker_set_listener(t, notify_listener, NULL)):
 * vmibVmStateChange and RFC 7666's notifications for the changes libvirt
 * shows; for those the migrations announce, vmibVmStateChange
 * (TRACKER_VM_MIGRATING) and vmibMigrationDone (TRACKER_VM_MIGRATED) */
void notify_listener(void *opaque, const struct vm *vm, int old_state,
		     enum tracker_change what);
/* RFC 7666 bulk notifications: changes are collected this long from the
 * first one, then sent (notify.c) */
#define NOTIFY_BULK_WINDOW_MS 500
#define NOTIFY_BULK_MAX_INDEX 65536 /* bitmap of at most 8 KiB */
/* send the collected bulk notifications now (the window's timer does) */
void notify_flush(void);
/* notifications sent so far (tests, diagnostics) */
unsigned long notify_sent(void);

#endif
