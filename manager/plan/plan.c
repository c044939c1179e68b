/*
 * plan.c - computes the plan of plan.h: pairs desired and current rows
 * (VMs by name over all hosts, shape rows by name within their vif,
 * subnets by name, the scenario's isolation rules by position), compares
 * them column by column in the MIB's units, and allocates indexes for new
 * rows.  Reads both states, writes only the plan.
 */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "plan.h"
#include "plan_caps.h"

#define NONE ((size_t)-1)

struct used {                    /* a set of indexes */
	uint32_t *v;
	size_t n;
};

struct ctx {
	const struct state *want, *have;
	struct plan *p;
	unsigned flags;          /* enum plan_flag */
	char **names;            /* the scenario's VM and subnet names */
	size_t n_names;
	struct used vm_index;    /* VM indexes in use on every readable host */
};

static bool used_has(const struct used *u, uint32_t x)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->v[i] == x)
			return true;
	return false;
}

static void used_add(struct used *u, uint32_t x)
{
	if (!used_has(u, x))
		*MEM_PUSH(u->v, u->n) = x;
}

/* `prefer` if free, else the lowest free index from 1 */
static uint32_t used_take(struct used *u, uint32_t prefer)
{
	uint32_t x = prefer;

	if (x == 0 || used_has(u, x))
		for (x = 1; used_has(u, x); x++)
			;
	used_add(u, x);
	return x;
}

static bool str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* --- items and changes --------------------------------------------------------- */

static struct plan_item *add_item(struct plan_host *ph, enum plan_obj obj, enum plan_op op)
{
	struct plan_item *it = MEM_PUSH(ph->items, ph->n_items);

	it->obj = obj;
	it->op = op;
	return it;
}

static void change_text(struct plan_item *it, enum mibcol_id col, const char *label,
			char *from, char *to)
{
	struct plan_change *ch = MEM_PUSH(it->changes, it->n_changes);

	ch->col = col;
	ch->label = label;
	ch->from = from;
	ch->to = to;
}

static void change_num(struct plan_item *it, enum mibcol_id col, const char *label,
		       uint64_t from, uint64_t to, char *from_s, char *to_s)
{
	change_text(it, col, label, from_s, to_s);
	it->changes[it->n_changes - 1].numeric = true;
	it->changes[it->n_changes - 1].from_n = from;
	it->changes[it->n_changes - 1].to_n = to;
}

static char *fmt_units(enum units_kind k, uint64_t v)
{
	char buf[32];

	return v == 0 ? mem_strdup("0") : mem_strdup(units_format(k, (uint32_t)v, buf, sizeof(buf)));
}

static char *fmt_prefix(const struct ip4_prefix *p)
{
	char buf[IP4_PREFIX_STRLEN];

	return mem_strdup(ip4_format_prefix(p, buf));
}

static char *fmt_kib(uint64_t kib)
{
	return kib % 1024 == 0 ? mem_printf("%lluMiB", (unsigned long long)(kib / 1024))
			       : mem_printf("%lluKiB", (unsigned long long)kib);
}

/* --- ownership ------------------------------------------------------------------- */

static bool is_name(const struct ctx *c, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < c->n_names; i++)
		if (strlen(c->names[i]) == len && strncmp(c->names[i], s, len) == 0)
			return true;
	return false;
}

/* "A>B" or "A>B#n", A and B names of the scenario (merge.c names rules so) */
static bool owns_rule(const struct ctx *c, const char *name)
{
	const char *gt = strchr(name, '>'), *hash, *p;

	if (!gt || !is_name(c, name, (size_t)(gt - name)))
		return false;
	hash = strchr(gt + 1, '#');
	if (!hash)
		return is_name(c, gt + 1, strlen(gt + 1));
	for (p = hash + 1; *p >= '0' && *p <= '9'; p++)
		;
	return p > hash + 1 && *p == '\0' && is_name(c, gt + 1, (size_t)(hash - gt - 1));
}

static bool owns_subnet(const struct state_host *want, const char *name)
{
	size_t i;

	for (i = 0; i < want->n_subnets; i++)
		if (strcmp(want->subnets[i].name, name) == 0)
			return true;
	return false;
}

