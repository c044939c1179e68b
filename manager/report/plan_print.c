/*
 * plan_print.c - renders a plan (plan.h) with the writer: one line per
 * item in text ("h1: change shape east1/1/1 west1>east1: delay 10ms ->
 * 20ms"), and in JSON one object per item whose "changes" name the vMIB
 * column and give both values in the MIB's units.  Reads the plan only.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mem.h"
#include "out.h"
#include "plan.h"
#include "show.h"

char *plan_item_title(const struct plan_item *it)
{
	switch (it->obj) {
	case PLAN_DEFAULT:
		return mem_strdup("isolation default");
	case PLAN_SUBNET:
		return mem_printf("subnet %u %s", it->index, it->name);
	case PLAN_RULE:
		return mem_printf("rule %u %s", it->index, it->name);
	case PLAN_VM:
		return mem_printf("vm %s (index %u)", it->name, it->vm);
	case PLAN_SHAPE:
		return mem_printf("shape %s/%u/%u %s", it->vm_name, it->vif, it->index, it->name);
	}
	return mem_strdup("?");
}

static void print_vifs(const struct state_vm *vm, struct out *o)
{
	char a[IP4_STRLEN];
	size_t f;

	out_arr_open(o, "vifs");
	for (f = 0; f < vm->n_vifs; f++) {
		const struct state_vif *v = &vm->vifs[f];
		char *routes = state_routes_format(v);

		out_obj_open(o, NULL);
		out_u64(o, "index", ", vif %llu", v->index);
		out_str(o, "addr", " %s", ip4_format(v->addr, a));
		out_u64(o, "prefixLen", "/%llu", v->prefix_len);
		out_str(o, "bridge", " on %s", v->bridge);
		out_str(o, "mac", " mac %s", v->mac);
		out_str(o, "routes", v->n_routes ? " routes %s" : NULL, routes);
		out_obj_close(o);
		free(routes);
	}
	out_arr_close(o);
}

/* what a created row will hold */
static void print_created(const struct plan_item *it, struct out *o)
{
	char pfx[IP4_PREFIX_STRLEN];
	const struct state_vm *vm = it->want_vm;

	switch (it->obj) {
	case PLAN_VM:
		out_str(o, "image", ": image %s", vm->image);
		out_u64(o, "memoryKBytes", NULL, vm->memory_kib);
		out_text(o, ", memory %lluMiB", (unsigned long long)(vm->memory_kib / 1024));
		out_u64(o, "vcpus", ", vcpus %llu", vm->vcpus);
		if (vm->has_sched_weight)
			out_u64(o, "schedWeight", ", weight %llu", vm->sched_weight);
		if (vm->has_sched_cap)
			out_u64(o, "schedCapPercent", ", cap %llu%%", vm->sched_cap_percent);
		print_vifs(vm, o);
		break;
	case PLAN_SHAPE:
		out_str(o, "src", ": from %s", ip4_format_prefix(&it->want_shape->src, pfx));
		show_shape_params(&it->want_shape->p, o);
		break;
	case PLAN_SUBNET:
		out_str(o, "prefix", ": %s", ip4_format_prefix(&it->want_subnet->prefix, pfx));
		break;
	case PLAN_RULE:
		out_str(o, "action", ": %s", state_action_name(it->want_rule->action));
		out_str(o, "src", " %s", ip4_format_prefix(&it->want_rule->src, pfx));
		out_str(o, "dst", " -> %s", ip4_format_prefix(&it->want_rule->dst, pfx));
		break;
	case PLAN_DEFAULT:
		break;
	}
}

static void print_changes(const struct plan_item *it, struct out *o)
{
	size_t k;

	out_arr_open(o, "changes");
	for (k = 0; k < it->n_changes; k++) {
		const struct plan_change *ch = &it->changes[k];

		out_obj_open(o, NULL);
		out_str(o, "column", NULL, mibcol_cols[ch->col].name);
		out_text(o, "%s%s%s %s -> %s", k ? "," : ":", *ch->label ? " " : "", ch->label,
			 ch->from, ch->to);
		if (ch->numeric) {
			out_u64(o, "from", NULL, ch->from_n);
			out_u64(o, "to", NULL, ch->to_n);
		} else {
			out_str(o, "from", NULL, ch->from);
			out_str(o, "to", NULL, ch->to);
		}
		out_obj_close(o);
	}
	out_arr_close(o);
}

