/*
 * vmplan.c - run a SET's libvirt steps in the control thread, with their
 * undo (vmplan.h).
 *
 * The plan is plain data built in the loop thread (vmrows.c); while a
 * phase runs, only the control thread touches it, and the loop thread
 * either waits for it or has given it away (an abandoned job reverts
 * itself, applies its results and frees the plan).  Every libvirt call
 * goes through struct virt_ops, so the unit tests run the same code on a
 * recording fake.
 */
#include <libvirt/libvirt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_thread.h"
#include "log.h"
#include "vmplan.h"

enum vp_phase { VP_PHASE_ACTION, VP_PHASE_UNDO, VP_PHASE_COMMIT };

struct vp_job {
	struct ctl_job cj;
	struct vmplan *p;
	enum vp_phase phase;
	unsigned long turn;   /* VP_PHASE_COMMIT: its place in the queue */
};

/*
 * COMMIT phases run on threads of their own (ctl_spawn), so that a slow
 * start holds up neither the event loop nor the next PDU's ACTION on the
 * control thread; they take turns in the order of their PDUs (a ticket
 * each, drawn in the loop thread), so a PDU's power-off and a later
 * PDU's start of the same VM happen in that order.
 */
static pthread_mutex_t vp_turn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t vp_turn_cond = PTHREAD_COND_INITIALIZER;
static unsigned long vp_turn_next, vp_turn_serving;

static void vp_turn_wait(unsigned long turn)
{
	pthread_mutex_lock(&vp_turn_lock);
	while (vp_turn_serving != turn)
		pthread_cond_wait(&vp_turn_cond, &vp_turn_lock);
	pthread_mutex_unlock(&vp_turn_lock);
}

static void vp_turn_end(void)
{
	pthread_mutex_lock(&vp_turn_lock);
	vp_turn_serving++;
	pthread_cond_broadcast(&vp_turn_cond);
	pthread_mutex_unlock(&vp_turn_lock);
}

static const char *const vp_names[] = {
	[VP_DEFINE] = "define",       [VP_START] = "start",
	[VP_START_PAUSED] = "start-paused", [VP_SUSPEND] = "suspend",
	[VP_RESUME] = "resume",       [VP_META] = "metadata",
	[VP_SCHED] = "scheduler",     [VP_REDEFINE] = "redefine",
	[VP_UNDEFINE] = "undefine",   [VP_ATTACH] = "attach",
	[VP_POWEROFF] = "power-off",  [VP_SHUTDOWN] = "shutdown",
	[VP_DETACH] = "detach",
};

const char *vmplan_kind_name(enum vp_kind kind)
{
	return vp_names[kind];
}

bool vmplan_is_commit(enum vp_kind kind)
{
	return kind == VP_POWEROFF || kind == VP_SHUTDOWN || kind == VP_DETACH ||
	       kind == VP_START || kind == VP_START_PAUSED;
}

struct vmplan *vmplan_new(vmplan_apply_fn apply, void *opaque)
{
	struct vmplan *p = calloc(1, sizeof(*p));

	if (p) {
		p->failed = -1;
		p->apply = apply;
		p->apply_opaque = opaque;
	}
	return p;
}

void vmplan_free(struct vmplan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_steps; i++) {
		free(p->steps[i].xml);
		free(p->steps[i].cmdline);
		free(p->steps[i].saved);
	}
	for (i = 0; i < p->n_targets; i++)
		vm_free(p->targets[i].snap);
	free(p->steps);
	free(p->targets);
	free(p);
}

size_t vmplan_target(struct vmplan *p, const unsigned char *uuid, const char *name,
		     int32_t index)
{
	struct vp_target *nt;
	size_t i;

	for (i = 0; uuid && i < p->n_targets; i++)
		if (vm_uuid_cmp(p->targets[i].uuid, uuid) == 0)
			return i;
	if (p->n_targets == p->cap_targets) {
		p->cap_targets = p->cap_targets ? p->cap_targets * 2 : 4;
		nt = realloc(p->targets, p->cap_targets * sizeof(*nt));
		if (!nt)
			abort(); /* out of memory while planning: nothing to save */
		p->targets = nt;
	}
	nt = &p->targets[p->n_targets];
	memset(nt, 0, sizeof(*nt));
	if (uuid)
		memcpy(nt->uuid, uuid, VM_UUID_LEN);
	snprintf(nt->name, sizeof(nt->name), "%s", name ? name : "");
	nt->index = index;
	nt->lookup_rc = -1;
	return p->n_targets++;
}

