/*
 * status.c - the status report of status.h.  Rates are counter deltas
 * between two reads of the same row (same host, same indexes); a counter
 * that went backwards (the VM restarted or migrated, the class was
 * recreated: VMIB-MIB vmibHostLastChange) gives no rate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "out.h"
#include "read.h"
#include "show.h"
#include "status.h"

struct ctx {
	const struct plan *p;
	const struct state *prev;
	double dt_s;
	struct out *o;
	size_t vms, vms_scenario, vms_running, shapes, shapes_applied, problems;
};

static const char *enum_name(enum mibcol_id c, int v)
{
	const char *s = mibcol_enum_name(c, v);

	return s ? s : "unknown";
}

/* the plan item about the current row `have`, or NULL */
static const struct plan_item *item_of(const struct plan *p, const void *have)
{
	size_t h, i;

	for (h = 0; h < p->n_hosts; h++) {
		for (i = 0; i < p->hosts[h].n_items; i++) {
			const struct plan_item *it = &p->hosts[h].items[i];

			if (it->have_vm == have || it->have_shape == have || it->have_rule == have)
				return it;
		}
	}
	return NULL;
}

static bool rate_bps(const struct ctx *c, uint64_t before, uint64_t after, uint64_t *bps)
{
	if (!c->prev || c->dt_s <= 0 || after < before)
		return false;
	*bps = (uint64_t)((double)(after - before) * 8 / c->dt_s + 0.5);
	return true;
}

static void print_rate(struct out *o, const char *key, const char *label, bool ok, uint64_t bps)
{
	char buf[32];

	if (!ok)
		return;
	out_u64(o, key, NULL, bps);
	if (bps >= 1000 || bps == 0)
		out_text(o, "%s %s/s", label, bps ? units_format(UNITS_RATE_KBPS, (uint32_t)
				(bps / 1000), buf, sizeof(buf)) : "0bit");
	else
		out_text(o, "%s %llubit/s", label, (unsigned long long)bps);
}

static const struct state_vm *prev_vm(const struct ctx *c, const char *host, uint32_t index)
{
	const struct state_host *h = c->prev ? state_find_host(c->prev, host) : NULL;

	return h && h->oper.read ? read_find_vm(h, index) : NULL;
}

static const struct state_vif *prev_vif(const struct state_vm *vm, uint32_t index)
{
	size_t i;

	for (i = 0; vm && i < vm->n_vifs; i++)
		if (vm->vifs[i].index == index)
			return &vm->vifs[i];
	return NULL;
}

static const struct state_shape *prev_shape(const struct state_vif *v, uint32_t index)
{
	size_t i;

	for (i = 0; v && i < v->n_shapes; i++)
		if (v->shapes[i].index == index)
			return &v->shapes[i];
	return NULL;
}

static void print_shape(struct ctx *c, const struct state_shape *s, const struct state_shape *ps)
{
	const struct plan_item *it = item_of(c->p, s);
	char pfx[IP4_PREFIX_STRLEN];
	uint64_t bps = 0;
	size_t k;

	c->shapes++;
	c->shapes_applied += s->oper.status == VMIB_ENUM_vmibShapeOperStatus_applied;
	c->problems += s->oper.status == VMIB_ENUM_vmibShapeOperStatus_failed ||
		       s->oper.status == VMIB_ENUM_vmibShapeOperStatus_unsupported;
	out_obj_open(c->o, NULL);
	out_u64(c->o, "index", "      shape %llu", s->index);
	out_str(c->o, "name", " %s", s->name);
	out_str(c->o, "src", " from %s:", ip4_format_prefix(&s->src, pfx));
	show_shape_params(&s->p, c->o);
	if (!s->p.has)
		out_text(c->o, " unlimited");
	out_str(c->o, "operStatus", ", %s", enum_name(COL_SHAPE_OPER, s->oper.status));
	if (s->oper.last_error && *s->oper.last_error)
		out_str(c->o, "lastError", " (%s)", s->oper.last_error);
	print_rate(c->o, "measuredBps", ", now", ps && rate_bps(c, ps->oper.sent_octets,
			s->oper.sent_octets, &bps), bps);
	out_u64(c->o, "sentOctets", NULL, s->oper.sent_octets);
	out_u64(c->o, "droppedPkts", ", dropped %llu", s->oper.dropped_pkts);
	out_str(c->o, "scenario", NULL, !it ? "absent" : it->op == PLAN_UNCHANGED ? "same" :
		"differs");
	if (it && it->op == PLAN_CHANGE) {
		out_text(c->o, "; the scenario wants");
		for (k = 0; k < it->n_changes; k++)
			out_text(c->o, " %s %s", it->changes[k].label, it->changes[k].to);
	} else if (it && it->op == PLAN_DELETE) {
		out_text(c->o, "; not in the scenario");
	}
	out_text(c->o, "\n");
	out_obj_close(c->o);
}