static void collect_names(struct ctx *c)
{
	size_t h, i;

	for (h = 0; h < c->want->n_hosts; h++)
		for (i = 0; i < c->want->hosts[h].n_vms; i++)
			*MEM_PUSH(c->names, c->n_names) = c->want->hosts[h].vms[i].name;
	if (c->want->n_hosts > 0)
		for (i = 0; i < c->want->hosts[0].n_subnets; i++)
			*MEM_PUSH(c->names, c->n_names) = c->want->hosts[0].subnets[i].name;
}

/* --- isolation ------------------------------------------------------------------- */

static void plan_default(struct ctx *c, struct plan_host *ph)
{
	const struct state_host *w = ph->want, *h = ph->have;
	enum state_action to = w->isolation_default;
	struct plan_item *it;

	if (!w->has_isolation_default)
		return;
	if (!h->has_isolation_default) {
		/* the agent does not say: set it, and let the agent answer */
		if (c->p->mode == PLAN_APPLY) {
			it = add_item(ph, PLAN_DEFAULT, PLAN_CHANGE);
			it->want_default = to;
			it->have_default = 0;
			it->name = "default";
			change_text(it, COL_ISOLATION_DEFAULT, "", mem_strdup("unknown"),
				    mem_strdup(state_action_name(to)));
		}
		return;
	}
	if (c->p->mode == PLAN_DESTROY) {
		/* the scenario's drop goes back to the MIB's DEFVAL, accept */
		if (to != STATE_DROP || h->isolation_default != STATE_DROP)
			return;
		to = STATE_ACCEPT;
	}
	it = add_item(ph, PLAN_DEFAULT, h->isolation_default == to ? PLAN_UNCHANGED : PLAN_CHANGE);
	it->want_default = to;
	it->have_default = h->isolation_default;
	it->name = "default";
	if (it->op == PLAN_CHANGE)
		change_text(it, COL_ISOLATION_DEFAULT, "",
			    mem_strdup(state_action_name(h->isolation_default)),
			    mem_strdup(state_action_name(to)));
}

static void subnet_changes(struct plan_item *it, const struct state_subnet *w,
			   const struct state_subnet *h)
{
	if (w->prefix.addr != h->prefix.addr || w->prefix.len != h->prefix.len) {
		change_text(it, COL_SUBNET_ADDR, "prefix", fmt_prefix(&h->prefix),
			    fmt_prefix(&w->prefix));
		it->op = PLAN_CHANGE;
	}
}

static void plan_subnets(struct ctx *c, struct plan_host *ph)
{
	const struct state_host *w = ph->want, *h = ph->have;
	bool *paired = mem_alloc(h->n_subnets + 1);
	struct used idx = { NULL, 0 };
	struct plan_item *it;
	size_t i, j;

	for (j = 0; j < h->n_subnets; j++)
		used_add(&idx, h->subnets[j].index);
	for (i = 0; c->p->mode == PLAN_APPLY && i < w->n_subnets; i++) {
		for (j = 0; j < h->n_subnets; j++)
			if (!paired[j] && strcmp(h->subnets[j].name, w->subnets[i].name) == 0)
				break;
		it = add_item(ph, PLAN_SUBNET, j < h->n_subnets ? PLAN_UNCHANGED : PLAN_CREATE);
		it->want_subnet = &w->subnets[i];
		it->name = w->subnets[i].name;
		if (j < h->n_subnets) {
			paired[j] = true;
			it->have_subnet = &h->subnets[j];
			it->index = h->subnets[j].index;
			subnet_changes(it, &w->subnets[i], &h->subnets[j]);
		} else {
			it->index = used_take(&idx, w->subnets[i].index);
		}
	}
	for (j = 0; j < h->n_subnets; j++) {
		if (paired[j] || !owns_subnet(w, h->subnets[j].name))
			continue;
		it = add_item(ph, PLAN_SUBNET, PLAN_DELETE);
		it->have_subnet = &h->subnets[j];
		it->index = h->subnets[j].index;
		it->name = h->subnets[j].name;
	}
	free(idx.v);
	free(paired);
}