static void print_item(const char *host, const struct plan_item *it, struct out *o)
{
	char *title = plan_item_title(it);

	out_obj_open(o, NULL);
	out_text(o, "%s: ", host);
	out_str(o, "op", "%-9s ", plan_op_name(it->op));
	out_str(o, "object", NULL, plan_obj_name(it->obj));
	out_text(o, "%s", title);
	out_str(o, "name", NULL, it->name);
	if (it->obj == PLAN_VM || it->obj == PLAN_SHAPE)
		out_u64(o, "vmIndex", NULL, it->vm);
	if (it->obj == PLAN_SHAPE) {
		out_str(o, "vm", NULL, it->vm_name);
		out_u64(o, "vifIndex", NULL, it->vif);
	}
	if (it->obj != PLAN_VM && it->obj != PLAN_DEFAULT)
		out_u64(o, "index", NULL, it->index);
	if (it->op == PLAN_CREATE)
		print_created(it, o);
	else if (it->op == PLAN_CHANGE)
		print_changes(it, o);
	out_str(o, "why", ": %s", it->why);
	if (it->op == PLAN_MIGRATE)
		out_str(o, "to", NULL, it->to_name);
	if (it->destroys_running)
		out_bool(o, "destroysRunningVm", " [DESTROYS RUNNING VM]", true);
	out_text(o, "\n");
	out_obj_close(o);
	free(title);
}

static void print_counts(const size_t *count, struct out *o)
{
	out_u64(o, "create", "%llu to create", count[PLAN_CREATE]);
	out_u64(o, "change", ", %llu to change", count[PLAN_CHANGE]);
	out_u64(o, "replace", ", %llu to replace", count[PLAN_REPLACE]);
	out_u64(o, "delete", ", %llu to delete", count[PLAN_DELETE]);
	/* in text only when there is one (the line stays what it was) */
	out_u64(o, "migrate", count[PLAN_MIGRATE] || out_is_json(o) ? ", %llu to migrate" : NULL,
		count[PLAN_MIGRATE]);
	out_u64(o, "unchanged", ", %llu unchanged", count[PLAN_UNCHANGED]);
}

static void print_host(const struct plan_host *ph, struct out *o, bool all)
{
	size_t i;

	out_obj_open(o, NULL);
	out_str(o, "name", NULL, ph->want->name);
	out_bool(o, "read", NULL, ph->have->oper.read);
	out_str(o, "error", NULL, ph->have->oper.error);
	if (!ph->have->oper.read)
		out_text(o, "%s: cannot read: %s\n", ph->want->name, ph->have->oper.error);
	out_arr_open(o, "items");
	for (i = 0; i < ph->n_items; i++)
		if (all || ph->items[i].op != PLAN_UNCHANGED || out_is_json(o))
			print_item(ph->want->name, &ph->items[i], o);
	out_arr_close(o);
	if (out_is_json(o)) {
		out_obj_open(o, "counts");
		print_counts(ph->count, o);
		out_obj_close(o);
	}
	out_obj_close(o);
}

void plan_print(const struct plan *p, struct out *o, bool all)
{
	size_t h, i;

	out_arr_open(o, "hosts");
	for (h = 0; h < p->n_hosts; h++)
		print_host(&p->hosts[h], o, all);
	out_arr_close(o);
	out_arr_open(o, "notes");
	for (i = 0; i < p->n_notes; i++)
		out_str(o, NULL, "note: %s\n", p->notes[i]);
	out_arr_close(o);
	out_arr_open(o, "warnings");
	for (i = 0; i < p->n_warnings; i++)
		out_str(o, NULL, "warning: %s\n", p->warnings[i]);
	out_arr_close(o);
	out_obj_open(o, "summary");
	out_text(o, "%s: ", p->mode == PLAN_DESTROY ? "destroy plan" : "plan");
	print_counts(p->count, o);
	out_u64(o, "unreadableHosts", p->unreadable ? "; %llu host(s) could not be read" : NULL,
		p->unreadable);
	out_u64(o, "destroysRunningVms", p->destroys_running ?
		"; %llu item(s) DESTROY A RUNNING VM" : NULL, p->destroys_running);
	out_text(o, "\n");
	out_obj_close(o);
}

char *plan_text(const struct plan *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct out *o;

	if (!fp)
		return mem_strdup("");
	o = out_new(OUT_TEXT, fp);
	plan_print(p, o, false);
	out_free(o);
	fclose(fp);
	return buf;
}
