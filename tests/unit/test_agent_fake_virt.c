/*
 * test_agent_fake_virt.c - the fake hypervisor (test_agent_fake_virt.h).
 *
 * Not a suite: helpers the agent suites link against.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "dom_build.h"
#include "dom_parse.h"
#include "test_agent_fake_virt.h"

struct fake_virt fake_virt;

static void fake_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fake_log(const char *fmt, ...)
{
	size_t used = strlen(fake_virt.log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_virt.log + used, sizeof(fake_virt.log) - used, fmt, ap);
	va_end(ap);
	used = strlen(fake_virt.log);
	if (used + 1 < sizeof(fake_virt.log)) {
		fake_virt.log[used] = '\n';
		fake_virt.log[used + 1] = '\0';
	}
}

void fake_virt_reset(void)
{
	memset(&fake_virt, 0, sizeof(fake_virt));
}

void fake_virt_uuid(int n, unsigned char uuid[16])
{
	memset(uuid, 0, 16);
	uuid[14] = (unsigned char)(n >> 8);
	uuid[15] = (unsigned char)n;
}

static void fake_sched_defaults(struct fake_dom *d)
{
	static const char *const names[3] = {"cpu_shares", "vcpu_period", "vcpu_quota"};
	size_t k;

	for (k = 0; k < 3; k++) {
		snprintf(d->sched.p[k].field, sizeof(d->sched.p[k].field), "%s", names[k]);
		d->sched.p[k].type = k == 2 ? VIR_TYPED_PARAM_LLONG : VIR_TYPED_PARAM_ULLONG;
	}
	d->sched.p[0].u = 1024;
	d->sched.p[1].u = 100000;
	d->sched.p[2].l = -1;
	d->sched.n = 3;
}

struct fake_dom *fake_virt_add(int n, const char *name, int state, int nvifs,
			       int32_t meta_index)
{
	struct fake_dom *d = &fake_virt.doms[fake_virt.n++];
	int k;

	memset(d, 0, sizeof(*d));
	snprintf(d->name_buf, sizeof(d->name_buf), "%s", name);
	d->tmpl.name = d->name_buf;
	fake_virt_uuid(n, d->tmpl.uuid);
	d->tmpl.state = state;
	d->tmpl.persistent = true;
	d->tmpl.mem_kib = d->tmpl.max_mem_kib = 131072;
	d->tmpl.vcpus = d->tmpl.max_vcpus = 2;
	for (k = 0; k < nvifs && k < 4; k++) {
		d->vifs[k].index = (uint32_t)(k + 1);
		snprintf(d->vifs[k].dev, sizeof(d->vifs[k].dev), "vnet%d", n * 4 + k);
		snprintf(d->vifs[k].bridge, sizeof(d->vifs[k].bridge), "br0");
		d->vifs[k].has_mac = true;
		d->vifs[k].mac[0] = 0x52;
		d->vifs[k].mac[5] = (uint8_t)(n * 4 + k);
	}
	d->tmpl.vifs = d->vifs;
	d->tmpl.n_vifs = (size_t)(nvifs < 4 ? nvifs : 4);
	d->meta_index = d->file_meta_index = meta_index;
	d->rx_bytes = 1000u * (uint64_t)n;
	d->present = true;
	fake_sched_defaults(d);
	if (n >= fake_virt.next_n)
		fake_virt.next_n = n + 1;
	return d;
}

struct fake_dom *fake_virt_find(const char *name)
{
	int i;

	for (i = 0; i < fake_virt.n; i++)
		if (fake_virt.doms[i].present && strcmp(fake_virt.doms[i].name_buf, name) == 0)
			return &fake_virt.doms[i];
	return NULL;
}

void fake_virt_event(struct fake_dom *d, int event, int new_state)
{
	d->tmpl.state = new_state;
	if (fake_virt.cb && fake_virt.open_now)
		fake_virt.cb->event(fake_virt.opaque, d->tmpl.uuid, VIRT_EV_LIFECYCLE, event, 0);
}

void fake_virt_close_now(void)
{
	fake_virt.open_now = false;
	if (fake_virt.cb)
		fake_virt.cb->closed(fake_virt.opaque, VIR_CONNECT_CLOSE_REASON_EOF);
}

static struct vm *fake_copy_xml(struct fake_dom *d);

static struct vm *fake_copy(struct fake_dom *d)
{
	struct vm *vm;
	const char *admin;

	if (d->xml[0])
		return fake_copy_xml(d);
	vm = vm_new();
	/* a template's vmib element: only its admin state matters to the tests */
	admin = strstr(d->meta, "admin=\"");
	if (admin)
		vm->admin = strncmp(admin + 7, "running", 7) == 0   ? VM_ADMIN_RUNNING
			    : strncmp(admin + 7, "paused", 6) == 0  ? VM_ADMIN_PAUSED
			    : strncmp(admin + 7, "shutoff", 7) == 0 ? VM_ADMIN_SHUTOFF
								    : VM_ADMIN_DESTROYED;

	vm->name = strdup(d->name_buf);
	memcpy(vm->uuid, d->tmpl.uuid, 16);
	vm->image = strdup("");
	vm->kernel = strdup("");
	vm->os_type = strdup("hvm");
	vm->state = d->tmpl.state;
	vm->persistent = d->tmpl.persistent;
	vm->mem_kib = d->tmpl.mem_kib;
	vm->max_mem_kib = d->tmpl.max_mem_kib;
	vm->vcpus = d->tmpl.vcpus;
	vm->max_vcpus = d->tmpl.max_vcpus;
	vm->meta_index = d->meta_index;
	vm->n_vifs = d->tmpl.n_vifs;
	vm->vifs = calloc(vm->n_vifs ? vm->n_vifs : 1, sizeof(*vm->vifs));
	memcpy(vm->vifs, d->vifs, vm->n_vifs * sizeof(*vm->vifs));
	return vm;
}

