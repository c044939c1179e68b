/*
 * read.c - walks the vMIB of every host (read.h) and turns the varbinds
 * into struct state.  Six walks per host run at once (the host scalars
 * and the five tables, each table's columns side by side in one GETBULK),
 * all hosts in parallel; the results are kept until
 * every walk is done, then parsed table by table in an order that lets a
 * vif find its VM and a shape row its vif.  It writes only the state it
 * returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "read.h"

static const enum mibcol_table walked[] = {
	MIBCOL_HOST, MIBCOL_VM, MIBCOL_VIF, MIBCOL_SHAPE, MIBCOL_ISOL, MIBCOL_SUBNET,
	MIBCOL_IMAGE,
};
#define N_WALKED (sizeof(walked) / sizeof(walked[0]))

struct walk_result {
	bool done;
	char *error;
	struct pdu_vb *vb;
	size_t n;
};

struct read_host {
	struct walk_result w[N_WALKED];
};

struct walk_slot {
	struct read_host *rh;
	size_t k;
};

static void walk_done(void *arg, const char *err, const struct pdu_vb *vb, size_t n)
{
	struct walk_slot *s = arg;
	struct walk_result *w = &s->rh->w[s->k];
	size_t i;

	w->done = true;
	w->error = mem_strdup(err);
	w->vb = mem_array(NULL, n ? n : 1, sizeof(*w->vb));
	for (i = 0; i < n; i++)
		pdu_vb_copy(&w->vb[i], &vb[i]);
	w->n = n;
}

/* a table: all its columns at once (snmpc_walk_columns) */
static void walk_table(struct snmpc *c, size_t host, enum mibcol_table t, struct walk_slot *slot)
{
	const uint32_t *cols[MIBCOL_N];
	size_t lens[MIBCOL_N], n = 0, i;

	for (i = 0; i < MIBCOL_N; i++) {
		if (mibcol_cols[i].table != t)
			continue;
		cols[n] = mibcol_cols[i].oid;
		lens[n++] = mibcol_cols[i].oid_len;
	}
	snmpc_walk_columns(c, host, cols, lens, n, walk_done, slot);
}

/* --- rows ---------------------------------------------------------------------- */

/* binary search in an array sorted by a leading uint32_t index */
#define FIND_SORTED(arr, n, key, pos) do {                                  \
		size_t lo_ = 0, hi_ = (n);                                  \
		while (lo_ < hi_) {                                         \
			size_t mid_ = (lo_ + hi_) / 2;                      \
			if ((arr)[mid_].index < (key))                      \
				lo_ = mid_ + 1;                             \
			else                                                \
				hi_ = mid_;                                 \
		}                                                           \
		(pos) = lo_;                                                \
	} while (0)

static void *insert_at(void *arr, size_t *n, size_t size, size_t pos)
{
	char *a = mem_array(arr, *n + 1, size);

	memmove(a + (pos + 1) * size, a + pos * size, (*n - pos) * size);
	memset(a + pos * size, 0, size);
	(*n)++;
	return a;
}

/* the row of `key` in (arr, n), inserted zeroed with that index where
 * absent (made says whether it was) */
#define FIND_OR_INSERT(arr, n, key, pos, made) do {                         \
		FIND_SORTED(arr, n, key, pos);                              \
		(made) = !((pos) < (n) && (arr)[pos].index == (key));       \
		if (made) {                                                 \
			(arr) = insert_at((arr), &(n), sizeof(*(arr)), (pos)); \
			(arr)[pos].index = (key);                           \
		}                                                           \
	} while (0)

static struct state_vm *vm_row(struct state_host *h, uint32_t index)
{
	size_t pos;
	bool made;

	FIND_OR_INSERT(h->vms, h->n_vms, index, pos, made);
	if (made) {
		h->vms[pos].name = mem_strdup("");
		h->vms[pos].admin = STATE_ADMIN_RUNNING;       /* DEFVAL */
	}
	return &h->vms[pos];
}

