/*
 * check.c - semantic checks of each scenario file (see check.h).  Every
 * problem is reported at the element that causes it (the later of two
 * clashing elements), and checking continues: one run lists them all.
 * It reads and resolves; it builds no per-host state (merge.c does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "check_addr.h"
#include "check_limits.h"
#include "diag.h"
#include "keymap.h"
#include "mem.h"

/* --- real environment ------------------------------------------------------ */

/*
 * Names and addresses used twice are found with hashes (keymap.h), each
 * reported against the first element that has them: checking n elements
 * costs O(n).
 */
static void check_real_names(const struct real_env *r, struct diag *d)
{
	struct keymap addresses = {0}, switches = {0};
	const struct real_host *first;
	const struct real_switch *first_sw;
	size_t i;

	for (i = 0; i < r->n_hosts; i++) {
		const struct real_host *h = &r->hosts[i];

		first = env_real_host(r, h->name);
		if (first && first != h)
			diag_add(d, r->file, h->line, "host",
				 "name '%s' is already used by the host at line %u",
				 h->name, first->line);
		first = keymap_put_str(&addresses, h->address, (void *)h);
		if (first)
			diag_add(d, r->file, h->line, "host",
				 "address %s is already used by host '%s' (line %u)",
				 h->address, first->name, first->line);
		if (h->memory_mib && h->reserved_mib >= h->memory_mib)
			diag_add(d, r->file, h->line, "host",
				 "reservedMemoryMiB %u leaves no memory for VMs (memoryMiB %u)",
				 h->reserved_mib, h->memory_mib);
	}
	for (i = 0; i < r->n_switches; i++) {
		const struct real_switch *s = &r->switches[i];
		const struct real_host *h = env_real_host(r, s->name);

		if (h)
			diag_add(d, r->file, s->line, "switch",
				 "name '%s' is already used by the host at line %u", s->name, h->line);
		first_sw = keymap_put_str(&switches, s->name, (void *)s);
		if (first_sw)
			diag_add(d, r->file, s->line, "switch",
				 "name '%s' is already used by the switch at line %u",
				 s->name, first_sw->line);
	}
	keymap_release(&addresses);
	keymap_release(&switches);
}

/* a running VM's name, first seen on host */
struct running {
	const struct real_vm *vm;
	const struct real_host *host;
};

static void check_real_vms(const struct real_env *r, struct diag *d)
{
	struct keymap seen = {0};
	struct running *v = NULL;
	const struct running *prev;
	size_t i, j, n = 0, total = 0;

	for (i = 0; i < r->n_hosts; i++)
		total += r->hosts[i].n_vms;
	v = mem_array(NULL, total ? total : 1, sizeof(*v));
	for (i = 0; i < r->n_hosts; i++) {
		for (j = 0; j < r->hosts[i].n_vms; j++) {
			const struct real_vm *vm = &r->hosts[i].vms[j];

			if (!vm->name)
				continue;
			v[n] = (struct running){ vm, &r->hosts[i] };
			prev = keymap_put_str(&seen, vm->name, &v[n]);
			if (prev)
				diag_add(d, r->file, vm->line, "vm",
					 "'%s' is already running on host '%s' (line %u)",
					 vm->name, prev->host->name, prev->vm->line);
			else
				n++;
		}
	}
	keymap_release(&seen);
	free(v);
}

static bool real_node_exists(const struct real_env *r, const char *name)
{
	size_t i;

	if (env_real_host(r, name))
		return true;
	for (i = 0; i < r->n_switches; i++)
		if (r->switches[i].name && strcmp(r->switches[i].name, name) == 0)
			return true;
	return false;
}

static void check_real_links(const struct real_env *r, struct diag *d)
{
	size_t i;

	for (i = 0; i < r->n_links; i++) {
		const struct real_link *l = &r->links[i];

		if (l->a && !real_node_exists(r, l->a))
			diag_add(d, r->file, l->line, "link", "a '%s' names no host or switch", l->a);
		if (l->b && !real_node_exists(r, l->b))
			diag_add(d, r->file, l->line, "link", "b '%s' names no host or switch", l->b);
		if (l->a && l->b && strcmp(l->a, l->b) == 0)
			diag_add(d, r->file, l->line, "link", "a and b are both '%s'", l->a);
	}
}

void check_real(const struct real_env *r, struct diag *d)
{
	check_real_names(r, d);
	check_real_vms(r, d);
	check_real_links(r, d);
	check_addr_real(r, d);
	check_limits_real(r, d);
}