static void *fake_open(const char *uri, const struct virt_callbacks *cb, void *opaque,
		       char *err, size_t errlen)
{
	int i;

	if (!cb) {
		/* a control connection (virt.h): no events */
		if (fake_virt.fail_open) {
			snprintf(err, errlen, "virConnectOpen: fake refuses %s", uri);
			return NULL;
		}
		fake_virt.ctl_opens++;
		return &fake_virt.ctl_opens;
	}
	fake_virt.opens++;
	if (fake_virt.fail_open) {
		snprintf(err, errlen, "virConnectOpen: fake refuses %s", uri);
		return NULL;
	}
	if (fake_virt.lose_metadata)
		for (i = 0; i < fake_virt.n; i++)
			fake_virt.doms[i].meta_index = fake_virt.doms[i].file_meta_index;
	fake_virt.cb = cb;
	fake_virt.opaque = opaque;
	fake_virt.open_now = true;
	return &fake_virt;
}

static void fake_close(void *conn)
{
	if (conn == &fake_virt.ctl_opens) {
		fake_virt.ctl_closes++;
		return;
	}
	fake_virt.closes++;
	fake_virt.open_now = false;
}

static int fake_host(void *conn, struct virt_host *out, char *err, size_t errlen)
{
	(void)conn;
	(void)err;
	(void)errlen;
	memset(out, 0, sizeof(*out));
	snprintf(out->hostname, sizeof(out->hostname), "fakehost");
	snprintf(out->hv_type, sizeof(out->hv_type), "%s",
		 fake_virt.hv_type ? fake_virt.hv_type : "FAKE");
	snprintf(out->hv_version, sizeof(out->hv_version), "1.2.3");
	out->cpus = 8;
	out->mem_total_kib = 1u << 24;
	out->mem_free_kib = fake_virt.mem_free_kib ? fake_virt.mem_free_kib : 1u << 23;
	out->migration = fake_virt.migration;
	out->max_vcpus = fake_virt.max_vcpus ? fake_virt.max_vcpus : 64;
	return 0;
}

