/*
 * domgen.c - build and edit the domain XML vmibd writes (domgen.h).
 *
 * Owns the shape of a vmib domain: QEMU (TCG unless domain-type kvm) with
 * direct kernel boot of an image, the guest's addresses and routes on the
 * kernel command line (doc/guest-image.md), one virtio NIC per vif without
 * option ROM, no balloon, and the vmib metadata element.  Everything is
 * built with libxml2's tree API, so values are escaped whatever they are.
 * No libvirt here: virt_set.c sends what this file writes.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "dom_build.h"
#include "xmlelem.h"

#define X(s) ((const xmlChar *)(s))

static const char *dg_admin_names[] = {"", "running", "paused", "shutoff", "destroyed"};

static void dg_mac_text(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

static bool dg_mac_is(xmlNodePtr iface, const uint8_t mac[6])
{
	xmlNodePtr m = xmlelem_child(iface, "mac");
	xmlChar *a = m ? xmlGetProp(m, X("address")) : NULL;
	char want[18];
	bool same;

	if (!a)
		return false;
	dg_mac_text(mac, want);
	same = strcasecmp((const char *)a, want) == 0;
	xmlFree(a);
	return same;
}

static char *dg_dump(xmlDocPtr doc, xmlNodePtr node)
{
	xmlBufferPtr buf = xmlBufferCreate();
	char *out = NULL;

	if (buf && xmlNodeDump(buf, doc, node, 0, 1) >= 0)
		out = strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return out;
}

static xmlDocPtr dg_read(const char *xml, char *err, size_t errlen)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR |
				      XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);

	if (!doc && err)
		snprintf(err, errlen, "cannot parse the domain XML");
	return doc;
}

static void dg_prop_u64(xmlNodePtr n, const char *name, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	xmlSetProp(n, X(name), X(buf));
}

static xmlNodePtr dg_text_u64(xmlNodePtr parent, const char *name, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return xmlNewTextChild(parent, NULL, X(name), X(buf));
}

/* --- kernel command line ------------------------------------------------------- */

/* vmib.hostname: letters, digits, '.', '-', at most 63, not starting with
 * '-' (doc/guest-image.md); other characters of the VM name become '-' */
static void dg_hostname(const char *name, char *out, size_t len)
{
	size_t i, n = 0;

	for (i = 0; name[i] && n + 1 < len && n < 63; i++) {
		char c = name[i];

		if (n == 0 && (c == '-' || c == '.' || c == '_'))
			continue;
		out[n++] = (isalnum((unsigned char)c) || c == '.' || c == '-') ? c : '-';
	}
	out[n] = '\0';
}

static int dg_append(char *out, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int dg_append(char *out, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *used)
		return -1;
	*used += (size_t)n;
	return 0;
}

static int dg_routes(const struct domgen_vif *v, size_t pos, char *out, size_t len,
		     size_t *used)
{
	char one[256], *tok, *save = NULL;
	int rc = 0;

	snprintf(one, sizeof(one), "%s", v->routes);
	for (tok = strtok_r(one, ";", &save); tok && rc == 0; tok = strtok_r(NULL, ";", &save)) {
		if (strchr(tok, ','))
			rc = dg_append(out, len, used, " vmib.route=%s", tok);
		else
			rc = dg_append(out, len, used, " vmib.route=%s,dev:eth%zu", tok, pos);
	}
	return rc;
}

