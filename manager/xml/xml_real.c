/*
 * xml_real.c - reads a validated (or schema-invalid but well-formed)
 * real-environment document into struct real_env.  It applies the
 * documented defaults and parses quantities; it does not check references
 * or names (check.c does), and it never touches the network.
 */
#include "diag.h"
#include "mem.h"
#include "xml_doc.h"
#include "xml_real.h"

static void parse_running_vm(struct real_host *h, const xmlNode *n)
{
	struct real_vm *vm = MEM_PUSH(h->vms, h->n_vms);

	vm->name = xml_doc_attr(n, "name");
	vm->line = xml_doc_line(n);
	xml_doc_u32(n, "memoryMiB", &vm->memory_mib);
	if (!xml_doc_u32(n, "vcpus", &vm->vcpus))
		vm->vcpus = ENV_DEFAULT_VCPUS;
}

static void parse_host(struct real_env *r, const xmlNode *n)
{
	struct real_host *h = MEM_PUSH(r->hosts, r->n_hosts);
	const xmlNode *c;

	h->name = xml_doc_attr(n, "name");
	h->line = xml_doc_line(n);
	h->address = xml_doc_attr(n, "address");
	h->snmp = xml_doc_attr(n, "snmp");
	h->libvirt = xml_doc_attr(n, "libvirt");
	h->bridge = xml_doc_attr(n, "bridge");
	h->uplink = xml_doc_attr(n, "uplink");
	h->hypervisor = xml_doc_attr(n, "hypervisor");
	xml_doc_u32(n, "cpus", &h->cpus);
	xml_doc_u32(n, "memoryMiB", &h->memory_mib);
	xml_doc_u32(n, "reservedMemoryMiB", &h->reserved_mib);
	if (!xml_doc_u32(n, "maxVcpusPerCpu", &h->max_vcpus_per_cpu) &&
	    !xml_doc_has(n, "maxVcpusPerCpu"))
		h->max_vcpus_per_cpu = ENV_DEFAULT_VCPUS_PER_CPU;
	/* the schema has said what is wrong; placement must not say it again */
	h->bad_size = h->cpus == 0 || h->memory_mib == 0 || h->max_vcpus_per_cpu == 0;
	for (c = xml_doc_first(n); c; c = xml_doc_next(c))
		if (xml_doc_is(c, "vm"))
			parse_running_vm(h, c);
}

static void parse_link(struct real_env *r, const xmlNode *n, struct diag *d)
{
	struct real_link *l = MEM_PUSH(r->links, r->n_links);

	l->line = xml_doc_line(n);
	l->a = xml_doc_attr(n, "a");
	l->b = xml_doc_attr(n, "b");
	l->has_rate = xml_doc_quantity(n, "bandwidth", UNITS_RATE_KBPS, &l->rate_kbps,
				       r->file, d) > 0;
}

struct real_env *xml_real_parse(const char *file, const xmlDoc *doc, struct diag *d)
{
	struct real_env *r = mem_alloc(sizeof(*r));
	const xmlNode *root = xmlDocGetRootElement(doc), *n;
	struct real_switch *sw;

	r->file = mem_strdup(file);
	r->name = xml_doc_attr(root, "name");
	for (n = xml_doc_first(root); n; n = xml_doc_next(n)) {
		if (xml_doc_is(n, "host")) {
			parse_host(r, n);
		} else if (xml_doc_is(n, "switch")) {
			sw = MEM_PUSH(r->switches, r->n_switches);
			sw->name = xml_doc_attr(n, "name");
			sw->line = xml_doc_line(n);
		} else if (xml_doc_is(n, "link")) {
			parse_link(r, n, d);
		}
	}
	env_real_index(r);
	return r;
}
