/*
 * check_limits.c - every value vmibctl will SET, against the range or
 * size VMIB-MIB gives its object (see check_limits.h).  The limits are
 * one table, limits[], filled from the header generated from the MIB
 * (VMIB_RANGE_* / VMIB_SIZE_*, mib/gen-oids.sh), so a MIB change moves
 * them; an Unsigned32 without a range is 0..4294967295.  It reads the
 * parsed files and the merged state and reports; it changes nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_limits.h"
#include "diag.h"
#include "mibcol.h"

struct limit {
	uint64_t min, max;
	bool set;
};

#define SIZE(obj) { VMIB_SIZE_##obj##_MIN, VMIB_SIZE_##obj##_MAX, true }
#define RANGE(obj) { VMIB_RANGE_##obj##_MIN, VMIB_RANGE_##obj##_MAX, true }
#define UNSIGNED32 { 0, UINT32_MAX, true }

/* the objects vmibctl writes (apply.c), or whose index it chooses */
static const struct limit limits[MIBCOL_N] = {
	[COL_VM_NAME] = SIZE(vmibVmName),
	[COL_VM_IMAGE] = SIZE(vmibVmImage),
	[COL_VM_MEMORY] = UNSIGNED32,
	[COL_VM_VCPUS] = RANGE(vmibVmVcpus),
	[COL_VM_SCHED_WEIGHT] = RANGE(vmibVmSchedWeight),
	[COL_VM_SCHED_CAP] = RANGE(vmibVmSchedCapPercent),
	[COL_VM_MIGRATE_TARGET] = SIZE(vmibVmMigrateTarget),
	[COL_VIF_BRIDGE] = SIZE(vmibVifBridge),
	[COL_VIF_PREFIX_LEN] = RANGE(vmibVifPrefixLen),
	[COL_VIF_ROUTES] = SIZE(vmibVifRoutes),
	[COL_SHAPE_NAME] = SIZE(vmibShapeName),
	[COL_SHAPE_SRC_PREFIX_LEN] = RANGE(vmibShapeSrcPrefixLen),
	[COL_SHAPE_RATE] = UNSIGNED32,
	[COL_SHAPE_BURST] = UNSIGNED32,
	[COL_SHAPE_DELAY] = RANGE(vmibShapeDelayUs),
	[COL_SHAPE_JITTER] = RANGE(vmibShapeJitterUs),
	[COL_SHAPE_LOSS] = RANGE(vmibShapeLossPpm),
	[COL_SHAPE_DUPLICATE] = RANGE(vmibShapeDuplicatePpm),
	[COL_SHAPE_CORRUPT] = RANGE(vmibShapeCorruptPpm),
	[COL_SHAPE_REORDER] = RANGE(vmibShapeReorderPpm),
	[COL_SHAPE_LIMIT] = RANGE(vmibShapeLimitPkts),
	[COL_ISOL_NAME] = SIZE(vmibIsolName),
	[COL_SUBNET_NAME] = SIZE(vmibSubnetName),
	[COL_SUBNET_PREFIX_LEN] = RANGE(vmibSubnetPrefixLen),
};

/* the indexes vmibctl numbers itself: 1..max */
static const uint64_t vif_index_max = VMIB_RANGE_vmibVifIndex_MAX;
static const uint64_t shape_index_max = VMIB_RANGE_vmibShapeIndex_MAX;
static const uint64_t rule_index_max = VMIB_RANGE_vmibIsolRuleIndex_MAX;
static const uint64_t subnet_index_max = VMIB_RANGE_vmibSubnetIndex_MAX;

struct where {
	const char *file;
	unsigned line;
	const char *element;
	size_t known;            /* d->v[0..known): problems of the stages before */
};

/*
 * The schemas restrict most of these values too: a value the schema
 * refused has its problem at this element already, and is not reported
 * again.  What no schema sees (made-up names, counts, the routes text) is
 * checked by count() and the callers, always.
 */
static bool reported(const struct diag *d, const struct where *w)
{
	size_t i;

	for (i = 0; i < w->known && i < d->n; i++)
		if (d->v[i].line == w->line && strcmp(d->v[i].file, w->file) == 0)
			return true;
	return false;
}

