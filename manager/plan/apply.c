/*
 * apply.c - turns plan items into SET units (the varbinds of apply.h's
 * phases), packs them into PDUs and runs one state machine per host over
 * the asynchronous client: send a PDU, on its answer mark its units, fetch
 * the host's error text when it failed, send the next.  It reads the plan
 * and writes only the report (and, for a dry run, the PDUs as text).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "mem.h"
#include "out.h"

enum phase {
	PHASE_DELETE = 1,
	PHASE_ISOLATION,
	PHASE_VMS,
	PHASE_SHAPES,
	PHASE_MIGRATE,
};

/* what a unit waits for once its SET is answered, before the host's next
 * PDU: a SET only starts these (VMIB-MIB: slow operations report progress) */
enum wait_kind {
	WAIT_NONE,
	WAIT_GONE,               /* the VM's row left the host (destroy done) */
	WAIT_MIGRATED,           /* the VM left the host and is on to_host */
};

enum unit_state {
	UNIT_PENDING,
	UNIT_OK,
	UNIT_FAILED,
	UNIT_SKIPPED,
};

struct unit {
	enum phase phase;
	bool alone;              /* a PDU of its own (VM creation) */
	bool needs_isolation;    /* skipped when isolation failed */
	bool creates_vm;
	uint32_t vm;             /* the VM it concerns, 0 for none */
	enum wait_kind wait;
	char *vm_name;           /* WAIT_*: the VM's name */
	size_t to_host;          /* WAIT_MIGRATED: the destination */
	char *title;
	struct pdu pdu;          /* only the varbinds are used */
	enum unit_state state;
	char *error;
	long status;             /* FAILED: the error-status, 0 if none */
	size_t cause;            /* SKIPPED: the unit it depended on, or NO_CAUSE */
};

#define NO_CAUSE ((size_t)-1)
/* resourceUnavailable may pass (VMIB-MIB: the host lacks a resource, libvirt
 * is reconnecting): such a unit is sent again this many times, this long after
 * every host is done */
#define RETRY_PASSES 2
#define RETRY_AFTER_S 0.5
/* how often a wait looks again */
#define POLL_S 0.1

struct host_run {
	struct applier *a;
	size_t host;
	const char *name;
	struct unit *units;
	size_t n_units;
	size_t *flight;          /* units in the PDU in flight */
	size_t n_flight;
	struct pdu pdu;          /* the PDU in flight */
	bool one_at_a_time;      /* after tooBig */
	bool isolation_failed;
	bool dead;
	char *failed_text;       /* SNMP error of the failed unit, awaiting LastError */
	long failed_status;
	size_t failed_unit;
	size_t waiting;          /* the unit whose wait runs, or NO_CAUSE */
	int wait_stage;          /* WAIT_MIGRATED: 0 on the source, 1 destination */
	bool poll_due;           /* the wait looks again after POLL_S */
	double wait_deadline;    /* since(t0) */
	size_t done_units;
	struct apply_result *res;
	struct timespec t0;
};

struct applier {
	struct snmpc *c;
	const struct apply_opts *opts;
	struct host_run *runs;
	size_t n_runs;
	size_t live_lines;
};

static void sleep_s(double s);
static void wait_start(struct host_run *r, size_t i);

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* --- units from plan items -------------------------------------------------------- */

static struct unit *new_unit(struct host_run *r, enum phase ph, const struct plan_item *it,
			     const char *verb)
{
	struct unit *u = MEM_PUSH(r->units, r->n_units);
	char *title = plan_item_title(it);

	u->phase = ph;
	u->pdu.cmd = PDU_SET;
	u->vm = it->obj == PLAN_VM || it->obj == PLAN_SHAPE ? it->vm : 0;
	u->title = mem_printf("%s %s", verb, title);
	free(title);
	return u;
}

static void add_rs(struct pdu *p, enum mibcol_id c, const uint32_t *ix, long rs)
{
	pdu_add_int(p, c, ix, rs);
}

static void vm_create_vbs(struct pdu *p, const struct state_vm *vm, uint32_t index)
{
	uint32_t ix[2] = { index, 0 };
	size_t f;

	add_rs(p, COL_VM_ROW_STATUS, ix, MIBCOL_RS_CREATE_AND_GO);
	pdu_add_str(p, COL_VM_NAME, ix, vm->name);
	pdu_add_str(p, COL_VM_IMAGE, ix, vm->image);
	pdu_add_uns(p, COL_VM_MEMORY, ix, (uint32_t)vm->memory_kib);
	pdu_add_uns(p, COL_VM_VCPUS, ix, vm->vcpus);
	pdu_add_int(p, COL_VM_ADMIN, ix, vm->admin ? vm->admin : STATE_ADMIN_RUNNING);
	if (vm->has_sched_weight)
		pdu_add_uns(p, COL_VM_SCHED_WEIGHT, ix, vm->sched_weight);
	if (vm->has_sched_cap)
		pdu_add_uns(p, COL_VM_SCHED_CAP, ix, vm->sched_cap_percent);
	for (f = 0; f < vm->n_vifs; f++) {
		const struct state_vif *v = &vm->vifs[f];
		char *routes = state_routes_format(v);

		ix[1] = v->index;
		add_rs(p, COL_VIF_ROW_STATUS, ix, MIBCOL_RS_CREATE_AND_GO);
		pdu_add_str(p, COL_VIF_BRIDGE, ix, v->bridge ? v->bridge : "");
		if (v->mac) {
			unsigned m[6];
			char raw[6];
			int k;

			if (sscanf(v->mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
				   &m[5]) == 6) {
				for (k = 0; k < 6; k++)
					raw[k] = (char)m[k];
				pdu_vb_set_str(pdu_add(p, COL_VIF_MAC, ix), raw, 6);
			}
		}
		pdu_add_ip(p, COL_VIF_ADDR, ix, v->addr);
		pdu_add_uns(p, COL_VIF_PREFIX_LEN, ix, v->prefix_len);
		if (*routes)
			pdu_add_str(p, COL_VIF_ROUTES, ix, routes);
		free(routes);
	}
}