static struct state_vif *vif_row(struct state_vm *vm, uint32_t index)
{
	size_t pos;
	bool made;

	FIND_OR_INSERT(vm->vifs, vm->n_vifs, index, pos, made);
	return &vm->vifs[pos];
}

static struct state_shape *shape_row(struct state_vif *v, uint32_t index)
{
	size_t pos;
	bool made;

	FIND_OR_INSERT(v->shapes, v->n_shapes, index, pos, made);
	if (made)
		v->shapes[pos].name = mem_strdup("");
	return &v->shapes[pos];
}

static struct state_rule *rule_row(struct state_host *h, uint32_t index)
{
	size_t pos;
	bool made;

	FIND_OR_INSERT(h->rules, h->n_rules, index, pos, made);
	if (made) {
		h->rules[pos].name = mem_strdup("");
		h->rules[pos].action = STATE_ACCEPT;
	}
	return &h->rules[pos];
}

static struct state_subnet *subnet_row(struct state_host *h, uint32_t index)
{
	size_t pos;
	bool made;

	FIND_OR_INSERT(h->subnets, h->n_subnets, index, pos, made);
	if (made)
		h->subnets[pos].name = mem_strdup("");
	return &h->subnets[pos];
}

static struct state_image *image_row(struct state_host *h, uint32_t index)
{
	struct state_host_oper *o = &h->oper;
	size_t pos;
	bool made;

	FIND_OR_INSERT(o->images, o->n_images, index, pos, made);
	if (made)
		o->images[pos].name = mem_strdup("");
	return &o->images[pos];
}

struct state_vm *read_find_vm(const struct state_host *h, uint32_t index)
{
	size_t pos;

	FIND_SORTED(h->vms, h->n_vms, index, pos);
	return pos < h->n_vms && h->vms[pos].index == index ? &h->vms[pos] : NULL;
}

static void set_str(char **dst, const struct pdu_vb *vb)
{
	free(*dst);
	*dst = mem_strdup(vb->s ? vb->s : "");
}

/* --- columns ------------------------------------------------------------------- */

static unsigned bits_of(const struct pdu_vb *vb)
{
	unsigned bits = 0, n;

	/* RFC 2578 7.1.4: bit n is bit (7 - n % 8) of octet n / 8 */
	for (n = 0; n < vb->s_len * 8 && n < 32; n++)
		if ((unsigned char)vb->s[n / 8] & (0x80u >> (n % 8)))
			bits |= 1u << n;
	return bits;
}

static void host_column(struct state_host *h, enum mibcol_id c, const struct pdu_vb *vb)
{
	struct state_host_oper *o = &h->oper;

	switch (c) {
	case COL_HOST_NAME: set_str(&o->hostname, vb); break;
	case COL_HOST_HV_TYPE: set_str(&o->hypervisor, vb); break;
	case COL_HOST_HV_VERSION: set_str(&o->hypervisor_version, vb); break;
	case COL_HOST_LIBVIRT_URI: set_str(&o->libvirt_uri, vb); break;
	case COL_HOST_CPUS: o->cpus = (uint32_t)vb->u; break;
	case COL_HOST_MEM_TOTAL: o->memory_total_kib = vb->u; break;
	case COL_HOST_MEM_FREE: o->memory_free_kib = vb->u; break;
	case COL_HOST_CAPS: o->caps = bits_of(vb); o->has_caps = true; break;
	case COL_HOST_VM_COUNT: o->vm_count = (uint32_t)vb->u; break;
	case COL_HOST_LAST_CHANGE: o->last_change = (uint32_t)vb->u; break;
	case COL_HOST_LIBVIRT_STATE: o->libvirt_state = (int)vb->i; break;
	case COL_HOST_LAST_ERROR: set_str(&o->last_error, vb); break;
	case COL_ISOLATION_DEFAULT:
		h->has_isolation_default = true;
		h->isolation_default = vb->i == STATE_DROP ? STATE_DROP : STATE_ACCEPT;
		break;
	case COL_ISOLATION_OPER: o->isolation_oper = (int)vb->i; break;
	default: break;
	}
}