static void rule_changes(struct plan_item *it, const struct state_rule *w, const struct state_rule *h)
{
	if (!str_eq(w->name, h->name))
		change_text(it, COL_ISOL_NAME, "name", mem_strdup(h->name), mem_strdup(w->name));
	if (!ip4_equal(&w->src, &h->src))
		change_text(it, COL_ISOL_SRC_ADDR, "from", fmt_prefix(&h->src), fmt_prefix(&w->src));
	if (!ip4_equal(&w->dst, &h->dst))
		change_text(it, COL_ISOL_DST_ADDR, "to", fmt_prefix(&h->dst), fmt_prefix(&w->dst));
	if (w->action != h->action)
		change_text(it, COL_ISOL_ACTION, "action", mem_strdup(state_action_name(h->action)),
			    mem_strdup(state_action_name(w->action)));
	if (it->n_changes > 0)
		it->op = PLAN_CHANGE;
}

/* the scenario's rules, in order, take the slots of its current rules */
static void plan_rules(struct ctx *c, struct plan_host *ph)
{
	const struct state_host *w = ph->want, *h = ph->have;
	size_t *ours = mem_array(NULL, h->n_rules + 1, sizeof(*ours));
	size_t n_ours = 0, i, n_want = c->p->mode == PLAN_APPLY ? w->n_rules : 0;
	struct used idx = { NULL, 0 };
	uint32_t last = 0;
	struct plan_item *it;

	for (i = 0; i < h->n_rules; i++) {
		used_add(&idx, h->rules[i].index);
		if (owns_rule(c, h->rules[i].name))
			ours[n_ours++] = i;
	}
	for (i = 0; i < n_want; i++) {
		it = add_item(ph, PLAN_RULE, i < n_ours ? PLAN_UNCHANGED : PLAN_CREATE);
		it->want_rule = &w->rules[i];
		it->name = w->rules[i].name;
		if (i < n_ours) {
			it->have_rule = &h->rules[ours[i]];
			it->index = it->have_rule->index;
			rule_changes(it, &w->rules[i], it->have_rule);
		} else {
			/* after the last of ours, so the order holds */
			for (it->index = last + 1; used_has(&idx, it->index); it->index++)
				;
			used_add(&idx, it->index);
		}
		last = it->index;
	}
	for (i = n_want; i < n_ours; i++) {
		it = add_item(ph, PLAN_RULE, PLAN_DELETE);
		it->have_rule = &h->rules[ours[i]];
		it->index = it->have_rule->index;
		it->name = it->have_rule->name;
	}
	free(idx.v);
	free(ours);
}

/* --- shape rows ---------------------------------------------------------------- */

static void shape_changes(struct plan_item *it, const struct state_shape *w,
			  const struct state_shape *h)
{
	int f;

	if (!ip4_equal(&w->src, &h->src))
		change_text(it, COL_SHAPE_SRC_ADDR, "from", fmt_prefix(&h->src), fmt_prefix(&w->src));
	for (f = 0; f < SHAPE_N_FIELDS; f++) {
		uint32_t a = shape_has(&h->p, f) ? shape_get(&h->p, f) : 0;
		uint32_t b = shape_has(&w->p, f) ? shape_get(&w->p, f) : 0;

		if (a != b)
			change_num(it, (enum mibcol_id)(COL_SHAPE_RATE + f), shape_fields[f].label,
				   a, b, fmt_units(shape_fields[f].kind, a),
				   fmt_units(shape_fields[f].kind, b));
	}
	if (it->n_changes > 0)
		it->op = PLAN_CHANGE;
}

static struct plan_item *shape_item(struct plan_host *ph, enum plan_op op, uint32_t vm,
				    const char *vm_name, uint32_t vif)
{
	struct plan_item *it = add_item(ph, PLAN_SHAPE, op);

	it->vm = vm;
	it->vm_name = vm_name;
	it->vif = vif;
	return it;
}

/* every desired row of a VM being created (or created again) */
static void create_shapes(struct plan_host *ph, const struct state_vm *w, uint32_t vm)
{
	size_t f, k;

	for (f = 0; f < w->n_vifs; f++) {
		for (k = 0; k < w->vifs[f].n_shapes; k++) {
			struct plan_item *it = shape_item(ph, PLAN_CREATE, vm, w->name,
							  w->vifs[f].index);

			it->want_shape = &w->vifs[f].shapes[k];
			it->index = w->vifs[f].shapes[k].index;
			it->name = w->vifs[f].shapes[k].name;
		}
	}
}