static void shape_create_vbs(struct pdu *p, const struct plan_item *it)
{
	const struct state_shape *s = it->want_shape;
	uint32_t ix[3] = { it->vm, it->vif, it->index };
	int f;

	add_rs(p, COL_SHAPE_ROW_STATUS, ix, MIBCOL_RS_CREATE_AND_GO);
	pdu_add_str(p, COL_SHAPE_NAME, ix, s->name);
	pdu_add_ip(p, COL_SHAPE_SRC_ADDR, ix, s->src.addr);
	pdu_add_uns(p, COL_SHAPE_SRC_PREFIX_LEN, ix, s->src.len);
	for (f = 0; f < SHAPE_N_FIELDS; f++)
		if (shape_has(&s->p, f))
			pdu_add_uns(p, (enum mibcol_id)(COL_SHAPE_RATE + f), ix, shape_get(&s->p, f));
}

/* the SETs of a CHANGE: one varbind per column, two for a prefix */
static void change_vbs(struct pdu *p, const struct plan_item *it, const uint32_t *ix)
{
	const struct state_shape *ws = it->want_shape;
	const struct state_rule *wr = it->want_rule;
	const struct state_subnet *wn = it->want_subnet;
	const struct state_vm *wv = it->want_vm;
	size_t k;

	for (k = 0; k < it->n_changes; k++) {
		enum mibcol_id c = it->changes[k].col;

		switch (c) {
		case COL_SHAPE_SRC_ADDR:
			pdu_add_ip(p, c, ix, ws->src.addr);
			pdu_add_uns(p, COL_SHAPE_SRC_PREFIX_LEN, ix, ws->src.len);
			break;
		case COL_ISOL_SRC_ADDR:
			pdu_add_ip(p, c, ix, wr->src.addr);
			pdu_add_uns(p, COL_ISOL_SRC_PREFIX_LEN, ix, wr->src.len);
			break;
		case COL_ISOL_DST_ADDR:
			pdu_add_ip(p, c, ix, wr->dst.addr);
			pdu_add_uns(p, COL_ISOL_DST_PREFIX_LEN, ix, wr->dst.len);
			break;
		case COL_SUBNET_ADDR:
			pdu_add_ip(p, c, ix, wn->prefix.addr);
			pdu_add_uns(p, COL_SUBNET_PREFIX_LEN, ix, wn->prefix.len);
			break;
		case COL_ISOL_NAME:
			pdu_add_str(p, c, ix, wr->name);
			break;
		case COL_ISOL_ACTION:
			pdu_add_int(p, c, ix, wr->action);
			break;
		case COL_ISOLATION_DEFAULT:
			pdu_add_int(p, c, ix, it->want_default);
			break;
		case COL_VM_ADMIN:
			pdu_add_int(p, c, ix, wv->admin);
			break;
		default:         /* unsigned columns: the plan has the value */
			pdu_add_uns(p, c, ix, (uint32_t)it->changes[k].to_n);
			break;
		}
	}
}

static void isolation_vbs(struct pdu *p, const struct plan_item *it)
{
	uint32_t ix[1] = { it->index };
	const struct state_rule *r = it->want_rule;
	const struct state_subnet *s = it->want_subnet;
	enum mibcol_id rs = it->obj == PLAN_RULE ? COL_ISOL_ROW_STATUS : COL_SUBNET_ROW_STATUS;

	if (it->op == PLAN_DELETE) {
		add_rs(p, rs, ix, MIBCOL_RS_DESTROY);
	} else if (it->op == PLAN_CHANGE) {
		change_vbs(p, it, ix);
	} else if (it->obj == PLAN_SUBNET) {
		add_rs(p, rs, ix, MIBCOL_RS_CREATE_AND_GO);
		pdu_add_str(p, COL_SUBNET_NAME, ix, s->name);
		pdu_add_ip(p, COL_SUBNET_ADDR, ix, s->prefix.addr);
		pdu_add_uns(p, COL_SUBNET_PREFIX_LEN, ix, s->prefix.len);
	} else {
		add_rs(p, rs, ix, MIBCOL_RS_CREATE_AND_GO);
		pdu_add_str(p, COL_ISOL_NAME, ix, r->name);
		pdu_add_ip(p, COL_ISOL_SRC_ADDR, ix, r->src.addr);
		pdu_add_uns(p, COL_ISOL_SRC_PREFIX_LEN, ix, r->src.len);
		pdu_add_ip(p, COL_ISOL_DST_ADDR, ix, r->dst.addr);
		pdu_add_uns(p, COL_ISOL_DST_PREFIX_LEN, ix, r->dst.len);
		pdu_add_int(p, COL_ISOL_ACTION, ix, r->action);
	}
}

