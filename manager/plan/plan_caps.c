/*
 * plan_caps.c - what a host cannot do of what the plan asks (see
 * plan_caps.h): the NetEm parameters of shape rows going to a host whose
 * vmibHostCapabilities has no netem bit, and VMs with less memory than
 * their image's vmibImageMinMemoryKBytes.  It reads both states and adds
 * warnings to the plan; it changes no item (the agent applies what the
 * host can and reports the rest, vmibShapeOperStatus unsupported).
 */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "plan_caps.h"
#include "vmib_oids.h"

static bool is_netem(enum shape_field f)
{
	return f == SHAPE_DELAY || f == SHAPE_JITTER || f == SHAPE_LOSS || f == SHAPE_DUPLICATE ||
	       f == SHAPE_CORRUPT || f == SHAPE_REORDER;
}

/* "delay 10ms, loss 1%", or NULL when the row has no NetEm parameter */
static char *netem_text(const struct shape_params *p)
{
	char *s = NULL, *t, v[64];
	int f;

	for (f = 0; f < SHAPE_N_FIELDS; f++) {
		if (!is_netem(f) || !shape_has(p, f) || shape_get(p, f) == 0)
			continue;
		units_format(shape_fields[f].kind, shape_get(p, f), v, sizeof(v));
		t = mem_printf("%s%s%s %s", s ? s : "", s ? ", " : "", shape_fields[f].label, v);
		free(s);
		s = t;
	}
	return s;
}

static bool warned(const struct plan *p, size_t from, const char *prefix)
{
	size_t i;

	for (i = from; i < p->n_warnings; i++)
		if (strncmp(p->warnings[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

/* one warning per host and link (shape row name), however many VMs get it */
static void host_warnings(const struct state_host *want, struct plan *p)
{
	size_t m, f, k, first = p->n_warnings;
	char *prefix, *what;

	for (m = 0; m < want->n_vms; m++) {
		for (f = 0; f < want->vms[m].n_vifs; f++) {
			for (k = 0; k < want->vms[m].vifs[f].n_shapes; k++) {
				const struct state_shape *s = &want->vms[m].vifs[f].shapes[k];

				what = netem_text(&s->p);
				prefix = mem_printf("%s: link '%s':", want->name, s->name);
				if (what && !warned(p, first, prefix))
					*MEM_PUSH(p->warnings, p->n_warnings) = mem_printf(
						"%s %s not applied, the host has no sch_netem "
						"(vmibHostCapabilities); %s", prefix, what,
						shape_has(&s->p, SHAPE_RATE) || shape_has(&s->p, SHAPE_LIMIT)
							? "the rest of the row is" : "nothing else to apply");
				free(prefix);
				free(what);
			}
		}
	}
}

/* a VM the plan creates with less memory than its image declares it needs */
static void image_warnings(const struct plan_host *ph, struct plan *p)
{
	const struct state_host_oper *o = &ph->have->oper;
	size_t i, k;

	for (i = 0; i < ph->n_items; i++) {
		const struct plan_item *it = &ph->items[i];
		const struct state_vm *vm = it->want_vm;

		if (it->obj != PLAN_VM || !vm || !vm->image ||
		    (it->op != PLAN_CREATE && it->op != PLAN_REPLACE && it->op != PLAN_CHANGE))
			continue;
		for (k = 0; k < o->n_images; k++) {
			const struct state_image *img = &o->images[k];

			if (img->name && strcmp(img->name, vm->image) == 0 &&
			    vm->memory_kib < img->min_memory_kib)
				*MEM_PUSH(p->warnings, p->n_warnings) = mem_printf(
					"%s: vm '%s': memory %llu MiB is below the %llu MiB image '%s' "
					"needs (vmibImageMinMemoryKBytes); the agent will refuse it",
					ph->want->name, vm->name,
					(unsigned long long)(vm->memory_kib / 1024),
					(unsigned long long)(img->min_memory_kib / 1024), img->name);
		}
	}
}

void plan_caps_warn(const struct state *want, const struct state *have, struct plan *p)
{
	size_t h;

	for (h = 0; h < want->n_hosts && h < have->n_hosts; h++) {
		const struct state_host_oper *o = &have->hosts[h].oper;

		if (p->mode != PLAN_APPLY || !o->read)
			continue;
		if (o->has_caps && !(o->caps & (1u << VMIB_BIT_vmibHostCapabilities_netem)))
			host_warnings(&want->hosts[h], p);
		if (h < p->n_hosts && p->hosts[h].want)
			image_warnings(&p->hosts[h], p);
	}
}