static void diff_vif_shapes(struct plan_host *ph, const struct state_vm *wvm,
			    const struct state_vif *w, const struct state_vif *h, uint32_t vm)
{
	bool *paired = mem_alloc(h->n_shapes + 1);
	struct used idx = { NULL, 0 };
	struct plan_item *it;
	size_t i, j;

	for (j = 0; j < h->n_shapes; j++)
		used_add(&idx, h->shapes[j].index);
	for (i = 0; i < w->n_shapes; i++) {
		for (j = 0; j < h->n_shapes; j++)
			if (!paired[j] && strcmp(h->shapes[j].name, w->shapes[i].name) == 0)
				break;
		it = shape_item(ph, j < h->n_shapes ? PLAN_UNCHANGED : PLAN_CREATE, vm, wvm->name,
				w->index);
		it->want_shape = &w->shapes[i];
		it->name = w->shapes[i].name;
		if (j < h->n_shapes) {
			paired[j] = true;
			it->have_shape = &h->shapes[j];
			it->index = h->shapes[j].index;
			shape_changes(it, &w->shapes[i], &h->shapes[j]);
		} else {
			it->index = used_take(&idx, w->shapes[i].index);
		}
	}
	for (j = 0; j < h->n_shapes; j++) {
		if (paired[j])
			continue;
		it = shape_item(ph, PLAN_DELETE, vm, wvm->name, w->index);
		it->have_shape = &h->shapes[j];
		it->index = h->shapes[j].index;
		it->name = h->shapes[j].name;
	}
	free(idx.v);
	free(paired);
}

/* --- VMs ------------------------------------------------------------------------ */

static char *vif_difference(const struct state_vif *w, const struct state_vif *h)
{
	char a[IP4_STRLEN], b[IP4_STRLEN];
	char *rw, *rh, *s = NULL;

	if (!str_eq(w->bridge, h->bridge))
		return mem_printf("vif %u bridge '%s' -> '%s'", w->index, h->bridge ? h->bridge : "",
				  w->bridge ? w->bridge : "");
	if (w->mac && !str_eq(w->mac, h->mac))
		return mem_printf("vif %u mac %s -> %s", w->index, h->mac ? h->mac : "none", w->mac);
	if (w->addr != h->addr || w->prefix_len != h->prefix_len)
		return mem_printf("vif %u address %s/%u -> %s/%u", w->index, ip4_format(h->addr, a),
				  h->prefix_len, ip4_format(w->addr, b), w->prefix_len);
	rw = state_routes_format(w);
	rh = h->oper.routes_text ? mem_strdup(h->oper.routes_text) : state_routes_format(h);
	if (strcmp(rw, rh) != 0)
		s = mem_printf("vif %u routes '%s' -> '%s'", w->index, rh, rw);
	free(rw);
	free(rh);
	return s;
}

/* why the VM must be created again, or NULL (MIB: columns fixed after creation) */
static char *fixed_difference(const struct state_vm *w, const struct state_vm *h)
{
	bool off = h->oper.state == VMIB_ENUM_vmibVmOperState_shutoff;
	char *a, *b, *s;
	size_t f;

	if (!str_eq(w->image, h->image))
		return mem_printf("image '%s' -> '%s' (fixed after creation)", h->image ? h->image : "",
				  w->image);
	if (w->n_vifs != h->n_vifs)
		return mem_printf("%zu vifs -> %zu (vifs are fixed after creation)", h->n_vifs,
				  w->n_vifs);
	for (f = 0; f < w->n_vifs; f++) {
		if (w->vifs[f].index != h->vifs[f].index)
			return mem_printf("vif %u -> vif %u (vifs are fixed after creation)",
					  h->vifs[f].index, w->vifs[f].index);
		s = vif_difference(&w->vifs[f], &h->vifs[f]);
		if (s) {
			a = mem_printf("%s (vifs are fixed after creation)", s);
			free(s);
			return a;
		}
	}
	if (!off && w->memory_kib != h->memory_kib) {
		a = fmt_kib(h->memory_kib);
		b = fmt_kib(w->memory_kib);
		s = mem_printf("memory %s -> %s (changeable only while the VM is shut off)", a, b);
		free(a);
		free(b);
		return s;
	}
	if (!off && w->vcpus != h->vcpus)
		return mem_printf("vcpus %u -> %u (changeable only while the VM is shut off)",
				  h->vcpus, w->vcpus);
	return NULL;
}

static bool weight_equal(uint32_t want, uint32_t have)
{
	uint32_t d = want > have ? want - have : have - want;

	return d <= 1 + want / 50;
}