static bool is_isolation(const struct plan_item *it)
{
	return it->op != PLAN_UNCHANGED &&
	       (it->obj == PLAN_DEFAULT || it->obj == PLAN_SUBNET || it->obj == PLAN_RULE);
}

static void isolation_item_vbs(struct pdu *p, const struct plan_item *it)
{
	if (it->obj == PLAN_DEFAULT)
		change_vbs(p, it, (const uint32_t[]){ 0 });
	else
		isolation_vbs(p, it);
}

static size_t pdu_bytes(const struct pdu *p)
{
	size_t k, n = 0;

	for (k = 0; k < p->n; k++)
		n += pdu_vb_agentx_bytes(&p->vb[k]);
	return n;
}

/* append the varbinds of *one to the isolation unit at index *at, or to a
 * new one when they would take its PDU over the AgentX limit (pdu.h) */
static void isolation_add(struct host_run *r, size_t *at, size_t *bytes, struct pdu *one,
			  size_t **counts, size_t *n_counts)
{
	size_t k, b = pdu_bytes(one);
	struct unit *u;

	if (*at == NO_CAUSE || *bytes + b > PDU_AGENTX_MAX_BYTES) {
		u = MEM_PUSH(r->units, r->n_units);
		u->phase = PHASE_ISOLATION;
		u->alone = true;
		u->pdu.cmd = PDU_SET;
		*at = r->n_units - 1;
		*bytes = 0;
		*MEM_PUSH(*counts, *n_counts) = 0;
	}
	u = &r->units[*at];
	for (k = 0; k < one->n; k++)
		pdu_vb_copy(MEM_PUSH(u->pdu.vb, u->pdu.n), &one->vb[k]);
	*bytes += b;
	(*counts)[*n_counts - 1]++;
	pdu_release(one);
}

/*
 * All isolation changes of a host: one unit, one PDU, so the agent
 * rebuilds its chain once.  Only when that PDU would be over the AgentX
 * limit is it cut into parts, each a PDU of its own sent in order (a part
 * that fails skips the next ones), and a change of the default goes in
 * the last part, after the rules that make exceptions to it.
 */
static void build_isolation(struct host_run *r, const struct plan_host *ph)
{
	struct pdu one = { PDU_SET, 0, NULL, 0 };
	size_t i, pass, at = NO_CAUSE, bytes = 0, total = 0, first = r->n_units;
	size_t *counts = NULL, n_counts = 0;
	bool split;

	for (i = 0; i < ph->n_items; i++) {
		if (!is_isolation(&ph->items[i]))
			continue;
		isolation_item_vbs(&one, &ph->items[i]);
		total += pdu_bytes(&one);
		pdu_release(&one);
	}
	split = total > PDU_AGENTX_MAX_BYTES;
	for (pass = 0; pass < (split ? 2 : 1); pass++) {
		for (i = 0; i < ph->n_items; i++) {
			const struct plan_item *it = &ph->items[i];

			if (!is_isolation(it) || (split && (it->obj == PLAN_DEFAULT) != (pass == 1)))
				continue;
			isolation_item_vbs(&one, it);
			isolation_add(r, &at, &bytes, &one, &counts, &n_counts);
		}
	}
	for (i = 0; i < n_counts; i++)
		r->units[first + i].title =
			n_counts == 1 ? mem_printf("isolation (%zu change%s)", counts[0],
						   counts[0] == 1 ? "" : "s")
				      : mem_printf("isolation, part %zu of %zu (%zu change%s)", i + 1,
						   n_counts, counts[i], counts[i] == 1 ? "" : "s");
	free(counts);
}

static void build_vm_unit(struct host_run *r, const struct plan_item *it, bool create)
{
	uint32_t ix[1] = { it->vm };
	struct unit *u;

	if (create) {
		u = new_unit(r, PHASE_VMS, it, "create");
		u->alone = true;
		u->needs_isolation = true;
		u->creates_vm = true;
		vm_create_vbs(&u->pdu, it->want_vm, it->vm);
	} else if (it->op == PLAN_CHANGE) {
		u = new_unit(r, PHASE_VMS, it, "change");
		change_vbs(&u->pdu, it, ix);
	} else {
		u = new_unit(r, PHASE_DELETE, it, it->op == PLAN_REPLACE ? "delete (to replace)" :
					      "delete");
		add_rs(&u->pdu, COL_VM_ROW_STATUS, ix, MIBCOL_RS_DESTROY);
		if (it->op == PLAN_REPLACE) {
			/* the agent powers the VM off after it answered: its
			 * index is in use until the domain is gone */
			u->alone = true;
			u->wait = WAIT_GONE;
			u->vm_name = mem_strdup(it->name);
		}
	}
}