/* --- virtual environment: subnets ------------------------------------------- */

static void check_subnets(const struct virt_env *v, struct diag *d)
{
	char a[IP4_PREFIX_STRLEN], b[IP4_PREFIX_STRLEN], g[IP4_STRLEN];
	size_t i, j;

	for (i = 0; i < v->n_subnets; i++) {
		const struct virt_subnet *s = &v->subnets[i], *first = env_virt_subnet(v, s->name);
		struct ip4_prefix net;

		if (first && first != s)
			diag_add(d, v->file, s->line, "subnet",
				 "name '%s' is already used by the subnet at line %u",
				 s->name, first->line);
		if (!s->has_prefix)
			continue;
		net = ip4_network(&s->prefix);
		if (!ip4_is_network(&s->prefix))
			diag_add(d, v->file, s->line, "subnet",
				 "prefix %s has host bits set (the network is %s)",
				 ip4_format_prefix(&s->prefix, a), ip4_format_prefix(&net, b));
		for (j = 0; j < i; j++) {
			const struct virt_subnet *o = &v->subnets[j];

			if (o->has_prefix && ip4_overlap(&o->prefix, &s->prefix))
				diag_add(d, v->file, s->line, "subnet",
					 "prefix %s overlaps subnet '%s' (%s, line %u)",
					 ip4_format_prefix(&s->prefix, a), o->name,
					 ip4_format_prefix(&o->prefix, b), o->line);
		}
		if (s->has_gateway && !ip4_contains(&s->prefix, s->gateway))
			diag_add(d, v->file, s->line, "subnet", "gateway %s is outside %s",
				 ip4_format(s->gateway, g), ip4_format_prefix(&net, a));
	}
}

/* --- virtual environment: VMs, interfaces, routes ----------------------------- */

static const struct virt_subnet *subnet_of(const struct virt_env *v, uint32_t addr)
{
	size_t i;

	for (i = 0; i < v->n_subnets; i++)
		if (v->subnets[i].has_prefix && ip4_contains(&v->subnets[i].prefix, addr))
			return &v->subnets[i];
	return NULL;
}

static void resolve_iface_subnet(const struct virt_env *v, struct virt_iface *ifc,
				 struct diag *d)
{
	char a[IP4_STRLEN], p[IP4_PREFIX_STRLEN];
	const struct virt_subnet *s;

	if (ifc->subnet_name) {
		s = env_virt_subnet(v, ifc->subnet_name);
		if (!s) {
			diag_add(d, v->file, ifc->line, "interface", "subnet '%s' is not defined",
				 ifc->subnet_name);
			return;
		}
		if (ifc->has_addr && s->has_prefix && !ip4_contains(&s->prefix, ifc->addr)) {
			diag_add(d, v->file, ifc->line, "interface",
				 "address %s is outside subnet '%s' (%s)", ip4_format(ifc->addr, a),
				 s->name, ip4_format_prefix(&s->prefix, p));
			return;
		}
	} else {
		if (!ifc->has_addr)
			return;
		s = subnet_of(v, ifc->addr);
		if (!s) {
			diag_add(d, v->file, ifc->line, "interface", "address %s is in no subnet",
				 ip4_format(ifc->addr, a));
			return;
		}
	}
	ifc->subnet = s;
}

static void check_iface_address(const struct virt_env *v, const struct virt_iface *ifc,
				struct diag *d)
{
	const struct virt_subnet *s = ifc->subnet;
	char a[IP4_STRLEN], p[IP4_PREFIX_STRLEN];
	uint32_t host_bits;

	if (!s || !ifc->has_addr || !s->has_prefix)
		return;
	if (ifc->has_prefix_len && ifc->prefix_len != s->prefix.len)
		diag_add(d, v->file, ifc->line, "interface",
			 "address %s/%u does not match the length of subnet '%s' (/%u)",
			 ip4_format(ifc->addr, a), ifc->prefix_len, s->name, s->prefix.len);
	if (s->prefix.len > 30)
		return;
	host_bits = ifc->addr & ~ip4_mask(s->prefix.len);
	if (host_bits == 0)
		diag_add(d, v->file, ifc->line, "interface",
			 "address %s is the network address of %s", ip4_format(ifc->addr, a),
			 ip4_format_prefix(&s->prefix, p));
	else if (host_bits == ~ip4_mask(s->prefix.len))
		diag_add(d, v->file, ifc->line, "interface",
			 "address %s is the broadcast address of %s", ip4_format(ifc->addr, a),
			 ip4_format_prefix(&s->prefix, p));
}

