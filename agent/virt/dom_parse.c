/*
 * domxml.c - domain XML to struct vm, and the vmib metadata element.
 *
 * Owns the knowledge of libvirt's domain XML layout (formatdomain.html)
 * and of vmibd's metadata format (vm.h).  Must not call libvirt: the
 * backend fetches the strings, this file interprets them.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "dom_parse.h"
#include "xmlelem.h"

static const char *dx_attr(xmlNodePtr n, const char *name, char *buf, size_t len)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);

	if (!v)
		return NULL;
	snprintf(buf, len, "%s", (const char *)v);
	xmlFree(v);
	return buf;
}

static char *dx_text(xmlNodePtr n)
{
	xmlChar *v = xmlNodeGetContent(n);
	char *s;

	if (!v)
		return strdup("");
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

static int dx_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* memory element with libvirt's unit attribute -> KiB */
static int dx_memory_kib(xmlNodePtr n, uint64_t *kib)
{
	static const struct {
		const char *unit;
		uint64_t bytes;
	} units[] = {
		{"b", 1}, {"bytes", 1}, {"KB", 1000}, {"k", 1024}, {"KiB", 1024},
		{"MB", 1000000}, {"M", 1048576}, {"MiB", 1048576},
		{"GB", 1000000000}, {"G", 1073741824}, {"GiB", 1073741824},
		{"TB", 1000000000000ULL}, {"T", 1099511627776ULL},
		{"TiB", 1099511627776ULL},
	};
	char unit[16], *text;
	uint64_t v, mul = 1024;
	size_t i;
	int rc;

	if (dx_attr(n, "unit", unit, sizeof(unit))) {
		mul = 0;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strcmp(unit, units[i].unit) == 0)
				mul = units[i].bytes;
		if (!mul)
			return -1;
	}
	text = dx_text(n);
	rc = dx_parse_u64(text, &v);
	free(text);
	if (rc < 0)
		return -1;
	*kib = v * mul / 1024;
	return 0;
}

static int dx_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