static void vm_column(struct state_vm *vm, enum mibcol_id c, const struct pdu_vb *vb)
{
	switch (c) {
	case COL_VM_NAME: set_str(&vm->name, vb); break;
	case COL_VM_UUID: set_str(&vm->oper.uuid, vb); break;
	case COL_VM_IMAGE: set_str(&vm->image, vb); break;
	case COL_VM_MEMORY: vm->memory_kib = vb->u; break;
	case COL_VM_VCPUS: vm->vcpus = (uint32_t)vb->u; break;
	case COL_VM_OPER: vm->oper.state = (int)vb->i; break;
	case COL_VM_GUEST_STATE: vm->oper.guest_state = (int)vb->i; break;
	case COL_VM_ADMIN: vm->admin = (enum state_admin)vb->i; break;
	case COL_VM_CPU_TIME: vm->oper.cpu_ms = vb->u; break;
	case COL_VM_SCHED_WEIGHT:
		vm->has_sched_weight = true;
		vm->sched_weight = (uint32_t)vb->u;
		break;
	case COL_VM_SCHED_CAP:
		vm->has_sched_cap = true;
		vm->sched_cap_percent = (uint32_t)vb->u;
		break;
	case COL_VM_MIGRATE_TARGET: set_str(&vm->oper.migrate_target, vb); break;
	case COL_VM_MIGRATE_STATUS: vm->oper.migrate_status = (int)vb->i; break;
	case COL_VM_MIGRATE_DOWNTIME: vm->oper.downtime_ms = (uint32_t)vb->u; break;
	case COL_VM_LAST_ERROR: set_str(&vm->oper.last_error, vb); break;
	default: break;
	}
}

static void mac_column(struct state_vif *v, const struct pdu_vb *vb)
{
	size_t i;

	free(v->mac);
	v->mac = NULL;
	if (vb->s_len != 6)
		return;
	v->mac = mem_alloc(18);
	for (i = 0; i < 6; i++)
		snprintf(v->mac + 3 * i, 4, i < 5 ? "%02x:" : "%02x", (unsigned char)vb->s[i]);
}

static void vif_column(struct state_vif *v, enum mibcol_id c, const struct pdu_vb *vb)
{
	struct state_vif_oper *o = &v->oper;

	switch (c) {
	case COL_VIF_DEVICE: set_str(&v->device, vb); break;
	case COL_VIF_MAC: mac_column(v, vb); break;
	case COL_VIF_BRIDGE: set_str(&v->bridge, vb); break;
	case COL_VIF_ADDR: v->addr = (uint32_t)vb->u; break;
	case COL_VIF_PREFIX_LEN: v->prefix_len = (uint8_t)vb->u; break;
	case COL_VIF_ROUTES:
		if (state_routes_parse(v, vb->s ? vb->s : "") < 0)
			set_str(&o->routes_text, vb);
		break;
	case COL_VIF_IFINDEX: o->ifindex = (int32_t)vb->i; break;
	case COL_VIF_RX_OCTETS: o->rx_octets = vb->u; break;
	case COL_VIF_RX_PKTS: o->rx_pkts = vb->u; break;
	case COL_VIF_RX_ERRORS: o->rx_errors = vb->u; break;
	case COL_VIF_RX_DROPS: o->rx_drops = vb->u; break;
	case COL_VIF_TX_OCTETS: o->tx_octets = vb->u; break;
	case COL_VIF_TX_PKTS: o->tx_pkts = vb->u; break;
	case COL_VIF_TX_ERRORS: o->tx_errors = vb->u; break;
	case COL_VIF_TX_DROPS: o->tx_drops = vb->u; break;
	default: break;
	}
}

