/*
 * test_agent_fake_virt.c - the fake hypervisor (test_agent_fake_virt.h).
 *
 * Not a suite: helpers the agent suites link against.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

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

static struct vm *fake_copy(const struct fake_dom *d)
{
	struct vm *vm = vm_new();

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
	(void)conn;
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
	snprintf(out->hv_type, sizeof(out->hv_type), "FAKE");
	snprintf(out->hv_version, sizeof(out->hv_version), "1.2.3");
	out->cpus = 8;
	out->mem_total_kib = 1u << 24;
	out->mem_free_kib = 1u << 23;
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

static int fake_stats(void *conn, const struct virt_stats_req *req, size_t n_req,
		      struct virt_stats **out, size_t *n, uint64_t *mem_free_kib,
		      char *err, size_t errlen)
{
	struct virt_stats *s = calloc(FAKE_MAX_DOMS, sizeof(*s));
	size_t k = 0, v;
	int i;

	(void)conn;
	(void)req;
	(void)n_req;
	(void)err;
	(void)errlen;
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
		k++;
	}
	*out = s;
	*n = k;
	*mem_free_kib = 4096;
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

const struct virt_ops fake_virt_ops = {
	.name = "fake",
	.open = fake_open,
	.close = fake_close,
	.host = fake_host,
	.list = fake_list,
	.lookup = fake_lookup,
	.stats = fake_stats,
	.set_index = fake_set_index,
};