struct vp_step *vmplan_add(struct vmplan *p, enum vp_kind kind, size_t target, int item)
{
	struct vp_step *ns;

	if (p->n_steps == p->cap_steps) {
		p->cap_steps = p->cap_steps ? p->cap_steps * 2 : 8;
		ns = realloc(p->steps, p->cap_steps * sizeof(*ns));
		if (!ns)
			abort();
		p->steps = ns;
	}
	ns = &p->steps[p->n_steps++];
	memset(ns, 0, sizeof(*ns));
	ns->kind = kind;
	ns->target = target;
	ns->item = item;
	return ns;
}

bool vmplan_has(const struct vmplan *p, bool commit_steps)
{
	size_t i;

	for (i = 0; p && i < p->n_steps; i++)
		if (vmplan_is_commit(p->steps[i].kind) == commit_steps)
			return true;
	return false;
}

/* --- control thread: the steps ------------------------------------------------- */

struct vp_env {
	const struct virt_ops *ops;
	void *conn;
};

/* the PCI slot of a hot-plugged interface: after every slot in use in the
 * live and the persistent definition, so the guest names it last */
static int vp_slot(const struct vp_env *e, struct vp_target *t, char *err, size_t errlen)
{
	char *xml = NULL, ignore[256];
	int max = 0, s;
	bool inactive;

	if (t->pci_slot > 0)
		return t->pci_slot;
	for (inactive = false;; inactive = true) {
		if (e->ops->get_xml(e->conn, t->uuid, inactive, &xml, ignore, sizeof(ignore)) == 0) {
			s = domgen_max_pci_slot(xml);
			if (s > max)
				max = s;
		}
		free(xml);
		xml = NULL;
		if (inactive)
			break;
	}
	if (max >= 31) {
		snprintf(err, errlen, "domain %.200s: no free PCI slot for another interface",
			 t->name);
		return -1;
	}
	t->pci_slot = max + 1;
	return t->pci_slot;
}

static int vp_meta(const struct vp_env *e, struct vp_target *t, struct vp_step *s)
{
	struct domgen_meta_edit m = s->meta;
	char *fresh;
	int rc;

	rc = e->ops->get_meta(e->conn, t->uuid, VM_META_URI, &s->saved, s->err, sizeof(s->err));
	if (rc == 1)
		snprintf(s->err, sizeof(s->err), "domain %.200s no longer exists", t->name);
	if (rc != 0)
		return -1;
	m.add_vif = s->vif_add ? &s->vif : NULL;
	fresh = domgen_meta_edit(s->saved, t->index, &m, s->err, sizeof(s->err));
	if (!fresh)
		return -1;
	rc = e->ops->set_meta(e->conn, t->uuid, VM_META_URI, VM_META_PREFIX, fresh, s->err,
			      sizeof(s->err));
	free(fresh);
	return rc == 0 ? 0 : -1;
}

static int vp_redefine(const struct vp_env *e, struct vp_target *t, struct vp_step *s)
{
	struct domgen_edit ed = s->edit;
	unsigned char uuid[VM_UUID_LEN];
	char *iface = NULL, *fresh = NULL;
	int slot, rc = -1;

	if (e->ops->get_xml(e->conn, t->uuid, true, &s->saved, s->err, sizeof(s->err)) < 0)
		return -1;
	ed.cmdline = s->cmdline;
	if (s->vif_add) {
		slot = vp_slot(e, t, s->err, sizeof(s->err));
		if (slot < 0 || !(iface = domgen_iface(&s->vif, slot)))
			goto out;
		ed.add_iface = iface;
	}
	fresh = domgen_edit(s->saved, &ed, s->err, sizeof(s->err));
	if (fresh)
		rc = e->ops->define(e->conn, fresh, uuid, s->err, sizeof(s->err));
out:
	free(iface);
	free(fresh);
	return rc;
}