static bool vm_should_run_but_is_off(const struct state_vm *w, const struct state_vm *h)
{
	return (w->admin == STATE_ADMIN_RUNNING || w->admin == STATE_ADMIN_PAUSED) &&
	       (h->oper.state == VMIB_ENUM_vmibVmOperState_shutoff ||
		h->oper.state == VMIB_ENUM_vmibVmOperState_crashed);
}

static void vm_changes(struct plan_item *it, const struct state_vm *w, const struct state_vm *h)
{
	if (w->memory_kib != h->memory_kib)
		change_num(it, COL_VM_MEMORY, "memory", h->memory_kib, w->memory_kib,
			   fmt_kib(h->memory_kib), fmt_kib(w->memory_kib));
	if (w->vcpus != h->vcpus)
		change_num(it, COL_VM_VCPUS, "vcpus", h->vcpus, w->vcpus,
			   mem_printf("%u", h->vcpus), mem_printf("%u", w->vcpus));
	if (w->admin && w->admin != h->admin)
		change_text(it, COL_VM_ADMIN, "admin", mem_strdup(state_admin_name(h->admin)),
			    mem_strdup(state_admin_name(w->admin)));
	else if (vm_should_run_but_is_off(w, h))
		/* a start that failed, a guest that powered itself off or
		 * crashed: writing the admin state again starts it (MIB) */
		change_text(it, COL_VM_ADMIN, "admin",
			    mem_printf("%s, but %s", state_admin_name(h->admin),
				       h->oper.state == VMIB_ENUM_vmibVmOperState_crashed ? "crashed"
											   : "shut off"),
			    mem_strdup(state_admin_name(w->admin)));
	if (w->has_sched_weight && !weight_equal(w->sched_weight, h->sched_weight))
		change_num(it, COL_VM_SCHED_WEIGHT, "weight", h->sched_weight, w->sched_weight,
			   mem_printf("%u", h->sched_weight), mem_printf("%u", w->sched_weight));
	if (w->has_sched_cap && (w->sched_cap_percent > h->sched_cap_percent + 1 ||
				 h->sched_cap_percent > w->sched_cap_percent + 1))
		change_num(it, COL_VM_SCHED_CAP, "cap", h->sched_cap_percent, w->sched_cap_percent,
			   mem_printf("%u%%", h->sched_cap_percent),
			   mem_printf("%u%%", w->sched_cap_percent));
	if (it->n_changes > 0)
		it->op = PLAN_CHANGE;
}

static void plan_vm_create(struct ctx *c, struct plan_host *ph, const struct state_vm *w,
			   uint32_t index)
{
	struct plan_item *it = add_item(ph, PLAN_VM, PLAN_CREATE);

	it->want_vm = w;
	it->name = w->name;
	it->vm = index ? index : used_take(&c->vm_index, 0);
	create_shapes(ph, w, it->vm);
}

static void plan_vm_pair(struct plan_host *ph, const struct state_vm *w, const struct state_vm *h)
{
	struct plan_item *it = add_item(ph, PLAN_VM, PLAN_UNCHANGED);
	size_t f;

	it->want_vm = w;
	it->have_vm = h;
	it->name = w->name;
	it->vm = h->index;
	it->why = fixed_difference(w, h);
	if (it->why) {
		it->op = PLAN_REPLACE;
		create_shapes(ph, w, it->vm);
		return;
	}
	vm_changes(it, w, h);
	for (f = 0; f < w->n_vifs; f++)
		diff_vif_shapes(ph, w, &w->vifs[f], &h->vifs[f], it->vm);
}

/* where the VM named name is now: host index and VM, else NONE */
static size_t find_current(const struct ctx *c, const char *name, size_t prefer,
			   const struct state_vm **vm)
{
	size_t h;

	*vm = NULL;
	if (c->have->hosts[prefer].oper.read)
		*vm = state_find_vm(&c->have->hosts[prefer], name);
	if (*vm)
		return prefer;
	for (h = 0; h < c->have->n_hosts; h++) {
		if (h == prefer || !c->have->hosts[h].oper.read)
			continue;
		*vm = state_find_vm(&c->have->hosts[h], name);
		if (*vm)
			return h;
	}
	return NONE;
}

/* a guest whose state a destroy would lose: anything but shut off or
 * crashed (an unknown state counts as running: never destroy blindly) */