/* a live migration: target and live flag on the source (as vmibctl
 * migrate does), then a wait until the VM is on the destination */
static void build_migrate_unit(struct host_run *r, const struct plan *p,
			       const struct plan_item *it)
{
	const struct state_host *dst = p->hosts[it->to_host].want;
	uint32_t ix[1] = { it->vm };
	struct unit *u = new_unit(r, PHASE_MIGRATE, it, "migrate");

	free(u->title);
	u->title = mem_printf("migrate vm %s (index %u) to %s", it->name, it->vm, dst->name);
	u->alone = true;
	u->wait = WAIT_MIGRATED;
	u->vm_name = mem_strdup(it->name);
	u->to_host = it->to_host;
	pdu_add_int(&u->pdu, COL_VM_MIGRATE_LIVE, ix, VMIB_ENUM_vmibVmMigrateLive_true);
	pdu_add_str(&u->pdu, COL_VM_MIGRATE_TARGET, ix, dst->libvirt ? dst->libvirt : dst->name);
}

static void build_shape_unit(struct host_run *r, const struct plan_item *it)
{
	uint32_t ix[3] = { it->vm, it->vif, it->index };
	struct unit *u = new_unit(r, PHASE_SHAPES, it, plan_op_name(it->op));

	if (it->op == PLAN_CREATE)
		shape_create_vbs(&u->pdu, it);
	else if (it->op == PLAN_CHANGE)
		change_vbs(&u->pdu, it, ix);
	else
		add_rs(&u->pdu, COL_SHAPE_ROW_STATUS, ix, MIBCOL_RS_DESTROY);
}

static int cmp_phase(const void *a, const void *b)
{
	const struct unit *x = a, *y = b;

	return (int)x->phase - (int)y->phase;
}

static void build_units(struct host_run *r, const struct plan *p, const struct plan_host *ph)
{
	size_t i;

	for (i = 0; i < ph->n_items; i++) {
		const struct plan_item *it = &ph->items[i];

		if (it->op == PLAN_UNCHANGED)
			continue;
		if (it->op == PLAN_MIGRATE) {
			build_migrate_unit(r, p, it);
		} else if (it->obj == PLAN_VM) {
			if (it->op != PLAN_CREATE)
				build_vm_unit(r, it, false);
			if (it->op == PLAN_CREATE || it->op == PLAN_REPLACE)
				build_vm_unit(r, it, true);
		} else if (it->obj == PLAN_SHAPE) {
			build_shape_unit(r, it);
		}
	}
	build_isolation(r, ph);
	/* a stable sort by phase: insertion order within a phase is the plan's */
	for (i = 1; i < r->n_units; i++) {
		struct unit t = r->units[i];
		size_t j;

		for (j = i; j > 0 && cmp_phase(&r->units[j - 1], &t) > 0; j--)
			r->units[j] = r->units[j - 1];
		r->units[j] = t;
	}
}

/* --- packing --------------------------------------------------------------------- */

static size_t max_vbs(const struct applier *a)
{
	return a->opts->max_varbinds ? a->opts->max_varbinds : APPLY_DEFAULT_VARBINDS;
}

/* the next PDU of r: consecutive pending units of one phase; false if none */
static bool pack(struct host_run *r)
{
	size_t i, k, first = r->n_units, n = 0, bytes = 0, unit_bytes;

	r->n_flight = 0;
	pdu_release(&r->pdu);
	r->pdu.cmd = PDU_SET;
	for (i = 0; i < r->n_units && first == r->n_units; i++)
		if (r->units[i].state == UNIT_PENDING)
			first = i;
	for (i = first; i < r->n_units; i++) {
		struct unit *u = &r->units[i];

		if (u->state != UNIT_PENDING)
			continue;
		if (u->phase != r->units[first].phase)
			break;
		for (unit_bytes = 0, k = 0; k < u->pdu.n; k++)
			unit_bytes += pdu_vb_agentx_bytes(&u->pdu.vb[k]);
		if (r->n_flight > 0 && (u->alone || r->units[first].alone || r->one_at_a_time ||
					n + u->pdu.n > max_vbs(r->a) ||
					bytes + unit_bytes > PDU_AGENTX_MAX_BYTES))
			break;
		r->flight[r->n_flight++] = i;
		for (k = 0; k < u->pdu.n; k++)
			pdu_vb_copy(MEM_PUSH(r->pdu.vb, r->pdu.n), &u->pdu.vb[k]);
		n += u->pdu.n;
		bytes += unit_bytes;
	}
	return r->n_flight > 0;
}

/* --- dependencies ----------------------------------------------------------------- */

static void skip_dependents(struct host_run *r, const struct unit *f);
static void progress_unit(struct applier *a, struct host_run *r, const struct unit *u);

static void skip(struct host_run *r, struct unit *u, const char *why, size_t cause)
{
	u->state = UNIT_SKIPPED;
	u->error = mem_strdup(why);
	u->cause = cause;
	r->done_units++;
	progress_unit(r->a, r, u);
	skip_dependents(r, u);
}

