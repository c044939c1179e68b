/*
 * run_scenario.c - the timeline's scenario changes, done the way `vmibctl
 * apply` does everything: the virtual environment in memory is changed
 * (a link's shaping, a VM's host or scheduler, a deny rule for a failed
 * link), the desired state is built again (place, merge), and the hosts
 * are read, planned and applied until nothing is pending.  Pause and
 * resume change the VM's admin state in the desired state.  It owns those
 * changes: run_scenario_restore() loads the files again and applies them,
 * so each repetition starts from the scenario as written, and so does
 * whoever comes after the run.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "cmd_snmp.h"
#include "diag.h"
#include "env.h"
#include "experiment.h"
#include "load.h"
#include "mem.h"
#include "merge.h"
#include "mibcol.h"
#include "out.h"
#include "place.h"
#include "plan.h"
#include "read.h"
#include "run_int.h"
#include "vmib_oids.h"

#define RUN_CONVERGE_S 120.0
#define RUN_FAIL_ELEMENT "fail"      /* marks the deny rules of failed links */

void run_read(struct run *r, struct state *cur)
{
	read_hosts(r->c->s->c, &r->c->s->load.desired, cur);
}

static struct virt_link *rs_link(struct virt_env *v, const char *from, const char *to)
{
	size_t i;

	for (i = 0; i < v->n_links; i++) {
		struct virt_link *l = &v->links[i];

		if (!l->from.name || !l->to.name)
			continue;
		if ((strcmp(l->from.name, from) == 0 && strcmp(l->to.name, to) == 0) ||
		    (l->symmetric && strcmp(l->from.name, to) == 0 && strcmp(l->to.name, from) == 0))
			return l;
	}
	return NULL;
}

static struct virt_vm *rs_vm(struct virt_env *v, const char *name)
{
	return (struct virt_vm *)env_virt_vm(v, name);
}

static void rs_set_admin(struct state *d, const char *vm, enum state_admin a)
{
	size_t h, i;

	for (h = 0; h < d->n_hosts; h++)
		for (i = 0; i < d->hosts[h].n_vms; i++)
			if (strcmp(d->hosts[h].vms[i].name, vm) == 0)
				d->hosts[h].vms[i].admin = a;
}

/* the desired state again from the (changed) environments; pauses kept */
static int rs_rebuild(struct run *r)
{
	struct load *l = &r->c->s->load;
	struct state old = l->desired;
	struct diag d = { 0 };
	size_t h, i;
	int rc = 0;

	memset(&l->desired, 0, sizeof(l->desired));
	place_release(&l->placement);
	place_vms(l->real, l->virt, &l->placement, &d);
	merge_build(l->real, l->virt, &l->placement, &l->desired, &d);
	for (h = 0; h < old.n_hosts; h++)
		for (i = 0; i < old.hosts[h].n_vms; i++)
			if (old.hosts[h].vms[i].admin == STATE_ADMIN_PAUSED)
				rs_set_admin(&l->desired, old.hosts[h].vms[i].name,
					     STATE_ADMIN_PAUSED);
	if (d.n) {
		run_set_detail(r, mem_printf("the changed scenario has a problem: %s",
					     d.v[0].message));
		rc = -1;
	}
	state_release(&old);
	diag_release(&d);
	return rc;
}

/* first apply error of rep, or NULL */
static char *rs_apply_error(const struct apply_report *rep)
{
	size_t h;

	for (h = 0; h < rep->n_hosts; h++)
		if (rep->hosts[h].n_errors)
			return mem_printf("%s: %s", rep->hosts[h].host, rep->hosts[h].errors[0]);
	return NULL;
}

/*
 * every VM of want is on its host only (not also on another: a migration
 * still under way), in the state wanted (running or paused)
 */