int domgen_cmdline(const char *base, const char *name, const struct domgen_vif *vifs,
		   size_t n_vifs, char *out, size_t len)
{
	char host[64], addr[INET_ADDRSTRLEN];
	size_t used = 0, i;
	int rc;

	out[0] = '\0';
	dg_hostname(name, host, sizeof(host));
	rc = dg_append(out, len, &used, "%s%s", base ? base : "", base && *base ? " " : "");
	if (rc == 0 && host[0])
		rc = dg_append(out, len, &used, "vmib.hostname=%s", host);
	for (i = 0; i < n_vifs && rc == 0; i++) {
		const struct domgen_vif *v = &vifs[i];

		if (v->addr[0] || v->addr[1] || v->addr[2] || v->addr[3]) {
			inet_ntop(AF_INET, v->addr, addr, sizeof(addr));
			rc = dg_append(out, len, &used, " vmib.ip=eth%zu:%s/%u", i, addr,
				       v->prefix_len);
		}
		if (rc == 0 && v->routes[0])
			rc = dg_routes(v, i, out, len, &used);
	}
	return rc;
}

/* --- the vmib metadata element ------------------------------------------------- */

/* The element as virDomainSetMetadata takes it has no namespace: libvirt
 * puts it (and the prefix) on the element and all its children, and
 * refuses an element that declares it already.  Inside a whole domain
 * definition it carries the namespace itself (ns). */
static void dg_strip_ns(xmlNodePtr n)
{
	xmlNsPtr def, next;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		xmlSetNs(n, NULL);
		for (def = n->nsDef; def; def = next) {
			next = def->next;
			xmlFreeNs(def);
		}
		n->nsDef = NULL;
		dg_strip_ns(n->children);
	}
}

static void dg_meta_vif(xmlNodePtr root, xmlNsPtr ns, const struct domgen_vif *v)
{
	xmlNodePtr n = xmlNewChild(root, ns, X("vif"), NULL);
	char mac[18], addr[INET_ADDRSTRLEN];

	dg_prop_u64(n, "index", v->index);
	dg_mac_text(v->mac, mac);
	xmlSetProp(n, X("mac"), X(mac));
	if (v->addr[0] || v->addr[1] || v->addr[2] || v->addr[3]) {
		inet_ntop(AF_INET, v->addr, addr, sizeof(addr));
		xmlSetProp(n, X("addr"), X(addr));
		dg_prop_u64(n, "prefix", v->prefix_len);
	}
	if (v->routes[0])
		xmlSetProp(n, X("routes"), X(v->routes));
}

static uint32_t dg_vif_index(xmlNodePtr n)
{
	xmlChar *v = xmlGetProp(n, X("index"));
	unsigned long idx = v ? strtoul((const char *)v, NULL, 10) : 0;

	xmlFree(v);
	return idx > 65535 ? 0 : (uint32_t)idx;
}

static void dg_meta_drop_vif(xmlNodePtr root, uint32_t index)
{
	xmlNodePtr c = root->children, next;

	for (; c; c = next) {
		next = c->next;
		if (xmlelem_is(c, "vif") && dg_vif_index(c) == index) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
}

static void dg_meta_set_admin(xmlNodePtr root, int admin)
{
	if (admin >= VM_ADMIN_RUNNING && admin <= VM_ADMIN_DESTROYED)
		xmlSetProp(root, X("admin"), X(dg_admin_names[admin]));
}

static void dg_meta_set_live(xmlNodePtr root, int live)
{
	if (live == VMIB_ENUM_vmibVmMigrateLive_true || live == VMIB_ENUM_vmibVmMigrateLive_false)
		xmlSetProp(root, X("migrate-live"),
			   X(live == VMIB_ENUM_vmibVmMigrateLive_true ? "true" : "false"));
}

static xmlNodePtr dg_meta_new(xmlDocPtr doc, const struct domgen_spec *s)
{
	xmlNodePtr root = xmlNewDocNode(doc, NULL, X("vm"), NULL);
	xmlNsPtr ns = xmlNewNs(root, X(VM_META_URI), X(VM_META_PREFIX));
	size_t i;

	xmlSetNs(root, ns);
	dg_prop_u64(root, "index", (uint64_t)s->index);
	if (s->image)
		xmlSetProp(root, X("image"), X(s->image->name));
	dg_meta_set_admin(root, s->admin);
	dg_meta_set_live(root, s->live);
	for (i = 0; i < s->n_vifs; i++)
		dg_meta_vif(root, ns, &s->vifs[i]);
	return root;
}

char *domgen_meta_edit(const char *meta_xml, int32_t index, const struct domgen_meta_edit *e,
		       char *err, size_t errlen)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	char *out = NULL;

	if (meta_xml && *meta_xml) {
		doc = dg_read(meta_xml, err, errlen);
		if (!doc)
			return NULL;
	} else {
		doc = xmlNewDoc(X("1.0"));
		xmlDocSetRootElement(doc, xmlNewDocNode(doc, NULL, X("vm"), NULL));
	}
	root = xmlDocGetRootElement(doc);
	if (!xmlelem_is(root, "vm")) {
		snprintf(err, errlen, "the vmib metadata element is not <vm>");
		goto out;
	}
	dg_strip_ns(root);
	if (index > 0)
		dg_prop_u64(root, "index", (uint64_t)index);
	dg_meta_set_admin(root, e->admin);
	dg_meta_set_live(root, e->live);
	if (e->remove_vif)
		dg_meta_drop_vif(root, e->remove_vif);
	if (e->add_vif) {
		dg_meta_drop_vif(root, e->add_vif->index);
		dg_meta_vif(root, NULL, e->add_vif);
	}
	out = dg_dump(doc, root);
	if (!out)
		snprintf(err, errlen, "cannot format the vmib metadata");
out:
	xmlFreeDoc(doc);
	return out;
}