static int fake_list(void *conn, struct vm ***out, size_t *n, char *err, size_t errlen)
{
	struct vm **vms = calloc(FAKE_MAX_DOMS, sizeof(*vms));
	size_t k = 0;
	int i;

	(void)conn;
	(void)err;
	(void)errlen;
	if (!fake_virt.open_now) {
		free(vms);
		snprintf(err, errlen, "fake: not connected");
		return -1;
	}
	for (i = 0; i < fake_virt.n; i++)
		if (fake_virt.doms[i].present)
			vms[k++] = fake_copy(&fake_virt.doms[i]);
	*out = vms;
	*n = k;
	return 0;
}

static struct fake_dom *fake_by_uuid(const unsigned char *uuid)
{
	int i;

	for (i = 0; i < fake_virt.n; i++)
		if (fake_virt.doms[i].present && memcmp(fake_virt.doms[i].tmpl.uuid, uuid, 16) == 0)
			return &fake_virt.doms[i];
	return NULL;
}

static int fake_lookup(void *conn, const unsigned char *uuid, struct vm **out,
		       char *err, size_t errlen)
{
	struct fake_dom *d = fake_by_uuid(uuid);

	(void)conn;
	(void)err;
	(void)errlen;
	*out = NULL;
	if (!d)
		return 1;
	*out = fake_copy(d);
	return 0;
}

/* the disks the tracker asked for: counters derived from the position
 * (disk k: k + 1 reads ...), the first 3 TiB big (vmStorageSizeUnit must
 * grow), the others of unknown size */
static void fake_stats_disks(struct virt_stats *s, const struct virt_stats_req *req,
			     size_t n_req)
{
	const struct virt_stats_req *r = NULL;
	size_t i, k;

	for (i = 0; i < n_req && !r; i++)
		if (memcmp(req[i].uuid, s->uuid, VM_UUID_LEN) == 0)
			r = &req[i];
	if (!r || !r->n_disks)
		return;
	s->blks = calloc(r->n_disks, sizeof(*s->blks));
	s->n_blks = r->n_disks;
	for (k = 0; k < r->n_disks; k++) {
		memcpy(s->blks[k].dev, r->disks[k], VM_IFNAME_MAX);
		s->blks[k].c = (struct disk_counters){
			.rd_reqs = k + 1, .rd_bytes = 512 * (k + 1), .rd_time_ns = 3000 * (k + 1),
			.wr_reqs = 10 * (k + 1), .wr_bytes = 4096 * (k + 1),
			.wr_time_ns = 7000 * (k + 1)};
		s->blks[k].capacity_bytes = k ? -1 : (int64_t)3 << 40;
		s->blks[k].allocation_bytes = k ? -1 : (int64_t)5 << 30;
	}
}

static int fake_stats(void *conn, const struct virt_stats_req *req, size_t n_req,
		      struct virt_stats **out, size_t *n, uint64_t *mem_free_kib,
		      char *err, size_t errlen)
{
	struct virt_stats *s = calloc(FAKE_MAX_DOMS, sizeof(*s));
	size_t k = 0, v;
	int i;

	(void)conn;
	(void)err;
	(void)errlen;
	while (atomic_load(&fake_virt.stats_block))
		usleep(1000);
	fake_virt.stats_calls++;
	for (i = 0; i < fake_virt.n; i++) {
		struct fake_dom *d = &fake_virt.doms[i];

		if (!d->present || d->tmpl.state != VIR_DOMAIN_RUNNING)
			continue;
		memcpy(s[k].uuid, d->tmpl.uuid, 16);
		s[k].state = d->tmpl.state;
		s[k].cpu_time_ns = 5000000000ULL;
		s[k].n_vcpu = 2;
		s[k].vcpu_time_ns = calloc(2, sizeof(uint64_t));
		s[k].vcpu_time_ns[0] = 3000000000ULL;
		s[k].vcpu_time_ns[1] = 2000000000ULL;
		s[k].n_vifs = d->tmpl.n_vifs;
		s[k].vifs = calloc(s[k].n_vifs ? s[k].n_vifs : 1, sizeof(*s[k].vifs));
		for (v = 0; v < d->tmpl.n_vifs; v++) {
			memcpy(s[k].vifs[v].dev, d->vifs[v].dev, VM_IFNAME_MAX);
			s[k].vifs[v].c.rx_bytes = d->rx_bytes + v;
			s[k].vifs[v].c.tx_pkts = 7;
		}
		fake_stats_disks(&s[k], req, n_req);
		k++;
	}
	*out = s;
	*n = k;
	*mem_free_kib = fake_virt.mem_free_kib ? fake_virt.mem_free_kib : 4096;
	return 0;
}