static void num(struct diag *d, const struct where *w, const char *what, enum mibcol_id c,
		uint64_t v)
{
	const struct limit *l = &limits[c];

	if (l->set && (v < l->min || v > l->max) && !reported(d, w))
		diag_add(d, w->file, w->line, w->element,
			 "%s %" PRIu64 " is outside %s's range %" PRIu64 "..%" PRIu64, what, v,
			 mibcol_cols[c].name, l->min, l->max);
}

static void str(struct diag *d, const struct where *w, const char *what, enum mibcol_id c,
		const char *s)
{
	const struct limit *l = &limits[c];
	size_t len = s ? strlen(s) : 0;

	if (!s || !l->set || (len >= l->min && len <= l->max) || reported(d, w))
		return;
	if (len > l->max)
		diag_add(d, w->file, w->line, w->element,
			 "%s '%.40s...' is %zu octets, over %s's %" PRIu64, what, s, len,
			 mibcol_cols[c].name, l->max);
	else
		diag_add(d, w->file, w->line, w->element, "%s is %zu octets, under %s's %" PRIu64,
			 what, len, mibcol_cols[c].name, l->min);
}

static void count(struct diag *d, const struct where *w, const char *what, size_t n,
		  uint64_t max, const char *index)
{
	if (n > max)
		diag_add(d, w->file, w->line, w->element,
			 "%s %zu, but %s goes up to %" PRIu64, what, n, index, max);
}

/* --- real environment ------------------------------------------------------------ */

void check_limits_real(const struct real_env *r, struct diag *d)
{
	size_t i;

	for (i = 0; i < r->n_hosts; i++) {
		const struct real_host *h = &r->hosts[i];
		struct where w = { r->file, h->line, "host", d->n };

		str(d, &w, "bridge", COL_VIF_BRIDGE, h->bridge);
		/* what vmibctl migrate writes into vmibVmMigrateTarget */
		str(d, &w, "libvirt URI", COL_VM_MIGRATE_TARGET, h->libvirt);
	}
}

/* --- virtual environment ---------------------------------------------------------- */

static void check_vm(const struct virt_env *v, const struct virt_vm *vm, size_t known,
		     struct diag *d)
{
	struct where w = { v->file, vm->line, "vm", known };

	str(d, &w, "name", COL_VM_NAME, vm->name);
	str(d, &w, "image", COL_VM_IMAGE, vm->image);
	if (!vm->bad_size) {
		num(d, &w, "memory in KiB", COL_VM_MEMORY, (uint64_t)vm->memory_mib * 1024);
		num(d, &w, "vcpus", COL_VM_VCPUS, vm->vcpus);
	}
	if (vm->has_sched_weight)
		num(d, &w, "scheduler weight", COL_VM_SCHED_WEIGHT, vm->sched_weight);
	if (vm->has_sched_cap)
		num(d, &w, "scheduler cap", COL_VM_SCHED_CAP, vm->sched_cap_percent);
	count(d, &w, "interfaces", vm->n_ifaces, vif_index_max, "vmibVifIndex");
}

static void check_link(const struct virt_env *v, const struct virt_link *l, size_t known,
		       struct diag *d)
{
	struct where w = { v->file, l->line, "link", known };
	char implicit[2 * 256];
	int f;

	if (l->name) {
		str(d, &w, "name", COL_SHAPE_NAME, l->name);
	} else if (l->from.name && l->to.name) {
		/* merge.c names a row of an unnamed link "from>to" (and "to>from") */
		snprintf(implicit, sizeof(implicit), "%s>%s", l->from.name, l->to.name);
		str(d, &w, "shape row name", COL_SHAPE_NAME, implicit);
	}
	for (f = 0; f < SHAPE_N_FIELDS; f++)
		if (shape_has(&l->params, f))
			num(d, &w, shape_fields[f].attr, (enum mibcol_id)(COL_SHAPE_RATE + f),
			    shape_get(&l->params, f));
}

/* how many prefixes merge.c expands an endpoint into (merge.c endpoint_prefixes) */
static size_t prefixes(const struct virt_endpoint *ep)
{
	size_t j, n = 0;

	if (ep->kind == VIRT_EP_SUBNET)
		return ep->subnet->has_prefix ? 1 : 0;
	for (j = 0; ep->kind == VIRT_EP_VM && j < ep->vm->n_ifaces; j++)
		n += ep->vm->ifaces[j].has_addr;
	return n;
}