/* --- a new domain ------------------------------------------------------------- */

static xmlNodePtr dg_iface_node(xmlDocPtr doc, const struct domgen_vif *v, int pci_slot)
{
	xmlNodePtr n = xmlNewDocNode(doc, NULL, X("interface"), NULL), c;
	char mac[18], slot[16];

	xmlSetProp(n, X("type"), X("bridge"));
	c = xmlNewChild(n, NULL, X("source"), NULL);
	xmlSetProp(c, X("bridge"), X(v->bridge));
	dg_mac_text(v->mac, mac);
	c = xmlNewChild(n, NULL, X("mac"), NULL);
	xmlSetProp(c, X("address"), X(mac));
	c = xmlNewChild(n, NULL, X("model"), NULL);
	xmlSetProp(c, X("type"), X("virtio"));
	c = xmlNewChild(n, NULL, X("rom"), NULL);
	xmlSetProp(c, X("enabled"), X("no"));
	if (pci_slot > 0) {
		snprintf(slot, sizeof(slot), "0x%02x", pci_slot);
		c = xmlNewChild(n, NULL, X("address"), NULL);
		xmlSetProp(c, X("type"), X("pci"));
		xmlSetProp(c, X("domain"), X("0x0000"));
		xmlSetProp(c, X("bus"), X("0x00"));
		xmlSetProp(c, X("slot"), X(slot));
		xmlSetProp(c, X("function"), X("0x0"));
	}
	return n;
}

char *domgen_iface(const struct domgen_vif *v, int pci_slot)
{
	xmlDocPtr doc = xmlNewDoc(X("1.0"));
	xmlNodePtr n = dg_iface_node(doc, v, pci_slot);
	char *out;

	xmlDocSetRootElement(doc, n);
	out = dg_dump(doc, n);
	xmlFreeDoc(doc);
	return out;
}

static void dg_path(xmlNodePtr parent, const char *name, const struct image *img,
		    const char *file)
{
	char path[4096 + 256 + 2];

	snprintf(path, sizeof(path), "%s/%s", img->dir, file);
	xmlNewTextChild(parent, NULL, X(name), X(path));
}