static int fake_set_index(void *conn, const unsigned char *uuid, int32_t index,
			  char *err, size_t errlen)
{
	struct fake_dom *d = fake_by_uuid(uuid);

	(void)conn;
	if (!d) {
		snprintf(err, errlen, "fake: no such domain");
		return -1;
	}
	d->meta_index = index;
	fake_log("set_index %s %d", d->name_buf, (int)index);
	return 0;
}

/* --- the SET side's calls ------------------------------------------------------ */

static bool fake_active(const struct fake_dom *d)
{
	return d->tmpl.state == VIR_DOMAIN_RUNNING || d->tmpl.state == VIR_DOMAIN_PAUSED ||
	       d->tmpl.state == VIR_DOMAIN_BLOCKED || d->tmpl.state == VIR_DOMAIN_SHUTDOWN;
}

/* log the call; 0, or -1 with err when fail_on matches it */
static int fake_call(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fake_call(char *err, size_t errlen, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	while (atomic_load(&fake_virt.calls_block) &&
	       (!fake_virt.block_on[0] ||
		strncmp(line, fake_virt.block_on, strlen(fake_virt.block_on)) == 0))
		usleep(1000);
	if (fake_virt.fail_on[0] && strncmp(line, fake_virt.fail_on, strlen(fake_virt.fail_on)) == 0) {
		fake_log("%s -> refused", line);
		snprintf(err, errlen, "fake: %s refused", line);
		return -1;
	}
	fake_log("%s", line);
	return 0;
}

static int fake_fail(char *err, size_t errlen, const char *what, const struct fake_dom *d)
{
	snprintf(err, errlen, "fake: %s: %s", d ? d->name_buf : "?", what);
	return -1;
}

static void fake_ns_all(xmlNodePtr n, xmlNsPtr ns)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		xmlSetNs(n, ns);
		fake_ns_all(n->children, ns);
	}
}

/* the vmib element with its namespace on every element (add), as libvirt
 * writes it into a domain's XML, or without (as virDomainGetMetadata
 * returns it and virDomainSetMetadata takes it) */