static bool vm_runs(const struct state_vm *h)
{
	return h->oper.state != VMIB_ENUM_vmibVmOperState_shutoff &&
	       h->oper.state != VMIB_ENUM_vmibVmOperState_crashed;
}

/* a running VM pinned to `host` found on `at`: changed where it is, then
 * moved back by live migration (or left there with PLAN_KEEP_MOVED) */
static void plan_vm_moved(struct ctx *c, size_t host, size_t at, const struct state_vm *w,
			  const struct state_vm *h)
{
	struct plan_item *it;

	plan_vm_pair(&c->p->hosts[at], w, h);
	if (c->flags & PLAN_KEEP_MOVED) {
		*MEM_PUSH(c->p->notes, c->p->n_notes) =
			mem_printf("vm %s is pinned to %s but runs on %s: left there "
				   "(--keep-moved); without it, apply moves it back by live "
				   "migration", w->name, c->want->hosts[host].name,
				   c->have->hosts[at].name);
		return;
	}
	it = add_item(&c->p->hosts[at], PLAN_VM, PLAN_MIGRATE);
	it->want_vm = w;
	it->have_vm = h;
	it->name = w->name;
	it->vm = h->index;
	it->to_host = host;
	it->to_name = c->want->hosts[host].name;
	it->why = mem_printf("live migration to %s (pinned to %s)", c->want->hosts[host].name,
			     c->want->hosts[host].name);
}

static void plan_vm(struct ctx *c, size_t host, const struct state_vm *w)
{
	const struct state_vm *h;
	size_t at = find_current(c, w->name, host, &h);
	struct plan_item *it;
	char *fixed;

	if (at == host || (at != NONE && w->placed != STATE_PLACED_PINNED)) {
		plan_vm_pair(&c->p->hosts[at], w, h);
		return;
	}
	if (at != NONE && vm_runs(h)) {
		fixed = fixed_difference(w, h);
		free(fixed);
		if (!fixed) {
			plan_vm_moved(c, host, at, w, h);
			return;
		}
	}
	if (at != NONE) {
		it = add_item(&c->p->hosts[at], PLAN_VM, PLAN_DELETE);
		it->have_vm = h;
		it->name = h->name;
		it->vm = h->index;
		it->why = mem_printf("pinned to %s", c->want->hosts[host].name);
	}
	plan_vm_create(c, &c->p->hosts[host], w, at != NONE ? h->index : 0);
}

static bool vm_paired(const struct plan *p, const struct state_vm *h)
{
	size_t i, j;

	for (i = 0; i < p->n_hosts; i++)
		for (j = 0; j < p->hosts[i].n_items; j++)
			if (p->hosts[i].items[j].have_vm == h)
				return true;
	return false;
}

/* scenario VMs found where nothing of the plan uses them */
static void plan_leftover_vms(struct ctx *c)
{
	size_t h, i;

	for (h = 0; h < c->have->n_hosts; h++) {
		const struct state_host *hh = &c->have->hosts[h];

		for (i = 0; hh->oper.read && i < hh->n_vms; i++) {
			const struct state_vm *vm = &hh->vms[i];
			struct plan_item *it;

			if (!is_name(c, vm->name, strlen(vm->name)) || vm_paired(c->p, vm))
				continue;
			if (c->p->mode == PLAN_DESTROY) {
				it = add_item(&c->p->hosts[h], PLAN_VM, PLAN_DELETE);
				it->have_vm = vm;
				it->name = vm->name;
				it->vm = vm->index;
				continue;
			}
			*MEM_PUSH(c->p->notes, c->p->n_notes) =
				mem_printf("%s: vm %s (index %u) has the name of a vm of the scenario "
					   "that is on another host; left alone", hh->name, vm->name,
					   vm->index);
		}
	}
}

/* --- the whole plan --------------------------------------------------------------- */

static void count(struct plan *p)
{
	size_t h, i;

	for (h = 0; h < p->n_hosts; h++) {
		for (i = 0; i < p->hosts[h].n_items; i++) {
			struct plan_item *it = &p->hosts[h].items[i];

			it->destroys_running = it->obj == PLAN_VM && it->have_vm &&
					       (it->op == PLAN_DELETE || it->op == PLAN_REPLACE) &&
					       vm_runs(it->have_vm);
			p->destroys_running += it->destroys_running;
			p->hosts[h].count[it->op]++;
			p->count[it->op]++;
		}
	}
}