static int dg_os(xmlNodePtr root, const struct domgen_spec *s, char *err, size_t errlen)
{
	xmlNodePtr os = xmlNewChild(root, NULL, X("os"), NULL), t;
	char cmdline[DOMGEN_CMDLINE_MAX];

	t = xmlNewTextChild(os, NULL, X("type"), X("hvm"));
	if (s->image->arch[0] && strcmp(s->domain_type, "test") != 0) {
		xmlSetProp(t, X("arch"), X(s->image->arch));
		if (strcmp(s->image->arch, "x86_64") == 0 || strcmp(s->image->arch, "i686") == 0)
			xmlSetProp(t, X("machine"), X("pc"));
	}
	dg_path(os, "kernel", s->image, s->image->kernel_file);
	dg_path(os, "initrd", s->image, s->image->initrd_file);
	if (domgen_cmdline(s->image->cmdline, s->name, s->vifs, s->n_vifs, cmdline,
			   sizeof(cmdline)) < 0) {
		snprintf(err, errlen, "the kernel command line would exceed %d bytes",
			 DOMGEN_CMDLINE_MAX - 1);
		return -1;
	}
	xmlNewTextChild(os, NULL, X("cmdline"), X(cmdline));
	return 0;
}

static void dg_cputune(xmlNodePtr root, const struct domgen_spec *s)
{
	xmlNodePtr ct;
	char buf[32];

	if ((!s->has_shares && !s->has_quota) || strcmp(s->domain_type, "test") == 0)
		return;
	ct = xmlNewChild(root, NULL, X("cputune"), NULL);
	if (s->has_shares)
		dg_text_u64(ct, "shares", s->shares);
	if (s->has_quota) {
		dg_text_u64(ct, "period", s->period_us);
		snprintf(buf, sizeof(buf), "%lld", (long long)s->quota_us);
		xmlNewTextChild(ct, NULL, X("quota"), X(buf));
	}
}

/*
 * The QEMU guest agent's virtio-serial port: vmibctl exec runs commands in
 * the guest through it (virDomainQemuAgentCommand), with no guest network.
 * No source path: libvirt makes one per domain in its channel directory,
 * so the channel migrates like the rest.
 */
static void dg_agent_channel(xmlNodePtr dev)
{
	xmlNodePtr c = xmlNewChild(dev, NULL, X("channel"), NULL), t;

	xmlSetProp(c, X("type"), X("unix"));
	t = xmlNewChild(c, NULL, X("source"), NULL);
	xmlSetProp(t, X("mode"), X("bind"));
	t = xmlNewChild(c, NULL, X("target"), NULL);
	xmlSetProp(t, X("type"), X("virtio"));
	xmlSetProp(t, X("name"), X("org.qemu.guest_agent.0"));
}

static void dg_devices(xmlDocPtr doc, xmlNodePtr root, const struct domgen_spec *s)
{
	xmlNodePtr dev = xmlNewChild(root, NULL, X("devices"), NULL), c, src;
	char path[4096 + 300];
	size_t i;

	for (i = 0; i < s->n_vifs; i++)
		xmlAddChild(dev, dg_iface_node(doc, &s->vifs[i], 0));
	if (strcmp(s->domain_type, "test") == 0)
		return;
	/* no USB controller: nothing to boot, less to migrate */
	c = xmlNewChild(dev, NULL, X("controller"), NULL);
	xmlSetProp(c, X("type"), X("usb"));
	xmlSetProp(c, X("model"), X("none"));
	c = xmlNewChild(dev, NULL, X("serial"), NULL);
	if (s->console_dir) {
		xmlSetProp(c, X("type"), X("file"));
		snprintf(path, sizeof(path), "%s/%s.log", s->console_dir, s->name);
		src = xmlNewChild(c, NULL, X("source"), NULL);
		xmlSetProp(src, X("path"), X(path));
		/* afresh at every start: the log is the current boot (guestready.h) */
		xmlSetProp(src, X("append"), X("off"));
	} else {
		xmlSetProp(c, X("type"), X("pty"));
	}
	src = xmlNewChild(c, NULL, X("target"), NULL);
	xmlSetProp(src, X("port"), X("0"));
	dg_agent_channel(dev);
	c = xmlNewChild(dev, NULL, X("memballoon"), NULL);
	xmlSetProp(c, X("model"), X("none"));
}