/* after unit f failed or was skipped: skip what depended on it */
static void skip_dependents(struct host_run *r, const struct unit *f)
{
	char *why;
	size_t i;

	for (i = 0; i < r->n_units; i++) {
		struct unit *u = &r->units[i];

		if (u->state != UNIT_PENDING)
			continue;
		if (f->phase == PHASE_ISOLATION && u->phase == PHASE_ISOLATION) {
			why = mem_printf("depends on: %s", f->title);
			skip(r, u, why, (size_t)(f - r->units));
			free(why);
		} else if (f->phase == PHASE_ISOLATION && u->needs_isolation) {
			skip(r, u, "isolation could not be set first", (size_t)(f - r->units));
		} else if (f->vm && u->vm == f->vm && u->phase > f->phase) {
			why = mem_printf("depends on: %s", f->title);
			skip(r, u, why, (size_t)(f - r->units));
			free(why);
		}
	}
}

static void give_up(struct host_run *r, const char *why)
{
	size_t i;

	r->dead = true;
	for (i = 0; i < r->n_units; i++)
		if (r->units[i].state == UNIT_PENDING)
			skip(r, &r->units[i], why, NO_CAUSE);
}

/* --- progress ---------------------------------------------------------------------- */

static void progress_live(struct applier *a)
{
	struct out *o = a->opts->progress_out;
	size_t i;

	if (a->live_lines)
		out_text(o, "\033[%zuA", a->live_lines);
	for (i = 0; i < a->n_runs; i++) {
		struct host_run *r = &a->runs[i];

		out_text(o, "\r\033[K%-8s ", r->name);
		if (r->n_flight && r->done_units < r->n_units)
			out_text(o, "[%zu/%zu] %s%s\n", r->done_units + r->n_flight, r->n_units,
				 r->units[r->flight[0]].title, r->n_flight > 1 ? " and more" : "");
		else
			out_text(o, "%s (%zu/%zu)\n", r->res->failed || r->res->skipped ? "done, with errors" :
				 r->n_units ? "done" : "nothing to do", r->done_units, r->n_units);
	}
	a->live_lines = a->n_runs;
}

static void progress_unit(struct applier *a, struct host_run *r, const struct unit *u)
{
	if (a->opts->progress == APPLY_LINES)
		out_text(a->opts->progress_out, "%s: %s %s%s%s\n", r->name,
			 u->state == UNIT_OK ? "ok  " : u->state == UNIT_FAILED ? "FAIL" : "skip",
			 u->title, u->error ? ": " : "", u->error ? u->error : "");
}

static void progress(struct applier *a)
{
	if (a->opts->progress == APPLY_LIVE)
		progress_live(a);
}

/* --- the per-host state machine ------------------------------------------------------ */

static void send_next(struct host_run *r);

static void unit_done(struct host_run *r, size_t i, enum unit_state st, const char *error,
		      long status)
{
	struct unit *u = &r->units[i];

	u->state = st;
	u->status = status;
	u->error = mem_strdup(error);
	r->done_units++;
	if (st == UNIT_FAILED && u->phase == PHASE_ISOLATION)
		r->isolation_failed = true;
	progress_unit(r->a, r, u);
	if (st == UNIT_FAILED)
		skip_dependents(r, u);
}

/* the LastError column for the row of varbind vb, and vmibHostLastError */
static void error_oids(const struct pdu_vb *vb, struct pdu *get)
{
	size_t at;
	enum mibcol_id c = mibcol_find(vb->oid, vb->oid_len, &at);
	enum mibcol_id le = MIBCOL_N;

	get->cmd = PDU_GET;
	if (c != MIBCOL_N) {
		switch (mibcol_cols[c].table) {
		case MIBCOL_VM:
		case MIBCOL_VIF: le = COL_VM_LAST_ERROR; break;
		case MIBCOL_SHAPE: le = COL_SHAPE_LAST_ERROR; break;
		case MIBCOL_ISOL: le = COL_ISOL_LAST_ERROR; break;
		default: break;
		}
	}
	if (le != MIBCOL_N)
		pdu_add(get, le, vb->oid + at)->type = MIBCOL_NULL;
	pdu_add(get, COL_HOST_LAST_ERROR, NULL)->type = MIBCOL_NULL;
}

static void got_error_text(void *arg, struct pdu_resp *resp)
{
	struct host_run *r = arg;
	const char *text = NULL;
	char *full;
	size_t i;

	for (i = 0; !resp->fail && !resp->status && i < resp->n && !text; i++)
		if (resp->vb[i].type == MIBCOL_STRING && resp->vb[i].s_len > 0)
			text = resp->vb[i].s;
	full = text ? mem_printf("%s: %s", r->failed_text, text) : mem_strdup(r->failed_text);
	unit_done(r, r->failed_unit, UNIT_FAILED, full, r->failed_status);
	free(full);
	free(r->failed_text);
	r->failed_text = NULL;
	send_next(r);
}

/* --- waits ---------------------------------------------------------------------------- */

static void wait_poll(struct host_run *r);

static void wait_end(struct host_run *r, enum unit_state st, const char *error)
{
	size_t i = r->waiting;

	r->waiting = NO_CAUSE;
	unit_done(r, i, st, error, 0);
	send_next(r);
}