/* copy with truncation (interface names are at most 15 characters) */
static void dx_copy(char *dst, size_t len, const char *src)
{
	size_t n = src ? strnlen(src, len - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

static int dx_add_vif(struct vm *vm, xmlNodePtr iface)
{
	char buf[64];
	struct vm_vif *v, *nv;
	xmlNodePtr c;

	nv = realloc(vm->vifs, (vm->n_vifs + 1) * sizeof(*vm->vifs));
	if (!nv)
		return -1;
	vm->vifs = nv;
	v = &vm->vifs[vm->n_vifs++];
	memset(v, 0, sizeof(*v));
	for (c = iface->children; c; c = c->next) {
		if (xmlelem_is(c, "mac") && dx_attr(c, "address", buf, sizeof(buf)))
			v->has_mac = dx_parse_mac(buf, v->mac) == 0;
		else if (xmlelem_is(c, "source") && dx_attr(c, "bridge", buf, sizeof(buf)))
			dx_copy(v->bridge, sizeof(v->bridge), buf);
		else if (xmlelem_is(c, "target") && dx_attr(c, "dev", buf, sizeof(buf)))
			dx_copy(v->dev, sizeof(v->dev), buf);
		else if (xmlelem_is(c, "model") && dx_attr(c, "type", buf, sizeof(buf)))
			dx_copy(v->model, sizeof(v->model), buf);
	}
	return 0;
}

/* a disk's <source>: file, dev, name (network), dir, or "pool/volume" */
static const char *dx_disk_source(xmlNodePtr src, char *buf, size_t len)
{
	static const char *const attrs[] = {"file", "dev", "name", "dir"};
	char pool[256], vol[256];
	size_t k;

	for (k = 0; k < sizeof(attrs) / sizeof(attrs[0]); k++)
		if (dx_attr(src, attrs[k], buf, len))
			return buf;
	if (!dx_attr(src, "pool", pool, sizeof(pool)) ||
	    !dx_attr(src, "volume", vol, sizeof(vol)))
		return NULL;
	snprintf(buf, len, "%s/%s", pool, vol);
	return buf;
}

/* <disk>: what vmStorageTable shows (RFC 7666 6.1); sizes and counters
 * come from the stats later */
static int dx_add_disk(struct vm *vm, xmlNodePtr disk)
{
	char buf[512];
	struct vm_disk *d, *nd;
	xmlNodePtr c;

	nd = realloc(vm->disks, (vm->n_disks + 1) * sizeof(*vm->disks));
	if (!nd)
		return -1;
	vm->disks = nd;
	d = &vm->disks[vm->n_disks++];
	memset(d, 0, sizeof(*d));
	d->capacity_bytes = d->allocation_bytes = -1;
	dx_copy(d->type, sizeof(d->type), dx_attr(disk, "type", buf, sizeof(buf)));
	dx_copy(d->device, sizeof(d->device), dx_attr(disk, "device", buf, sizeof(buf)));
	if (!d->device[0])
		dx_copy(d->device, sizeof(d->device), "disk"); /* libvirt's default */
	for (c = disk->children; c; c = c->next) {
		if (xmlelem_is(c, "driver") && dx_attr(c, "type", buf, sizeof(buf)))
			dx_copy(d->format, sizeof(d->format), buf);
		else if (xmlelem_is(c, "target")) {
			dx_copy(d->dev, sizeof(d->dev), dx_attr(c, "dev", buf, sizeof(buf)));
			dx_copy(d->bus, sizeof(d->bus), dx_attr(c, "bus", buf, sizeof(buf)));
		} else if (xmlelem_is(c, "readonly"))
			d->readonly = true;
		else if (xmlelem_is(c, "source") && !d->source && dx_disk_source(c, buf, sizeof(buf)) &&
			 !(d->source = strdup(buf)))
			return -1;
	}
	return 0;
}

/* cpuset syntax (formatdomain.html): "0-3,^2,8"; sets bits below
 * nbytes * 8 in bits; returns the highest CPU named, -1 if malformed */
static int dx_cpuset(const char *s, uint8_t *bits, size_t nbytes)
{
	long lo, hi, max = -1, n;
	bool neg;
	char *end;

	while (*s) {
		neg = *s == '^';
		s += neg;
		lo = strtol(s, &end, 10);
		if (end == s || lo < 0 || lo > 65535)
			return -1;
		hi = lo;
		if (*end == '-') {
			s = end + 1;
			hi = strtol(s, &end, 10);
			if (end == s || hi < lo || hi > 65535 || neg)
				return -1;
		}
		for (n = lo; n <= hi && bits; n++)
			if ((size_t)n / 8 < nbytes) {
				if (neg)
					bits[n / 8] &= (uint8_t)~(1u << (n % 8));
				else
					bits[n / 8] |= (uint8_t)(1u << (n % 8));
			}
		if (!neg && hi > max)
			max = hi;
		s = end;
		while (*s == ',' || isspace((unsigned char)*s))
			s++;
	}
	return (int)max;
}

/* one pinning row: VM_PIN_ANY without a cpuset, else the bitmap */
static void dx_pin_row(struct vm *vm, unsigned int v, const char *cpuset, int kind)
{
	uint8_t *row = vm->cpu_pin + (size_t)v * VM_PIN_ROW(vm);

	memset(row, 0, VM_PIN_ROW(vm));
	row[0] = (uint8_t)kind;
	if (kind == VM_PIN_BITMAP && dx_cpuset(cpuset, row + 1, vm->pin_bytes) < 0)
		row[0] = VM_PIN_UNKNOWN;
}

/* <vcpu cpuset placement> and <cputune><vcpupin vcpu cpuset>: rows only
 * when something restricts a vCPU (most domains: none, no memory) */
static void dx_pinning(struct vm *vm, xmlNodePtr root)
{
	xmlNodePtr vcpu = xmlelem_child(root, "vcpu"), tune = xmlelem_child(root, "cputune"), c;
	char all[1024] = "", pin[1024], num[16];
	int max = -1, m, kind = VM_PIN_ANY;
	uint64_t id;
	unsigned int v;

	if (vcpu && dx_attr(vcpu, "cpuset", all, sizeof(all))) {
		m = dx_cpuset(all, NULL, 0);
		max = m;
		kind = m >= 0 ? VM_PIN_BITMAP : VM_PIN_UNKNOWN;
	} else if (vcpu && dx_attr(vcpu, "placement", num, sizeof(num)) &&
		   strcmp(num, "auto") == 0)
		kind = VM_PIN_UNKNOWN; /* numad decides; the live XML has a cpuset */
	for (c = tune ? tune->children : NULL; c; c = c->next)
		if (xmlelem_is(c, "vcpupin") && dx_attr(c, "cpuset", pin, sizeof(pin)) &&
		    (m = dx_cpuset(pin, NULL, 0)) > max)
			max = m;
	if ((kind == VM_PIN_ANY && max < 0) || !vm->max_vcpus)
		return;
	vm->pin_bytes = max < 0 ? 0 : (unsigned int)max / 8 + 1;
	vm->cpu_pin = calloc(vm->max_vcpus, VM_PIN_ROW(vm));
	if (!vm->cpu_pin)
		return; /* reads as unrestricted */
	vm->n_pin_vcpus = vm->max_vcpus;
	for (v = 0; v < vm->n_pin_vcpus; v++)
		dx_pin_row(vm, v, all, kind);
	for (c = tune ? tune->children : NULL; c; c = c->next)
		if (xmlelem_is(c, "vcpupin") && dx_attr(c, "vcpu", num, sizeof(num)) &&
		    dx_parse_u64(num, &id) == 0 && id < vm->n_pin_vcpus &&
		    dx_attr(c, "cpuset", pin, sizeof(pin)))
			dx_pin_row(vm, (unsigned int)id, pin, VM_PIN_BITMAP);
}

static int dx_admin_value(const char *s)
{
	static const struct {
		const char *name;
		int value;
	} names[] = {
		{"running", VM_ADMIN_RUNNING},
		{"paused", VM_ADMIN_PAUSED},
		{"shutoff", VM_ADMIN_SHUTOFF},
		{"destroyed", VM_ADMIN_DESTROYED},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].value;
	return VM_ADMIN_NONE;
}

static int32_t dx_index_value(const char *s)
{
	uint64_t v;

	if (dx_parse_u64(s, &v) < 0 || v < 1 || v > 2147483647)
		return 0;
	return (int32_t)v;
}

static bool dx_is_vmib(xmlNodePtr n, const char *name)
{
	return xmlelem_is(n, name) && n->ns && n->ns->href &&
	       strcmp((const char *)n->ns->href, VM_META_URI) == 0;
}

/* <vmib:vif mac=... index=... addr=... prefix=... routes=.../> */
static void dx_meta_vif(struct vm *vm, xmlNodePtr n)
{
	char buf[256];
	uint8_t mac[6];
	uint64_t v;
	struct vm_vif *vif = NULL;
	size_t i;

	if (!dx_attr(n, "mac", buf, sizeof(buf)) || dx_parse_mac(buf, mac) < 0)
		return;
	for (i = 0; i < vm->n_vifs; i++)
		if (vm->vifs[i].has_mac && memcmp(vm->vifs[i].mac, mac, 6) == 0)
			vif = &vm->vifs[i];
	if (!vif)
		return;
	if (dx_attr(n, "index", buf, sizeof(buf)) && dx_parse_u64(buf, &v) == 0 &&
	    v >= 1 && v <= 65535)
		vif->index = (uint32_t)v;
	if (dx_attr(n, "addr", buf, sizeof(buf)))
		inet_pton(AF_INET, buf, vif->addr);
	if (dx_attr(n, "prefix", buf, sizeof(buf)) && dx_parse_u64(buf, &v) == 0 &&
	    v <= 32)
		vif->prefix_len = (uint8_t)v;
	if (dx_attr(n, "routes", buf, sizeof(buf)))
		dx_copy(vif->routes, sizeof(vif->routes), buf);
}

static void dx_metadata(struct vm *vm, xmlNodePtr metadata)
{
	char buf[128];
	xmlNodePtr c, v;

	for (c = metadata ? metadata->children : NULL; c; c = c->next) {
		if (!dx_is_vmib(c, "vm"))
			continue;
		if (dx_attr(c, "index", buf, sizeof(buf)))
			vm->meta_index = dx_index_value(buf);
		if (dx_attr(c, "image", buf, sizeof(buf))) {
			free(vm->image);
			vm->image = strdup(buf);
		}
		if (dx_attr(c, "admin", buf, sizeof(buf)))
			vm->admin = dx_admin_value(buf);
		if (dx_attr(c, "migrate-live", buf, sizeof(buf)) &&
		    (strcmp(buf, "true") == 0 || strcmp(buf, "false") == 0)) {
			vm->migrate_live = strcmp(buf, "true") == 0;
			vm->migrate_live_meta = true;
		}
		for (v = c->children; v; v = v->next)
			if (dx_is_vmib(v, "vif"))
				dx_meta_vif(vm, v);
		return;
	}
}

/* vifs without an index from the metadata are numbered in definition
 * order, after the highest recorded one if any (VMIB-MIB vmibVifTable) */
static void dx_number_vifs(struct vm *vm)
{
	uint32_t next = 0;
	size_t i;

	for (i = 0; i < vm->n_vifs; i++)
		if (vm->vifs[i].index > next)
			next = vm->vifs[i].index;
	for (i = 0; i < vm->n_vifs; i++)
		if (!vm->vifs[i].index)
			vm->vifs[i].index = next ? ++next : (uint32_t)(i + 1);
	vm_sort_vifs(vm);
}

static bool dx_vif_has_addr(const struct vm_vif *v)
{
	return v->addr[0] || v->addr[1] || v->addr[2] || v->addr[3];
}

static bool dx_in_subnet(const struct vm_vif *v, const uint8_t gw[4])
{
	uint32_t a, g, mask;

	if (!dx_vif_has_addr(v) || v->prefix_len == 0)
		return false;
	memcpy(&a, v->addr, 4);
	memcpy(&g, gw, 4);
	mask = v->prefix_len >= 32 ? 0xffffffffu : ~(0xffffffffu >> v->prefix_len);
	return (ntohl(a) & mask) == (ntohl(g) & mask);
}

/* vmib.ip=ethN:A.B.C.D/L */
static void dx_cmdline_ip(struct vm *vm, const char *arg, bool *set)
{
	unsigned int n, len;
	char addr[32];
	struct vm_vif *v;

	if (sscanf(arg, "eth%u:%31[0-9.]/%u", &n, addr, &len) != 3 || len > 32 ||
	    n >= vm->n_vifs || set[n])
		return;
	v = &vm->vifs[n];
	if (inet_pton(AF_INET, addr, v->addr) == 1)
		v->prefix_len = (uint8_t)len;
}

/* vmib.route=P/L,GW: given to the vif whose subnet holds the gateway */
static void dx_cmdline_route(struct vm *vm, const char *arg, bool *set)
{
	char dst[32], gw[32];
	unsigned int len;
	uint8_t g[4];
	size_t i, used;
	struct vm_vif *v = NULL;

	if (sscanf(arg, "%31[0-9.]/%u,%31[0-9.]", dst, &len, gw) != 3 || len > 32 ||
	    inet_pton(AF_INET, gw, g) != 1)
		return;
	for (i = 0; i < vm->n_vifs && !v; i++)
		if (dx_in_subnet(&vm->vifs[i], g))
			v = &vm->vifs[i];
	for (i = 0; i < vm->n_vifs && !v; i++)
		if (dx_vif_has_addr(&vm->vifs[i]))
			v = &vm->vifs[i];
	if (!v || set[v - vm->vifs])
		return;
	used = strlen(v->routes);
	snprintf(v->routes + used, sizeof(v->routes) - used, "%s%s/%u,%s",
		 used ? ";" : "", dst, len, gw);
}

void domxml_apply_cmdline(struct vm *vm, const char *cmdline)
{
	char word[256];
	const char *p = cmdline;
	bool *set;
	size_t i, n;

	if (!cmdline || !vm->n_vifs)
		return;
	/* vifs whose address came from the metadata are left alone */
	set = calloc(vm->n_vifs, sizeof(*set));
	if (!set)
		return;
	for (i = 0; i < vm->n_vifs; i++)
		set[i] = dx_vif_has_addr(&vm->vifs[i]) || vm->vifs[i].routes[0];
	while (*p) {
		while (isspace((unsigned char)*p))
			p++;
		for (n = 0; p[n] && !isspace((unsigned char)p[n]); n++)
			;
		if (n && n < sizeof(word)) {
			memcpy(word, p, n);
			word[n] = '\0';
			if (strncmp(word, "vmib.ip=", 8) == 0)
				dx_cmdline_ip(vm, word + 8, set);
			else if (strncmp(word, "vmib.route=", 11) == 0)
				dx_cmdline_route(vm, word + 11, set);
		}
		p += n;
	}
	free(set);
}

static int dx_vcpu(struct vm *vm, xmlNodePtr n)
{
	char buf[32], *text;
	uint64_t v, cur;
	int rc;

	text = dx_text(n);
	rc = dx_parse_u64(text, &v);
	free(text);
	if (rc < 0 || v > 65535)
		return -1;
	vm->max_vcpus = vm->vcpus = (unsigned int)v;
	if (dx_attr(n, "current", buf, sizeof(buf)) && dx_parse_u64(buf, &cur) == 0 &&
	    cur <= v)
		vm->vcpus = (unsigned int)cur;
	return 0;
}

static int dx_os(struct vm *vm, xmlNodePtr os, char **cmdline)
{
	xmlNodePtr c;

	for (c = os->children; c; c = c->next) {
		if (xmlelem_is(c, "type")) {
			free(vm->os_type);
			vm->os_type = dx_text(c);
		} else if (xmlelem_is(c, "kernel")) {
			free(vm->kernel);
			vm->kernel = dx_text(c);
		} else if (xmlelem_is(c, "cmdline")) {
			free(*cmdline);
			*cmdline = dx_text(c);
		}
	}
	return 0;
}

static int dx_domain(struct vm *vm, xmlNodePtr root, char **cmdline,
		     char *err, size_t errlen)
{
	xmlNodePtr c, d;
	char *text;
	int rc = 0;
	bool has_cur = false;

	for (c = root->children; c && rc == 0; c = c->next) {
		if (xmlelem_is(c, "name")) {
			free(vm->name);
			vm->name = dx_text(c);
		} else if (xmlelem_is(c, "uuid")) {
			text = dx_text(c);
			rc = vm_uuid_parse(text, vm->uuid);
			free(text);
			if (rc < 0)
				snprintf(err, errlen, "bad <uuid>");
		} else if (xmlelem_is(c, "memory")) {
			if ((rc = dx_memory_kib(c, &vm->max_mem_kib)) < 0)
				snprintf(err, errlen, "bad <memory>");
		} else if (xmlelem_is(c, "currentMemory")) {
			if ((rc = dx_memory_kib(c, &vm->mem_kib)) < 0)
				snprintf(err, errlen, "bad <currentMemory>");
			has_cur = true;
		} else if (xmlelem_is(c, "vcpu")) {
			if ((rc = dx_vcpu(vm, c)) < 0)
				snprintf(err, errlen, "bad <vcpu>");
		} else if (xmlelem_is(c, "os")) {
			rc = dx_os(vm, c, cmdline);
		} else if (xmlelem_is(c, "devices")) {
			for (d = c->children; d && rc == 0; d = d->next)
				if ((xmlelem_is(d, "interface") && (rc = dx_add_vif(vm, d)) < 0) ||
				    (xmlelem_is(d, "disk") && (rc = dx_add_disk(vm, d)) < 0))
					snprintf(err, errlen, "out of memory");
		}
	}
	if (rc == 0 && !has_cur)
		vm->mem_kib = vm->max_mem_kib;
	return rc;
}

static xmlDocPtr dx_read(const char *xml, char *err, size_t errlen)
{
	xmlDocPtr doc;
	const xmlError *e;

	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		e = xmlGetLastError();
		snprintf(err, errlen, "XML: %s",
			 e && e->message ? e->message : "cannot parse");
		/* libxml2 messages end with a newline */
		err[strcspn(err, "\n")] = '\0';
	}
	return doc;
}

struct vm *domxml_parse(const char *xml, char *err, size_t errlen)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	char *cmdline = NULL;
	struct vm *vm = NULL;

	doc = dx_read(xml, err, errlen);
	if (!doc)
		return NULL;
	root = xmlDocGetRootElement(doc);
	if (!root || !xmlelem_is(root, "domain")) {
		snprintf(err, errlen, "not a <domain>");
		goto out;
	}
	vm = vm_new();
	if (!vm || dx_domain(vm, root, &cmdline, err, errlen) < 0)
		goto fail;
	if (!vm->name || !*vm->name) {
		snprintf(err, errlen, "domain without <name>");
		goto fail;
	}
	dx_metadata(vm, xmlelem_child(root, "metadata"));
	dx_number_vifs(vm);
	dx_pinning(vm, root);
	domxml_apply_cmdline(vm, cmdline);
	if (!vm->image)
		vm->image = strdup("");
	if (!vm->kernel)
		vm->kernel = strdup("");
	if (!vm->os_type)
		vm->os_type = strdup("");
	goto out;
fail:
	vm_free(vm);
	vm = NULL;
out:
	free(cmdline);
	xmlFreeDoc(doc);
	return vm;
}

char *domxml_meta_set_index(const char *meta_xml, int32_t index, char *err,
			    size_t errlen)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	xmlBufferPtr buf = NULL;
	char num[16], *out = NULL;

	snprintf(num, sizeof(num), "%d", (int)index);
	if (meta_xml && *meta_xml) {
		doc = dx_read(meta_xml, err, errlen);
		if (!doc)
			return NULL;
	} else {
		doc = xmlNewDoc((const xmlChar *)"1.0");
		xmlDocSetRootElement(doc, xmlNewNode(NULL, (const xmlChar *)"vm"));
	}
	root = xmlDocGetRootElement(doc);
	if (!root || !xmlelem_is(root, "vm")) {
		snprintf(err, errlen, "metadata element is not <vm>");
		goto out;
	}
	xmlSetProp(root, (const xmlChar *)"index", (const xmlChar *)num);
	buf = xmlBufferCreate();
	if (!buf || xmlNodeDump(buf, doc, root, 0, 0) < 0) {
		snprintf(err, errlen, "cannot format metadata");
		goto out;
	}
	out = strdup((const char *)xmlBufferContent(buf));
out:
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
}
