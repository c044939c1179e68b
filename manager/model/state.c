/*
 * state.c - lookups, names and release for struct state (see state.h).
 * Pure data handling: no I/O.
 */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "state.h"

static void vif_release(struct state_vif *v)
{
	size_t i;

	free(v->subnet);
	free(v->bridge);
	free(v->mac);
	free(v->device);
	free(v->routes);
	free(v->oper.routes_text);
	for (i = 0; i < v->n_shapes; i++) {
		free(v->shapes[i].name);
		free(v->shapes[i].oper.last_error);
	}
	free(v->shapes);
}

static void vm_release(struct state_vm *vm)
{
	size_t i;

	free(vm->name);
	free(vm->image);
	free(vm->moved_from);
	free(vm->oper.uuid);
	free(vm->oper.migrate_target);
	free(vm->oper.last_error);
	for (i = 0; i < vm->n_vifs; i++)
		vif_release(&vm->vifs[i]);
	free(vm->vifs);
}

static void host_release(struct state_host *h)
{
	size_t i;

	free(h->name);
	free(h->address);
	free(h->snmp);
	free(h->libvirt);
	free(h->bridge);
	free(h->oper.error);
	free(h->oper.hostname);
	free(h->oper.hypervisor);
	free(h->oper.hypervisor_version);
	free(h->oper.libvirt_uri);
	free(h->oper.last_error);
	for (i = 0; i < h->oper.n_images; i++)
		free(h->oper.images[i].name);
	free(h->oper.images);
	for (i = 0; i < h->n_vms; i++)
		vm_release(&h->vms[i]);
	free(h->vms);
	for (i = 0; i < h->n_subnets; i++)
		free(h->subnets[i].name);
	free(h->subnets);
	for (i = 0; i < h->n_rules; i++) {
		free(h->rules[i].name);
		free(h->rules[i].oper.last_error);
	}
	free(h->rules);
}

void state_release(struct state *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_hosts; i++)
		host_release(&s->hosts[i]);
	free(s->hosts);
	memset(s, 0, sizeof(*s));
}

struct state_host *state_find_host(const struct state *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_hosts; i++)
		if (strcmp(s->hosts[i].name, name) == 0)
			return &s->hosts[i];
	return NULL;
}

struct state_vm *state_find_vm(const struct state_host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->n_vms; i++)
		if (strcmp(h->vms[i].name, name) == 0)
			return &h->vms[i];
	return NULL;
}

struct state_shape *state_find_shape(const struct state_vif *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->n_shapes; i++)
		if (strcmp(v->shapes[i].name, name) == 0)
			return &v->shapes[i];
	return NULL;
}

char *state_routes_format(const struct state_vif *v)
{
	char dst[IP4_PREFIX_STRLEN], via[IP4_STRLEN];
	char *s = mem_strdup(""), *t;
	size_t i;

	for (i = 0; i < v->n_routes; i++) {
		const struct state_route *r = &v->routes[i];

		ip4_format_prefix(&r->dst, dst);
		t = mem_printf("%s%s%s%s%s", s, i ? ";" : "", dst, r->has_via ? "," : "",
			       r->has_via ? ip4_format(r->via, via) : "");
		free(s);
		s = t;
	}
	return s;
}

static int parse_route(const char *text, size_t len, struct state_route *r)
{
	char buf[64];
	char *comma;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	comma = strchr(buf, ',');
	if (comma)
		*comma++ = '\0';
	memset(r, 0, sizeof(*r));
	if (ip4_parse_prefix(buf, &r->dst) < 0 || !ip4_is_network(&r->dst))
		return -1;
	r->has_via = comma != NULL;
	return comma && ip4_parse_addr(comma, &r->via) < 0 ? -1 : 0;
}

int state_routes_parse(struct state_vif *v, const char *text)
{
	const char *p = text;
	size_t len;

	free(v->routes);
	v->routes = NULL;
	v->n_routes = 0;
	while (*p) {
		len = strcspn(p, ";");
		if (parse_route(p, len, MEM_PUSH(v->routes, v->n_routes)) < 0) {
			free(v->routes);
			v->routes = NULL;
			v->n_routes = 0;
			return -1;
		}
		p += len;
		if (*p == ';')
			p++;
	}
	return 0;
}

const char *state_action_name(enum state_action a)
{
	switch (a) {
	case STATE_ACCEPT:
		return "accept";
	case STATE_DROP:
		return "drop";
	}
	return "?";
}

const char *state_admin_name(enum state_admin a)
{
	switch (a) {
	case STATE_ADMIN_NONE:
		return NULL;
	case STATE_ADMIN_RUNNING:
		return "running";
	case STATE_ADMIN_PAUSED:
		return "paused";
	case STATE_ADMIN_SHUTOFF:
		return "shutoff";
	case STATE_ADMIN_DESTROYED:
		return "destroyed";
	}
	return NULL;
}

const char *state_placed_name(enum state_placed p)
{
	switch (p) {
	case STATE_PLACED_NONE:
		return NULL;
	case STATE_PLACED_PINNED:
		return "pinned";
	case STATE_PLACED_RUNNING:
		return "running";
	case STATE_PLACED_AUTO:
		return "auto";
	}
	return NULL;
}
