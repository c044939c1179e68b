/*
 * experiment.c - the checks of an experiment against its scenario
 * (experiment.h): every VM, subnet, host and link it names exists, groups
 * expand to at least one VM, command names are unique and waited for
 * after they start, offsets do not go back, what is sampled exists.  It
 * owns the expansion of groups; it never talks to a host.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "env.h"
#include "experiment.h"
#include "mem.h"

struct xc {
	struct experiment *e;
	const struct real_env *r;
	const struct virt_env *v;
	struct diag *d;
};

static const char *const xc_kind_names[] = {
	"run", "link", "fail", "restore", "migrate", "pause", "resume", "schedule", "wait",
};

const char *experiment_kind_name(enum exp_kind k)
{
	return xc_kind_names[k];
}

static void xc_add_name(struct exp_who *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->n_names; i++)
		if (strcmp(w->names[i], name) == 0)
			return;
	*MEM_PUSH(w->names, w->n_names) = mem_strdup(name);
}

static bool xc_vm_on_subnet(const struct virt_vm *vm, const char *subnet)
{
	size_t i;

	for (i = 0; i < vm->n_ifaces; i++)
		if (vm->ifaces[i].subnet_name && strcmp(vm->ifaces[i].subnet_name, subnet) == 0)
			return true;
	return false;
}

static void xc_vm_list(struct xc *x, struct exp_who *w, unsigned line, const char *el)
{
	char *copy = mem_strdup(w->vms), *n, *save = NULL;

	for (n = strtok_r(copy, " \t\n", &save); n; n = strtok_r(NULL, " \t\n", &save)) {
		if (env_virt_vm(x->v, n))
			xc_add_name(w, n);
		else
			diag_add(x->d, x->e->file, line, el, "vms: no vm '%s' in %s", n, x->v->file);
	}
	free(copy);
}

/* exactly one of vm, vms, subnet, match; expanded into w->names */
static void xc_who(struct xc *x, struct exp_who *w, unsigned line, const char *el)
{
	int given = !!w->vm + !!w->vms + !!w->subnet + !!w->match;
	size_t i;

	if (given != 1) {
		diag_add(x->d, x->e->file, line, el, "give exactly one of vm, vms, subnet, match "
			 "(%d given)", given);
		return;
	}
	if (w->vm && !env_virt_vm(x->v, w->vm))
		diag_add(x->d, x->e->file, line, el, "no vm '%s' in %s", w->vm, x->v->file);
	else if (w->vm)
		xc_add_name(w, w->vm);
	if (w->vms)
		xc_vm_list(x, w, line, el);
	if (w->subnet && !env_virt_subnet(x->v, w->subnet)) {
		diag_add(x->d, x->e->file, line, el, "no subnet '%s' in %s", w->subnet, x->v->file);
		return;
	}
	for (i = 0; i < x->v->n_vms; i++) {
		const struct virt_vm *vm = &x->v->vms[i];

		if ((w->subnet && xc_vm_on_subnet(vm, w->subnet)) ||
		    (w->match && fnmatch(w->match, vm->name, 0) == 0))
			xc_add_name(w, vm->name);
	}
	if ((w->subnet || w->match) && w->n_names == 0)
		diag_add(x->d, x->e->file, line, el, "%s '%s' names no vm", w->subnet ? "subnet" :
			 "match", w->subnet ? w->subnet : w->match);
}

/* the virtual environment's link between from and to (either way if symmetric) */
static const struct virt_link *xc_link(const struct virt_env *v, const char *from,
				       const char *to)
{
	size_t i;

	for (i = 0; i < v->n_links; i++) {
		const struct virt_link *l = &v->links[i];

		if (!l->from.name || !l->to.name)
			continue;
		if (strcmp(l->from.name, from) == 0 && strcmp(l->to.name, to) == 0)
			return l;
		if (l->symmetric && strcmp(l->from.name, to) == 0 && strcmp(l->to.name, from) == 0)
			return l;
	}
	return NULL;
}

static void xc_vm(struct xc *x, const char *vm, unsigned line, const char *el)
{
	if (vm && !env_virt_vm(x->v, vm))
		diag_add(x->d, x->e->file, line, el, "no vm '%s' in %s", vm, x->v->file);
}

static bool xc_named_before(const struct experiment *e, size_t upto, const char *name)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (e->events[i].kind == EXP_RUN && strcmp(e->events[i].name, name) == 0)
			return true;
	return false;
}

