/*
 * show.c - renders struct state with out.h, one statement per field for
 * both modes (values the text shows in friendlier units are printed to
 * JSON raw and to text with out_text).  Reads the state, prints, owns
 * nothing.
 */
#include <stdlib.h>

#include "out.h"
#include "show.h"

static void show_memory(struct out *o, uint64_t kib)
{
	out_u64(o, "memoryKBytes", NULL, kib);
	if (kib % 1024 == 0)
		out_text(o, " memory %lluMiB", (unsigned long long)(kib / 1024));
	else
		out_text(o, " memory %lluKiB", (unsigned long long)kib);
}

void show_shape_params(const struct shape_params *p, struct out *o)
{
	char buf[32];
	int f;

	for (f = 0; f < SHAPE_N_FIELDS; f++) {
		if (!shape_has(p, f))
			continue;
		out_u64(o, shape_fields[f].key, NULL, shape_get(p, f));
		out_text(o, " %s %s", shape_fields[f].label,
			 units_format(shape_fields[f].kind, shape_get(p, f), buf, sizeof(buf)));
	}
}

static void show_vif(const struct state_vif *v, struct out *o)
{
	char a[IP4_STRLEN], pfx[IP4_PREFIX_STRLEN];
	char *routes = state_routes_format(v);
	size_t k;

	out_obj_open(o, NULL);
	out_u64(o, "index", "    vif %llu", v->index);
	out_str(o, "addr", " %s", ip4_format(v->addr, a));
	out_u64(o, "prefixLen", "/%llu", v->prefix_len);
	out_str(o, "subnet", " subnet %s", v->subnet);
	out_str(o, "bridge", " bridge %s", v->bridge);
	out_str(o, "mac", " mac %s", v->mac);
	out_str(o, "device", " device %s", v->device);
	out_text(o, "\n");
	out_str(o, "routes", v->n_routes ? "      routes %s\n" : NULL, routes);
	out_arr_open(o, "shapes");
	for (k = 0; k < v->n_shapes; k++) {
		const struct state_shape *s = &v->shapes[k];

		out_obj_open(o, NULL);
		out_u64(o, "index", "      shape %llu", s->index);
		out_str(o, "name", " %s", s->name);
		out_str(o, "src", " from %s", ip4_format_prefix(&s->src, pfx));
		show_shape_params(&s->p, o);
		out_text(o, "\n");
		out_obj_close(o);
	}
	out_arr_close(o);
	out_obj_close(o);
	free(routes);
}

static void show_vm(const struct state_vm *vm, struct out *o)
{
	size_t j;

	out_obj_open(o, NULL);
	out_str(o, "name", "  vm %s", vm->name);
	out_str(o, "image", " image %s", vm->image);
	show_memory(o, vm->memory_kib);
	out_u64(o, "vcpus", " vcpus %llu", vm->vcpus);
	out_str(o, "adminState", NULL, state_admin_name(vm->admin));
	if (vm->has_sched_weight)
		out_u64(o, "schedWeight", " weight %llu", vm->sched_weight);
	if (vm->has_sched_cap)
		out_u64(o, "schedCapPercent", " cap %llu%%", vm->sched_cap_percent);
	out_str(o, "placement", " (%s", state_placed_name(vm->placed));
	out_str(o, "movesFrom", ", moves from %s", vm->moved_from);
	if (vm->placed)
		out_text(o, ")");
	out_text(o, "\n");
	out_arr_open(o, "vifs");
	for (j = 0; j < vm->n_vifs; j++)
		show_vif(&vm->vifs[j], o);
	out_arr_close(o);
	out_obj_close(o);
}

static void show_isolation(const struct state_host *h, struct out *o)
{
	char a[IP4_PREFIX_STRLEN], b[IP4_PREFIX_STRLEN];
	size_t i;

	out_obj_open(o, "isolation");
	if (h->has_isolation_default)
		out_str(o, "default", "  isolation default %s\n",
			state_action_name(h->isolation_default));
	out_arr_open(o, "subnets");
	for (i = 0; i < h->n_subnets; i++) {
		out_obj_open(o, NULL);
		out_u64(o, "index", "    subnet %llu", h->subnets[i].index);
		out_str(o, "name", " %s", h->subnets[i].name);
		out_str(o, "prefix", " %s\n", ip4_format_prefix(&h->subnets[i].prefix, a));
		out_obj_close(o);
	}
	out_arr_close(o);
	out_arr_open(o, "rules");
	for (i = 0; i < h->n_rules; i++) {
		const struct state_rule *r = &h->rules[i];

		out_obj_open(o, NULL);
		out_u64(o, "index", "    rule %llu", r->index);
		out_str(o, "action", " %s", state_action_name(r->action));
		out_str(o, "src", " %s", ip4_format_prefix(&r->src, a));
		out_str(o, "dst", " -> %s", ip4_format_prefix(&r->dst, b));
		out_str(o, "name", " %s\n", r->name);
		out_obj_close(o);
	}
	out_arr_close(o);
	out_obj_close(o);
}

static void show_host(const struct state_host *h, struct out *o)
{
	size_t i;

	out_obj_open(o, NULL);
	out_str(o, "name", "host %s", h->name);
	out_str(o, "address", " address %s", h->address);
	out_str(o, "snmp", " snmp %s", h->snmp);
	out_str(o, "libvirt", " libvirt %s", h->libvirt);
	out_str(o, "bridge", " bridge %s", h->bridge);
	out_u64(o, "cpus", " cpus %llu", h->cpus);
	show_memory(o, h->memory_kib);
	out_text(o, "\n");
	out_arr_open(o, "vms");
	for (i = 0; i < h->n_vms; i++)
		show_vm(&h->vms[i], o);
	out_arr_close(o);
	show_isolation(h, o);
	out_obj_close(o);
}

void show_state(const struct state *s, struct out *o)
{
	size_t i;

	out_arr_open(o, "hosts");
	for (i = 0; i < s->n_hosts; i++)
		show_host(&s->hosts[i], o);
	out_arr_close(o);
}