static void wait_start(struct host_run *r, size_t i)
{
	r->waiting = i;
	r->wait_stage = 0;
	r->wait_deadline = since(&r->t0) + (r->a->opts->wait_timeout_s > 0 ?
					    r->a->opts->wait_timeout_s : APPLY_DEFAULT_WAIT_S);
	wait_poll(r);
}

/* the row's name is the VM's: it is (still) there */
static bool vb_names(const struct pdu_resp *resp, size_t k, const char *name)
{
	return k < resp->n && resp->vb[k].type == MIBCOL_STRING && resp->vb[k].s &&
	       strcmp(resp->vb[k].s, name) == 0;
}

/* 1 the wait is over, 0 not yet, -1 it failed (error set) */
static int wait_check(struct host_run *r, const struct unit *u, const struct pdu_resp *resp,
		      char **error)
{
	if (u->wait == WAIT_GONE)
		return vb_names(resp, 0, u->vm_name) ? 0 : 1;
	if (r->wait_stage == 1)
		return vb_names(resp, 0, u->vm_name) ? 1 : 0;
	if (resp->n == 3 && resp->vb[1].type == MIBCOL_INTEGER &&
	    resp->vb[1].i == VMIB_ENUM_vmibVmMigrateStatus_failed) {
		*error = mem_printf("the migration failed: %s", resp->vb[2].type == MIBCOL_STRING &&
				    resp->vb[2].s ? resp->vb[2].s : "");
		return -1;
	}
	if (vb_names(resp, 0, u->vm_name))
		return 0;
	r->wait_stage = 1;       /* left the source: look for it on the destination */
	wait_poll(r);
	return 2;
}

static void got_poll(void *arg, struct pdu_resp *resp)
{
	struct host_run *r = arg;
	const struct unit *u = &r->units[r->waiting];
	char *error = NULL;
	int rc;

	if (resp->fail || resp->status) {
		error = mem_printf("while waiting for the VM: %s", resp->fail ? resp->fail :
				   mibcol_error_name(resp->status));
		wait_end(r, UNIT_FAILED, error);
		free(error);
		return;
	}
	rc = wait_check(r, u, resp, &error);
	if (rc == 2)
		return;
	if (rc == 0 && since(&r->t0) >= r->wait_deadline) {
		error = mem_printf(u->wait == WAIT_GONE ? "vm %s is still on %s after %.0f s" :
				   r->wait_stage == 0 ? "vm %s has not left %s after %.0f s" :
				   "vm %s left %s but has not arrived after %.0f s", u->vm_name,
				   r->name, r->a->opts->wait_timeout_s > 0 ? r->a->opts->wait_timeout_s :
				   APPLY_DEFAULT_WAIT_S);
		rc = -1;
	}
	if (rc == 0)
		r->poll_due = true;      /* apply_run looks again after POLL_S */
	else
		wait_end(r, rc > 0 ? UNIT_OK : UNIT_FAILED, error);
	free(error);
}

static void wait_poll(struct host_run *r)
{
	const struct unit *u = &r->units[r->waiting];
	struct pdu get = { PDU_GET, 0, NULL, 0 };
	uint32_t ix[1] = { u->vm };
	bool dst = u->wait == WAIT_MIGRATED && r->wait_stage == 1;

	pdu_add(&get, COL_VM_NAME, ix)->type = MIBCOL_NULL;
	if (u->wait == WAIT_MIGRATED && !dst) {
		pdu_add(&get, COL_VM_MIGRATE_STATUS, ix)->type = MIBCOL_NULL;
		pdu_add(&get, COL_VM_LAST_ERROR, ix)->type = MIBCOL_NULL;
	}
	snmpc_send(r->a->c, dst ? u->to_host : r->host, &get, got_poll, r);
	pdu_release(&get);
}

/* run the client until every host is done, waits included */
static void run_all(struct applier *a)
{
	bool due;
	size_t i;

	snmpc_run(a->c);
	for (;;) {
		for (i = 0, due = false; i < a->n_runs; i++)
			due |= a->runs[i].poll_due;
		if (!due)
			return;
		sleep_s(POLL_S);
		for (i = 0; i < a->n_runs; i++) {
			if (a->runs[i].poll_due) {
				a->runs[i].poll_due = false;
				wait_poll(&a->runs[i]);
			}
		}
		snmpc_run(a->c);
	}
}

/* which unit of the flight holds varbind index (1-based) */
static size_t unit_of_vb(const struct host_run *r, long index)
{
	size_t k, seen = 0;

	if (index < 1)
		return r->n_flight;
	for (k = 0; k < r->n_flight; k++) {
		seen += r->units[r->flight[k]].pdu.n;
		if ((size_t)index <= seen)
			return k;
	}
	return r->n_flight;
}