static void fake_meta_ns(const char *in, bool add, char *out, size_t len)
{
	xmlDocPtr doc = xmlReadMemory(in, (int)strlen(in), "meta.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlBufferPtr buf = NULL;

	snprintf(out, len, "%s", in);
	if (!root)
		goto out;
	if (add) {
		xmlNsPtr ns = xmlNewNs(root, (const xmlChar *)VM_META_URI,
				       (const xmlChar *)VM_META_PREFIX);

		fake_ns_all(root, ns);
	} else {
		fake_ns_all(root, NULL);
		if (root->nsDef) {
			xmlFreeNsList(root->nsDef);
			root->nsDef = NULL;
		}
	}
	buf = xmlBufferCreate();
	if (buf && xmlNodeDump(buf, doc, root, 0, 0) >= 0)
		snprintf(out, len, "%s", (const char *)xmlBufferContent(buf));
out:
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
}

/* base with its <metadata> content replaced by meta (buf: 16 KiB) */
static void fake_splice_meta(const char *base, const char *meta_plain, char *buf, size_t len)
{
	char meta[2048] = "";

	if (meta_plain[0])
		fake_meta_ns(meta_plain, true, meta, sizeof(meta));
	const char *open_tag = strstr(base, "<metadata"), *close_tag = strstr(base, "</metadata>");
	const char *end = strstr(base, "</domain>");

	if (open_tag && close_tag)
		snprintf(buf, len, "%.*s<metadata>%s%s", (int)(open_tag - base), base, meta,
			 close_tag);
	else if (end && meta[0])
		snprintf(buf, len, "%.*s<metadata>%s</metadata>%s", (int)(end - base), base, meta,
			 end);
	else
		snprintf(buf, len, "%s", base);
}

static void fake_template_xml(const struct fake_dom *d, char *buf, size_t len)
{
	char uuid[VM_UUID_STR_LEN + 1];
	size_t used, k;

	vm_uuid_format(d->tmpl.uuid, uuid);
	used = (size_t)snprintf(buf, len, "<domain type='test'><name>%s</name><uuid>%s</uuid>"
				"<memory unit='KiB'>%llu</memory><vcpu>%u</vcpu>"
				"<os><type>hvm</type></os><devices>",
				d->name_buf, uuid, (unsigned long long)d->tmpl.max_mem_kib,
				d->tmpl.vcpus);
	for (k = 0; k < d->tmpl.n_vifs && used < len; k++)
		used += (size_t)snprintf(buf + used, len - used,
					 "<interface type='bridge'><source bridge='%s'/>"
					 "<mac address='%02x:%02x:%02x:%02x:%02x:%02x'/></interface>",
					 d->vifs[k].bridge, d->vifs[k].mac[0], d->vifs[k].mac[1],
					 d->vifs[k].mac[2], d->vifs[k].mac[3], d->vifs[k].mac[4],
					 d->vifs[k].mac[5]);
	if (used < len)
		snprintf(buf + used, len - used, "</devices></domain>");
}

const char *fake_virt_xml(struct fake_dom *d, bool inactive)
{
	static char buf[16384];
	char base[8192], index_only[64];

	if (!d->xml[0])
		fake_template_xml(d, base, sizeof(base));
	else
		snprintf(base, sizeof(base), "%s", !inactive && d->live[0] ? d->live : d->xml);
	/* a template's index, as set_index keeps it */
	snprintf(index_only, sizeof(index_only), "<vm index=\"%d\"/>", (int)d->meta_index);
	fake_splice_meta(base, d->meta[0] || !d->meta_index ? d->meta : index_only, buf,
			 sizeof(buf));
	return buf;
}

static struct vm *fake_copy_xml(struct fake_dom *d)
{
	char err[256], dev[VM_IFNAME_MAX];
	struct vm *vm = domxml_parse(fake_virt_xml(d, !fake_active(d)), err, sizeof(err));
	size_t k;

	if (!vm) {
		/* a fake without a usable XML still lists as a domain */
		vm = vm_new();
		vm->name = strdup(d->name_buf);
		memcpy(vm->uuid, d->tmpl.uuid, VM_UUID_LEN);
		vm->image = strdup("");
		vm->kernel = strdup("");
		vm->os_type = strdup("");
	}
	vm->state = d->tmpl.state;
	vm->persistent = d->tmpl.persistent;
	for (k = 0; fake_active(d) && k < vm->n_vifs; k++) {
		snprintf(dev, sizeof(dev), "fv%u.%u", (unsigned)(d - fake_virt.doms) % 1000u,
			 (unsigned)k % 100u);
		if (!vm->vifs[k].dev[0])
			memcpy(vm->vifs[k].dev, dev, sizeof(dev));
	}
	vm->has_sched = true;
	vm->sched_weight = (uint32_t)(d->sched.p[0].u > 65535 ? 65535 : d->sched.p[0].u);
	vm->sched_cap_pct = d->sched.p[2].l > 0 && d->sched.p[1].u
				    ? (uint32_t)((uint64_t)d->sched.p[2].l * (vm->vcpus ? vm->vcpus : 1) *
						 100 / d->sched.p[1].u)
				    : 0;
	return vm;
}

static void fake_take_meta(struct fake_dom *d, const char *xml)
{
	const char *a = strstr(xml, "<metadata>"), *b = strstr(xml, "</metadata>");
	char raw[2048];

	d->meta[0] = '\0';
	if (a && b && b > a) {
		snprintf(raw, sizeof(raw), "%.*s", (int)(b - a - 10), a + 10);
		fake_meta_ns(raw, false, d->meta, sizeof(d->meta));
	}
}

static int fake_define(void *conn, const char *xml, unsigned char *uuid, char *err,
		       size_t errlen)
{
	struct vm *vm = domxml_parse(xml, err, errlen);
	struct fake_dom *d = NULL, *same;
	int i;

	(void)conn;
	if (!vm)
		return -1;
	for (i = 0; i < fake_virt.n && !d; i++)
		if (fake_virt.doms[i].present && vm_uuid_cmp(fake_virt.doms[i].tmpl.uuid, vm->uuid) == 0)
			d = &fake_virt.doms[i];
	same = fake_virt_find(vm->name);
	if (fake_call(err, errlen, "define %s", vm->name) < 0 || (same && same != d) ||
	    (!d && fake_virt.n >= FAKE_MAX_DOMS)) {
		if (same && same != d && !err[0])
			snprintf(err, errlen, "fake: domain '%s' already exists", vm->name);
		vm_free(vm);
		return -1;
	}
	if (!d) {
		d = &fake_virt.doms[fake_virt.n++];
		memset(d, 0, sizeof(*d));
		memcpy(d->tmpl.uuid, vm->uuid, VM_UUID_LEN);
		d->tmpl.state = VIR_DOMAIN_SHUTOFF;
		d->present = true;
		fake_sched_defaults(d);
	}
	snprintf(d->name_buf, sizeof(d->name_buf), "%s", vm->name);
	d->tmpl.name = d->name_buf;
	d->tmpl.persistent = true;
	d->tmpl.vcpus = vm->vcpus;
	d->tmpl.max_mem_kib = d->tmpl.mem_kib = vm->max_mem_kib;
	d->meta_index = vm->meta_index;
	snprintf(d->xml, sizeof(d->xml), "%s", xml);
	fake_take_meta(d, xml);
	memcpy(uuid, vm->uuid, VM_UUID_LEN);
	vm_free(vm);
	return 0;
}

static struct fake_dom *fake_dom_of(const unsigned char *uuid, char *err, size_t errlen)
{
	struct fake_dom *d = fake_by_uuid(uuid);

	if (!d)
		snprintf(err, errlen, "fake: no such domain");
	return d;
}

static int fake_undefine(void *conn, const unsigned char *uuid, char *err, size_t errlen)
{
	struct fake_dom *d = fake_dom_of(uuid, err, errlen);

	(void)conn;
	if (!d || fake_call(err, errlen, "undefine %s", d->name_buf) < 0)
		return -1;
	if (!d->tmpl.persistent)
		return fake_fail(err, errlen, "cannot undefine transient domain", d);
	d->tmpl.persistent = false;
	if (!fake_active(d))
		d->present = false;
	return 0;
}

static int fake_get_xml(void *conn, const unsigned char *uuid, bool inactive, char **out,
			char *err, size_t errlen)
{
	struct fake_dom *d = fake_dom_of(uuid, err, errlen);

	(void)conn;
	*out = NULL;
	if (!d)
		return -1;
	if (inactive && !d->tmpl.persistent)
		return fake_fail(err, errlen, "transient domain has no persistent definition", d);
	*out = strdup(fake_virt_xml(d, inactive));
	return *out ? 0 : -1;
}

static int fake_power(void *conn, const unsigned char *uuid, enum virt_power op, char *err,
		      size_t errlen)
{
	static const char *const names[] = {"start", "start-paused", "destroy",
					    "shutdown", "suspend", "resume"};
	struct fake_dom *d = fake_dom_of(uuid, err, errlen);

	(void)conn;
	if (!d || fake_call(err, errlen, "%s %s", names[op], d->name_buf) < 0)
		return -1;
	switch (op) {
	case VIRT_POWER_START:
	case VIRT_POWER_START_PAUSED:
		if (fake_active(d))
			return fake_fail(err, errlen, "domain is already running", d);
		d->tmpl.state = op == VIRT_POWER_START ? VIR_DOMAIN_RUNNING : VIR_DOMAIN_PAUSED;
		snprintf(d->live, sizeof(d->live), "%s", d->xml);
		return 0;
	case VIRT_POWER_DESTROY:
		if (!fake_active(d))
			return fake_fail(err, errlen, "domain is not running", d);
		d->tmpl.state = VIR_DOMAIN_SHUTOFF;
		d->live[0] = '\0';
		if (!d->tmpl.persistent)
			d->present = false;
		return 0;
	case VIRT_POWER_SHUTDOWN:
		if (!fake_active(d))
			return fake_fail(err, errlen, "domain is not running", d);
		if (fake_virt.acpi_works) {
			d->tmpl.state = VIR_DOMAIN_SHUTOFF;
			d->live[0] = '\0';
		}
		return 0;
	case VIRT_POWER_SUSPEND:
		if (d->tmpl.state != VIR_DOMAIN_RUNNING)
			return fake_fail(err, errlen, "domain is not running", d);
		d->tmpl.state = VIR_DOMAIN_PAUSED;
		return 0;
	case VIRT_POWER_RESUME:
		if (d->tmpl.state != VIR_DOMAIN_PAUSED)
			return fake_fail(err, errlen, "domain is not paused", d);
		d->tmpl.state = VIR_DOMAIN_RUNNING;
		return 0;
	}
	return -1;
}

static int fake_get_meta(void *conn, const unsigned char *uuid, const char *uri, char **xml,
			 char *err, size_t errlen)
{
	struct fake_dom *d = fake_by_uuid(uuid);

	(void)conn;
	(void)err;
	(void)errlen;
	*xml = NULL;
	if (!d)
		return 1;
	if (strcmp(uri, VM_META_URI) == 0 && d->meta[0])
		*xml = strdup(d->meta);
	return 0;
}

static int fake_set_meta(void *conn, const unsigned char *uuid, const char *uri,
			 const char *prefix, const char *xml, char *err, size_t errlen)
{
	struct fake_dom *d = fake_by_uuid(uuid);

	(void)conn;
	(void)prefix;
	if (!d)
		return 1;
	if (fake_call(err, errlen, "metadata %s", d->name_buf) < 0)
		return -1;
	if (strcmp(uri, VM_META_URI) == 0 && xml)
		fake_meta_ns(xml, false, d->meta, sizeof(d->meta));
	else if (strcmp(uri, VM_META_URI) == 0)
		d->meta[0] = '\0';
	return 0;
}

static int fake_sched_get(void *conn, const unsigned char *uuid, struct virt_sched *p,
			  char *err, size_t errlen)
{
	struct fake_dom *d = fake_dom_of(uuid, err, errlen);
	size_t k, i;

	(void)conn;
	if (!d)
		return -1;
	for (k = 0; k < p->n; k++) {
		for (i = 0; i < d->sched.n; i++)
			if (strcmp(d->sched.p[i].field, p->p[k].field) == 0)
				break;
		if (i == d->sched.n)
			return fake_fail(err, errlen, "no such scheduler parameter", d);
		p->p[k].u = d->sched.p[i].u;
		p->p[k].l = d->sched.p[i].l;
	}
	return 0;
}

static int fake_sched_set(void *conn, const unsigned char *uuid, const struct virt_sched *p,
			  char *err, size_t errlen)
{
	struct fake_dom *d = fake_dom_of(uuid, err, errlen);
	char line[256] = "";
	size_t k, i, used = 0;

	(void)conn;
	if (!d)
		return -1;
	for (k = 0; k < p->n && used < sizeof(line); k++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, " %s=%lld", p->p[k].field,
					 p->p[k].type == VIR_TYPED_PARAM_LLONG ? (long long)p->p[k].l
									       : (long long)p->p[k].u);
	if (fake_call(err, errlen, "sched %s%s", d->name_buf, line) < 0)
		return -1;
	for (k = 0; k < p->n; k++)
		for (i = 0; i < d->sched.n; i++)
			if (strcmp(d->sched.p[i].field, p->p[k].field) == 0)
				d->sched.p[i] = p->p[k];
	return 0;
}

/* "52:54:00:.." of an <interface> element's <mac address> */
static int fake_iface_mac(const char *xml, char out[18])
{
	const char *a = strstr(xml, "address=");

	if (!a || strlen(a) < 9 + 17)
		return -1;
	snprintf(out, 18, "%.17s", a + 9);
	return 0;
}

static int fake_attach(void *conn, const unsigned char *uuid, const char *dev_xml,
		       unsigned int where, char *err, size_t errlen)
{
	struct fake_dom *d = fake_dom_of(uuid, err, errlen);
	char mac[18], *end;
	char buf[8192];

	(void)conn;
	if (!d || fake_iface_mac(dev_xml, mac) < 0)
		return -1;
	if (fake_call(err, errlen, "attach %s %s%s", d->name_buf, mac,
		      where & VIRT_WHERE_CONFIG ? " config" : "") < 0)
		return -1;
	if (!fake_active(d) || !(end = strstr(d->live, "</devices>")))
		return fake_fail(err, errlen, "domain is not running", d);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(end - d->live), d->live, dev_xml, end);
	snprintf(d->live, sizeof(d->live), "%s", buf);
	return 0;
}