static void shape_column(struct state_shape *s, enum mibcol_id c, const struct pdu_vb *vb)
{
	struct state_shape_oper *o = &s->oper;

	if (c >= COL_SHAPE_RATE && c <= COL_SHAPE_LIMIT) {
		/* the shaping columns are in the order of enum shape_field */
		if (vb->u != 0)
			shape_set(&s->p, (enum shape_field)(c - COL_SHAPE_RATE), (uint32_t)vb->u);
		return;
	}
	switch (c) {
	case COL_SHAPE_NAME: set_str(&s->name, vb); break;
	case COL_SHAPE_SRC_ADDR: s->src.addr = (uint32_t)vb->u; break;
	case COL_SHAPE_SRC_PREFIX_LEN: s->src.len = (uint8_t)vb->u; break;
	case COL_SHAPE_OPER: o->status = (int)vb->i; break;
	case COL_SHAPE_LAST_ERROR: set_str(&o->last_error, vb); break;
	case COL_SHAPE_SENT_OCTETS: o->sent_octets = vb->u; break;
	case COL_SHAPE_SENT_PKTS: o->sent_pkts = vb->u; break;
	case COL_SHAPE_DROPPED: o->dropped_pkts = vb->u; break;
	case COL_SHAPE_OVERLIMITS: o->overlimits = vb->u; break;
	default: break;
	}
}

static void rule_column(struct state_rule *r, enum mibcol_id c, const struct pdu_vb *vb)
{
	switch (c) {
	case COL_ISOL_NAME: set_str(&r->name, vb); break;
	case COL_ISOL_SRC_ADDR: r->src.addr = (uint32_t)vb->u; break;
	case COL_ISOL_SRC_PREFIX_LEN: r->src.len = (uint8_t)vb->u; break;
	case COL_ISOL_DST_ADDR: r->dst.addr = (uint32_t)vb->u; break;
	case COL_ISOL_DST_PREFIX_LEN: r->dst.len = (uint8_t)vb->u; break;
	case COL_ISOL_ACTION: r->action = vb->i == STATE_DROP ? STATE_DROP : STATE_ACCEPT; break;
	case COL_ISOL_OPER: r->oper.status = (int)vb->i; break;
	case COL_ISOL_LAST_ERROR: set_str(&r->oper.last_error, vb); break;
	case COL_ISOL_MATCHED: r->oper.matched_pkts = vb->u; break;
	default: break;
	}
}

static void subnet_column(struct state_subnet *s, enum mibcol_id c, const struct pdu_vb *vb)
{
	switch (c) {
	case COL_SUBNET_NAME: set_str(&s->name, vb); break;
	case COL_SUBNET_ADDR: s->prefix.addr = (uint32_t)vb->u; break;
	case COL_SUBNET_PREFIX_LEN: s->prefix.len = (uint8_t)vb->u; break;
	default: break;
	}
}

static bool shaped_vif(struct state_host *h, const uint32_t *ix, struct state_vif **out)
{
	struct state_vm *vm = read_find_vm(h, ix[0]);
	size_t pos;

	if (!vm)
		return false;
	FIND_SORTED(vm->vifs, vm->n_vifs, ix[1], pos);
	if (pos == vm->n_vifs || vm->vifs[pos].index != ix[1])
		return false;
	*out = &vm->vifs[pos];
	return true;
}

