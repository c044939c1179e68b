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
 * What only an agent can tell (operational state, counters, errors) is
 * kept in the *_oper members; the desired state leaves them zeroed, and
 * read.c fills them for the current state.
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

/* operational values of the current state (read.c); zero in the desired */
struct state_shape_oper {
	int status;              /* vmibShapeOperStatus (VmibOperStatus), 0 = not read */
	char *last_error;
	uint64_t sent_octets, sent_pkts, dropped_pkts, overlimits;
};

struct state_vif_oper {
	int32_t ifindex;
	uint64_t rx_octets, rx_pkts, rx_errors, rx_drops;
	uint64_t tx_octets, tx_pkts, tx_errors, tx_drops;
	char *routes_text;       /* vmibVifRoutes as read, when it did not parse */
};

struct state_vm_oper {
	int state;               /* vmibVmOperState, 0 = not read */
	int guest_state;         /* vmibVmGuestState, 0 = not read (older agent) */
	char *uuid;
	uint64_t cpu_ms;
	char *migrate_target;
	int migrate_status;      /* vmibVmMigrateStatus */
	uint32_t downtime_ms;
	char *last_error;
};

struct state_rule_oper {
	int status;              /* vmibIsolOperStatus */
	char *last_error;
	uint64_t matched_pkts;
};

struct state_image {            /* vmibImageTable, current state only */
	uint32_t index;
	char *name;
	uint64_t min_memory_kib; /* vmibImageMinMemoryKBytes, 0 = none declared */
};

struct state_host_oper {
	bool read;               /* every table was read */
	char *error;             /* why the host could not be read */
	char *hostname;          /* vmibHostName */
	char *hypervisor;        /* vmibHostHypervisorType */
	char *hypervisor_version;
	char *libvirt_uri;
	uint32_t cpus;
	uint64_t memory_total_kib, memory_free_kib;
	bool has_caps;
	unsigned caps;           /* bit n = vmibHostCapabilities bit n */
	uint32_t vm_count;
	uint32_t last_change;    /* TimeStamp, centiseconds */
	int libvirt_state;       /* vmibHostLibvirtState */
	char *last_error;
	int isolation_oper;      /* vmibIsolationOperStatus */
	struct state_image *images;
	size_t n_images;
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
	struct state_shape_oper oper;
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
	struct state_vif_oper oper;
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
	struct state_vm_oper oper;
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
	struct state_rule_oper oper;
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
	struct state_host_oper oper;
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
/* the reverse, into v->routes (replacing them); -1 on bad syntax */
int state_routes_parse(struct state_vif *v, const char *text);
const char *state_action_name(enum state_action a);
const char *state_admin_name(enum state_admin a);
const char *state_placed_name(enum state_placed p);

#endif
