/*
 * vmplan.h - the libvirt side of one SET PDU on the VM and vif tables:
 * an ordered list of steps, each with its undo, run in the control thread
 * (ctl.h) with a bounded wait.
 *
 * Steps come in two kinds (netsnmp.md §4.2, §4.4):
 *   ACTION steps can be undone for real, so they run in ACTION and a
 *     failure undoes the steps before it, in reverse order:
 *       define a new domain         undo: undefine it
 *       suspend / resume            undo: resume / suspend
 *       write the vmib metadata     undo: write back the old element
 *       set scheduler parameters    undo: set back the values read first
 *       redefine (memory, vCPUs,    undo: define the old persistent
 *         interfaces, cmdline)            definition again
 *       undefine                    undo: define it again (same UUID,
 *                                         metadata and index)
 *       hot-plug an interface       undo: ask the guest to release it
 *   COMMIT steps cannot be undone (power a guest off, press its power
 *     button, ask it to release an interface) or are slow transitions
 *     (start a guest, paused or not: QEMU under load can take longer than
 *     any SET may wait, and a start the PDU had to undo would fail the
 *     whole PDU); they run in COMMIT, after every other change of the PDU
 *     succeeded, and a failure there is reported in the VM's LastError,
 *     the host's LastError and the log (COMMIT cannot fail in SNMP, and an
 *     AgentX CleanupSet has no answer).  Nothing waits for them: the
 *     COMMIT steps of each PDU run on a thread of their own, so neither
 *     the event loop nor the next PDU's ACTION waits for a slow start;
 *     PDUs' COMMITs run one after the other in PDU order, and their
 *     results (and failures) are applied when they end.  Each COMMIT step
 *     aims at a state (running, paused, off) and reads the domain first,
 *     doing only what is left (vp_commit_step): a PDU planned while an
 *     earlier PDU's start was still under way finds the VM as that start
 *     left it.
 * After each phase every domain the plan touched is read again (lookup),
 * so the cache can be brought in step at once (apply).
 */
#ifndef VMIB_VMPLAN_H
#define VMIB_VMPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dom_build.h"
#include "virt.h"

enum vp_kind {
	/* ACTION steps */
	VP_DEFINE,       /* xml: a new domain (its UUID is in the XML) */
	VP_START,        /* a COMMIT step (vmplan_is_commit), listed here */
	VP_START_PAUSED, /* for its place in the step names */
	VP_SUSPEND,
	VP_RESUME,
	VP_META,         /* meta: edit of the vmib element */
	VP_SCHED,        /* sched */
	VP_REDEFINE,     /* edit (+ vif when vif_add) of the persistent XML */
	VP_UNDEFINE,
	VP_ATTACH,       /* vif, live */
	/* COMMIT steps */
	VP_POWEROFF,
	VP_SHUTDOWN,
	VP_DETACH,       /* mac, live */
};

struct vp_target {
	unsigned char uuid[VM_UUID_LEN];
	char name[256];
	int32_t index;
	int pci_slot;         /* for hot-plugged interfaces, 0 not chosen */
	/* after a phase: lookup result (0 snap, 1 gone, -1 unknown) */
	int lookup_rc;
	struct vm *snap;
};

struct vp_step {
	enum vp_kind kind;
	size_t target;
	int item;             /* the varbind a failure is reported on */
	char *xml;            /* VP_DEFINE */
	struct domgen_edit edit;
	char *cmdline;        /* VP_REDEFINE: edit.cmdline points here */
	bool vif_add;         /* VP_REDEFINE: add vif's <interface> */
	struct domgen_vif vif; /* VP_REDEFINE add, VP_ATTACH, VP_META add */
	struct domgen_meta_edit meta;
	struct virt_sched sched;
	uint8_t mac[6];       /* VP_DETACH */
	/* run state (control thread) */
	bool done;
	char *saved;          /* old XML or metadata for the undo */
	struct virt_sched saved_sched;
	char err[256];
};

struct vmplan;
/* loop thread: bring the cache in step with the targets' snapshots */
typedef void (*vmplan_apply_fn)(void *opaque, struct vmplan *p);

struct vmplan {
	struct vp_step *steps;
	size_t n_steps, cap_steps;
	struct vp_target *targets;
	size_t n_targets, cap_targets;
	int failed;           /* ACTION: the step that failed, -1 none */
	bool timed_out;       /* the last phase's wait timed out */
	char err[256];        /* the failure, readable */
	vmplan_apply_fn apply;
	void *apply_opaque;
};

struct vmplan *vmplan_new(vmplan_apply_fn apply, void *opaque);
void vmplan_free(struct vmplan *p);

/* a domain the plan acts on; uuid NULL for one VP_DEFINE creates (its
 * UUID is set by the caller into the target before the XML is built) */
size_t vmplan_target(struct vmplan *p, const unsigned char *uuid, const char *name,
		     int32_t index);
struct vp_step *vmplan_add(struct vmplan *p, enum vp_kind kind, size_t target, int item);
bool vmplan_has(const struct vmplan *p, bool commit_steps);
bool vmplan_is_commit(enum vp_kind kind);

/*
 * ACTION and UNDO wait for the control thread at most timeout_ms.
 * *pp may be taken over: when the wait times out the plan belongs to the
 * control thread (which finishes, reverts an ACTION that succeeded late,
 * applies and frees it) and *pp becomes NULL.  Results are applied
 * (p->apply) before these return.
 *   action: 0 every ACTION step done; -1 one failed (p->failed, p->err;
 *           the steps before it are undone) or the wait timed out.
 *   undo:   reverses the ACTION steps done.
 */
int vmplan_action(struct vmplan **pp, unsigned int timeout_ms);
void vmplan_undo(struct vmplan **pp, unsigned int timeout_ms);
/* Runs the COMMIT steps without waiting: on a thread of its own, after
 * the COMMITs of earlier PDUs; takes the plan over (*pp becomes NULL) and
 * applies it when they end, failures in step->err.  Inline in unit tests. */
void vmplan_commit(struct vmplan **pp);

/* Is a COMMIT that starts or powers off this domain queued or running?
 * A SET that depends on whether the VM runs (a vif hot-plugged or only
 * defined, memory changed, a migration) is refused meanwhile: it would be
 * planned on a state about to change.  Loop thread. */
bool vmplan_power_pending(const unsigned char *uuid);

/* one line per step, for the log and the tests ("define vm1", ...) */
const char *vmplan_kind_name(enum vp_kind kind);

#endif