static void got_answer(void *arg, struct pdu_resp *resp)
{
	struct host_run *r = arg;
	struct pdu get = { PDU_GET, 0, NULL, 0 };
	char *err;
	size_t k;

	if (resp->fail) {
		for (k = 0; k < r->n_flight; k++)
			unit_done(r, r->flight[k], UNIT_FAILED, resp->fail, 0);
		r->res->reached = false;
		give_up(r, "the host stopped answering");
		send_next(r);
		return;
	}
	if (resp->status == 0) {
		if (r->n_flight == 1 && r->units[r->flight[0]].wait != WAIT_NONE) {
			wait_start(r, r->flight[0]);
			return;
		}
		for (k = 0; k < r->n_flight; k++)
			unit_done(r, r->flight[k], UNIT_OK, NULL, 0);
		send_next(r);
		return;
	}
	if (resp->status == MIBCOL_ERR_TOO_BIG && r->n_flight > 1) {
		r->one_at_a_time = true;  /* the units are still pending: resend */
		send_next(r);
		return;
	}
	k = unit_of_vb(r, resp->index);
	err = snmpc_error_text(resp, &r->pdu);
	if (k == r->n_flight) {  /* no varbind named: the whole PDU failed */
		for (k = 0; k < r->n_flight; k++)
			unit_done(r, r->flight[k], UNIT_FAILED, err, resp->status);
		free(err);
		send_next(r);
		return;
	}
	/* one unit failed; the others of the PDU stay pending and go again */
	r->failed_unit = r->flight[k];
	r->failed_text = err;
	r->failed_status = resp->status;
	error_oids(&r->pdu.vb[resp->index - 1], &get);
	snmpc_send(r->a->c, r->host, &get, got_error_text, r);
	pdu_release(&get);
}

static void send_next(struct host_run *r)
{
	size_t i;

	if (r->dead || !pack(r)) {
		r->n_flight = 0;
		r->res->seconds = since(&r->t0);
		progress(r->a);
		return;
	}
	for (i = 0; r->isolation_failed && i < r->n_flight; i++) {
		if (r->units[r->flight[i]].needs_isolation) {
			skip(r, &r->units[r->flight[i]], "isolation could not be set first",
			     NO_CAUSE);
			send_next(r);
			return;
		}
	}
	r->res->pdus++;
	r->res->varbinds += r->pdu.n;
	progress(r->a);
	snmpc_send(r->a->c, r->host, &r->pdu, got_answer, r);
}

/* --- the retry passes ---------------------------------------------------------------- */

static bool was_caused_by(const struct host_run *r, const struct unit *u, size_t f)
{
	while (u->state == UNIT_SKIPPED && u->cause != NO_CAUSE) {
		if (u->cause == f)
			return true;
		u = &r->units[u->cause];
	}
	return false;
}

/* make the units that failed with resourceUnavailable, and what they kept
 * from running, pending again; returns how many */
static size_t rearm(struct host_run *r)
{
	size_t i, k, n = 0;

	for (i = 0; !r->dead && i < r->n_units; i++) {
		struct unit *f = &r->units[i];

		if (f->state != UNIT_FAILED || f->status != MIBCOL_ERR_RESOURCE_UNAVAILABLE)
			continue;
		for (k = 0; k < r->n_units; k++) {
			struct unit *u = &r->units[k];

			if (k != i && !was_caused_by(r, u, i))
				continue;
			free(u->error);
			u->error = NULL;
			u->state = UNIT_PENDING;
			r->done_units--;
			n++;
		}
		if (f->phase == PHASE_ISOLATION)
			r->isolation_failed = false;
	}
	return n;
}

static void sleep_s(double s)
{
	struct timespec t = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&t, NULL);
}

static void retry_passes(struct applier *a)
{
	size_t i, n;
	int pass;

	for (pass = 0; pass < RETRY_PASSES; pass++) {
		for (i = n = 0; i < a->n_runs; i++)
			n += rearm(&a->runs[i]);
		if (n == 0)
			return;
		sleep_s(RETRY_AFTER_S);
		for (i = 0; i < a->n_runs; i++)
			send_next(&a->runs[i]);
		run_all(a);
	}
}

/* --- dry run --------------------------------------------------------------------- */

static void print_pdus(struct host_run *r, struct out *o)
{
	size_t k, n = 0;

	out_obj_open(o, NULL);
	out_str(o, "name", NULL, r->name);
	out_arr_open(o, "pdus");
	while (pack(r)) {
		n++;
		out_obj_open(o, NULL);
		out_text(o, "%s SET #%zu:", r->name, n);
		out_arr_open(o, "units");
		for (k = 0; k < r->n_flight; k++) {
			out_str(o, NULL, k ? "; %s" : " %s", r->units[r->flight[k]].title);
			r->units[r->flight[k]].state = UNIT_OK;
		}
		out_arr_close(o);
		out_text(o, "\n");
		out_arr_open(o, "varbinds");
		for (k = 0; k < r->pdu.n; k++) {
			char *s = pdu_vb_format(&r->pdu.vb[k]);

			out_str(o, NULL, "  %s\n", s);
			free(s);
		}
		out_arr_close(o);
		out_obj_close(o);
		r->res->pdus++;
		r->res->varbinds += r->pdu.n;
	}
	out_arr_close(o);
	if (n == 0)
		out_text(o, "%s: no SET to send\n", r->name);
	out_obj_close(o);
}

/* --- results ---------------------------------------------------------------------- */

