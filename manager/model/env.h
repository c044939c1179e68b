/*
 * env.h - the two scenario files as parsed: the real environment (physical
 * hosts) and the virtual environment (the wanted network of VMs).
 *
 * These are the files' contents, kept close to the XML (with the line of
 * every element, for problems); merge.c turns them into per-host
 * `struct state`.  Values that failed to parse are left unset (their
 * has_ flag false or the string NULL): the problem is already in the diag,
 * and later checks skip what is unset rather than report it again.
 *
 * Ownership: struct real_env / struct virt_env own every string and array
 * reachable from them; env_real_free() / env_virt_free() release them and
 * accept NULL.  Pointers between elements (iface->subnet, endpoints) point
 * into the same env and are valid until it is freed.
 */
#ifndef VMIB_ENV_H
#define VMIB_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip4.h"
#include "keymap.h"
#include "state.h"

struct real_vm {                 /* a VM already running on a host */
	char *name;
	unsigned line;
	uint32_t memory_mib;
	uint32_t vcpus;
};

struct real_host {
	char *name;
	unsigned line;
	char *address;
	char *snmp;              /* Net-SNMP peer name, e.g. "udp:10.250.0.1:161" */
	char *libvirt;           /* libvirt URI */
	char *bridge;
	char *uplink;
	char *hypervisor;
	uint32_t cpus;
	uint32_t memory_mib;
	uint32_t reserved_mib;       /* kept for the host itself (dom0) */
	uint32_t max_vcpus_per_cpu;  /* vCPU overcommit limit */
	bool bad_size;               /* cpus, memory or ratio missing or 0 */
	struct real_vm *vms;
	size_t n_vms;
};

struct real_switch {
	char *name;
	unsigned line;
};

struct real_link {               /* a physical link: host or switch, both ends */
	char *a, *b;
	unsigned line;
	bool has_rate;
	uint32_t rate_kbps;
};

struct real_env {
	char *file;
	char *name;
	struct real_host *hosts;
	size_t n_hosts;
	struct real_switch *switches;
	size_t n_switches;
	struct real_link *links;
	size_t n_links;
	struct keymap host_by_name;        /* env_real_index(): first host of a name */
};

#define ENV_DEFAULT_IMAGE "vmib-test"
#define ENV_DEFAULT_MEMORY_MIB 128
#define ENV_DEFAULT_VCPUS 1
#define ENV_DEFAULT_VCPUS_PER_CPU 16

struct virt_subnet {
	char *name;
	unsigned line;
	bool has_prefix;
	struct ip4_prefix prefix;
	bool has_gateway;
	uint32_t gateway;
};

struct virt_route {
	unsigned line;
	bool has_dst;
	struct ip4_prefix dst;
	bool has_via;
	uint32_t via;
};

struct virt_iface {
	unsigned line;
	char *subnet_name;                 /* as written, may be NULL */
	const struct virt_subnet *subnet;  /* resolved by check.c */
	bool has_addr;
	uint32_t addr;
	bool has_prefix_len;               /* written as address/len */
	uint8_t prefix_len;
	struct virt_route *routes;
	size_t n_routes;
};

struct virt_vm {
	char *name;
	unsigned line;
	char *image;
	uint32_t memory_mib;
	uint32_t vcpus;
	char *host;                        /* NULL: placed by the manager */
	bool bad_size;                     /* memory or vCPUs invalid (schema) */
	bool has_sched_weight;
	uint32_t sched_weight;
	bool has_sched_cap;
	uint32_t sched_cap_percent;
	struct virt_iface *ifaces;
	size_t n_ifaces;
};

enum virt_ep_kind {
	VIRT_EP_UNKNOWN = 0,
	VIRT_EP_VM,
	VIRT_EP_SUBNET,
};

struct virt_endpoint {
	char *name;
	enum virt_ep_kind kind;            /* resolved by check.c */
	const struct virt_vm *vm;
	const struct virt_subnet *subnet;
};

struct virt_link {
	unsigned line;
	char *name;                        /* optional */
	struct virt_endpoint from, to;
	bool symmetric;
	struct shape_params params;
	bool bad_params;                   /* a quantity did not parse */
};

struct virt_rule {
	unsigned line;
	char *element;                     /* "allow" or "deny" */
	enum state_action action;
	struct virt_endpoint from, to;
	bool symmetric;
};

struct virt_env {
	char *file;
	char *name;
	struct virt_subnet *subnets;
	size_t n_subnets;
	struct virt_vm *vms;
	size_t n_vms;
	struct virt_link *links;
	size_t n_links;
	bool has_isolation;
	unsigned isolation_line;
	enum state_action isolation_default;
	struct virt_rule *rules;
	size_t n_rules;
	struct keymap vm_by_name;          /* env_virt_index(): first VM of a name */
	struct keymap subnet_by_name;      /* and first subnet */
};

void env_real_free(struct real_env *r);
void env_virt_free(struct virt_env *v);
/*
 * Index the names once the env is complete (the parsers do), so that the
 * look-ups below cost O(1); without an index they scan.  Either way they
 * return the first element of the name, in file order.
 */
void env_real_index(struct real_env *r);
void env_virt_index(struct virt_env *v);
const struct real_host *env_real_host(const struct real_env *r, const char *name);
const struct virt_vm *env_virt_vm(const struct virt_env *v, const char *name);
const struct virt_subnet *env_virt_subnet(const struct virt_env *v, const char *name);

#endif