/*
 * The first interface (of any VM, in file order) before ifc with its
 * address: the VMs are checked in file order, and each interface enters
 * the two maps (address -> VM, address -> interface) when it is checked.
 */
struct addr_owners {
	struct keymap vm, iface;
};

static bool address_taken(struct addr_owners *o, const struct virt_vm *vm,
			  const struct virt_iface *ifc, const struct virt_vm **by,
			  const struct virt_iface **at)
{
	*by = keymap_put(&o->vm, &ifc->addr, sizeof(ifc->addr), (void *)vm);
	*at = keymap_put(&o->iface, &ifc->addr, sizeof(ifc->addr), (void *)ifc);
	return *by != NULL;
}

/* a route of vm, before route r, to the same network */
static const struct virt_route *earlier_route(const struct virt_vm *vm,
					      const struct virt_route *r)
{
	struct ip4_prefix net = ip4_network(&r->dst), o_net;
	size_t j, k;

	for (j = 0; j < vm->n_ifaces; j++) {
		for (k = 0; k < vm->ifaces[j].n_routes; k++) {
			const struct virt_route *o = &vm->ifaces[j].routes[k];

			if (o == r)
				return NULL;
			o_net = ip4_network(&o->dst);
			if (o->has_dst && ip4_equal(&o_net, &net))
				return o;
		}
	}
	return NULL;
}

static void check_routes(const struct virt_env *v, const struct virt_vm *vm,
			 const struct virt_iface *ifc, struct diag *d)
{
	char a[IP4_PREFIX_STRLEN], b[IP4_PREFIX_STRLEN], g[IP4_STRLEN];
	const struct virt_route *prev;
	size_t i;

	for (i = 0; i < ifc->n_routes; i++) {
		const struct virt_route *r = &ifc->routes[i];
		struct ip4_prefix net = ip4_network(&r->dst);

		if (r->has_dst && !ip4_is_network(&r->dst))
			diag_add(d, v->file, r->line, "route",
				 "to %s has host bits set (the network is %s)",
				 ip4_format_prefix(&r->dst, a), ip4_format_prefix(&net, b));
		if (r->has_via && ifc->subnet && ifc->subnet->has_prefix &&
		    !ip4_contains(&ifc->subnet->prefix, r->via))
			diag_add(d, v->file, r->line, "route",
				 "via %s is not in this interface's subnet '%s' (%s)",
				 ip4_format(r->via, g), ifc->subnet->name,
				 ip4_format_prefix(&ifc->subnet->prefix, a));
		else if (r->has_via && ifc->has_addr && r->via == ifc->addr)
			diag_add(d, v->file, r->line, "route",
				 "via %s is this interface's own address", ip4_format(r->via, g));
		prev = r->has_dst ? earlier_route(vm, r) : NULL;
		if (prev)
			diag_add(d, v->file, r->line, "route",
				 "vm '%s' already has a route to %s (line %u)", vm->name,
				 ip4_format_prefix(&net, a), prev->line);
	}
}

static void check_vm(const struct virt_env *v, struct virt_vm *vm, struct addr_owners *owners,
		     struct diag *d)
{
	const struct virt_vm *by, *first = env_virt_vm(v, vm->name);
	const struct virt_iface *at;
	char a[IP4_STRLEN];
	size_t i, j;

	if (first && first != vm)
		diag_add(d, v->file, vm->line, "vm",
			 "name '%s' is already used by the vm at line %u", vm->name, first->line);
	if (vm->name && env_virt_subnet(v, vm->name))
		diag_add(d, v->file, vm->line, "vm", "name '%s' is already used by the subnet at line %u",
			 vm->name, env_virt_subnet(v, vm->name)->line);
	for (i = 0; i < vm->n_ifaces; i++) {
		struct virt_iface *ifc = &vm->ifaces[i];

		resolve_iface_subnet(v, ifc, d);
		check_iface_address(v, ifc, d);
		if (ifc->has_addr && address_taken(owners, vm, ifc, &by, &at))
			diag_add(d, v->file, ifc->line, "interface",
				 "address %s is already used by vm '%s' (line %u)",
				 ip4_format(ifc->addr, a), by->name, at->line);
		for (j = 0; j < i && ifc->subnet; j++)
			if (vm->ifaces[j].subnet == ifc->subnet)
				diag_add(d, v->file, ifc->line, "interface",
					 "vm '%s' already has an interface in subnet '%s' (line %u)",
					 vm->name, ifc->subnet->name, vm->ifaces[j].line);
		check_routes(v, vm, ifc, d);
	}
}

