/*
 * shapestore.h - the shaping of this host's VMs: every row of
 * vmibShapeTable, where it is in force, and where it is kept.
 *
 * The store holds the shape rows of every VM of the host, sorted by
 * (vmibVmIndex, vmibVifIndex, vmibShapeIndex), with their status, last
 * error and counters.  It owns two things around them:
 *
 * - Application to the vif devices (through a struct tc_backend).  The
 *   rows of a vif are in force whenever its host device exists: the
 *   store follows the VMs (shapestore_vm_event(), fed by the tracker's
 *   listener) and rebuilds a vif's tree from its rows (tc_apply with
 *   TC_PLAN_RESET) whenever the device is new to it: vmibd start, VM
 *   start or restart, vif re-created, arrival by live migration.  A row
 *   this kernel cannot do (netem without sch_netem, after a migration) is
 *   unsupported and left out; the others are applied.
 *
 * - Persistence in the domain's libvirt metadata, in an element of its
 *   own namespace (<vmibshape:shapes xmlns:vmibshape="urn:vmib:shape:1">,
 *   one <vmibshape:shape vif=.. index=.. .../> per row), separate from
 *   the VM index element (urn:vmib:domain:1), so the two writers never
 *   race on one element.  The rows are read when a VM appears (SNMP sees
 *   a VM's rows once they are loaded: shapestore_loading()) and written
 *   after every committed change.
 *
 * Why the write follows the commit instead of being part of it.  A SET's
 * COMMIT cannot fail (AgentX CleanupSet has no answer), and writing the
 * metadata is a libvirt call: it runs in the worker thread, behind any
 * slow job (a start, a migration), so ACTION cannot wait for it within
 * the master's timeout.  So the SET is atomic for what the host does
 * (the tc tree and the table change together or not at all), and the
 * write is queued at COMMIT, coalesced per VM (one write in flight, the
 * newest rows written next) and retried until it succeeds; SETs are
 * refused (resourceUnavailable) while libvirt is unreachable, so a
 * change is never accepted that cannot be written.  The worker runs jobs
 * in order, so a migration queued after a SET carries its rows.  What is
 * lost if vmibd dies within the milliseconds between COMMIT and the
 * write is the change that SET made; a failed write is logged and shown
 * in vmibHostLastError.
 *
 * Changes through SNMP (mib_shape.c) go through struct shape_change:
 * begin (a copy of a vif's rows), edit the copy, check (every check, no
 * side effect), apply (ACTION: the tc requests and the swap into the
 * table), undo (UNDO), end (COMMIT frees the old rows and queues the
 * write; FREE or after UNDO frees the new ones).
 *
 * Loop thread only.  Errors are logged once where they are found (tc.c
 * for the kernel's, here for persistence).
 */
#ifndef VMIB_SHAPESTORE_H
#define VMIB_SHAPESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tc.h"
#include "tracker.h"
#include "vmcache.h"
#include "vmib_oids.h"

#define SHAPE_META_URI "urn:vmib:shape:1"
#define SHAPE_META_PREFIX "vmibshape"
#define SHAPE_NAME_MAX VMIB_SIZE_vmibShapeName_MAX
#define SHAPE_ERROR_MAX VMIB_SIZE_vmibShapeLastError_MAX

enum shape_oper {
	SHAPE_APPLIED = VMIB_ENUM_vmibShapeOperStatus_applied,
	SHAPE_PENDING = VMIB_ENUM_vmibShapeOperStatus_pending,
	SHAPE_FAILED = VMIB_ENUM_vmibShapeOperStatus_failed,
	SHAPE_UNSUPPORTED = VMIB_ENUM_vmibShapeOperStatus_unsupported,
};

/* One row of vmibShapeTable.  Owned by the store (or by a change). */
struct shape_entry {
	int32_t vm;                  /* vmibVmIndex */
	uint32_t vif;                /* vmibVifIndex */
	struct shape_row row;        /* row.index = vmibShapeIndex */
	char name[SHAPE_NAME_MAX + 1];
	enum shape_oper oper;
	char last_error[SHAPE_ERROR_MAX + 1];
	struct tc_counters c;        /* as last read (shapestore_counters) */
	bool touched;                /* in a change: created or modified by it */
};

/* Where one vif's rows are in force (one per vif the store has seen). */
struct shape_dev {
	uint32_t vif;
	char dev[VM_IFNAME_MAX];
	int ifindex;         /* the device holds exactly the rows that are
			      * SHAPE_APPLIED; 0: nothing of ours known there */
	bool reset;          /* the device's state is unknown: rebuild */
	int failed_ifindex;  /* applying on this device failed: not retried
			      * until a SET changes the vif or it changes */
	uint64_t counters_ms;
};

/* What the store needs from outside: the metadata (tracker_meta_read /
 * tracker_meta_write on the tracker's connection, or a test fake) and
 * the devices (if_nametoindex + MTU, or a test fake).  device() returns
 * the ifindex of dev in vmibd's namespace (0: absent) and its MTU. */
struct shapestore_ops {
	int (*read)(void *ctx, const unsigned char *uuid, tracker_meta_cb cb,
		    void *opaque);
	int (*write)(void *ctx, const unsigned char *uuid, const char *xml,
		     tracker_meta_cb cb, void *opaque);
	int (*device)(void *ctx, const char *dev, uint32_t *mtu);
	void *ctx;
};

/* The ops on the tracker's libvirt connection and this namespace's links. */
void shapestore_ops_tracker(struct shapestore_ops *ops, struct tracker *t);

struct shapestore;

/* cache: the tracker's (the VMs the store follows); tc: the backend (the
 * store does not own it); caps: vmibHostCapabilities. */
