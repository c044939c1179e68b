/*
 * place.c - the placement policy described in place.h.  It decides hosts
 * and accounts for room; it builds no state and never talks to hosts (the
 * plan stage will compare with what hosts report).
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "mem.h"
#include "place.h"

void place_release(struct placement *p)
{
	if (!p)
		return;
	free(p->host);
	free(p->how);
	free(p->moved_from);
	free(p->room);
	memset(p, 0, sizeof(*p));
}

static const struct real_host *running_on(const struct real_env *r, const char *name)
{
	size_t i, j;

	for (i = 0; name && i < r->n_hosts; i++)
		for (j = 0; j < r->hosts[i].n_vms; j++)
			if (r->hosts[i].vms[j].name && strcmp(r->hosts[i].vms[j].name, name) == 0)
				return &r->hosts[i];
	return NULL;
}

static void init_room(const struct real_env *r, const struct virt_env *v,
		      struct placement *p)
{
	size_t i, j;

	p->n_hosts = r->n_hosts;
	p->room = mem_array(NULL, r->n_hosts, sizeof(*p->room));
	for (i = 0; i < r->n_hosts; i++) {
		const struct real_host *h = &r->hosts[i];
		struct place_room *room = &p->room[i];

		room->memory_mib = h->memory_mib > h->reserved_mib ? h->memory_mib - h->reserved_mib : 0;
		room->vcpus = (uint64_t)h->cpus * h->max_vcpus_per_cpu;
		room->memory_used_mib = room->vcpus_used = 0;
		/* VMs that are not ours take room and are left alone */
		for (j = 0; j < h->n_vms; j++) {
			if (env_virt_vm(v, h->vms[j].name))
				continue;
			room->memory_used_mib += h->vms[j].memory_mib;
			room->vcpus_used += h->vms[j].vcpus;
		}
	}
}

static uint64_t mem_left(const struct place_room *room)
{
	return room->memory_used_mib < room->memory_mib ? room->memory_mib - room->memory_used_mib : 0;
}

static uint64_t vcpus_left(const struct place_room *room)
{
	return room->vcpus_used < room->vcpus ? room->vcpus - room->vcpus_used : 0;
}

static bool fits(const struct place_room *room, const struct virt_vm *vm)
{
	return vm->memory_mib <= mem_left(room) && vm->vcpus <= vcpus_left(room);
}

static void assign(struct placement *p, size_t vm_index, size_t host, enum state_placed how,
		   const struct virt_vm *vm)
{
	p->host[vm_index] = host;
	p->how[vm_index] = how;
	p->room[host].memory_used_mib += vm->memory_mib;
	p->room[host].vcpus_used += vm->vcpus;
}

static size_t host_index(const struct real_env *r, const struct real_host *h)
{
	return (size_t)(h - r->hosts);
}

/* steps 1 and 2: pinned VMs, then VMs that stay where they run */
static void place_fixed(const struct real_env *r, const struct virt_env *v,
			struct placement *p, bool pinned, struct diag *d)
{
	const struct real_host *h, *run;
	size_t i, k;

	for (i = 0; i < v->n_vms; i++) {
		const struct virt_vm *vm = &v->vms[i];

		if (!vm->name || (vm->host != NULL) != pinned)
			continue;
		run = running_on(r, vm->name);
		h = pinned ? env_real_host(r, vm->host) : run;
		if (pinned && !h && r->n_hosts > 0) {
			diag_add(d, v->file, vm->line, "vm",
				 "host '%s' is not in the real environment", vm->host);
			continue;
		}
		if (!h)
			continue;
		k = host_index(r, h);
		/* a size that did not parse: the schema said so already */
		if (!fits(&p->room[k], vm) && !h->bad_size && !vm->bad_size) {
			diag_add(d, v->file, vm->line, "vm",
				 "host '%s'%s has no room for '%s' (it needs %u MiB and %u vCPU%s; "
				 "%llu MiB and %llu vCPUs are left)", h->name,
				 pinned ? "" : ", where it is running,", vm->name, vm->memory_mib,
				 vm->vcpus, vm->vcpus == 1 ? "" : "s",
				 (unsigned long long)mem_left(&p->room[k]),
				 (unsigned long long)vcpus_left(&p->room[k]));
			continue;
		}
		assign(p, i, k, pinned ? STATE_PLACED_PINNED : STATE_PLACED_RUNNING, vm);
		if (pinned && run && run != h)
			p->moved_from[i] = run->name;
	}
}

/* the real environment is broken (and says so): do not blame the VMs */
static bool sizes_unknown(const struct real_env *r)
{
	size_t k;

	for (k = 0; k < r->n_hosts; k++)
		if (r->hosts[k].bad_size)
			return true;
	return r->n_hosts == 0;
}

/* step 3: the host with the most free memory that has room; first on ties */
static void place_free(const struct real_env *r, const struct virt_env *v,
		       struct placement *p, struct diag *d)
{
	size_t i, k, best, most;

	for (i = 0; i < v->n_vms; i++) {
		const struct virt_vm *vm = &v->vms[i];

		if (!vm->name || vm->host || p->host[i] != PLACE_NONE || running_on(r, vm->name))
			continue;
		best = most = PLACE_NONE;
		for (k = 0; k < r->n_hosts; k++) {
			if (r->hosts[k].bad_size)
				continue;
			if (most == PLACE_NONE || mem_left(&p->room[k]) > mem_left(&p->room[most]))
				most = k;
			if (fits(&p->room[k], vm) &&
			    (best == PLACE_NONE || mem_left(&p->room[k]) > mem_left(&p->room[best])))
				best = k;
		}
		if (best != PLACE_NONE) {
			assign(p, i, best, STATE_PLACED_AUTO, vm);
			continue;
		}
		if (sizes_unknown(r) || vm->bad_size)
			continue;
		diag_add(d, v->file, vm->line, "vm",
			 "no host has room for '%s' (it needs %u MiB and %u vCPU%s; the most "
			 "memory left is %llu MiB, on '%s')", vm->name, vm->memory_mib, vm->vcpus,
			 vm->vcpus == 1 ? "" : "s",
			 (unsigned long long)mem_left(&p->room[most]), r->hosts[most].name);
	}
}

void place_vms(const struct real_env *r, const struct virt_env *v,
	       struct placement *out, struct diag *d)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->n_vms = v->n_vms;
	out->host = mem_array(NULL, v->n_vms, sizeof(*out->host));
	out->how = mem_array(NULL, v->n_vms, sizeof(*out->how));
	out->moved_from = mem_array(NULL, v->n_vms, sizeof(*out->moved_from));
	for (i = 0; i < v->n_vms; i++) {
		out->host[i] = PLACE_NONE;
		out->how[i] = STATE_PLACED_NONE;
		out->moved_from[i] = NULL;
	}
	init_room(r, v, out);
	place_fixed(r, v, out, true, d);
	place_fixed(r, v, out, false, d);
	place_free(r, v, out, d);
}