static int vp_attach(const struct vp_env *e, struct vp_target *t, struct vp_step *s)
{
	int slot = vp_slot(e, t, s->err, sizeof(s->err)), rc;
	char *iface;

	if (slot < 0 || !(iface = domgen_iface(&s->vif, slot)))
		return -1;
	rc = e->ops->attach(e->conn, t->uuid, iface, VIRT_WHERE_LIVE, s->err, sizeof(s->err));
	free(iface);
	return rc;
}

static int vp_power(const struct vp_env *e, struct vp_target *t, enum virt_power op,
		    char *err, size_t errlen)
{
	return e->ops->power(e->conn, t->uuid, op, err, errlen);
}

static int vp_do(const struct vp_env *e, struct vmplan *p, struct vp_step *s)
{
	struct vp_target *t = &p->targets[s->target];
	unsigned char uuid[VM_UUID_LEN];
	size_t k;

	switch (s->kind) {
	case VP_DEFINE:
		return e->ops->define(e->conn, s->xml, uuid, s->err, sizeof(s->err));
	case VP_START:
		return vp_power(e, t, VIRT_POWER_START, s->err, sizeof(s->err));
	case VP_START_PAUSED:
		return vp_power(e, t, VIRT_POWER_START_PAUSED, s->err, sizeof(s->err));
	case VP_SUSPEND:
		return vp_power(e, t, VIRT_POWER_SUSPEND, s->err, sizeof(s->err));
	case VP_RESUME:
		return vp_power(e, t, VIRT_POWER_RESUME, s->err, sizeof(s->err));
	case VP_META:
		return vp_meta(e, t, s);
	case VP_SCHED:
		s->saved_sched.n = s->sched.n;
		for (k = 0; k < s->sched.n; k++)
			s->saved_sched.p[k] = s->sched.p[k];
		if (e->ops->sched_get(e->conn, t->uuid, &s->saved_sched, s->err,
				      sizeof(s->err)) < 0)
			return -1;
		return e->ops->sched_set(e->conn, t->uuid, &s->sched, s->err, sizeof(s->err));
	case VP_REDEFINE:
		return vp_redefine(e, t, s);
	case VP_UNDEFINE:
		if (e->ops->get_xml(e->conn, t->uuid, true, &s->saved, s->err, sizeof(s->err)) < 0)
			return -1;
		return e->ops->undefine(e->conn, t->uuid, s->err, sizeof(s->err));
	case VP_ATTACH:
		return vp_attach(e, t, s);
	case VP_POWEROFF:
		return vp_power(e, t, VIRT_POWER_DESTROY, s->err, sizeof(s->err));
	case VP_SHUTDOWN:
		return vp_power(e, t, VIRT_POWER_SHUTDOWN, s->err, sizeof(s->err));
	case VP_DETACH:
		return e->ops->detach_mac(e->conn, t->uuid, s->mac, s->err, sizeof(s->err));
	}
	return -1;
}

static int vp_undo(const struct vp_env *e, struct vmplan *p, struct vp_step *s, char *err,
		   size_t errlen)
{
	struct vp_target *t = &p->targets[s->target];
	unsigned char uuid[VM_UUID_LEN];
	char ignore[256];

	switch (s->kind) {
	case VP_DEFINE:
		if (e->ops->undefine(e->conn, t->uuid, err, errlen) == 0)
			return 0;
		/* still running (its start's undo failed): power off first */
		vp_power(e, t, VIRT_POWER_DESTROY, ignore, sizeof(ignore));
		return e->ops->undefine(e->conn, t->uuid, err, errlen);
	case VP_START:
	case VP_START_PAUSED:
		return vp_power(e, t, VIRT_POWER_DESTROY, err, errlen);
	case VP_SUSPEND:
		return vp_power(e, t, VIRT_POWER_RESUME, err, errlen);
	case VP_RESUME:
		return vp_power(e, t, VIRT_POWER_SUSPEND, err, errlen);
	case VP_META:
		return e->ops->set_meta(e->conn, t->uuid, VM_META_URI, VM_META_PREFIX, s->saved,
					err, errlen) == 0 ? 0 : -1;
	case VP_SCHED:
		return e->ops->sched_set(e->conn, t->uuid, &s->saved_sched, err, errlen);
	case VP_REDEFINE:
	case VP_UNDEFINE:
		return e->ops->define(e->conn, s->saved, uuid, err, errlen);
	case VP_ATTACH:
		return e->ops->detach_mac(e->conn, t->uuid, s->vif.mac, err, errlen);
	default:
		return 0; /* COMMIT steps are never undone */
	}
}