static void collect(struct host_run *r, struct apply_report *rep)
{
	struct apply_result *res = r->res;
	size_t i;

	res->units = r->n_units;
	for (i = 0; i < r->n_units; i++) {
		struct unit *u = &r->units[i];

		if (u->state == UNIT_OK) {
			res->ok++;
		} else if (u->state == UNIT_FAILED) {
			res->failed++;
			*MEM_PUSH(res->errors, res->n_errors) = mem_printf("%s: %s", u->title, u->error);
		} else if (u->state == UNIT_SKIPPED) {
			res->skipped++;
			*MEM_PUSH(res->skips, res->n_skips) = mem_printf("%s: %s", u->title, u->error);
		}
	}
	rep->ok += res->ok;
	rep->failed += res->failed;
	rep->skipped += res->skipped;
}

static void release_run(struct host_run *r)
{
	size_t i;

	for (i = 0; i < r->n_units; i++) {
		pdu_release(&r->units[i].pdu);
		free(r->units[i].vm_name);
		free(r->units[i].title);
		free(r->units[i].error);
	}
	free(r->units);
	free(r->flight);
	pdu_release(&r->pdu);
	free(r->failed_text);
}

size_t apply_run(struct snmpc *c, const struct plan *p, const struct apply_opts *opts,
		 struct out *o, struct apply_report *rep)
{
	struct applier a = { c, opts, NULL, p->n_hosts, 0 };
	struct timespec t0;
	size_t i, bad = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(rep, 0, sizeof(*rep));
	rep->n_hosts = p->n_hosts;
	rep->hosts = mem_array(NULL, p->n_hosts + 1, sizeof(*rep->hosts));
	memset(rep->hosts, 0, (p->n_hosts + 1) * sizeof(*rep->hosts));
	a.runs = mem_array(NULL, p->n_hosts + 1, sizeof(*a.runs));
	memset(a.runs, 0, (p->n_hosts + 1) * sizeof(*a.runs));
	for (i = 0; i < p->n_hosts; i++) {
		struct host_run *r = &a.runs[i];

		r->a = &a;
		r->host = i;
		r->name = p->hosts[i].want->name;
		r->res = &rep->hosts[i];
		r->res->host = r->name;
		r->res->reached = p->hosts[i].have->oper.read;
		r->t0 = t0;
		r->waiting = NO_CAUSE;
		build_units(r, p, &p->hosts[i]);
		r->flight = mem_array(NULL, r->n_units + 1, sizeof(*r->flight));
	}
	if (opts->dry_run) {
		out_arr_open(o, "hosts");
		for (i = 0; i < p->n_hosts; i++)
			print_pdus(&a.runs[i], o);
		out_arr_close(o);
	} else {
		for (i = 0; i < p->n_hosts; i++)
			send_next(&a.runs[i]);
		run_all(&a);
		retry_passes(&a);
	}
	for (i = 0; i < p->n_hosts; i++) {
		if (!opts->dry_run)
			collect(&a.runs[i], rep);
		bad += rep->hosts[i].failed + rep->hosts[i].skipped > 0 || !rep->hosts[i].reached;
		release_run(&a.runs[i]);
	}
	free(a.runs);
	rep->seconds = since(&t0);
	return bad;
}

void apply_report_release(struct apply_report *rep)
{
	size_t i, k;

	if (!rep)
		return;
	for (i = 0; i < rep->n_hosts; i++) {
		for (k = 0; k < rep->hosts[i].n_errors; k++)
			free(rep->hosts[i].errors[k]);
		free(rep->hosts[i].errors);
		for (k = 0; k < rep->hosts[i].n_skips; k++)
			free(rep->hosts[i].skips[k]);
		free(rep->hosts[i].skips);
	}
	free(rep->hosts);
	memset(rep, 0, sizeof(*rep));
}

void apply_report_print(const struct apply_report *rep, struct out *o)
{
	size_t i, k;

	out_arr_open(o, "hosts");
	for (i = 0; i < rep->n_hosts; i++) {
		const struct apply_result *r = &rep->hosts[i];

		out_obj_open(o, NULL);
		out_str(o, "name", "%s: ", r->host);
		out_bool(o, "reached", r->reached || r->pdus ? NULL : "not reached\n", r->reached);
		if (!r->reached && !r->pdus) {
			out_obj_close(o);
			continue;
		}
		out_u64(o, "changes", "%llu change(s) made", r->ok);
		out_u64(o, "failed", ", %llu failed", r->failed);
		out_u64(o, "skipped", ", %llu skipped", r->skipped);
		out_u64(o, "setPdus", "; %llu SET PDU(s)", r->pdus);
		out_u64(o, "varbinds", ", %llu varbinds", r->varbinds);
		out_u64(o, "ms", ", %llu ms\n", (uint64_t)(r->seconds * 1000 + 0.5));
		out_arr_open(o, "errors");
		for (k = 0; k < r->n_errors; k++) {
			out_text(o, "%s:   error: ", r->host);
			out_str(o, NULL, "%s\n", r->errors[k]);
		}
		out_arr_close(o);
		out_arr_open(o, "skips");
		for (k = 0; k < r->n_skips; k++) {
			out_text(o, "%s:   skipped: ", r->host);
			out_str(o, NULL, "%s\n", r->skips[k]);
		}
		out_arr_close(o);
		out_obj_close(o);
	}
	out_arr_close(o);
}