static int fake_detach_mac(void *conn, const unsigned char *uuid, const uint8_t mac[6],
			   char *err, size_t errlen)
{
	struct fake_dom *d = fake_dom_of(uuid, err, errlen);
	char text[18], buf[8192];
	const char *at, *start, *stop;

	(void)conn;
	if (!d)
		return -1;
	snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
	if (fake_call(err, errlen, "detach %s %s", d->name_buf, text) < 0)
		return -1;
	at = fake_active(d) ? strstr(d->live, "<devices>") : NULL;
	at = at ? strstr(at, text) : NULL;
	if (!at)
		return fake_fail(err, errlen, "no such interface", d);
	for (start = at; start > d->live && strncmp(start, "<interface", 10) != 0; start--)
		;
	stop = strstr(at, "</interface>");
	if (!stop)
		return fake_fail(err, errlen, "bad live XML", d);
	stop += strlen("</interface>");
	snprintf(buf, sizeof(buf), "%.*s%s", (int)(start - d->live), d->live, stop);
	snprintf(d->live, sizeof(d->live), "%s", buf);
	return 0;
}

static int fake_migrate(void *conn, const unsigned char *uuid, const char *dest_uri, bool live,
			uint64_t *downtime_ms, char *err, size_t errlen)
{
	struct fake_dom *d = fake_dom_of(uuid, err, errlen);

	(void)conn;
	*downtime_ms = 0;
	if (!d || fake_call(err, errlen, "migrate %s %s %s", d->name_buf, dest_uri,
			    live ? "live" : "offline") < 0)
		return -1;
	if (!fake_active(d))
		return fake_fail(err, errlen, "domain is not running", d);
	d->present = false; /* persistent there, undefined here */
	*downtime_ms = 42;
	return 0;
}

