/*
 * state.h - the per-host state vmibctl manages, in the vMIB's own terms.
 *
 * The same types describe the *desired* state (built by merge.c from the two
 * scenario files) and the *current* state of a host (to be read over SNMP
 * by the plan stage), so that a plan is a diff of two `struct state`
 * values.  Units and value sets are those of VMIB-MIB: memory in KiB
 * (vmibVmMemoryKBytes), shaping in rate_kbps, burst_bytes, delay_us,
 * jitter_us, *_ppm and limit_pkts (vmibShapeTable), isolation actions as
 * vmibIsolAction (accept(1), drop(2)).  An unset value is distinct from
 * zero: optional fields carry a has_ flag or a bit in shape_params.has.
 *
 * Keys, for diffing: a host by name; a VM by name within its host (the
 * agent assigns vmibVmIndex, so the desired state leaves vm index 0); a vif
 * by index within its VM; a shape row by name within its vif; a subnet by
 * name; an isolation rule by index (the rule order).  Arrays are in a
 * stable, documented order (see merge.c) so output is reproducible.
 *
 * Ownership: a struct state owns everything reachable from it;
 * state_release() frees it all and accepts a zeroed struct.
 */
#ifndef VMIB_STATE_H
#define VMIB_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip4.h"
#include "shape.h"

enum state_action {              /* vmibIsolAction / vmibIsolationDefault */
	STATE_ACCEPT = 1,
	STATE_DROP = 2,
};

enum state_admin {               /* vmibVmAdminState; 0 = not known */
	STATE_ADMIN_NONE = 0,
	STATE_ADMIN_RUNNING = 1,
	STATE_ADMIN_PAUSED = 2,
	STATE_ADMIN_SHUTOFF = 3,
	STATE_ADMIN_DESTROYED = 4,
};

enum state_placed {              /* desired state only: why a VM is where it is */
	STATE_PLACED_NONE = 0,
	STATE_PLACED_PINNED,     /* host= in the virtual environment */
	STATE_PLACED_RUNNING,    /* already running there (real environment) */
	STATE_PLACED_AUTO,       /* chosen by the placement policy ("auto") */
};

struct state_route {
	struct ip4_prefix dst;
	bool has_via;            /* false: on-link through this vif */
	uint32_t via;
};

struct state_shape {
	uint32_t index;          /* vmibShapeIndex, 1.. in vif order */
	char *name;              /* vmibShapeName, key within the vif */
	struct ip4_prefix src;   /* vmibShapeSrcAddr/PrefixLen (0 = whole vif) */
	struct shape_params p;
};

struct state_vif {
	uint32_t index;          /* vmibVifIndex, 1.. in interface order */
	char *subnet;            /* desired state: the virtual subnet (may be NULL) */
	uint32_t addr;           /* vmibVifAddr */
	uint8_t prefix_len;      /* vmibVifPrefixLen */
	char *bridge;            /* vmibVifBridge */
	char *mac;               /* vmibVifMac; NULL: the agent chooses */
	char *device;            /* vmibVifDevice; current state only */
	struct state_route *routes;
	size_t n_routes;
	struct state_shape *shapes;  /* most specific source first */
	size_t n_shapes;
};

struct state_vm {
	uint32_t index;          /* vmibVmIndex; 0 = not assigned (desired) */
	char *name;
	char *image;
	uint64_t memory_kib;     /* vmibVmMemoryKBytes */
	uint32_t vcpus;
	enum state_admin admin;  /* desired: running */
	bool has_sched_weight;
	uint32_t sched_weight;   /* vmibVmSchedWeight, 1..65535 */
	bool has_sched_cap;
	uint32_t sched_cap_percent;  /* vmibVmSchedCapPercent, 0 = no cap */
	struct state_vif *vifs;
	size_t n_vifs;
	enum state_placed placed;
	char *moved_from;        /* desired: running elsewhere now, else NULL */
};

struct state_subnet {
	uint32_t index;          /* vmibSubnetIndex */
	char *name;
	struct ip4_prefix prefix;
};

struct state_rule {
	uint32_t index;          /* vmibIsolRuleIndex: evaluation order */
	char *name;
	struct ip4_prefix src, dst;
	enum state_action action;
};

struct state_host {
	char *name;
	char *address;
	char *snmp;
	char *libvirt;
	char *bridge;
	uint32_t cpus;
	uint64_t memory_kib;
	bool has_isolation_default;
	enum state_action isolation_default;
	struct state_vm *vms;
	size_t n_vms;
	struct state_subnet *subnets;
	size_t n_subnets;
	struct state_rule *rules;
	size_t n_rules;
};

struct state {
	struct state_host *hosts;
	size_t n_hosts;
};

void state_release(struct state *s);
struct state_host *state_find_host(const struct state *s, const char *name);
struct state_vm *state_find_vm(const struct state_host *h, const char *name);
struct state_shape *state_find_shape(const struct state_vif *v, const char *name);
/* "10.2.0.0/24,10.1.0.1;10.3.0.5/32": the vmibVifRoutes syntax; malloc'd */
char *state_routes_format(const struct state_vif *v);
const char *state_action_name(enum state_action a);
const char *state_admin_name(enum state_admin a);
const char *state_placed_name(enum state_placed p);

#endif
