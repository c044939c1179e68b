/*
 * merge.c - builds the desired per-host state from the parsed files and
 * the placement (the rules are in merge.h).  It reads the envs and writes
 * only the struct state it is given; it reports conflicts it alone can
 * see (two rows for one source on a vif, a link nobody receives).
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "mem.h"
#include "merge.h"

#define NONE ((size_t)-1)

struct ctx {
	const struct real_env *r;
	const struct virt_env *v;
	const struct placement *p;
	struct state *s;
	struct diag *d;
	size_t *slot;            /* per virtual VM: its index in its host's vms */
	struct members *members; /* per subnet: the VMs with an interface in it */
};

/* indexes into v->vms, in file order: a link to a subnet visits only these */
struct members {
	size_t *vm;
	size_t n;
};

static void build_members(struct ctx *c)
{
	const struct virt_env *v = c->v;
	struct members *m;
	size_t i, j;

	c->members = mem_array(NULL, v->n_subnets ? v->n_subnets : 1, sizeof(*c->members));
	memset(c->members, 0, (v->n_subnets ? v->n_subnets : 1) * sizeof(*c->members));
	for (i = 0; i < v->n_vms; i++) {
		for (j = 0; j < v->vms[i].n_ifaces; j++) {
			if (!v->vms[i].ifaces[j].subnet)
				continue;
			m = &c->members[v->vms[i].ifaces[j].subnet - v->subnets];
			if (m->n == 0 || m->vm[m->n - 1] != i)
				*MEM_PUSH(m->vm, m->n) = i;
		}
	}
}

static void free_members(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->v->n_subnets; i++)
		free(c->members[i].vm);
	free(c->members);
}

/* --- routing helpers over the virtual environment ----------------------------- */

static size_t iface_in(const struct virt_vm *vm, const struct virt_subnet *s)
{
	size_t j;

	for (j = 0; s && j < vm->n_ifaces; j++)
		if (vm->ifaces[j].subnet == s)
			return j;
	return NONE;
}

static size_t first_addressed(const struct virt_vm *vm)
{
	size_t j;

	for (j = 0; j < vm->n_ifaces; j++)
		if (vm->ifaces[j].has_addr)
			return j;
	return NONE;
}

/* the interface holding the implicit default route, or NONE */
static size_t gateway_iface(const struct virt_vm *vm)
{
	size_t j, k;

	for (j = 0; j < vm->n_ifaces; j++)
		for (k = 0; k < vm->ifaces[j].n_routes; k++)
			if (vm->ifaces[j].routes[k].has_dst && vm->ifaces[j].routes[k].dst.len == 0)
				return NONE;
	for (j = 0; j < vm->n_ifaces; j++) {
		const struct virt_iface *ifc = &vm->ifaces[j];

		if (ifc->subnet && ifc->subnet->has_gateway &&
		    !(ifc->has_addr && ifc->addr == ifc->subnet->gateway))
			return j;
	}
	return NONE;
}

/* longest-prefix match of addr over vm's routes: the interface, or NONE */
static size_t route_iface(const struct virt_vm *vm, uint32_t addr)
{
	size_t j, k, best = gateway_iface(vm);
	int best_len = best == NONE ? -1 : 0;

	for (j = 0; j < vm->n_ifaces; j++) {
		for (k = 0; k < vm->ifaces[j].n_routes; k++) {
			const struct virt_route *rt = &vm->ifaces[j].routes[k];
			struct ip4_prefix net = ip4_network(&rt->dst);

			if (rt->has_dst && ip4_contains(&net, addr) && (int)net.len > best_len) {
				best = j;
				best_len = net.len;
			}
		}
	}
	return best;
}

/* the receiver vif of traffic from src at vm */
static size_t receiver_iface(const struct virt_vm *vm, const struct virt_endpoint *src)
{
	uint32_t addr = 0;
	size_t j, k;

	if (src->kind == VIRT_EP_SUBNET) {
		k = iface_in(vm, src->subnet);
		if (k != NONE)
			return k;
		addr = src->subnet->prefix.addr;
	} else {
		for (j = 0; j < vm->n_ifaces; j++)
			if (iface_in(src->vm, vm->ifaces[j].subnet) != NONE)
				return j;
		k = first_addressed(src->vm);
		if (k == NONE)
			return 0;
		addr = src->vm->ifaces[k].addr;
	}
	k = route_iface(vm, addr);
	return k != NONE ? k : 0;
}