/* one direction of a rule: its rules are named "from>to", "from>to#2"... */
static size_t rule_direction(struct diag *d, const struct where *w,
			     const struct virt_endpoint *from, const struct virt_endpoint *to)
{
	size_t n = prefixes(from) * prefixes(to);
	char last[2 * 256 + 32];

	if (n > 1)
		snprintf(last, sizeof(last), "%s>%s#%zu", from->name, to->name, n);
	else
		snprintf(last, sizeof(last), "%s>%s", from->name, to->name);
	if (n > 0 && strlen(last) > limits[COL_ISOL_NAME].max)
		diag_add(d, w->file, w->line, w->element,
			 "gives %zu isolation rules named up to '%.40s...' (%zu octets), over "
			 "vmibIsolName's %" PRIu64, n, last, strlen(last), limits[COL_ISOL_NAME].max);
	return n;
}

static void check_rules(const struct virt_env *v, struct diag *d)
{
	size_t i, total = 0, before;

	for (i = 0; i < v->n_rules; i++) {
		const struct virt_rule *r = &v->rules[i];
		struct where w = { v->file, r->line, r->element, 0 };

		if (r->from.kind == VIRT_EP_UNKNOWN || r->to.kind == VIRT_EP_UNKNOWN)
			continue;
		before = total;
		total += rule_direction(d, &w, &r->from, &r->to);
		if (r->symmetric)
			total += rule_direction(d, &w, &r->to, &r->from);
		if (before <= rule_index_max && total > rule_index_max)
			count(d, &w, "takes the isolation rules to", total, rule_index_max,
			      "vmibIsolRuleIndex");
	}
}

void check_limits_virtual(const struct virt_env *v, struct diag *d)
{
	size_t i, known = d->n;

	for (i = 0; i < v->n_subnets; i++) {
		struct where w = { v->file, v->subnets[i].line, "subnet", known };

		str(d, &w, "name", COL_SUBNET_NAME, v->subnets[i].name);
		if (v->subnets[i].has_prefix && v->subnets[i].prefix.len > 0)
			num(d, &w, "prefix length", COL_SUBNET_PREFIX_LEN, v->subnets[i].prefix.len);
		if (i == subnet_index_max)
			count(d, &w, "is subnet", i + 1, subnet_index_max, "vmibSubnetIndex");
	}
	for (i = 0; i < v->n_vms; i++)
		check_vm(v, &v->vms[i], known, d);
	for (i = 0; i < v->n_links; i++)
		check_link(v, &v->links[i], known, d);
	check_rules(v, d);
}

/* --- what only the merge knows ------------------------------------------------------ */

/* the interface of the state's vif (looked up only when there is a problem) */
static struct where vif_where(const struct virt_env *v, const struct state_vm *vm,
			      const struct state_vif *vif)
{
	const struct virt_vm *x = env_virt_vm(v, vm->name);
	struct where w = { v->file, x ? x->line : 0, "interface", 0 };

	if (x && vif->index >= 1 && vif->index <= x->n_ifaces)
		w.line = x->ifaces[vif->index - 1].line;
	return w;
}

static void check_vif(const struct virt_env *v, const struct state_vm *vm,
		      const struct state_vif *vif, struct diag *d)
{
	char *routes = state_routes_format(vif);
	struct where w;

	if (strlen(routes) > limits[COL_VIF_ROUTES].max || vif->n_shapes > shape_index_max) {
		w = vif_where(v, vm, vif);
		if (strlen(routes) > limits[COL_VIF_ROUTES].max)
			diag_add(d, w.file, w.line, w.element,
				 "routes of vm '%s' take %zu octets as vmibVifRoutes (\"%.40s...\"), "
				 "over its %" PRIu64, vm->name, strlen(routes), routes,
				 limits[COL_VIF_ROUTES].max);
		count(d, &w, "receives shape rows from links:", vif->n_shapes, shape_index_max,
		      "vmibShapeIndex");
	}
	free(routes);
}

void check_limits_state(const struct virt_env *v, const struct state *s, struct diag *d)
{
	size_t h, m, f;

	if (!v)
		return;
	for (h = 0; h < s->n_hosts; h++)
		for (m = 0; m < s->hosts[h].n_vms; m++)
			for (f = 0; f < s->hosts[h].vms[m].n_vifs; f++)
				check_vif(v, &s->hosts[h].vms[m], &s->hosts[h].vms[m].vifs[f], d);
}