static void vp_undo_all(const struct vp_env *e, struct vmplan *p)
{
	char err[256];
	size_t i;

	for (i = p->n_steps; i-- > 0;) {
		struct vp_step *s = &p->steps[i];

		if (!s->done || vmplan_is_commit(s->kind))
			continue;
		if (vp_undo(e, p, s, err, sizeof(err)) < 0)
			log_msg(LOG_ERR, "virt", "undoing %s of %s failed: %s",
				vp_names[s->kind], p->targets[s->target].name, err);
		else
			log_msg(LOG_DEBUG, "virt", "undid %s of %s", vp_names[s->kind],
				p->targets[s->target].name);
		s->done = false;
	}
}

/*
 * A suspend or resume is planned from the cache, which can be a step
 * behind libvirt (a lifecycle event not yet read). When the domain is
 * already where the step aims, the step is not done (so never undone)
 * and the SET succeeds: the VM is in the asked state.
 */
static bool vp_already_there(const struct vp_env *e, const struct vmplan *p,
			     const struct vp_step *s)
{
	const struct vp_target *t = &p->targets[s->target];
	struct vm *now = NULL;
	char err[256];
	int state;

	if (s->kind != VP_SUSPEND && s->kind != VP_RESUME)
		return false;
	if (e->ops->lookup(e->conn, t->uuid, &now, err, sizeof(err)) != 0)
		return false;
	state = now->state;
	vm_free(now);
	if (s->kind == VP_SUSPEND)
		return state == VIR_DOMAIN_PAUSED;
	return state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED;
}

static void vp_action(const struct vp_env *e, struct vmplan *p)
{
	size_t i;

	for (i = 0; i < p->n_steps; i++) {
		struct vp_step *s = &p->steps[i];

		if (vmplan_is_commit(s->kind))
			continue;
		if (vp_already_there(e, p, s)) {
			log_msg(LOG_INFO, "virt", "%s of %s: already %s", vp_names[s->kind],
				p->targets[s->target].name,
				s->kind == VP_SUSPEND ? "paused" : "running");
			continue;
		}
		if (vp_do(e, p, s) < 0) {
			p->failed = (int)i;
			snprintf(p->err, sizeof(p->err), "%s", s->err);
			log_msg(LOG_WARNING, "virt", "%s of %s failed: %s; undoing the SET",
				vp_names[s->kind], p->targets[s->target].name, s->err);
			vp_undo_all(e, p);
			return;
		}
		s->done = true;
		log_msg(LOG_DEBUG, "virt", "%s of %s done", vp_names[s->kind],
			p->targets[s->target].name);
	}
}

/*
 * A COMMIT step aims at a state (running, paused, off) and is planned
 * from the cache, which a COMMIT still running for an earlier PDU may be
 * about to change (a start in progress when the next PDU pauses the VM).
 * So the domain is read first and the step does what is left to reach
 * its aim: nothing if the domain is there already, suspend or resume
 * instead of a start when it is already active.
 */
static int vp_commit_step(const struct vp_env *e, struct vmplan *p, struct vp_step *s)
{
	struct vp_target *t = &p->targets[s->target];
	struct vm *now = NULL;
	char err[256];
	int state = -1;
	bool active = false;

	if (s->kind != VP_DETACH && e->ops->lookup(e->conn, t->uuid, &now, err, sizeof(err)) == 0) {
		state = now->state;
		active = vm_is_active(now);
		vm_free(now);
	}
	if (state < 0)
		return vp_do(e, p, s);   /* unknown: as planned */
	switch (s->kind) {
	case VP_START:
		if (state == VIR_DOMAIN_PAUSED)
			return vp_power(e, t, VIRT_POWER_RESUME, s->err, sizeof(s->err));
		return active ? 0 : vp_do(e, p, s);
	case VP_START_PAUSED:
		if (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED)
			return vp_power(e, t, VIRT_POWER_SUSPEND, s->err, sizeof(s->err));
		return active ? 0 : vp_do(e, p, s);
	case VP_POWEROFF:
	case VP_SHUTDOWN:
		return active ? vp_do(e, p, s) : 0;
	default:
		return vp_do(e, p, s);
	}
}