/* the source prefix classifying traffic from src arriving on vm's iface j */
static bool source_prefix(const struct virt_endpoint *src, const struct virt_vm *vm,
			  size_t j, struct ip4_prefix *out)
{
	const struct virt_iface *rx = &vm->ifaces[j];
	const struct virt_vm *s = src->vm;
	size_t k = NONE;

	if (src->kind == VIRT_EP_SUBNET) {
		if (!src->subnet->has_prefix)
			return false;
		*out = ip4_network(&src->subnet->prefix);
		return true;
	}
	if (rx->subnet)
		k = iface_in(s, rx->subnet);
	if ((k == NONE || !s->ifaces[k].has_addr) && rx->has_addr)
		k = route_iface(s, rx->addr);
	if (k == NONE || !s->ifaces[k].has_addr)
		k = first_addressed(s);
	if (k == NONE)
		return false;
	out->addr = s->ifaces[k].addr;
	out->len = 32;
	return true;
}

/* --- hosts, VMs, vifs ------------------------------------------------------------ */

static void build_hosts(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->r->n_hosts; i++) {
		const struct real_host *rh = &c->r->hosts[i];
		struct state_host *h = MEM_PUSH(c->s->hosts, c->s->n_hosts);

		h->name = mem_strdup(rh->name);
		h->address = mem_strdup(rh->address);
		h->snmp = mem_strdup(rh->snmp);
		h->libvirt = mem_strdup(rh->libvirt);
		h->bridge = mem_strdup(rh->bridge);
		h->cpus = rh->cpus;
		h->memory_kib = (uint64_t)rh->memory_mib * 1024;
	}
}

static void build_vif(struct state_vif *sv, const struct virt_iface *ifc, uint32_t index,
		      const char *bridge, bool gateway_here)
{
	size_t k;

	sv->index = index;
	sv->subnet = mem_strdup(ifc->subnet ? ifc->subnet->name : ifc->subnet_name);
	sv->addr = ifc->addr;
	sv->prefix_len = ifc->subnet && ifc->subnet->has_prefix ? ifc->subnet->prefix.len :
			 ifc->has_prefix_len ? ifc->prefix_len : 32;
	sv->bridge = mem_strdup(bridge);
	for (k = 0; k < ifc->n_routes; k++) {
		struct state_route *rt;

		if (!ifc->routes[k].has_dst)
			continue;
		rt = MEM_PUSH(sv->routes, sv->n_routes);
		rt->dst = ip4_network(&ifc->routes[k].dst);
		rt->has_via = ifc->routes[k].has_via;
		rt->via = ifc->routes[k].via;
	}
	if (gateway_here) {
		struct state_route *rt = MEM_PUSH(sv->routes, sv->n_routes);

		rt->has_via = true;
		rt->via = ifc->subnet->gateway;
	}
}

static void build_vm(struct ctx *c, size_t i)
{
	const struct virt_vm *vm = &c->v->vms[i];
	struct state_host *h = &c->s->hosts[c->p->host[i]];
	size_t j, gw = gateway_iface(vm);
	struct state_vm *sv;

	c->slot[i] = h->n_vms;
	sv = MEM_PUSH(h->vms, h->n_vms);
	sv->name = mem_strdup(vm->name);
	sv->image = mem_strdup(vm->image);
	sv->memory_kib = (uint64_t)vm->memory_mib * 1024;
	sv->vcpus = vm->vcpus;
	sv->admin = STATE_ADMIN_RUNNING;
	sv->has_sched_weight = vm->has_sched_weight;
	sv->sched_weight = vm->sched_weight;
	sv->has_sched_cap = vm->has_sched_cap;
	sv->sched_cap_percent = vm->sched_cap_percent;
	sv->placed = c->p->how[i];
	sv->moved_from = mem_strdup(c->p->moved_from[i]);
	sv->n_vifs = vm->n_ifaces;
	sv->vifs = mem_array(NULL, vm->n_ifaces, sizeof(*sv->vifs));
	memset(sv->vifs, 0, vm->n_ifaces * sizeof(*sv->vifs));
	for (j = 0; j < vm->n_ifaces; j++)
		build_vif(&sv->vifs[j], &vm->ifaces[j], (uint32_t)j + 1, h->bridge, j == gw);
}

/* --- shape rows --------------------------------------------------------------- */