/* one varbind of table t; rows of unknown parents are dropped */
static void parse_vb(struct state_host *h, enum mibcol_table t, const struct pdu_vb *vb)
{
	size_t at;
	enum mibcol_id c = mibcol_find(vb->oid, vb->oid_len, &at);
	const uint32_t *ix = vb->oid + at;
	struct state_vm *vm;
	struct state_vif *v;

	if (c == MIBCOL_N || mibcol_cols[c].table != t || vb->type >= MIBCOL_NOSUCHOBJECT)
		return;
	switch (t) {
	case MIBCOL_HOST:
		host_column(h, c, vb);
		break;
	case MIBCOL_VM:
		vm_column(vm_row(h, ix[0]), c, vb);
		break;
	case MIBCOL_VIF:
		vm = read_find_vm(h, ix[0]);
		if (vm)
			vif_column(vif_row(vm, ix[1]), c, vb);
		break;
	case MIBCOL_SHAPE:
		if (shaped_vif(h, ix, &v))
			shape_column(shape_row(v, ix[2]), c, vb);
		break;
	case MIBCOL_ISOL:
		rule_column(rule_row(h, ix[0]), c, vb);
		break;
	case MIBCOL_SUBNET:
		subnet_column(subnet_row(h, ix[0]), c, vb);
		break;
	case MIBCOL_IMAGE:
		if (c == COL_IMAGE_NAME)
			set_str(&image_row(h, ix[0])->name, vb);
		else if (c == COL_IMAGE_MIN_MEMORY)
			image_row(h, ix[0])->min_memory_kib = vb->u;
		break;
	case MIBCOL_N_TABLES:
		break;
	}
}

static void parse_host(struct state_host *h, struct read_host *rh)
{
	size_t k, i;

	for (k = 0; k < N_WALKED; k++) {
		struct walk_result *w = &rh->w[k];

		if (w->error && !h->oper.error)
			h->oper.error = mem_strdup(w->error);
		for (i = 0; !w->error && i < w->n; i++)
			parse_vb(h, walked[k], &w->vb[i]);
	}
	if (!h->oper.error && !h->oper.hostname)
		h->oper.error = mem_strdup("the agent does not serve the vMIB (no vmibHostName)");
	h->oper.read = h->oper.error == NULL;
}

static void copy_host(struct state_host *dst, const struct state_host *src)
{
	dst->name = mem_strdup(src->name);
	dst->address = mem_strdup(src->address);
	dst->snmp = mem_strdup(src->snmp);
	dst->libvirt = mem_strdup(src->libvirt);
	dst->bridge = mem_strdup(src->bridge);
	dst->cpus = src->cpus;
	dst->memory_kib = src->memory_kib;
}

static void release_results(struct read_host *rh)
{
	size_t k, i;

	for (k = 0; k < N_WALKED; k++) {
		for (i = 0; i < rh->w[k].n; i++)
			pdu_vb_release(&rh->w[k].vb[i]);
		free(rh->w[k].vb);
		free(rh->w[k].error);
	}
}

size_t read_hosts(struct snmpc *c, const struct state *hosts, struct state *out)
{
	size_t n = hosts->n_hosts, i, k, failed = 0, len;
	struct read_host *rh = mem_array(NULL, n ? n : 1, sizeof(*rh));
	struct walk_slot *slots = mem_array(NULL, n ? n * N_WALKED : 1, sizeof(*slots));
	const uint32_t *root;

	memset(out, 0, sizeof(*out));
	memset(rh, 0, (n ? n : 1) * sizeof(*rh));
	out->hosts = mem_array(NULL, n ? n : 1, sizeof(*out->hosts));
	memset(out->hosts, 0, (n ? n : 1) * sizeof(*out->hosts));
	out->n_hosts = n;
	for (i = 0; i < n; i++) {
		copy_host(&out->hosts[i], &hosts->hosts[i]);
		for (k = 0; k < N_WALKED; k++) {
			slots[i * N_WALKED + k] = (struct walk_slot){ &rh[i], k };
			if (walked[k] != MIBCOL_HOST) {
				walk_table(c, i, walked[k], &slots[i * N_WALKED + k]);
				continue;
			}
			root = mibcol_table_oid(walked[k], &len);
			snmpc_walk(c, i, root, len, walk_done, &slots[i * N_WALKED + k]);
		}
	}
	snmpc_run(c);
	for (i = 0; i < n; i++) {
		parse_host(&out->hosts[i], &rh[i]);
		failed += !out->hosts[i].oper.read;
		release_results(&rh[i]);
	}
	free(rh);
	free(slots);
	return failed;
}