static int fake_abort_job(void *conn, const unsigned char *uuid, char *err, size_t errlen)
{
	struct fake_dom *d = fake_dom_of(uuid, err, errlen);

	(void)conn;
	return d ? fake_call(err, errlen, "abort %s", d->name_buf) : -1;
}

static int fake_job_downtime(void *conn, const unsigned char *uuid, uint64_t *ms, char *err,
			     size_t errlen)
{
	struct fake_dom *d = fake_dom_of(uuid, err, errlen);

	(void)conn;
	*ms = d ? 123 : 0;
	return d ? 0 : -1;
}

static bool fake_alive(void *conn)
{
	(void)conn;
	return true;
}

const struct virt_ops fake_virt_ops = {
	.name = "fake",
	.open = fake_open,
	.close = fake_close,
	.host = fake_host,
	.list = fake_list,
	.lookup = fake_lookup,
	.stats = fake_stats,
	.set_index = fake_set_index,
	.get_meta = fake_get_meta,
	.set_meta = fake_set_meta,
	.alive = fake_alive,
	.define = fake_define,
	.undefine = fake_undefine,
	.get_xml = fake_get_xml,
	.power = fake_power,
	.sched_get = fake_sched_get,
	.sched_set = fake_sched_set,
	.attach = fake_attach,
	.detach_mac = fake_detach_mac,
	.migrate = fake_migrate,
	.abort_job = fake_abort_job,
	.job_downtime = fake_job_downtime,
};