static void print_vif(struct ctx *c, const struct state_vif *v, const struct state_vif *pv)
{
	char a[IP4_STRLEN];
	uint64_t rx = 0, tx = 0;
	bool rok = pv && rate_bps(c, pv->oper.rx_octets, v->oper.rx_octets, &rx);
	bool tok = pv && rate_bps(c, pv->oper.tx_octets, v->oper.tx_octets, &tx);
	size_t k;

	out_obj_open(c->o, NULL);
	out_u64(c->o, "index", "    vif %llu", v->index);
	out_str(c->o, "device", " %s", v->device && *v->device ? v->device : "(no device)");
	out_str(c->o, "addr", " %s", ip4_format(v->addr, a));
	out_u64(c->o, "prefixLen", "/%llu", v->prefix_len);
	out_str(c->o, "bridge", " on %s", v->bridge);
	out_str(c->o, "mac", " mac %s", v->mac);
	out_u64(c->o, "rxOctets", NULL, v->oper.rx_octets);
	out_u64(c->o, "txOctets", NULL, v->oper.tx_octets);
	print_rate(c->o, "rxBps", ", in", rok, rx);
	print_rate(c->o, "txBps", ", out", tok, tx);
	out_u64(c->o, "rxDrops", NULL, v->oper.rx_drops);
	out_text(c->o, "\n");
	out_arr_open(c->o, "shapes");
	for (k = 0; k < v->n_shapes; k++)
		print_shape(c, &v->shapes[k], prev_shape(pv, v->shapes[k].index));
	out_arr_close(c->o);
	out_obj_close(c->o);
}

static void print_vm(struct ctx *c, const char *host, const struct state_vm *vm)
{
	const struct plan_item *it = item_of(c->p, vm);
	const struct state_vm *pvm = prev_vm(c, host, vm->index);
	size_t f;

	c->vms++;
	c->vms_scenario += it != NULL;
	c->vms_running += it && vm->oper.state == VMIB_ENUM_vmibVmOperState_running;
	out_obj_open(c->o, NULL);
	out_str(c->o, "name", "  vm %s", vm->name);
	out_u64(c->o, "index", " (index %llu)", vm->index);
	out_bool(c->o, "inScenario", NULL, it != NULL);
	out_str(c->o, "operState", " %s", enum_name(COL_VM_OPER, vm->oper.state));
	out_str(c->o, "adminState", ", admin %s", state_admin_name(vm->admin));
	out_str(c->o, "image", ", image %s", vm->image);
	out_u64(c->o, "memoryKBytes", NULL, vm->memory_kib);
	out_text(c->o, ", %lluMiB", (unsigned long long)(vm->memory_kib / 1024));
	out_u64(c->o, "vcpus", ", %llu vcpu(s)", vm->vcpus);
	out_u64(c->o, "cpuTimeMs", ", cpu %llu ms", vm->oper.cpu_ms);
	out_str(c->o, "migrateStatus", NULL, enum_name(COL_VM_MIGRATE_STATUS, vm->oper.migrate_status));
	if (vm->oper.migrate_status == VMIB_ENUM_vmibVmMigrateStatus_succeeded)
		out_u64(c->o, "migrateDowntimeMs", ", migrated here (downtime %llu ms)",
			vm->oper.downtime_ms);
	if (!it)
		out_text(c->o, " (not in the scenario)");
	else if (it->op != PLAN_UNCHANGED)
		out_str(c->o, "scenario", "; the scenario wants a %s", plan_op_name(it->op));
	if (vm->oper.last_error && *vm->oper.last_error)
		out_str(c->o, "lastError", "; last error: %s", vm->oper.last_error);
	c->problems += vm->oper.state == VMIB_ENUM_vmibVmOperState_crashed;
	out_text(c->o, "\n");
	out_arr_open(c->o, "vifs");
	for (f = 0; f < vm->n_vifs; f++)
		print_vif(c, &vm->vifs[f], prev_vif(pvm, vm->vifs[f].index));
	out_arr_close(c->o);
	out_obj_close(c->o);
}

static void print_caps(struct out *o, const struct state_host_oper *h)
{
	static const char *const names[] = {
		"tbf", "htb", "netem", "u32", "iptables", "brNetfilter", "migration",
	};
	size_t i;
	bool first = true;

	if (!h->has_caps)
		return;
	out_arr_open(o, "capabilities");
	out_text(o, ", can");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(h->caps & (1u << i)))
			continue;
		out_str(o, NULL, first ? " %s" : ",%s", names[i]);
		first = false;
	}
	out_arr_close(o);
}

