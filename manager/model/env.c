/*
 * env.c - release and name lookup for the parsed scenario files (env.h).
 * Lookups are linear: scenario files hold tens to a few thousand elements
 * and are read once per command.
 */
#include <stdlib.h>
#include <string.h>

#include "env.h"

void env_real_free(struct real_env *r)
{
	size_t i, j;

	if (!r)
		return;
	for (i = 0; i < r->n_hosts; i++) {
		struct real_host *h = &r->hosts[i];

		free(h->name);
		free(h->address);
		free(h->snmp);
		free(h->libvirt);
		free(h->bridge);
		free(h->uplink);
		free(h->hypervisor);
		for (j = 0; j < h->n_vms; j++)
			free(h->vms[j].name);
		free(h->vms);
	}
	free(r->hosts);
	for (i = 0; i < r->n_switches; i++)
		free(r->switches[i].name);
	free(r->switches);
	for (i = 0; i < r->n_links; i++) {
		free(r->links[i].a);
		free(r->links[i].b);
	}
	free(r->links);
	free(r->file);
	free(r->name);
	keymap_release(&r->host_by_name);
	free(r);
}

static void vm_free(struct virt_vm *vm)
{
	size_t i;

	if (!vm)
		return;
	free(vm->name);
	free(vm->image);
	free(vm->host);
	for (i = 0; i < vm->n_ifaces; i++) {
		free(vm->ifaces[i].subnet_name);
		free(vm->ifaces[i].routes);
	}
	free(vm->ifaces);
}

void env_virt_free(struct virt_env *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n_subnets; i++)
		free(v->subnets[i].name);
	free(v->subnets);
	for (i = 0; i < v->n_vms; i++)
		vm_free(&v->vms[i]);
	free(v->vms);
	for (i = 0; i < v->n_links; i++) {
		free(v->links[i].name);
		free(v->links[i].from.name);
		free(v->links[i].to.name);
	}
	free(v->links);
	for (i = 0; i < v->n_rules; i++) {
		free(v->rules[i].element);
		free(v->rules[i].from.name);
		free(v->rules[i].to.name);
	}
	free(v->rules);
	free(v->file);
	free(v->name);
	keymap_release(&v->vm_by_name);
	keymap_release(&v->subnet_by_name);
	free(v);
}

void env_real_index(struct real_env *r)
{
	size_t i;

	keymap_release(&r->host_by_name);
	for (i = 0; i < r->n_hosts; i++)
		keymap_put_str(&r->host_by_name, r->hosts[i].name, &r->hosts[i]);
}

void env_virt_index(struct virt_env *v)
{
	size_t i;

	keymap_release(&v->vm_by_name);
	keymap_release(&v->subnet_by_name);
	for (i = 0; i < v->n_vms; i++)
		keymap_put_str(&v->vm_by_name, v->vms[i].name, &v->vms[i]);
	for (i = 0; i < v->n_subnets; i++)
		keymap_put_str(&v->subnet_by_name, v->subnets[i].name, &v->subnets[i]);
}

const struct real_host *env_real_host(const struct real_env *r, const char *name)
{
	size_t i;

	if (r->host_by_name.cap)
		return keymap_get_str(&r->host_by_name, name);
	for (i = 0; name && i < r->n_hosts; i++)
		if (r->hosts[i].name && strcmp(r->hosts[i].name, name) == 0)
			return &r->hosts[i];
	return NULL;
}

const struct virt_vm *env_virt_vm(const struct virt_env *v, const char *name)
{
	size_t i;

	if (v->vm_by_name.cap)
		return keymap_get_str(&v->vm_by_name, name);
	for (i = 0; name && i < v->n_vms; i++)
		if (v->vms[i].name && strcmp(v->vms[i].name, name) == 0)
			return &v->vms[i];
	return NULL;
}

const struct virt_subnet *env_virt_subnet(const struct virt_env *v, const char *name)
{
	size_t i;

	if (v->subnet_by_name.cap)
		return keymap_get_str(&v->subnet_by_name, name);
	for (i = 0; name && i < v->n_subnets; i++)
		if (v->subnets[i].name && strcmp(v->subnets[i].name, name) == 0)
			return &v->subnets[i];
	return NULL;
}