struct shapestore *shapestore_new(const struct vmcache *cache,
				  const struct shapestore_ops *ops,
				  struct tc_backend *tc, uint32_t caps);
void shapestore_free(struct shapestore *s);

/* What the store tells: failure(), a row accepted earlier became failed
 * or unsupported when the store applied it on its own (vmibShapeFailure);
 * error(), the text of a host-level error (vmibHostLastError). */
struct shapestore_hooks {
	void (*failure)(void *opaque, const struct shape_entry *e);
	void (*error)(void *opaque, const char *text);
	void *opaque;
};
void shapestore_set_hooks(struct shapestore *s, const struct shapestore_hooks *hooks);

/* The tracker listener's work (tracker_listener_fn): follow one VM. */
void shapestore_vm_event(struct shapestore *s, const struct vm *vm,
			 enum tracker_change what);
/* Number of VMs whose rows are being read (start-up waits for 0). */
unsigned int shapestore_loading(const struct shapestore *s);
/* A VM the VM table has just created (by the SET being processed): it
 * has no rows yet, so they need not be read before it is changed. */
void shapestore_vm_created(struct shapestore *s, int32_t vm);
/* Is the VM's set of rows known (read from its metadata)? */
bool shapestore_vm_loaded(const struct shapestore *s, const unsigned char *uuid);
/* The last error of a persistence or start-up application ("" if none). */
const char *shapestore_last_error(const struct shapestore *s);

/* --- the table ------------------------------------------------------------- */

size_t shapestore_count(const struct shapestore *s);
const struct shape_entry *shapestore_get(const struct shapestore *s, int32_t vm,
					 uint32_t vif, uint32_t index);
/* The first row whose (vm, vif, index) comes after the OID index q (q_len
 * sub-identifiers, possibly partial or longer), in OID order. */
const struct shape_entry *shapestore_after(const struct shapestore *s,
					   const uint64_t *q, size_t q_len);
/* Read the counters of rows in force, for devices read more than
 * max_age_ms ago (one class dump per vif). */
void shapestore_counters(struct shapestore *s, uint64_t max_age_ms);
/* The rows of one vif (sorted by index, valid until the next change);
 * returns the count. */
size_t shapestore_vif_rows(const struct shapestore *s, int32_t vm, uint32_t vif,
			   struct shape_entry *const **rows);
const struct shape_dev *shapestore_dev(const struct shapestore *s,
				       const unsigned char *uuid, uint32_t vif);

/* --- changes (one per vif a SET PDU touches) --------------------------------- */

struct shape_change {
	int32_t vm;
	uint32_t vif;
	unsigned char uuid[VM_UUID_LEN];
	struct shape_entry **rows;   /* the wanted rows, sorted by index */
	size_t n, cap;
	struct shape_entry **old;    /* the store's rows before the change */
	size_t n_old;
	bool held;                   /* the VM's record is held (busy) */
	bool changed;                /* a row was touched or dropped */
	/* ACTION's doing, for UNDO */
	bool swapped;                /* rows are in the table, old are out */
	bool applied;                /* tc requests were sent */
	unsigned int flags;          /* the TC_PLAN_* they were sent with */
	struct shape_dev saved;      /* the vif's device state before */
};

enum shape_verdict {
	SHAPE_OK = 0,
	SHAPE_NO_VIF,        /* the VM or vif does not exist: inconsistentName */
	SHAPE_UNAVAILABLE,   /* the VM's rows are not loaded, or out of memory:
			      * resourceUnavailable */
	SHAPE_REFUSED,       /* a check failed: inconsistentValue */
};

/* A copy of the current rows of (vm, vif), to edit. */
enum shape_verdict shapestore_change_begin(struct shapestore *s, int32_t vm,
					   uint32_t vif, struct shape_change *c,
					   struct tc_error *err);
/* The wanted row with this index (created with the MIB's defaults if
 * create), marked touched; NULL if absent (or out of memory). */
struct shape_entry *shapestore_change_row(struct shape_change *c,
					  uint32_t index, bool create);
void shapestore_change_drop(struct shape_change *c, uint32_t index);
/* Every check of the wanted rows (ranges, prefixes, what this kernel can
 * do for the touched rows), and the memory the apply needs. */
enum shape_verdict shapestore_change_check(struct shapestore *s,
					   struct shape_change *c,
					   struct tc_error *err);
/* Room in the table for `extra` more rows (all changes of a PDU). */
int shapestore_reserve(struct shapestore *s, size_t extra);
/* ACTION: the tc requests (if the vif's device exists), then the rows
 * swapped into the table.  On failure nothing changed (tc_apply restored
 * the device) and err says why. */
int shapestore_change_apply(struct shapestore *s, struct shape_change *c,
			    struct tc_error *err);
/* UNDO of an applied change (the table and the device as before). */
void shapestore_change_undo(struct shapestore *s, struct shape_change *c);
/* The end of a change, cannot fail: applied (COMMIT), the old rows go
 * and the VM's rows are written to its metadata; not applied or undone
 * (FREE, UNDO), the wanted rows go. */
void shapestore_change_end(struct shapestore *s, struct shape_change *c);

/* --- the metadata element (pure functions, for the tests too) ------------- */

/* The element for rows[0..n-1] of one VM (malloc'd); NULL if n is 0 (the
 * element is then removed) or out of memory (*oom set). */
char *shapestore_xml_format(struct shape_entry *const *rows, size_t n, bool *oom);
/* Read an element: the rows, with vm set, appended to *rows (malloc'd
 * array of malloc'd entries, *n of them).  A row that is malformed or
 * given twice is skipped with a warning; -1 (err) if the element is not
 * ours at all or out of memory. */
int shapestore_xml_parse(const char *xml, int32_t vm, struct shape_entry ***rows,
			 size_t *n, char *err, size_t errlen);

#endif