static void print_isolation(struct ctx *c, const struct state_host *h)
{
	size_t i, ours = 0;

	for (i = 0; i < h->n_rules; i++)
		ours += item_of(c->p, &h->rules[i]) != NULL;
	out_obj_open(c->o, "isolation");
	out_str(c->o, "default", "  isolation: default %s", h->has_isolation_default ?
		state_action_name(h->isolation_default) : "?");
	out_str(c->o, "operStatus", ", %s", enum_name(COL_ISOLATION_OPER, h->oper.isolation_oper));
	c->problems += h->oper.isolation_oper == VMIB_ENUM_vmibIsolationOperStatus_failed ||
		       h->oper.isolation_oper == VMIB_ENUM_vmibIsolationOperStatus_unsupported;
	out_u64(c->o, "subnets", ", %llu subnet(s)", h->n_subnets);
	out_u64(c->o, "rules", ", %llu rule(s)", h->n_rules);
	out_u64(c->o, "scenarioRules", " (%llu of the scenario)\n", ours);
	out_obj_close(c->o);
	for (i = 0; i < h->n_rules; i++) {
		if (h->rules[i].oper.last_error && *h->rules[i].oper.last_error) {
			out_text(c->o, "  rule %u %s: %s\n", h->rules[i].index, h->rules[i].name,
				 h->rules[i].oper.last_error);
			c->problems++;
		}
	}
}

static void print_host(struct ctx *c, const struct state_host *h)
{
	const struct state_host_oper *o = &h->oper;
	size_t i;

	out_obj_open(c->o, NULL);
	out_str(c->o, "name", "host %s", h->name);
	out_bool(c->o, "read", NULL, o->read);
	if (!o->read) {
		out_str(c->o, "error", ": cannot read: %s\n", o->error);
		c->problems++;
		out_obj_close(c->o);
		return;
	}
	out_str(c->o, "hostname", " (%s", o->hostname);
	out_str(c->o, "hypervisor", ", %s", o->hypervisor);
	out_str(c->o, "hypervisorVersion", " %s", o->hypervisor_version);
	out_str(c->o, "libvirtState", ", libvirt %s)", enum_name(COL_HOST_LIBVIRT_STATE,
								  o->libvirt_state));
	out_u64(c->o, "memoryFreeKBytes", NULL, o->memory_free_kib);
	out_u64(c->o, "memoryTotalKBytes", NULL, o->memory_total_kib);
	out_text(c->o, ": memory free %lluMiB of %lluMiB",
		 (unsigned long long)(o->memory_free_kib / 1024),
		 (unsigned long long)(o->memory_total_kib / 1024));
	out_u64(c->o, "cpus", ", %llu cpu(s)", o->cpus);
	print_caps(c->o, o);
	out_text(c->o, "\n");
	if (o->last_error && *o->last_error)
		out_str(c->o, "lastError", "  last error: %s\n", o->last_error);
	print_isolation(c, h);
	out_arr_open(c->o, "vms");
	for (i = 0; i < h->n_vms; i++)
		print_vm(c, h->name, &h->vms[i]);
	out_arr_close(c->o);
	out_obj_close(c->o);
}

void status_print(const struct state *cur, const struct state *prev, double dt_s,
		  const struct plan *p, struct out *o)
{
	struct ctx c = { p, prev, dt_s, o, 0, 0, 0, 0, 0, 0 };
	size_t h, pending = plan_pending(p);

	out_arr_open(o, "hosts");
	for (h = 0; h < cur->n_hosts; h++)
		print_host(&c, &cur->hosts[h]);
	out_arr_close(o);
	out_obj_open(o, "summary");
	out_u64(o, "hosts", "status: %llu host(s)", cur->n_hosts);
	out_u64(o, "unreadableHosts", p->unreadable ? " (%llu unreadable)" : NULL, p->unreadable);
	out_u64(o, "vms", ", %llu vm(s)", c.vms);
	out_u64(o, "scenarioVms", " (%llu of the scenario", c.vms_scenario);
	out_u64(o, "scenarioVmsRunning", ", %llu running)", c.vms_running);
	out_u64(o, "shapeRows", ", %llu shape row(s)", c.shapes);
	out_u64(o, "shapeRowsApplied", " (%llu applied)", c.shapes_applied);
	out_u64(o, "problems", c.problems ? ", %llu problem(s)" : NULL, c.problems);
	out_u64(o, "pendingChanges", NULL, pending);
	out_bool(o, "matchesScenario", NULL, pending == 0 && p->unreadable == 0);
	if (pending == 0 && p->unreadable == 0)
		out_text(o, "; matches the scenario\n");
	else
		out_text(o, "; %zu change(s) to make (see vmibctl plan)\n", pending);
	out_obj_close(o);
}