static void xc_event(struct xc *x, size_t i)
{
	struct exp_event *ev = &x->e->events[i];
	const char *el = xc_kind_names[ev->kind];

	if (i > 0 && !ev->bad && !x->e->events[i - 1].bad &&
	    ev->at_us < x->e->events[i - 1].at_us)
		diag_add(x->d, x->e->file, ev->line, el, "at %.3f s is before the previous "
			 "event's %.3f s", ev->at_us / 1e6, x->e->events[i - 1].at_us / 1e6);
	switch (ev->kind) {
	case EXP_RUN:
		xc_who(x, &ev->who, ev->line, el);
		if (xc_named_before(x->e, i, ev->name))
			diag_add(x->d, x->e->file, ev->line, el, "a command is already named '%s'",
				 ev->name);
		if (strcmp(ev->name, "background") == 0)
			diag_add(x->d, x->e->file, ev->line, el, "'background' is not a command name "
				 "(wait for=\"background\" means all of them)");
		break;
	case EXP_LINK:
	case EXP_FAIL:
	case EXP_RESTORE:
		if (!xc_link(x->v, ev->from, ev->to))
			diag_add(x->d, x->e->file, ev->line, el, "no link from '%s' to '%s' in %s",
				 ev->from, ev->to, x->v->file);
		if (ev->kind == EXP_LINK && ev->params.has == 0 && !ev->bad)
			diag_add(x->d, x->e->file, ev->line, el, "changes nothing (set bandwidth, "
				 "delay, jitter or loss)");
		break;
	case EXP_MIGRATE:
		xc_vm(x, ev->vm, ev->line, el);
		if (ev->host && !env_real_host(x->r, ev->host))
			diag_add(x->d, x->e->file, ev->line, el, "no host '%s' in %s", ev->host,
				 x->r->file);
		break;
	case EXP_SCHEDULE:
		if (!ev->has_weight && !ev->has_cap)
			diag_add(x->d, x->e->file, ev->line, el, "changes nothing (set weight or cap)");
		/* fall through */
	case EXP_PAUSE:
	case EXP_RESUME:
		xc_vm(x, ev->vm, ev->line, el);
		break;
	case EXP_WAIT:
		if (ev->wait == EXP_WAIT_COMMAND && !xc_named_before(x->e, i, ev->wait_for))
			diag_add(x->d, x->e->file, ev->line, el, "no command named '%s' before it",
				 ev->wait_for);
		break;
	}
}

static void xc_series(struct xc *x, const struct exp_series *s)
{
	const struct virt_vm *vm;

	if (s->obj <= EXP_OBJ_VIF_TX_DROPS || s->obj == EXP_OBJ_VM_CPU_TIME_MS) {
		vm = env_virt_vm(x->v, s->vm);
		if (!vm)
			diag_add(x->d, x->e->file, s->line, s->obj == EXP_OBJ_VM_CPU_TIME_MS ? "vm" :
				 "vif", "no vm '%s' in %s", s->vm, x->v->file);
		else if (s->obj != EXP_OBJ_VM_CPU_TIME_MS && s->iface > vm->n_ifaces)
			diag_add(x->d, x->e->file, s->line, "vif", "vm '%s' has %zu interface%s, "
				 "not %u", s->vm, vm->n_ifaces, vm->n_ifaces == 1 ? "" : "s", s->iface);
	} else if (!xc_link(x->v, s->from, s->to)) {
		diag_add(x->d, x->e->file, s->line, "shape", "no link from '%s' to '%s' in %s",
			 s->from, s->to, x->v->file);
	}
}

void experiment_check(struct experiment *e, const struct real_env *r,
		      const struct virt_env *v, struct diag *d)
{
	struct xc x = { e, r, v, d };
	size_t i;

	if (!e || !r || !v)
		return;
	for (i = 0; i < e->n_setup; i++)
		xc_who(&x, &e->setup[i].who, e->setup[i].line, "run");
	for (i = 0; i < e->n_events; i++)
		xc_event(&x, i);
	for (i = 0; i < e->n_series; i++)
		if (i == 0 || e->series[i].line != e->series[i - 1].line)
			xc_series(&x, &e->series[i]);
	for (i = 0; i < e->n_collect; i++) {
		xc_who(&x, &e->collect[i].who, e->collect[i].line, "collect");
		if (e->collect[i].path && e->collect[i].path[0] != '/')
			diag_add(d, e->file, e->collect[i].line, "collect", "path '%s' is not "
				 "absolute", e->collect[i].path);
	}
	diag_sort(d);
}

static void exp_who_release(struct exp_who *w)
{
	size_t i;

	free(w->vm);
	free(w->vms);
	free(w->subnet);
	free(w->match);
	for (i = 0; i < w->n_names; i++)
		free(w->names[i]);
	free(w->names);
}

static void exp_event_release(struct exp_event *ev)
{
	exp_who_release(&ev->who);
	free(ev->name);
	free(ev->text);
	free(ev->from);
	free(ev->to);
	free(ev->vm);
	free(ev->host);
	free(ev->wait_for);
}

void experiment_free(struct experiment *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->n_setup; i++) {
		exp_who_release(&e->setup[i].who);
		free(e->setup[i].text);
	}
	for (i = 0; i < e->n_events; i++)
		exp_event_release(&e->events[i]);
	for (i = 0; i < e->n_series; i++) {
		free(e->series[i].vm);
		free(e->series[i].from);
		free(e->series[i].to);
		free(e->series[i].label);
	}
	for (i = 0; i < e->n_collect; i++) {
		exp_who_release(&e->collect[i].who);
		free(e->collect[i].path);
	}
	free(e->setup);
	free(e->events);
	free(e->series);
	free(e->collect);
	free(e->file);
	free(e->name);
	free(e->real_file);
	free(e->virt_file);
	free(e);
}