static bool rs_settled(const struct state *want, const struct state *cur)
{
	size_t h, i, k, j;

	for (h = 0; h < want->n_hosts; h++) {
		for (i = 0; i < want->hosts[h].n_vms; i++) {
			const struct state_vm *w = &want->hosts[h].vms[i];
			size_t where = 0;
			bool ok = false;

			for (k = 0; k < cur->n_hosts; k++)
				for (j = 0; j < cur->hosts[k].n_vms; j++) {
					const struct state_vm *c = &cur->hosts[k].vms[j];

					if (strcmp(c->name, w->name) != 0)
						continue;
					where++;
					ok = k == h && (w->admin == STATE_ADMIN_PAUSED ?
						c->oper.state == VMIB_ENUM_vmibVmOperState_paused :
						(c->oper.state == VMIB_ENUM_vmibVmOperState_running ||
						 c->oper.state == VMIB_ENUM_vmibVmOperState_blocked));
				}
			if (where != 1 || !ok)
				return false;
		}
	}
	return true;
}

/* --- rows not in force ------------------------------------------------------------ */

/* is s a row of link l (merge.c: the link's name, else "from>to" per direction) */
static bool rs_row_of(const struct state_shape *s, const struct virt_link *l)
{
	char *fwd, *rev;
	bool yes;

	if (!l)
		return true;
	if (!s->name)
		return false;
	if (l->name)
		return strcmp(s->name, l->name) == 0;
	fwd = mem_printf("%s>%s", l->from.name, l->to.name);
	rev = mem_printf("%s>%s", l->to.name, l->from.name);
	yes = strcmp(s->name, fwd) == 0 || (l->symmetric && strcmp(s->name, rev) == 0);
	free(fwd);
	free(rev);
	return yes;
}

static size_t rs_vm_problems(const char *host, const struct state_vm *vm,
			     const struct virt_link *l, char ***lines, size_t *n)
{
	size_t j, k, found = 0;

	for (j = 0; j < vm->n_vifs; j++) {
		const struct state_vif *vf = &vm->vifs[j];

		for (k = 0; k < vf->n_shapes; k++) {
			const struct state_shape *s = &vf->shapes[k];
			int st = s->oper.status;
			const char *why = s->oper.last_error && *s->oper.last_error ?
					  s->oper.last_error : "no reason given";

			if ((st != VMIB_ENUM_vmibShapeOperStatus_unsupported &&
			     st != VMIB_ENUM_vmibShapeOperStatus_failed) || !rs_row_of(s, l))
				continue;
			*MEM_PUSH(*lines, *n) = mem_printf("%s: shape %s/%u/%u %s is %s: %s", host,
				vm->name, vf->index, s->index, s->name ? s->name : "",
				mibcol_enum_name(COL_SHAPE_OPER, st), why);
			found++;
		}
	}
	return found;
}

size_t run_shape_problems(const struct state *cur, const struct virt_link *l, char ***lines,
			  size_t *n)
{
	size_t h, i, found = 0;

	for (h = 0; h < cur->n_hosts; h++)
		for (i = 0; i < cur->hosts[h].n_vms; i++)
			found += rs_vm_problems(cur->hosts[h].name, &cur->hosts[h].vms[i], l,
						lines, n);
	return found;
}

/* a link event whose rows a host did not put in force fails, with why */
static int rs_check_link(struct run *r, const struct state *cur)
{
	char **lines = NULL;
	size_t n = 0, i;

	if (!r->check_link || run_shape_problems(cur, r->check_link, &lines, &n) == 0)
		return 0;
	run_set_detail(r, n == 1 ? mem_strdup(lines[0]) :
		       mem_printf("%s (and %zu more row%s)", lines[0], n - 1, n == 2 ? "" : "s"));
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	return -1;
}

/*
 * The rule of `vmibctl apply`: a plan that destroys a running VM is
 * carried out only with --yes, or a "yes" typed on a terminal to the
 * question asked when the run applies the scenario before it starts (not
 * in the middle of a timeline).  NULL, or why not (malloc'd; also kept in
 * r->refused for run_prepare).
 */
static char *rs_confirm(struct run *r, const struct plan *p)
{
	size_t h, i;
	char *why, *t;

	for (h = 0; h < p->n_hosts && !r->c->s->yes; h++)
		for (i = 0; i < p->hosts[h].n_items; i++) {
			if (!p->hosts[h].items[i].destroys_running)
				continue;
			t = plan_item_title(&p->hosts[h].items[i]);
			out_text(r->c->progress, "run: %s: %s ", p->hosts[h].want->name,
				 plan_op_name(p->hosts[h].items[i].op));
			out_str(r->c->progress, NULL, "%s [DESTROYS RUNNING VM]\n", t);
			free(t);
		}
	why = cmd_snmp_confirm_destroys(r->c->s, "run", p->destroys_running, !r->rr,
					      "run again with --yes, or apply the scenario first "
					      "with `vmibctl apply` and review its plan");

	if (why && !r->refused)
		r->refused = mem_strdup(why);
	return why;
}