/* items in the order they are printed: isolation, VMs, shape rows, then
 * migrations (after the changes made before the VM leaves) */
static int item_rank(const struct plan_item *it)
{
	return it->op == PLAN_MIGRATE ? 3 : it->obj == PLAN_SHAPE ? 2 : it->obj == PLAN_VM ? 1 : 0;
}

static void order_items(struct plan_host *ph)
{
	size_t i, j;

	/* stable insertion sort by rank: items are few and mostly in order */
	for (i = 1; i < ph->n_items; i++) {
		struct plan_item t = ph->items[i];

		for (j = i; j > 0 && item_rank(&ph->items[j - 1]) > item_rank(&t); j--)
			ph->items[j] = ph->items[j - 1];
		ph->items[j] = t;
	}
}

void plan_compute(const struct state *want, const struct state *have, enum plan_mode mode,
		  struct plan *out)
{
	plan_compute_flags(want, have, mode, 0, out);
}

void plan_compute_flags(const struct state *want, const struct state *have,
			enum plan_mode mode, unsigned flags, struct plan *out)
{
	struct ctx c = { want, have, out, flags, NULL, 0, { NULL, 0 } };
	size_t h, i;

	memset(out, 0, sizeof(*out));
	out->mode = mode;
	out->n_hosts = want->n_hosts;
	out->hosts = mem_array(NULL, want->n_hosts + 1, sizeof(*out->hosts));
	memset(out->hosts, 0, (want->n_hosts + 1) * sizeof(*out->hosts));
	collect_names(&c);
	for (h = 0; h < have->n_hosts; h++) {
		out->hosts[h].want = &want->hosts[h];
		out->hosts[h].have = &have->hosts[h];
		out->unreadable += !have->hosts[h].oper.read;
		for (i = 0; have->hosts[h].oper.read && i < have->hosts[h].n_vms; i++)
			used_add(&c.vm_index, have->hosts[h].vms[i].index);
	}
	for (h = 0; h < want->n_hosts; h++) {
		if (!have->hosts[h].oper.read)
			continue;
		plan_default(&c, &out->hosts[h]);
		plan_subnets(&c, &out->hosts[h]);
		plan_rules(&c, &out->hosts[h]);
	}
	for (h = 0; mode == PLAN_APPLY && h < want->n_hosts; h++)
		for (i = 0; have->hosts[h].oper.read && i < want->hosts[h].n_vms; i++)
			plan_vm(&c, h, &want->hosts[h].vms[i]);
	plan_leftover_vms(&c);
	for (h = 0; h < out->n_hosts; h++)
		order_items(&out->hosts[h]);
	count(out);
	plan_caps_warn(want, have, out);
	free(c.names);
	free(c.vm_index.v);
}

void plan_release(struct plan *p)
{
	size_t h, i, k;

	if (!p)
		return;
	for (h = 0; h < p->n_hosts; h++) {
		for (i = 0; i < p->hosts[h].n_items; i++) {
			struct plan_item *it = &p->hosts[h].items[i];

			for (k = 0; k < it->n_changes; k++) {
				free(it->changes[k].from);
				free(it->changes[k].to);
			}
			free(it->changes);
			free(it->why);
		}
		free(p->hosts[h].items);
	}
	free(p->hosts);
	for (i = 0; i < p->n_notes; i++)
		free(p->notes[i]);
	free(p->notes);
	for (i = 0; i < p->n_warnings; i++)
		free(p->warnings[i]);
	free(p->warnings);
	memset(p, 0, sizeof(*p));
}

size_t plan_pending(const struct plan *p)
{
	return p->count[PLAN_CREATE] + p->count[PLAN_CHANGE] + p->count[PLAN_REPLACE] +
	       p->count[PLAN_DELETE] + p->count[PLAN_MIGRATE];
}

const char *plan_op_name(enum plan_op op)
{
	static const char *const names[PLAN_N_OPS] = {
		"unchanged", "create", "change", "replace", "delete", "migrate",
	};

	return op < PLAN_N_OPS ? names[op] : "?";
}

const char *plan_obj_name(enum plan_obj obj)
{
	switch (obj) {
	case PLAN_DEFAULT: return "isolation-default";
	case PLAN_SUBNET: return "subnet";
	case PLAN_RULE: return "rule";
	case PLAN_VM: return "vm";
	case PLAN_SHAPE: return "shape";
	}
	return "?";
}