static void dg_platform(xmlNodePtr root, const struct domgen_spec *s)
{
	xmlNodePtr c;

	if (strcmp(s->domain_type, "test") == 0)
		return;
	c = xmlNewChild(root, NULL, X("features"), NULL);
	xmlNewChild(c, NULL, X("acpi"), NULL);
	if (strcmp(s->domain_type, "qemu") == 0) {
		/* TCG: a CPU model every host can run, so migration works */
		c = xmlNewChild(root, NULL, X("cpu"), NULL);
		xmlSetProp(c, X("mode"), X("custom"));
		xmlSetProp(c, X("match"), X("exact"));
		c = xmlNewTextChild(c, NULL, X("model"), X("qemu64"));
		xmlSetProp(c, X("fallback"), X("allow"));
	}
	c = xmlNewChild(root, NULL, X("clock"), NULL);
	xmlSetProp(c, X("offset"), X("utc"));
	xmlNewTextChild(root, NULL, X("on_poweroff"), X("destroy"));
	xmlNewTextChild(root, NULL, X("on_reboot"), X("restart"));
	xmlNewTextChild(root, NULL, X("on_crash"), X("destroy"));
}

char *domgen_domain(const struct domgen_spec *s, char *err, size_t errlen)
{
	xmlDocPtr doc = xmlNewDoc(X("1.0"));
	xmlNodePtr root = xmlNewDocNode(doc, NULL, X("domain"), NULL), n;
	char uuid[VM_UUID_STR_LEN + 1];
	char *out = NULL;

	xmlDocSetRootElement(doc, root);
	xmlSetProp(root, X("type"), X(s->domain_type));
	xmlNewTextChild(root, NULL, X("name"), X(s->name));
	vm_uuid_format(s->uuid, uuid);
	xmlNewTextChild(root, NULL, X("uuid"), X(uuid));
	n = dg_text_u64(root, "memory", s->mem_kib);
	xmlSetProp(n, X("unit"), X("KiB"));
	dg_text_u64(root, "vcpu", s->vcpus);
	dg_cputune(root, s);
	n = xmlNewChild(root, NULL, X("metadata"), NULL);
	xmlAddChild(n, dg_meta_new(doc, s));
	if (dg_os(root, s, err, errlen) < 0)
		goto out;
	dg_platform(root, s);
	dg_devices(doc, root, s);
	out = dg_dump(doc, root);
	if (!out)
		snprintf(err, errlen, "cannot format the domain XML");
out:
	xmlFreeDoc(doc);
	return out;
}

/* --- edits of an existing definition --------------------------------------------- */

static void dg_set_text_u64(xmlNodePtr parent, const char *name, uint64_t v, bool create)
{
	xmlNodePtr n = xmlelem_child(parent, name);
	char buf[32];

	if (!n && !create)
		return;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	if (!n)
		n = xmlNewTextChild(parent, NULL, X(name), NULL);
	xmlNodeSetContent(n, X(buf));
	if (strcmp(name, "vcpu") != 0)
		xmlSetProp(n, X("unit"), X("KiB"));
}

static int dg_add_iface(xmlDocPtr doc, xmlNodePtr devices, const char *iface_xml)
{
	xmlDocPtr idoc = dg_read(iface_xml, NULL, 0);
	xmlNodePtr copy;

	if (!idoc)
		return -1;
	copy = xmlDocCopyNode(xmlDocGetRootElement(idoc), doc, 1);
	xmlFreeDoc(idoc);
	if (!copy)
		return -1;
	xmlAddChild(devices, copy);
	return 0;
}

