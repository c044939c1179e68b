/*
 * graph.c - writes DOT (https://graphviz.org/doc/info/lang.html) for a
 * checked pair of files and their placement.  Node IDs are prefixed by
 * kind ("vm:", "subnet:", "host:", "switch:") so that a VM and a host may
 * share a name.  Output order follows the files, so graphs diff cleanly.
 */
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "mem.h"
#include "out.h"

/* a DOT double-quoted string body: escape '"' and '\' */
static char *esc(const char *s)
{
	char *r = mem_alloc(2 * strlen(s ? s : "") + 1), *p = r;

	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p = '\0';
	return r;
}

static void node_vm(const struct virt_vm *vm, struct out *o)
{
	char a[IP4_STRLEN], *name = esc(vm->name);
	size_t j;

	out_text(o, "\t\t\"vm:%s\" [shape=box, style=rounded, label=\"%s", name, name);
	for (j = 0; j < vm->n_ifaces; j++)
		if (vm->ifaces[j].has_addr)
			out_text(o, "\\n%s", ip4_format(vm->ifaces[j].addr, a));
	out_text(o, "\"];\n");
	free(name);
}

static void clusters(const struct real_env *r, const struct virt_env *v,
		     const struct placement *p, struct out *o)
{
	size_t h, i;

	for (h = 0; h < r->n_hosts; h++) {
		char *name = esc(r->hosts[h].name), *addr = esc(r->hosts[h].address);

		out_text(o, "\tsubgraph \"cluster_%s\" {\n", name);
		out_text(o, "\t\tlabel=\"%s\\n%s\"; style=rounded; color=gray40;\n", name, addr);
		out_text(o, "\t\t\"host:%s\" [shape=point, style=invis];\n", name);
		for (i = 0; i < v->n_vms; i++)
			if (p->host[i] == h)
				node_vm(&v->vms[i], o);
		out_text(o, "\t}\n");
		free(name);
		free(addr);
	}
}

static void physical(const struct real_env *r, struct out *o)
{
	char buf[32];
	size_t i;

	for (i = 0; i < r->n_switches; i++) {
		char *name = esc(r->switches[i].name);

		out_text(o, "\t\"switch:%s\" [shape=diamond, label=\"%s\"];\n", name, name);
		free(name);
	}
	for (i = 0; i < r->n_links; i++) {
		const struct real_link *l = &r->links[i];
		bool ha = env_real_host(r, l->a) != NULL, hb = env_real_host(r, l->b) != NULL;
		char *a = esc(l->a), *b = esc(l->b);

		out_text(o, "\t\"%s:%s\" -> \"%s:%s\" [dir=none, style=bold, color=gray40",
			 ha ? "host" : "switch", a, hb ? "host" : "switch", b);
		if (ha)
			out_text(o, ", ltail=\"cluster_%s\"", a);
		if (hb)
			out_text(o, ", lhead=\"cluster_%s\"", b);
		if (l->has_rate)
			out_text(o, ", label=\"%s\"",
				 units_format(UNITS_RATE_KBPS, l->rate_kbps, buf, sizeof(buf)));
		out_text(o, "];\n");
		free(a);
		free(b);
	}
}

static void subnets(const struct virt_env *v, struct out *o)
{
	char pfx[IP4_PREFIX_STRLEN];
	size_t i, j;

	for (i = 0; i < v->n_subnets; i++) {
		char *name = esc(v->subnets[i].name);

		out_text(o, "\t\"subnet:%s\" [shape=ellipse, style=filled, fillcolor=lightblue, "
			 "label=\"%s\\n%s\"];\n", name, name,
			 ip4_format_prefix(&v->subnets[i].prefix, pfx));
		free(name);
	}
	for (i = 0; i < v->n_vms; i++) {
		for (j = 0; j < v->vms[i].n_ifaces; j++) {
			char *vm, *sn;

			if (!v->vms[i].ifaces[j].subnet)
				continue;
			vm = esc(v->vms[i].name);
			sn = esc(v->vms[i].ifaces[j].subnet->name);
			out_text(o, "\t\"vm:%s\" -> \"subnet:%s\" [dir=none, style=dashed, "
				 "color=gray60];\n", vm, sn);
			free(vm);
			free(sn);
		}
	}
}

/* "1Mbit, 10ms ±1ms, loss 0.5%" */
static void link_label(const struct shape_params *p, struct out *o)
{
	static const enum shape_field shown[] = {
		SHAPE_RATE, SHAPE_DELAY, SHAPE_JITTER, SHAPE_LOSS, SHAPE_DUPLICATE,
		SHAPE_CORRUPT, SHAPE_REORDER,
	};
	const char *sep = "";
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		enum shape_field f = shown[i];

		if (!shape_has(p, f))
			continue;
		units_format(shape_fields[f].kind, shape_get(p, f), buf, sizeof(buf));
		if (f == SHAPE_RATE || f == SHAPE_DELAY)
			out_text(o, "%s%s", sep, buf);
		else if (f == SHAPE_JITTER)
			out_text(o, " \xc2\xb1%s", buf);   /* UTF-8 "±" */
		else
			out_text(o, "%s%s %s", sep, shape_fields[f].label, buf);
		sep = ", ";
	}
}

static const char *ep_kind(const struct virt_endpoint *ep)
{
	return ep->kind == VIRT_EP_SUBNET ? "subnet" : "vm";
}

static void links(const struct virt_env *v, struct out *o)
{
	size_t i;

	for (i = 0; i < v->n_links; i++) {
		const struct virt_link *l = &v->links[i];
		char *from = esc(l->from.name), *to = esc(l->to.name);

		out_text(o, "\t\"%s:%s\" -> \"%s:%s\" [color=firebrick, fontcolor=firebrick%s, "
			 "label=\"", ep_kind(&l->from), from, ep_kind(&l->to), to,
			 l->symmetric ? ", dir=both" : "");
		link_label(&l->params, o);
		out_text(o, "\"];\n");
		free(from);
		free(to);
	}
}

void graph_write(const struct real_env *r, const struct virt_env *v,
		 const struct placement *p, struct out *o)
{
	char *name = esc(v->name ? v->name : "vmib");

	out_text(o, "digraph \"%s\" {\n", name);
	out_text(o, "\tgraph [compound=true, rankdir=LR, fontname=\"Helvetica\", "
		 "label=\"%s\", labelloc=t];\n", name);
	out_text(o, "\tnode [fontname=\"Helvetica\", fontsize=10];\n");
	out_text(o, "\tedge [fontname=\"Helvetica\", fontsize=9];\n");
	clusters(r, v, p, o);
	physical(r, o);
	subnets(v, o);
	links(v, o);
	out_text(o, "}\n");
	free(name);
}