/* read, plan, apply until nothing is pending; sampling and polling go on */
static int rs_converge(struct run *r, double limit_s)
{
	struct apply_opts opts = { false, 0, APPLY_QUIET, NULL, 0 };
	double deadline = run_now(r) + limit_s;
	struct apply_report rep;
	struct out *quiet = out_new(OUT_TEXT, stderr);
	bool applied = false;
	int rc = -1;

	for (;;) {
		struct state cur;
		struct plan p;
		size_t pending;

		run_read(r, &cur);
		plan_compute(&r->c->s->load.desired, &cur, PLAN_APPLY, &p);
		pending = plan_pending(&p);
		if (pending == 0 && !rs_settled(&r->c->s->load.desired, &cur))
			pending = 0x10000;   /* applied, not yet in force */
		if (pending == 0)
			run_sample_bind(r, &cur);
		if (pending == 0 && rs_check_link(r, &cur) < 0)
			pending = (size_t)-1;
		if (pending > 0 && pending != 0x10000 && !applied) {
			char *err = rs_confirm(r, &p);

			if (!err) {
				apply_run(r->c->s->c, &p, &opts, quiet, &rep);
				err = rs_apply_error(&rep);
				apply_report_release(&rep);
			}
			applied = true;
			if (err) {
				run_set_detail(r, err);
				pending = (size_t)-1;
			}
		}
		plan_release(&p);
		state_release(&cur);
		if (pending == 0)
			rc = 0;
		if (pending == 0 || pending == (size_t)-1 || run_now(r) > deadline ||
		    run_stopping())
			break;
		run_tick(r);
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	if (rc < 0 && r->rr && !r->rr->detail[r->current_event])
		run_set_detail(r, mem_printf("not in force after %.0f s", limit_s));
	out_free(quiet);
	return rc;
}

static void rs_fail(struct virt_env *v, const struct virt_link *l)
{
	struct virt_rule rule = { 0 };

	rule.line = l->line;
	rule.element = mem_strdup(RUN_FAIL_ELEMENT);
	rule.action = STATE_DROP;
	rule.from = l->from;
	rule.to = l->to;
	rule.from.name = mem_strdup(l->from.name);
	rule.to.name = mem_strdup(l->to.name);
	rule.symmetric = true;
	MEM_PUSH(v->rules, v->n_rules);
	/* first: the first matching rule decides (vmibIsolationTable) */
	memmove(v->rules + 1, v->rules, (v->n_rules - 1) * sizeof(*v->rules));
	v->rules[0] = rule;
}

static void rs_restore(struct virt_env *v, const struct virt_link *l)
{
	size_t i;

	for (i = 0; i < v->n_rules; i++) {
		struct virt_rule *x = &v->rules[i];

		if (strcmp(x->element, RUN_FAIL_ELEMENT) != 0 ||
		    strcmp(x->from.name, l->from.name) != 0 || strcmp(x->to.name, l->to.name) != 0)
			continue;
		free(x->element);
		free(x->from.name);
		free(x->to.name);
		memmove(x, x + 1, (v->n_rules - i - 1) * sizeof(*x));
		v->n_rules--;
		i--;
	}
}

static void rs_link_params(struct virt_link *l, const struct shape_params *p)
{
	int f;

	for (f = 0; f < SHAPE_N_FIELDS; f++)
		if (shape_has(p, f))
			shape_set(&l->params, f, shape_get(p, f));
}

/* what an event changes, as it was before: put back when it fails */
struct rs_undo {
	struct virt_link *link;
	struct shape_params params;
	struct virt_vm *vm;
	char *host;
	bool has_weight, has_cap;
	uint32_t weight, cap;
};

static void rs_change(struct run *r, struct exp_event *ev, struct rs_undo *u)
{
	struct virt_env *v = r->c->s->load.virt;
	struct virt_link *l = ev->from ? rs_link(v, ev->from, ev->to) : NULL;
	struct virt_vm *vm = ev->vm ? rs_vm(v, ev->vm) : NULL;

	*u = (struct rs_undo){ l, l ? l->params : (struct shape_params){ 0 }, vm,
			       vm ? mem_strdup(vm->host) : NULL, vm && vm->has_sched_weight,
			       vm && vm->has_sched_cap, vm ? vm->sched_weight : 0,
			       vm ? vm->sched_cap_percent : 0 };
	switch (ev->kind) {
	case EXP_LINK:
		rs_link_params(l, &ev->params);
		break;
	case EXP_FAIL:
		rs_fail(v, l);
		break;
	case EXP_RESTORE:
		rs_restore(v, l);
		break;
	case EXP_MIGRATE:
		free(vm->host);
		vm->host = mem_strdup(ev->host);
		break;
	case EXP_SCHEDULE:
		if (ev->has_weight) {
			vm->has_sched_weight = true;
			vm->sched_weight = ev->weight;
		}
		if (ev->has_cap) {
			vm->has_sched_cap = true;
			vm->sched_cap_percent = ev->cap_percent;
		}
		break;
	default:
		break;
	}
}

/*
 * A change that failed is taken back from the scenario in memory, so that
 * later events do not try it again (and fail for it); what the hosts did
 * of it stays until the next change or the restore at the end.
 */
static void rs_undo(struct run *r, struct exp_event *ev, struct rs_undo *u)
{
	struct virt_env *v = r->c->s->load.virt;

	switch (ev->kind) {
	case EXP_LINK:
		u->link->params = u->params;
		break;
	case EXP_FAIL:
		rs_restore(v, u->link);
		break;
	case EXP_RESTORE:
		rs_fail(v, u->link);
		break;
	case EXP_MIGRATE:
		free(u->vm->host);
		u->vm->host = u->host;
		u->host = NULL;
		break;
	case EXP_SCHEDULE:
		u->vm->has_sched_weight = u->has_weight;
		u->vm->has_sched_cap = u->has_cap;
		u->vm->sched_weight = u->weight;
		u->vm->sched_cap_percent = u->cap;
		break;
	default:
		break;
	}
	rs_rebuild(r);
	if (ev->kind == EXP_PAUSE || ev->kind == EXP_RESUME)
		rs_set_admin(&r->c->s->load.desired, ev->vm, ev->kind == EXP_PAUSE ?
			     STATE_ADMIN_RUNNING : STATE_ADMIN_PAUSED);
}

/*
 * What a migrate event measured, read from the VM's new host once its
 * guest answers: event.N.migrate.downtime_ms (vmibVmMigrateDowntimeMs,
 * libvirt's), and its shape rows on arrival: event.N.migrate.shape_rows
 * and .shape_applied (vmibShapeOperStatus applied(1)).
 */
static void rs_migrate_measures(struct run *r, const struct exp_event *ev)
{
	struct state cur;
	const struct state_host *h;
	const struct state_vm *vm;
	char name[128];
	size_t v, k, rows = 0, applied = 0;

	run_read(r, &cur);
	h = state_find_host(&cur, ev->host);
	vm = h ? state_find_vm(h, ev->vm) : NULL;
	for (v = 0; vm && v < vm->n_vifs; v++)
		for (k = 0; k < vm->vifs[v].n_shapes; k++) {
			rows++;
			applied += vm->vifs[v].shapes[k].oper.status ==
				   VMIB_ENUM_vmibShapeOperStatus_applied;
		}
	if (vm) {
		snprintf(name, sizeof(name), "event.%zu.migrate.downtime_ms", r->current_event + 1);
		run_measure(r, name, vm->oper.downtime_ms);
		snprintf(name, sizeof(name), "event.%zu.migrate.shape_rows", r->current_event + 1);
		run_measure(r, name, (double)rows);
		snprintf(name, sizeof(name), "event.%zu.migrate.shape_applied",
			 r->current_event + 1);
		run_measure(r, name, (double)applied);
	}
	state_release(&cur);
}

int run_scenario_event(struct run *r, struct exp_event *ev)
{
	struct rs_undo u;
	char err[1024] = "";
	int rc = 0;

	r->changed = true;
	rs_change(r, ev, &u);
	r->check_link = ev->kind == EXP_LINK ? u.link : NULL;
	if (rs_rebuild(r) < 0) {
		rc = -1;
	} else {
		if (ev->kind == EXP_PAUSE || ev->kind == EXP_RESUME)
			rs_set_admin(&r->c->s->load.desired, ev->vm, ev->kind == EXP_PAUSE ?
				     STATE_ADMIN_PAUSED : STATE_ADMIN_RUNNING);
		if (ev->kind == EXP_MIGRATE)
			r->migrating = ev->vm;   /* its commands are not polled */
		rc = rs_converge(r, RUN_CONVERGE_S);
	}
	r->check_link = NULL;
	if (rc < 0)
		rs_undo(r, ev, &u);
	/* a migrated or resumed guest: done when it answers again */
	if (rc == 0 && (ev->kind == EXP_MIGRATE || ev->kind == EXP_RESUME) &&
	    run_wait_guest(r, ev->vm, RUN_CONVERGE_S, err, sizeof(err)) < 0) {
		run_set_detail(r, mem_strdup(err));
		rc = -1;
	}
	r->migrating = NULL;
	if (rc == 0 && ev->kind == EXP_MIGRATE)
		rs_migrate_measures(r, ev);
	free(u.host);
	return rc;
}

int run_prepare(struct run_ctx *c, bool apply, double wait_s, char *err, size_t errlen)
{
	struct run r = { 0 };
	struct state cur;
	struct plan p;
	size_t pending, i;
	int rc = 0;

	r.c = c;
	r.t0 = run_mono();
	if (apply) {
		out_text(c->progress, "run: applying the scenario\n");
		if (rs_converge(&r, wait_s > 0 ? wait_s : RUN_CONVERGE_S) < 0) {
			if (r.refused)
				snprintf(err, errlen, "REFUSED, nothing was changed: %s", r.refused);
			else
				snprintf(err, errlen, "the scenario could not be applied (vmibctl "
					 "apply tells why)");
			free(r.refused);
			return -1;
		}
	} else {
		run_read(&r, &cur);
		plan_compute(&c->s->load.desired, &cur, PLAN_APPLY, &p);
		pending = plan_pending(&p);
		plan_release(&p);
		state_release(&cur);
		if (pending) {
			snprintf(err, errlen, "the scenario is not applied: %zu change%s pending "
				 "(vmibctl apply)", pending, pending == 1 ? "" : "s");
			return -1;
		}
	}
	/* what the hosts could not do of it (the run goes on: said and recorded) */
	run_read(&r, &cur);
	run_shape_problems(&cur, NULL, &c->not_in_force, &c->n_not_in_force);
	state_release(&cur);
	for (i = 0; i < c->n_not_in_force; i++)
		out_text(c->progress, "run: warning: not in force: %s\n", c->not_in_force[i]);
	for (i = 0; rc == 0 && i < c->s->load.virt->n_vms; i++)
		rc = run_wait_guest(&r, c->s->load.virt->vms[i].name, wait_s > 0 ? wait_s : 120,
				    err, errlen);
	return rc;
}

/* the scenario as its files say, applied again (after changes) */
void run_scenario_restore(struct run *r)
{
	struct load *l = &r->c->s->load;
	struct load fresh;

	if (!r->changed)
		return;
	if (load_files(l->real->file, l->virt->file, r->c->s->ctx.schema_dir, &fresh) < 0 ||
	    fresh.diag.n) {
		load_release(&fresh);
		return;
	}
	load_release(l);
	*l = fresh;
	r->changed = false;
	rs_converge(r, RUN_CONVERGE_S);
}

void run_ctx_release(struct run_ctx *c)
{
	size_t i;

	for (i = 0; i < c->n_not_in_force; i++)
		free(c->not_in_force[i]);
	free(c->not_in_force);
	c->not_in_force = NULL;
	c->n_not_in_force = 0;
}