static void vp_commit(const struct vp_env *e, struct vmplan *p)
{
	size_t i;

	for (i = 0; i < p->n_steps; i++) {
		struct vp_step *s = &p->steps[i];

		if (!vmplan_is_commit(s->kind))
			continue;
		if (vp_commit_step(e, p, s) < 0)
			continue;   /* s->err: logged by the apply (loop thread) */
		s->done = true;
	}
}

/* COMMIT steps that could not even be tried: their reason, for LastError */
static void vp_commit_unreachable(struct vmplan *p, const char *why)
{
	size_t i;

	for (i = 0; i < p->n_steps; i++) {
		struct vp_step *s = &p->steps[i];

		if (vmplan_is_commit(s->kind) && !s->done)
			snprintf(s->err, sizeof(s->err), "libvirt: %s", why);
	}
}

static void vp_lookups(const struct vp_env *e, struct vmplan *p)
{
	char err[256];
	size_t i;

	for (i = 0; i < p->n_targets; i++) {
		struct vp_target *t = &p->targets[i];

		vm_free(t->snap);
		t->snap = NULL;
		t->lookup_rc = e->ops->lookup(e->conn, t->uuid, &t->snap, err, sizeof(err));
	}
}

static void vp_job_run(struct ctl_job *cj, const struct virt_ops *ops, void *conn,
		       const char *err)
{
	struct vp_job *j = (struct vp_job *)cj;
	struct vp_env e = {ops, conn};
	struct vmplan *p = j->p;

	if (!conn) {
		if (j->phase == VP_PHASE_ACTION) {
			p->failed = (int)p->n_steps;
			snprintf(p->err, sizeof(p->err), "libvirt: %s", err);
		} else if (j->phase == VP_PHASE_COMMIT) {
			/* its turn is taken and given up, or the COMMITs of
			 * later PDUs would wait for it for ever */
			vp_turn_wait(j->turn);
			vp_commit_unreachable(p, err);
			vp_turn_end();
		}
		return;
	}
	if (j->phase == VP_PHASE_ACTION) {
		vp_action(&e, p);
	} else if (j->phase == VP_PHASE_UNDO) {
		vp_undo_all(&e, p);
	} else {
		vp_turn_wait(j->turn);
		vp_commit(&e, p);
		vp_lookups(&e, p);
		vp_turn_end();
		return;
	}
	vp_lookups(&e, p);
}

/* an ACTION whose caller gave up: the SET has failed, so a late success
 * is undone */
static void vp_job_revert(struct ctl_job *cj, const struct virt_ops *ops, void *conn)
{
	struct vp_job *j = (struct vp_job *)cj;
	struct vp_env e = {ops, conn};

	if (j->phase != VP_PHASE_ACTION || j->p->failed >= 0 || !conn)
		return;
	log_msg(LOG_WARNING, "virt", "undoing a SET that libvirt completed too late");
	vp_undo_all(&e, j->p);
	vp_lookups(&e, j->p);
}

/* --- domains with a start or power-off under way (loop thread) ------------------------ */

static struct vp_pending {
	unsigned char uuid[VM_UUID_LEN];
	unsigned int n;
} *vp_pend;
static size_t vp_n_pend;

static bool vp_is_power(enum vp_kind kind)
{
	return kind == VP_START || kind == VP_START_PAUSED || kind == VP_POWEROFF ||
	       kind == VP_SHUTDOWN;
}

static void vp_pending_add(const unsigned char *uuid, int delta)
{
	struct vp_pending *np;
	size_t i;

	for (i = 0; i < vp_n_pend; i++)
		if (memcmp(vp_pend[i].uuid, uuid, VM_UUID_LEN) == 0)
			break;
	if (i == vp_n_pend) {
		if (delta < 0)
			return;
		np = realloc(vp_pend, (vp_n_pend + 1) * sizeof(*np));
		if (!np)
			return;   /* not counted: the checks it feeds are only advice */
		vp_pend = np;
		memcpy(vp_pend[i].uuid, uuid, VM_UUID_LEN);
		vp_pend[i].n = 0;
		vp_n_pend++;
	}
	if (delta > 0) {
		vp_pend[i].n++;
	} else if (--vp_pend[i].n == 0) {
		vp_pend[i] = vp_pend[--vp_n_pend];
		if (vp_n_pend == 0) {
			free(vp_pend);
			vp_pend = NULL;
		}
	}
}