static void add_row(struct ctx *c, const struct virt_link *l, size_t i, size_t j,
		    const struct ip4_prefix *src, const char *name)
{
	char a[IP4_PREFIX_STRLEN];
	struct state_vif *vif;
	struct state_shape *row;
	size_t k;

	if (c->p->host[i] == PLACE_NONE)
		return;   /* not placed: already a problem */
	vif = &c->s->hosts[c->p->host[i]].vms[c->slot[i]].vifs[j];
	for (k = 0; k < vif->n_shapes; k++) {
		if (ip4_equal(&vif->shapes[k].src, src) || strcmp(vif->shapes[k].name, name) == 0) {
			diag_add(c->d, c->v->file, l->line, "link",
				 "vm '%s' interface %zu already has shape row '%s' for traffic "
				 "from %s", c->v->vms[i].name, j + 1, vif->shapes[k].name,
				 ip4_format_prefix(&vif->shapes[k].src, a));
			return;
		}
	}
	row = MEM_PUSH(vif->shapes, vif->n_shapes);
	row->name = mem_strdup(name);
	row->src = *src;
	row->p = l->params;
}

/* one direction of a link; returns how many VMs receive it */
static size_t shape_direction(struct ctx *c, const struct virt_link *l,
			      const struct virt_endpoint *from, const struct virt_endpoint *to)
{
	char *name = l->name ? mem_strdup(l->name) : mem_printf("%s>%s", from->name, to->name);
	struct ip4_prefix src;
	size_t i, j, k, n = 0, one, count;
	const size_t *cand;

	/* the receivers: the VM itself, or the subnet's members (linear in all) */
	if (to->kind == VIRT_EP_VM) {
		one = (size_t)(to->vm - c->v->vms);
		cand = &one;
		count = 1;
	} else {
		cand = c->members[to->subnet - c->v->subnets].vm;
		count = c->members[to->subnet - c->v->subnets].n;
	}
	for (k = 0; k < count; k++) {
		const struct virt_vm *vm = &c->v->vms[cand[k]];

		i = cand[k];
		if (to->kind == VIRT_EP_VM && vm != to->vm)
			continue;
		if (vm == from->vm || vm->n_ifaces == 0)
			continue;
		j = to->kind == VIRT_EP_VM ? receiver_iface(vm, from) : iface_in(vm, to->subnet);
		if (j == NONE)
			continue;
		n++;
		if (source_prefix(from, vm, j, &src))
			add_row(c, l, i, j, &src, name);
	}
	free(name);
	return n;
}

static void build_shapes(struct ctx *c)
{
	size_t i, n;

	for (i = 0; i < c->v->n_links; i++) {
		const struct virt_link *l = &c->v->links[i];

		if (l->from.kind == VIRT_EP_UNKNOWN || l->to.kind == VIRT_EP_UNKNOWN ||
		    strcmp(l->from.name, l->to.name) == 0)
			continue;
		n = shape_direction(c, l, &l->from, &l->to);
		if (l->symmetric)
			n += shape_direction(c, l, &l->to, &l->from);
		if (n == 0 && l->symmetric)
			diag_add(c->d, c->v->file, l->line, "link",
				 "no vm receives traffic on this link (neither '%s' nor '%s' has a "
				 "vm but the other end)", l->from.name, l->to.name);
		else if (n == 0)
			diag_add(c->d, c->v->file, l->line, "link",
				 "no vm receives traffic on this link ('%s' has no vm but the sender)",
				 l->to.name);
	}
}

/* most specific source first, then by address: classification order */
static int cmp_shape(const void *a, const void *b)
{
	const struct state_shape *x = a, *y = b;

	if (x->src.len != y->src.len)
		return x->src.len > y->src.len ? -1 : 1;
	return x->src.addr < y->src.addr ? -1 : x->src.addr > y->src.addr;
}

static void order_shapes(struct state *s)
{
	size_t h, m, f, k;

	for (h = 0; h < s->n_hosts; h++) {
		for (m = 0; m < s->hosts[h].n_vms; m++) {
			struct state_vm *vm = &s->hosts[h].vms[m];

			for (f = 0; f < vm->n_vifs; f++) {
				struct state_vif *v = &vm->vifs[f];

				if (v->n_shapes > 1)
					qsort(v->shapes, v->n_shapes, sizeof(*v->shapes), cmp_shape);
				for (k = 0; k < v->n_shapes; k++)
					v->shapes[k].index = (uint32_t)k + 1;
			}
		}
	}
}

/* --- isolation ------------------------------------------------------------------ */