/* --- virtual environment: links and isolation rules --------------------------- */

static void resolve_endpoint(const struct virt_env *v, struct virt_endpoint *ep,
			     const char *attr, const char *element, unsigned line,
			     struct diag *d)
{
	if (!ep->name)
		return;
	ep->vm = env_virt_vm(v, ep->name);
	ep->subnet = env_virt_subnet(v, ep->name);
	if (ep->vm)
		ep->kind = VIRT_EP_VM;
	else if (ep->subnet)
		ep->kind = VIRT_EP_SUBNET;
	else
		diag_add(d, v->file, line, element, "%s '%s' names no vm or subnet", attr, ep->name);
}

static void check_link_params(const struct virt_env *v, const struct virt_link *l,
			      struct diag *d)
{
	const struct shape_params *p = &l->params;

	if (l->bad_params)
		return;   /* what is missing may be the value already reported */
	if (p->has == 0)
		diag_add(d, v->file, l->line, "link",
			 "shapes nothing (set bandwidth, delay, jitter, loss, duplicate, "
			 "corrupt, reorder or limit)");
	if (shape_has(p, SHAPE_BURST) && !shape_has(p, SHAPE_RATE))
		diag_add(d, v->file, l->line, "link", "burst needs bandwidth");
	if (shape_has(p, SHAPE_JITTER) && !shape_has(p, SHAPE_DELAY))
		diag_add(d, v->file, l->line, "link", "jitter needs delay");
	/* NetEm reorders by sending some packets without the delay */
	if (shape_has(p, SHAPE_REORDER) && !shape_has(p, SHAPE_DELAY))
		diag_add(d, v->file, l->line, "link", "reorder needs delay");
}

static void check_links(struct virt_env *v, struct diag *d)
{
	struct keymap names = {0};
	const struct virt_link *first;
	size_t i;

	for (i = 0; i < v->n_links; i++) {
		struct virt_link *l = &v->links[i];

		resolve_endpoint(v, &l->from, "from", "link", l->line, d);
		resolve_endpoint(v, &l->to, "to", "link", l->line, d);
		if (l->from.name && l->to.name && strcmp(l->from.name, l->to.name) == 0)
			diag_add(d, v->file, l->line, "link", "from and to are both '%s'",
				 l->from.name);
		first = keymap_put_str(&names, l->name, l);
		if (first)
			diag_add(d, v->file, l->line, "link",
				 "name '%s' is already used by the link at line %u",
				 l->name, first->line);
		check_link_params(v, l, d);
	}
	keymap_release(&names);
}

/* what makes two rules the same: action, symmetric, from, to (NULL: none) */
static char *rule_key(const struct virt_rule *r)
{
	if (!r->from.name || !r->to.name)
		return NULL;
	return mem_printf("%d %d %s %s", (int)r->action, (int)r->symmetric, r->from.name,
			  r->to.name);
}

static void check_rules(struct virt_env *v, struct diag *d)
{
	struct keymap seen = {0};
	const struct virt_rule *first;
	char **keys = mem_array(NULL, v->n_rules ? v->n_rules : 1, sizeof(*keys));
	size_t i;

	for (i = 0; i < v->n_rules; i++) {
		struct virt_rule *r = &v->rules[i];

		resolve_endpoint(v, &r->from, "from", r->element, r->line, d);
		resolve_endpoint(v, &r->to, "to", r->element, r->line, d);
		if (r->from.name && r->to.name && strcmp(r->from.name, r->to.name) == 0)
			diag_add(d, v->file, r->line, r->element, "from and to are both '%s'",
				 r->from.name);
		keys[i] = rule_key(r);
		first = keymap_put_str(&seen, keys[i], r);
		if (first)
			diag_add(d, v->file, r->line, r->element,
				 "repeats the rule at line %u", first->line);
	}
	keymap_release(&seen);
	for (i = 0; i < v->n_rules; i++)
		free(keys[i]);
	free(keys);
}

void check_virtual(struct virt_env *v, struct diag *d)
{
	struct addr_owners owners = {{0}, {0}};
	size_t i;

	check_subnets(v, d);
	for (i = 0; i < v->n_vms; i++)
		check_vm(v, &v->vms[i], &owners, d);
	keymap_release(&owners.vm);
	keymap_release(&owners.iface);
	check_links(v, d);
	check_rules(v, d);
	check_addr_virtual(v, d);
	check_limits_virtual(v, d);
}
