/*
 * plan.h - the difference between the desired state of every host (from
 * the scenario files, merge.c) and its current state (read over SNMP,
 * read.c): what to create, change, replace or delete, and what is
 * unchanged, per host, in a deterministic order.
 *
 * What the scenario owns on a host (and so what a plan may change or
 * delete): the VMs named in the scenario, every shape row of those VMs,
 * the subnets named in the scenario, and the isolation rules whose name
 * has the scenario's form "A>B" or "A>B#n" with A and B names of its VMs
 * or subnets.  Everything else on a host (other VMs, subnets, rules) is
 * someone else's and is never touched.
 *
 * Which columns can change on an existing row is the MIB's word:
 *  - VM: image and the vifs (bridge, MAC, address, prefix, routes) are
 *    fixed after creation, and memory and vCPUs while the VM runs: a
 *    difference there replaces the VM (destroy, then createAndGo with the
 *    same index; its shape rows are created again).  Admin state and
 *    scheduler weight and cap change in place.
 *  - shape row: every column changes in place (vmibShapeTable: "a SET on
 *    an active row changes the class in place"); rows are matched by name.
 *  - subnet: address and prefix change in place; matched by name.
 *  - isolation rules: matched by position among the scenario's rules
 *    (their order is their meaning); a rule whose columns differ is
 *    changed in place, missing ones are created after the last, extra ones
 *    deleted.  Rules of others keep their indexes.
 * New rows get the lowest free index of what was read: VM indexes unique
 * over all hosts (a migrating VM keeps its index), shape, subnet and rule
 * indexes within their table (the desired index when it is free).
 *
 * A VM found on another host than the desired one stays where it is when
 * the placement chose its host (the placement's rule "no migration nobody
 * asked for").  A pinned VM found elsewhere (moved by `vmibctl migrate` or
 * by hand) that runs is moved back by live migration: its changes are
 * made where it is, then a "migrate" item moves it with its metadata
 * (shaping) and keeps its UUID, index and guest.  With PLAN_KEEP_MOVED it
 * is left where it is, with a note.  Only a pinned VM that does not run,
 * or that must be replaced anyway, is deleted there and created on its
 * host.  Values read back rounded by the hypervisor (scheduler weight
 * within 2%, cap within 1) count as equal.
 *
 * Every item that destroys a running VM (a delete or replace of a VM
 * whose state is running, blocked or paused) has destroys_running set and
 * is counted in plan.destroys_running: apply asks before it does that.
 *
 * Ownership: struct plan owns its items and texts; it borrows the two
 * states (they must outlive it).  plan_release() accepts a zeroed plan.
 */
#ifndef VMIB_PLAN_H
#define VMIB_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mibcol.h"
#include "state.h"

struct out;

enum plan_op {
	PLAN_UNCHANGED,
	PLAN_CREATE,
	PLAN_CHANGE,
	PLAN_REPLACE,            /* delete, then create with the same index */
	PLAN_DELETE,
	PLAN_MIGRATE,            /* live migration to another host (VM) */
	PLAN_N_OPS
};

enum plan_obj {
	PLAN_DEFAULT,            /* vmibIsolationDefault */
	PLAN_SUBNET,
	PLAN_RULE,
	PLAN_VM,                 /* with its vifs */
	PLAN_SHAPE,
};

enum plan_mode {
	PLAN_APPLY,              /* make the hosts what the scenario says */
	PLAN_DESTROY,            /* remove what the scenario owns */
};

enum plan_flag {
	PLAN_KEEP_MOVED = 1 << 0,    /* leave a pinned VM found elsewhere there */
};

struct plan_change {             /* one column that differs */
	enum mibcol_id col;      /* the object to SET */
	const char *label;       /* text: "delay" */
	char *from, *to;         /* text, in friendly units */
	bool numeric;            /* JSON: from_n/to_n in the vMIB's unit */
	uint64_t from_n, to_n;
};

struct plan_item {
	enum plan_obj obj;
	enum plan_op op;
	uint32_t vm;             /* vmibVmIndex (VM, shape) */
	uint32_t vif;            /* vmibVifIndex (shape) */
	uint32_t index;          /* shape, subnet or rule index */
	const char *name;        /* of the VM, shape row, subnet or rule */
	const char *vm_name;     /* shape: its VM */
	const struct state_vm *want_vm, *have_vm;
	const struct state_shape *want_shape, *have_shape;
	const struct state_subnet *want_subnet, *have_subnet;
	const struct state_rule *want_rule, *have_rule;
	enum state_action want_default, have_default;
	struct plan_change *changes;
	size_t n_changes;
	char *why;               /* REPLACE, MIGRATE and cross-host DELETE: the reason */
	bool destroys_running;   /* DELETE or REPLACE of a VM that runs */
	size_t to_host;          /* MIGRATE: the destination's host index */
	const char *to_name;     /* MIGRATE: and its name */
};

struct plan_host {
	const struct state_host *want, *have;
	struct plan_item *items;
	size_t n_items;
	size_t count[PLAN_N_OPS];
};

struct plan {
	enum plan_mode mode;
	struct plan_host *hosts;
	size_t n_hosts;
	char **notes;            /* things left alone that look like ours */
	size_t n_notes;
	char **warnings;         /* what a host cannot do (plan_caps.h) */
	size_t n_warnings;
	size_t count[PLAN_N_OPS];
	size_t unreadable;       /* hosts whose current state is unknown */
	size_t destroys_running; /* items with destroys_running */
};

/* want and have list the same hosts in the same order (read_hosts) */
void plan_compute(const struct state *want, const struct state *have, enum plan_mode mode,
		  struct plan *out);
/* the same with enum plan_flag flags */
void plan_compute_flags(const struct state *want, const struct state *have,
			enum plan_mode mode, unsigned flags, struct plan *out);
void plan_release(struct plan *p);
/* changes to make (everything but unchanged), over all hosts */
size_t plan_pending(const struct plan *p);

const char *plan_op_name(enum plan_op op);
const char *plan_obj_name(enum plan_obj obj);

/*
 * Print the plan: per host, one line per item ("h1: create vm east1 ...";
 * unchanged items only when all is set; an item that destroys a running
 * VM ends with " [DESTROYS RUNNING VM]"), then a summary line.  JSON: an
 * object member "hosts" and "summary".
 */
void plan_print(const struct plan *p, struct out *o, bool all);
/* plan_print's text (all false), malloc'd: what `plan --save` writes and
 * `apply --reviewed` compares */
char *plan_text(const struct plan *p);
/* "vm east1", "shape east1/1/2 west1>east1", "rule 3 east1>west1" */
char *plan_item_title(const struct plan_item *it);

#endif