static int dg_apply_edit(xmlDocPtr doc, xmlNodePtr root, const struct domgen_edit *e)
{
	xmlNodePtr devices = xmlelem_child(root, "devices"), os = xmlelem_child(root, "os"), c, next;

	if (e->has_mem) {
		dg_set_text_u64(root, "memory", e->mem_kib, true);
		dg_set_text_u64(root, "currentMemory", e->mem_kib, false);
	}
	if (e->has_vcpus) {
		dg_set_text_u64(root, "vcpu", e->vcpus, true);
		xmlUnsetProp(xmlelem_child(root, "vcpu"), X("current"));
	}
	if (e->cmdline) {
		if (!os)
			return -1;
		c = xmlelem_child(os, "cmdline");
		if (!c)
			c = xmlNewTextChild(os, NULL, X("cmdline"), NULL);
		xmlNodeSetContent(c, NULL);
		xmlNodeAddContent(c, X(e->cmdline));
	}
	if ((e->add_iface || e->has_remove_mac) && !devices)
		return -1;
	for (c = devices ? devices->children : NULL; e->has_remove_mac && c; c = next) {
		next = c->next;
		if (xmlelem_is(c, "interface") && dg_mac_is(c, e->remove_mac)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
	return e->add_iface ? dg_add_iface(doc, devices, e->add_iface) : 0;
}

char *domgen_edit(const char *xml, const struct domgen_edit *e, char *err, size_t errlen)
{
	xmlDocPtr doc = dg_read(xml, err, errlen);
	xmlNodePtr root;
	char *out = NULL;

	if (!doc)
		return NULL;
	root = xmlDocGetRootElement(doc);
	if (!xmlelem_is(root, "domain") || dg_apply_edit(doc, root, e) < 0)
		snprintf(err, errlen, "cannot edit the domain XML");
	else if (!(out = dg_dump(doc, root)))
		snprintf(err, errlen, "cannot format the domain XML");
	xmlFreeDoc(doc);
	return out;
}

int domgen_iface_alias(const char *xml, const uint8_t mac[6], char *out, size_t len)
{
	xmlDocPtr doc = dg_read(xml, NULL, 0);
	xmlNodePtr c, a;
	xmlChar *name;
	int rc = -1;

	if (!doc)
		return -1;
	c = xmlelem_child(xmlelem_child(xmlDocGetRootElement(doc), "devices"), "interface");
	for (; c && rc < 0; c = c->next) {
		if (!xmlelem_is(c, "interface") || !dg_mac_is(c, mac))
			continue;
		a = xmlelem_child(c, "alias");
		name = a ? xmlGetProp(a, X("name")) : NULL;
		if (name && *name) {
			snprintf(out, len, "%s", (const char *)name);
			rc = 0;
		}
		xmlFree(name);
	}
	xmlFreeDoc(doc);
	return rc;
}

static int dg_hex_prop(xmlNodePtr n, const char *name, long dflt)
{
	xmlChar *v = xmlGetProp(n, X(name));
	long r = dflt;

	if (v)
		r = strtol((const char *)v, NULL, 0);
	xmlFree(v);
	return (int)r;
}

static void dg_scan_slots(xmlNodePtr n, int *max)
{
	xmlChar *type;

	for (; n; n = n->next) {
		if (xmlelem_is(n, "address")) {
			type = xmlGetProp(n, X("type"));
			if (type && strcmp((const char *)type, "pci") == 0 &&
			    dg_hex_prop(n, "domain", 0) == 0 && dg_hex_prop(n, "bus", 0) == 0 &&
			    dg_hex_prop(n, "slot", 0) > *max)
				*max = dg_hex_prop(n, "slot", 0);
			xmlFree(type);
		}
		dg_scan_slots(n->children, max);
	}
}

int domgen_max_pci_slot(const char *xml)
{
	xmlDocPtr doc = dg_read(xml, NULL, 0);
	int max = 0;

	if (!doc)
		return -1;
	dg_scan_slots(xmlDocGetRootElement(doc), &max);
	xmlFreeDoc(doc);
	return max;
}
