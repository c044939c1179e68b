/*
 * check_addr.c - addresses that parse and fit their subnet but cannot
 * work (see check_addr.h): a VM address no guest can use, a subnet of
 * the whole address space, a gateway or route through the network or
 * broadcast address of the link, and two hosts of the real environment
 * that vmibctl could not tell apart (one SNMP endpoint, one libvirt URI).
 * It only reads the environments and reports; check.c calls it once per
 * file, after it has resolved each interface's subnet.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_addr.h"
#include "diag.h"
#include "mem.h"

/* --- real environment ---------------------------------------------------------- */

/*
 * A Net-SNMP peer name, [transport:]address[:port], in one spelling:
 * "udp:10.250.0.1:161", "10.250.0.1" and "UDP:10.250.0.1" are one agent
 * (snmp_api: udp is the default transport, 161 the default port of udp and
 * tcp).  Other transports (unix:/path...) are compared as written,
 * with the transport's case folded.  Malloc'd.
 */
static char *snmp_endpoint_key(const char *peer)
{
	static const char *const ip_transports[] = { "udp", "tcp", "udp6", "tcp6",
						     "udpv6", "tcpv6" };
	const char *colon = strchr(peer, ':'), *rest = peer, *last, *bracket;
	char transport[8] = "udp", *key, *p;
	size_t i, n = colon ? (size_t)(colon - peer) : 0;
	bool ip = true;

	if (colon && n < sizeof(transport)) {
		for (i = 0; i < n; i++)
			transport[i] = (char)tolower((unsigned char)peer[i]);
		transport[n] = '\0';
		for (i = 0; i < sizeof(ip_transports) / sizeof(ip_transports[0]); i++)
			if (strcmp(transport, ip_transports[i]) == 0)
				rest = colon + 1;
		ip = rest != peer || strcmp(transport, "unix") != 0;
		if (!ip)
			rest = colon + 1;
		else if (rest == peer)
			strcpy(transport, "udp");   /* "host:port": no transport */
	}
	/* the port follows the last ':', unless that is inside "[v6]" */
	last = strrchr(rest, ':');
	bracket = strchr(rest, ']');
	if (ip && (!last || (bracket && last < bracket)))
		key = mem_printf("%s:%s:161", transport, rest);
	else
		key = mem_printf("%s:%s", transport, rest);
	for (p = key; ip && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return key;
}

/* "QEMU+TCP://H/system" and "qemu+tcp://h/system/" are one connection.
 * libvirt's test driver (test:///...) has no daemon: each agent's
 * connection is its own in-process hypervisor, so two hosts may name the
 * same test URI (NULL: not compared) */
static char *libvirt_uri_key(const char *uri)
{
	const char *path = strstr(uri, "://");
	char *key, *p;
	size_t len;

	if (strncasecmp(uri, "test:", 5) == 0)
		return NULL;
	key = mem_strdup(uri);
	path = path ? strchr(path + 3, '/') : NULL;
	for (p = key; *p && (!path || p < key + (path - uri)); p++)
		*p = (char)tolower((unsigned char)*p);
	len = strlen(key);
	while (len > 1 && key[len - 1] == '/' && key[len - 2] != '/')
		key[--len] = '\0';
	return key;
}

static void check_shared(const struct real_env *r, struct diag *d, const char *what,
			 const char *behind, char *(*key_of)(const char *), size_t offset)
{
	char **keys = mem_array(NULL, r->n_hosts ? r->n_hosts : 1, sizeof(*keys));
	size_t i, j;

	for (i = 0; i < r->n_hosts; i++) {
		const char *v = *(char *const *)((const char *)&r->hosts[i] + offset);

		keys[i] = v ? key_of(v) : NULL;
		for (j = 0; j < i && keys[i]; j++) {
			if (!keys[j] || strcmp(keys[i], keys[j]) != 0)
				continue;
			diag_add(d, r->file, r->hosts[i].line, "host",
				 "%s %s is the same as that of host '%s' (line %u): both would be "
				 "the one %s", what, v, r->hosts[j].name, r->hosts[j].line, behind);
			break;
		}
	}
	for (i = 0; i < r->n_hosts; i++)
		free(keys[i]);
	free(keys);
}

void check_addr_real(const struct real_env *r, struct diag *d)
{
	check_shared(r, d, "snmp endpoint", "agent", snmp_endpoint_key,
		     offsetof(struct real_host, snmp));
	check_shared(r, d, "libvirt URI", "libvirt daemon", libvirt_uri_key,
		     offsetof(struct real_host, libvirt));
}

/* --- virtual environment --------------------------------------------------------- */

/* what a VM address may not be (RFC 6890): why, or NULL */
static const char *unusable_address(uint32_t addr)
{
	static const struct {
		struct ip4_prefix net;
		const char *what;
	} bad[] = {
		{ { 0x00000000u, 8 }, "in 0.0.0.0/8 (\"this network\", RFC 1122)" },
		{ { 0x7f000000u, 8 }, "a loopback address (127.0.0.0/8)" },
		{ { 0xe0000000u, 4 }, "a multicast address (224.0.0.0/4)" },
		{ { 0xffffffffu, 32 }, "the limited broadcast address" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ip4_contains(&bad[i].net, addr))
			return bad[i].what;
	return NULL;
}

/* "network" or "broadcast" when addr is one of p's (p longer than /30: none) */
static const char *edge_of(const struct ip4_prefix *p, uint32_t addr)
{
	uint32_t host_bits;

	if (p->len > 30 || !ip4_contains(p, addr))
		return NULL;
	host_bits = addr & ~ip4_mask(p->len);
	if (host_bits == 0)
		return "network";
	return host_bits == ~ip4_mask(p->len) ? "broadcast" : NULL;
}

static void check_subnet(const struct virt_env *v, const struct virt_subnet *s, struct diag *d)
{
	char a[IP4_STRLEN], p[IP4_PREFIX_STRLEN];
	struct ip4_prefix net;
	const char *edge;

	if (!s->has_prefix)
		return;
	net = ip4_network(&s->prefix);
	if (s->prefix.len == 0)
		diag_add(d, v->file, s->line, "subnet",
			 "prefix %s is the whole address space (vmibSubnetPrefixLen is 1..32)",
			 ip4_format_prefix(&s->prefix, p));
	edge = s->has_gateway ? edge_of(&net, s->gateway) : NULL;
	if (edge)
		diag_add(d, v->file, s->line, "subnet", "gateway %s is the %s address of %s",
			 ip4_format(s->gateway, a), edge, ip4_format_prefix(&net, p));
}

static void check_iface(const struct virt_env *v, const struct virt_iface *ifc, struct diag *d)
{
	char a[IP4_STRLEN], p[IP4_PREFIX_STRLEN];
	const char *why, *edge;
	struct ip4_prefix net;
	size_t k;

	why = ifc->has_addr ? unusable_address(ifc->addr) : NULL;
	if (why)
		diag_add(d, v->file, ifc->line, "interface", "address %s is %s",
			 ip4_format(ifc->addr, a), why);
	if (!ifc->subnet || !ifc->subnet->has_prefix)
		return;
	net = ip4_network(&ifc->subnet->prefix);
	for (k = 0; k < ifc->n_routes; k++) {
		const struct virt_route *r = &ifc->routes[k];

		edge = r->has_via ? edge_of(&net, r->via) : NULL;
		if (edge)
			diag_add(d, v->file, r->line, "route", "via %s is the %s address of %s",
				 ip4_format(r->via, a), edge, ip4_format_prefix(&net, p));
	}
}

void check_addr_virtual(const struct virt_env *v, struct diag *d)
{
	size_t i, j;

	for (i = 0; i < v->n_subnets; i++)
		check_subnet(v, &v->subnets[i], d);
	for (i = 0; i < v->n_vms; i++)
		for (j = 0; j < v->vms[i].n_ifaces; j++)
			check_iface(v, &v->vms[i].ifaces[j], d);
}