/* each target with a power step in p, once */
static void vp_pending_plan(const struct vmplan *p, int delta)
{
	size_t t, k;

	for (t = 0; t < p->n_targets; t++)
		for (k = 0; k < p->n_steps; k++)
			if (p->steps[k].target == t && vp_is_power(p->steps[k].kind)) {
				vp_pending_add(p->targets[t].uuid, delta);
				break;
			}
}

bool vmplan_power_pending(const unsigned char *uuid)
{
	size_t i;

	for (i = 0; i < vp_n_pend; i++)
		if (memcmp(vp_pend[i].uuid, uuid, VM_UUID_LEN) == 0)
			return true;
	return false;
}

static void vp_job_done(struct ctl_job *cj, bool cancelled)
{
	struct vp_job *j = (struct vp_job *)cj;

	if (j->phase == VP_PHASE_COMMIT)
		vp_pending_plan(j->p, -1);
	if (!cancelled && j->p->apply)
		j->p->apply(j->p->apply_opaque, j->p);
	vmplan_free(j->p);
	free(j);
}

static int vp_phase(struct vmplan **pp, enum vp_phase phase, unsigned int timeout_ms)
{
	struct vp_job *j = calloc(1, sizeof(*j));
	struct vmplan *p = *pp;

	if (!j) {
		snprintf(p->err, sizeof(p->err), "out of memory");
		return -1;
	}
	j->cj.run = vp_job_run;
	j->cj.revert = vp_job_revert;
	j->cj.done = vp_job_done;
	j->p = p;
	j->phase = phase;
	p->timed_out = false;
	if (ctl_call(&j->cj, timeout_ms) < 0) {
		/* the job owns the plan now */
		log_msg(LOG_WARNING, "virt", "libvirt did not answer within %u ms", timeout_ms);
		*pp = NULL;
		return -1;
	}
	free(j);
	if (p->apply)
		p->apply(p->apply_opaque, p);
	return 0;
}

int vmplan_action(struct vmplan **pp, unsigned int timeout_ms)
{
	if (!vmplan_has(*pp, false))
		return 0;
	if (vp_phase(pp, VP_PHASE_ACTION, timeout_ms) < 0)
		return -1;
	return (*pp)->failed >= 0 ? -1 : 0;
}

void vmplan_undo(struct vmplan **pp, unsigned int timeout_ms)
{
	size_t i;
	bool any = false;

	for (i = 0; *pp && i < (*pp)->n_steps; i++)
		any |= (*pp)->steps[i].done && !vmplan_is_commit((*pp)->steps[i].kind);
	if (any)
		vp_phase(pp, VP_PHASE_UNDO, timeout_ms);
}

/* a COMMIT that cannot be run at all: its failure, as a run would report it */
static void vp_commit_not_run(struct vmplan *p, const char *why)
{
	vp_commit_unreachable(p, why);
	log_msg(LOG_ERR, "virt", "COMMIT of a SET not run: %s", why);
	if (p->apply)
		p->apply(p->apply_opaque, p);
}

void vmplan_commit(struct vmplan **pp)
{
	struct vp_job *j;
	struct vmplan *p = *pp;

	if (!vmplan_has(p, true))
		return;
	j = calloc(1, sizeof(*j));
	if (!j) {
		vp_commit_not_run(p, "out of memory");
		return;
	}
	j->cj.run = vp_job_run;
	j->cj.done = vp_job_done;
	j->p = p;
	j->phase = VP_PHASE_COMMIT;
	pthread_mutex_lock(&vp_turn_lock);
	j->turn = vp_turn_next++;
	pthread_mutex_unlock(&vp_turn_lock);
	vp_pending_plan(p, +1);
	if (ctl_spawn(&j->cj) < 0) {
		vp_pending_plan(p, -1);
		/* no thread (vmibd stops, or none can be made): no later
		 * ticket was drawn, so this one is given back */
		pthread_mutex_lock(&vp_turn_lock);
		vp_turn_next--;
		pthread_mutex_unlock(&vp_turn_lock);
		vp_commit_not_run(p, "no thread to run it on");
		free(j);
		return;
	}
	*pp = NULL;   /* the job owns the plan: vp_job_done applies and frees it */
}
