/*
 * xml_virtual.c - reads a virtual-environment document into struct
 * virt_env: subnets, VMs with their interfaces, routes and scheduler
 * settings, links with their shaping quantities, and the isolation policy.
 * It applies the documented defaults (env.h) and parses quantities
 * strictly; resolving names and checking addresses is check.c's job.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "mem.h"
#include "xml_doc.h"
#include "xml_virtual.h"

static void parse_subnet(struct virt_env *v, const xmlNode *n)
{
	struct virt_subnet *s = MEM_PUSH(v->subnets, v->n_subnets);
	char *prefix = xml_doc_attr(n, "prefix"), *gw = xml_doc_attr(n, "gateway");

	s->name = xml_doc_attr(n, "name");
	s->line = xml_doc_line(n);
	s->has_prefix = ip4_parse_prefix(prefix, &s->prefix) == 0;
	s->has_gateway = ip4_parse_addr(gw, &s->gateway) == 0;
	free(prefix);
	free(gw);
}

static void parse_route(struct virt_iface *ifc, const xmlNode *n)
{
	struct virt_route *r = MEM_PUSH(ifc->routes, ifc->n_routes);
	char *to = xml_doc_attr(n, "to"), *via = xml_doc_attr(n, "via");

	r->line = xml_doc_line(n);
	if (to && strcmp(to, "default") == 0) {
		r->has_dst = true;   /* 0.0.0.0/0 */
	} else {
		r->has_dst = ip4_parse_prefix(to, &r->dst) == 0;
	}
	r->has_via = ip4_parse_addr(via, &r->via) == 0;
	free(to);
	free(via);
}

static void parse_iface(struct virt_vm *vm, const xmlNode *n)
{
	struct virt_iface *ifc = MEM_PUSH(vm->ifaces, vm->n_ifaces);
	char *addr = xml_doc_attr(n, "address");
	struct ip4_prefix p;
	const xmlNode *c;

	ifc->line = xml_doc_line(n);
	ifc->subnet_name = xml_doc_attr(n, "subnet");
	if (addr && strchr(addr, '/')) {
		if (ip4_parse_prefix(addr, &p) == 0) {
			ifc->has_addr = ifc->has_prefix_len = true;
			ifc->addr = p.addr;
			ifc->prefix_len = p.len;
		}
	} else {
		ifc->has_addr = ip4_parse_addr(addr, &ifc->addr) == 0;
	}
	free(addr);
	for (c = xml_doc_first(n); c; c = xml_doc_next(c))
		if (xml_doc_is(c, "route"))
			parse_route(ifc, c);
}

static void parse_vm(struct virt_env *v, const xmlNode *n)
{
	struct virt_vm *vm = MEM_PUSH(v->vms, v->n_vms);
	const xmlNode *c;

	vm->name = xml_doc_attr(n, "name");
	vm->line = xml_doc_line(n);
	vm->image = xml_doc_attr(n, "image");
	if (!vm->image)
		vm->image = mem_strdup(ENV_DEFAULT_IMAGE);
	vm->memory_mib = ENV_DEFAULT_MEMORY_MIB;
	vm->vcpus = ENV_DEFAULT_VCPUS;
	/* out of the schema's ranges (VmMemoryMiB, VmVcpus): already reported */
	if (xml_doc_has(n, "memoryMiB") &&
	    (!xml_doc_u32(n, "memoryMiB", &vm->memory_mib) || vm->memory_mib < 16 ||
	     vm->memory_mib > 4194303))
		vm->bad_size = true;
	if (xml_doc_has(n, "vcpus") &&
	    (!xml_doc_u32(n, "vcpus", &vm->vcpus) || vm->vcpus < 1 || vm->vcpus > 256))
		vm->bad_size = true;
	vm->host = xml_doc_attr(n, "host");
	for (c = xml_doc_first(n); c; c = xml_doc_next(c)) {
		if (xml_doc_is(c, "interface")) {
			parse_iface(vm, c);
		} else if (xml_doc_is(c, "scheduler")) {
			vm->has_sched_weight = xml_doc_u32(c, "weight", &vm->sched_weight);
			vm->has_sched_cap = xml_doc_u32(c, "cap", &vm->sched_cap_percent);
		}
	}
}

static void parse_link(struct virt_env *v, const xmlNode *n, struct diag *d)
{
	struct virt_link *l = MEM_PUSH(v->links, v->n_links);
	uint32_t value;
	int f;

	l->line = xml_doc_line(n);
	l->name = xml_doc_attr(n, "name");
	l->from.name = xml_doc_attr(n, "from");
	l->to.name = xml_doc_attr(n, "to");
	l->symmetric = xml_doc_bool(n, "symmetric", true);
	for (f = 0; f < SHAPE_N_FIELDS; f++) {
		switch (xml_doc_quantity(n, shape_fields[f].attr, shape_fields[f].kind, &value,
					 v->file, d)) {
		case 1:
			shape_set(&l->params, f, value);
			break;
		case -1:
			l->bad_params = true;
			break;
		}
	}
}

static void parse_isolation(struct virt_env *v, const xmlNode *n)
{
	char *dflt = xml_doc_attr(n, "default");
	const xmlNode *c;
	struct virt_rule *r;

	v->has_isolation = true;
	v->isolation_line = xml_doc_line(n);
	v->isolation_default = dflt && strcmp(dflt, "deny") == 0 ? STATE_DROP : STATE_ACCEPT;
	free(dflt);
	for (c = xml_doc_first(n); c; c = xml_doc_next(c)) {
		if (!xml_doc_is(c, "allow") && !xml_doc_is(c, "deny"))
			continue;
		r = MEM_PUSH(v->rules, v->n_rules);
		r->line = xml_doc_line(c);
		r->element = mem_strdup((const char *)c->name);
		r->action = xml_doc_is(c, "allow") ? STATE_ACCEPT : STATE_DROP;
		r->from.name = xml_doc_attr(c, "from");
		r->to.name = xml_doc_attr(c, "to");
		r->symmetric = xml_doc_bool(c, "symmetric", true);
	}
}

struct virt_env *xml_virtual_parse(const char *file, const xmlDoc *doc, struct diag *d)
{
	struct virt_env *v = mem_alloc(sizeof(*v));
	const xmlNode *root = xmlDocGetRootElement(doc), *n;

	v->file = mem_strdup(file);
	v->name = xml_doc_attr(root, "name");
	v->isolation_default = STATE_ACCEPT;
	for (n = xml_doc_first(root); n; n = xml_doc_next(n)) {
		if (xml_doc_is(n, "subnet"))
			parse_subnet(v, n);
		else if (xml_doc_is(n, "vm"))
			parse_vm(v, n);
		else if (xml_doc_is(n, "link"))
			parse_link(v, n, d);
		else if (xml_doc_is(n, "isolation"))
			parse_isolation(v, n);
	}
	env_virt_index(v);
	return v;
}