static size_t endpoint_prefixes(const struct virt_endpoint *ep, struct ip4_prefix *out,
				size_t max)
{
	size_t j, n = 0;

	if (ep->kind == VIRT_EP_SUBNET && ep->subnet->has_prefix && max > 0)
		out[n++] = ip4_network(&ep->subnet->prefix);
	for (j = 0; ep->kind == VIRT_EP_VM && j < ep->vm->n_ifaces && n < max; j++)
		if (ep->vm->ifaces[j].has_addr)
			out[n++] = (struct ip4_prefix){ ep->vm->ifaces[j].addr, 32 };
	return n;
}

static void expand_direction(struct state_host *proto, const struct virt_rule *r,
			     const struct virt_endpoint *from, const struct virt_endpoint *to)
{
	size_t nf = from->kind == VIRT_EP_VM ? from->vm->n_ifaces : 1;
	size_t nt = to->kind == VIRT_EP_VM ? to->vm->n_ifaces : 1;
	struct ip4_prefix *fp = mem_array(NULL, nf, sizeof(*fp));
	struct ip4_prefix *tp = mem_array(NULL, nt, sizeof(*tp));
	size_t a, b, k = 0;

	nf = endpoint_prefixes(from, fp, nf);
	nt = endpoint_prefixes(to, tp, nt);
	for (a = 0; a < nf; a++) {
		for (b = 0; b < nt; b++) {
			struct state_rule *rule = MEM_PUSH(proto->rules, proto->n_rules);

			rule->index = (uint32_t)proto->n_rules;
			rule->name = ++k == 1 ? mem_printf("%s>%s", from->name, to->name) :
				     mem_printf("%s>%s#%zu", from->name, to->name, k);
			rule->src = fp[a];
			rule->dst = tp[b];
			rule->action = r->action;
		}
	}
	free(fp);
	free(tp);
}

static void build_isolation_proto(const struct virt_env *v, struct state_host *proto)
{
	size_t i;

	proto->has_isolation_default = true;
	proto->isolation_default = v->has_isolation ? v->isolation_default : STATE_ACCEPT;
	for (i = 0; i < v->n_subnets; i++) {
		struct state_subnet *sn;

		if (!v->subnets[i].name || !v->subnets[i].has_prefix)
			continue;
		sn = MEM_PUSH(proto->subnets, proto->n_subnets);
		sn->index = (uint32_t)proto->n_subnets;
		sn->name = mem_strdup(v->subnets[i].name);
		sn->prefix = ip4_network(&v->subnets[i].prefix);
	}
	for (i = 0; i < v->n_rules; i++) {
		const struct virt_rule *r = &v->rules[i];

		if (r->from.kind == VIRT_EP_UNKNOWN || r->to.kind == VIRT_EP_UNKNOWN)
			continue;
		expand_direction(proto, r, &r->from, &r->to);
		if (r->symmetric)
			expand_direction(proto, r, &r->to, &r->from);
	}
}

static void copy_isolation(const struct state_host *proto, struct state_host *h)
{
	size_t i;

	h->has_isolation_default = proto->has_isolation_default;
	h->isolation_default = proto->isolation_default;
	h->n_subnets = proto->n_subnets;
	h->subnets = mem_array(NULL, proto->n_subnets, sizeof(*h->subnets));
	for (i = 0; i < proto->n_subnets; i++) {
		h->subnets[i] = proto->subnets[i];
		h->subnets[i].name = mem_strdup(proto->subnets[i].name);
	}
	h->n_rules = proto->n_rules;
	h->rules = mem_array(NULL, proto->n_rules, sizeof(*h->rules));
	for (i = 0; i < proto->n_rules; i++) {
		h->rules[i] = proto->rules[i];
		h->rules[i].name = mem_strdup(proto->rules[i].name);
	}
}

void merge_build(const struct real_env *r, const struct virt_env *v,
		 const struct placement *p, struct state *out, struct diag *d)
{
	struct ctx c = { r, v, p, out, d, NULL, NULL };
	struct state proto_state = { 0 };
	struct state_host *proto;
	size_t i;

	memset(out, 0, sizeof(*out));
	c.slot = mem_array(NULL, v->n_vms ? v->n_vms : 1, sizeof(*c.slot));
	build_hosts(&c);
	for (i = 0; i < v->n_vms; i++)
		if (p->host[i] != PLACE_NONE)
			build_vm(&c, i);
	build_members(&c);
	build_shapes(&c);
	free_members(&c);
	order_shapes(out);
	proto = MEM_PUSH(proto_state.hosts, proto_state.n_hosts);
	build_isolation_proto(v, proto);
	for (i = 0; i < out->n_hosts; i++)
		copy_isolation(proto, &out->hosts[i]);
	state_release(&proto_state);
	free(c.slot);
}
