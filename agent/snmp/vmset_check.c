/*
 * vmrows.c - RESERVE2 of a SET on the VM and vif tables: every check that
 * can fail, and the plan of libvirt steps (vmplan.h) that carries out
 * what passed.
 *
 * Input: the PDU's varbinds, already syntax-checked (vmset.c RESERVE1).
 * They are grouped into rows (one per VM index, with its vif rows) and
 * each row is checked against the VM cache, the image table, the
 * configuration (bridges, peers), the host's free memory and the rest of
 * the PDU, following VMIB-MIB clause by clause: which error for which
 * case is written there.  Nothing is changed here: a PDU with one error
 * gets no plan step run at all.  Row errors land on the varbind that
 * carries them (or the row's RowStatus) with a readable reason.
 *
 * Loop thread only; it reads the cache through the tracker and never
 * keeps a pointer into it past this call.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <libvirt/libvirt.h>

#include "dom_build.h"
#include "log.h"
#include "vmset_syntax.h"
#include "vmib_oids.h"
#include "vmsched.h"
#include "vmset_int.h"

#define VR_RS_ACTIVE VMIB_ENUM_vmibVmRowStatus_active
#define VR_RS_CREATE VMIB_ENUM_vmibVmRowStatus_createAndGo
#define VR_RS_DESTROY VMIB_ENUM_vmibVmRowStatus_destroy
#define VR_DEFAULT_MEM_KIB 131072
#define VR_DEFAULT_VCPUS 1

static struct vs_item *vr_it(struct vs_txn *tx, int i)
{
	return i < 0 ? NULL : &tx->items[i];
}

/* the varbind a row-level error goes on: RowStatus, else the first one */
static struct vs_item *vr_row_item(struct vs_txn *tx, const struct vs_vm_row *r)
{
	size_t c, v;

	if (r->item[VMIB_COL_vmibVmRowStatus] >= 0)
		return vr_it(tx, r->item[VMIB_COL_vmibVmRowStatus]);
	for (c = 0; c < VS_VM_COLS; c++)
		if (r->item[c] >= 0)
			return vr_it(tx, r->item[c]);
	for (v = 0; v < r->n_vifs; v++)
		for (c = 0; c < VS_VIF_COLS; c++)
			if (r->vifs[v].item[c] >= 0)
				return vr_it(tx, r->vifs[v].item[c]);
	return &tx->items[0];
}

static struct vs_item *vr_vif_item(struct vs_txn *tx, const struct vs_vif_row *v)
{
	size_t c;

	if (v->item[VMIB_COL_vmibVifRowStatus] >= 0)
		return vr_it(tx, v->item[VMIB_COL_vmibVifRowStatus]);
	for (c = 0; c < VS_VIF_COLS; c++)
		if (v->item[c] >= 0)
			return vr_it(tx, v->item[c]);
	return &tx->items[0];
}

/* the varbind an error about the row's vif changes goes on: the RowStatus
 * of its first vif created or destroyed, else the row's */
static struct vs_item *vr_vif_change_item(struct vs_txn *tx, const struct vs_vm_row *r)
{
	size_t v;

	for (v = 0; v < r->n_vifs; v++)
		if (r->vifs[v].rowstatus == VR_RS_CREATE || r->vifs[v].rowstatus == VR_RS_DESTROY)
			return vr_vif_item(tx, &r->vifs[v]);
	return vr_row_item(tx, r);
}

/* --- grouping ------------------------------------------------------------------- */

static struct vs_vm_row *vr_row(struct vs_txn *tx, int32_t index)
{
	struct vs_vm_row *nr;
	size_t i;

	for (i = 0; i < tx->n_rows; i++)
		if (tx->rows[i].index == index)
			return &tx->rows[i];
	nr = realloc(tx->rows, (tx->n_rows + 1) * sizeof(*nr));
	if (!nr)
		abort();
	tx->rows = nr;
	nr = &tx->rows[tx->n_rows++];
	memset(nr, 0, sizeof(*nr));
	nr->index = index;
	memset(nr->item, 0xff, sizeof(nr->item));
	return nr;
}

static struct vs_vif_row *vr_vif(struct vs_vm_row *r, uint32_t index)
{
	struct vs_vif_row *nv;
	size_t i;

	for (i = 0; i < r->n_vifs; i++)
		if (r->vifs[i].index == index)
			return &r->vifs[i];
	nv = realloc(r->vifs, (r->n_vifs + 1) * sizeof(*nv));
	if (!nv)
		abort();
	r->vifs = nv;
	nv = &r->vifs[r->n_vifs++];
	memset(nv, 0, sizeof(*nv));
	nv->index = index;
	memset(nv->item, 0xff, sizeof(nv->item));
	return nv;
}

static void vr_group(struct vs_txn *tx)
{
	struct vs_vm_row *r;
	struct vs_vif_row *v;
	int *slot;
	size_t i;

	for (i = 0; i < tx->n_items; i++) {
		struct vs_item *it = &tx->items[i];

		r = vr_row(tx, it->vm);
		if (it->table == VS_VM) {
			slot = &r->item[it->col];
			if (it->col == VMIB_COL_vmibVmRowStatus)
				r->rowstatus = (int)it->num;
		} else {
			v = vr_vif(r, it->vif);
			slot = &v->item[it->col];
			if (it->col == VMIB_COL_vmibVifRowStatus)
				v->rowstatus = (int)it->num;
		}
		if (*slot >= 0)
			vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE, "the same object is written twice");
		*slot = (int)i;
	}
}

/* --- lookups in the cache and the configuration ------------------------------------ */

static const struct vmcache *vr_cache(struct vs_txn *tx)
{
	return tracker_cache(tx->ctx->tracker);
}

static const struct virt_host *vr_host(struct vs_txn *tx)
{
	return &tracker_host(tx->ctx->tracker)->info;
}

/* another domain, or another row created by this PDU, has this name */
static const char *vr_name_owner(struct vs_txn *tx, const char *name, const struct vs_vm_row *self)
{
	const struct vmcache *c = vr_cache(tx);
	struct vs_item *it;
	size_t i;

	for (i = 0; i < vmcache_count(c); i++)
		if (strcmp(vmcache_at(c, i)->name, name) == 0)
			return "a domain of this host";
	for (i = 0; i < tx->n_rows; i++) {
		if (&tx->rows[i] == self || tx->rows[i].rowstatus != VR_RS_CREATE)
			continue;
		it = vr_it(tx, tx->rows[i].item[VMIB_COL_vmibVmName]);
		if (it && strcmp(it->str, name) == 0)
			return "another VM of this PDU";
	}
	return NULL;
}

static bool vr_mac_used(struct vs_txn *tx, const uint8_t mac[6], const struct vs_item *self)
{
	const struct vmcache *c = vr_cache(tx);
	const struct vm *vm;
	size_t i, k;

	for (i = 0; i < vmcache_count(c); i++) {
		vm = vmcache_at(c, i);
		for (k = 0; k < vm->n_vifs; k++)
			if (vm->vifs[k].has_mac && memcmp(vm->vifs[k].mac, mac, 6) == 0)
				return true;
	}
	for (i = 0; i < tx->n_items; i++)
		if (&tx->items[i] != self && tx->items[i].table == VS_VIF &&
		    tx->items[i].col == VMIB_COL_vmibVifMac && !tx->items[i].err &&
		    memcmp(tx->items[i].bytes, mac, 6) == 0)
			return true;
	return false;
}

/* the MACs vmibd picks: locally administered 52:54:00:xx:xx:xx (QEMU's) */
static int vr_new_mac(struct vs_txn *tx, uint8_t mac[6])
{
	int tries;

	for (tries = 0; tries < 64; tries++) {
		mac[0] = 0x52;
		mac[1] = 0x54;
		mac[2] = 0x00;
		if (getrandom(mac + 3, 3, 0) != 3)
			return -1;
		if (!vr_mac_used(tx, mac, NULL))
			return 0;
	}
	return -1;
}

static int vr_new_uuid(unsigned char uuid[VM_UUID_LEN])
{
	if (getrandom(uuid, VM_UUID_LEN, 0) != VM_UUID_LEN)
		return -1;
	uuid[6] = (unsigned char)((uuid[6] & 0x0f) | 0x40); /* RFC 4122 version 4 */
	uuid[8] = (unsigned char)((uuid[8] & 0x3f) | 0x80);
	return 0;
}

static bool vr_bridge_configured(struct vs_txn *tx, const char *name)
{
	size_t i;

	for (i = 0; i < tx->ctx->cfg->n_bridges; i++)
		if (strcmp(tx->ctx->cfg->bridges[i], name) == 0)
			return true;
	return false;
}

/* is host (from a URI) one of this machine's names or addresses? */
static bool vr_is_local(struct vs_txn *tx, const char *host)
{
	struct ifaddrs *ifs, *ifa;
	char addr[INET6_ADDRSTRLEN];
	bool local = false;

	if (!*host || strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, vr_host(tx)->hostname) == 0 || strncmp(host, "127.", 4) == 0 ||
	    strcmp(host, "::1") == 0)
		return true;
	if (getifaddrs(&ifs) < 0)
		return false;
	for (ifa = ifs; ifa && !local; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr || (ifa->ifa_addr->sa_family != AF_INET &&
				       ifa->ifa_addr->sa_family != AF_INET6))
			continue;
		if (getnameinfo(ifa->ifa_addr, ifa->ifa_addr->sa_family == AF_INET ?
				sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6),
				addr, sizeof(addr), NULL, 0, NI_NUMERICHOST) == 0)
			local = strcmp(addr, host) == 0;
	}
	freeifaddrs(ifs);
	return local;
}

/* --- vifs ----------------------------------------------------------------------- */

/* the new vif of a vif row created by this PDU, checked */
static int vr_vif_spec(struct vs_txn *tx, struct vs_vif_row *v, struct domgen_vif *out)
{
	const struct vmibd_config *cfg = tx->ctx->cfg;
	struct vs_item *br = vr_it(tx, v->item[VMIB_COL_vmibVifBridge]);
	struct vs_item *mac = vr_it(tx, v->item[VMIB_COL_vmibVifMac]);
	struct vs_item *addr = vr_it(tx, v->item[VMIB_COL_vmibVifAddr]);
	struct vs_item *plen = vr_it(tx, v->item[VMIB_COL_vmibVifPrefixLen]);
	struct vs_item *routes = vr_it(tx, v->item[VMIB_COL_vmibVifRoutes]);
	struct vmcheck_route rt[VMCHECK_MAX_ROUTES];
	char why[200], a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
	size_t n = 0, i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->index = v->index;
	if (br && br->len) {
		if (cfg->n_bridges && !vr_bridge_configured(tx, br->str))
			rc = vmset_fail(br, SNMP_ERR_INCONSISTENTVALUE,
					"bridge %s is not one of vmibd's bridges", br->str);
		else if (!vmset_bridge_exists(br->str))
			rc = vmset_fail(br, SNMP_ERR_INCONSISTENTVALUE,
					"there is no bridge %s on this host", br->str);
		snprintf(out->bridge, sizeof(out->bridge), "%.15s", br->str);
	} else if (cfg->n_bridges) {
		snprintf(out->bridge, sizeof(out->bridge), "%.15s", cfg->bridges[0]);
	} else {
		rc = vmset_fail(vr_vif_item(tx, v), SNMP_ERR_INCONSISTENTVALUE,
				"vmibVifBridge is missing and vmibd has no bridge configured");
	}
	if (mac) {
		if (vr_mac_used(tx, mac->bytes, mac))
			rc = vmset_fail(mac, SNMP_ERR_INCONSISTENTVALUE,
					"MAC %02x:%02x:%02x:%02x:%02x:%02x is used by another vif",
					mac->bytes[0], mac->bytes[1], mac->bytes[2], mac->bytes[3],
					mac->bytes[4], mac->bytes[5]);
		memcpy(out->mac, mac->bytes, 6);
	} else if (vr_new_mac(tx, out->mac) < 0) {
		rc = vmset_fail(vr_vif_item(tx, v), SNMP_ERR_RESOURCEUNAVAILABLE,
				"cannot choose a free MAC address");
	}
	if (addr)
		memcpy(out->addr, addr->bytes, 4);
	out->prefix_len = plen ? (uint8_t)plen->num : 0;
	inet_ntop(AF_INET, out->addr, a, sizeof(a));
	if (out->prefix_len == 0 && strcmp(a, "0.0.0.0") != 0)
		rc = vmset_fail(plen ? plen : addr, SNMP_ERR_INCONSISTENTVALUE,
				"vmibVifAddr %s needs a vmibVifPrefixLen of 1..32", a);
	else if (out->prefix_len && strcmp(a, "0.0.0.0") == 0)
		rc = vmset_fail(plen, SNMP_ERR_INCONSISTENTVALUE,
				"vmibVifPrefixLen without vmibVifAddr");
	if (routes && routes->len) {
		snprintf(out->routes, sizeof(out->routes), "%s", routes->str);
		if (vmcheck_routes(routes->str, rt, &n, why, sizeof(why)) < 0)
			return vmset_fail(routes, SNMP_ERR_WRONGVALUE, "%s", why);
		if (n && !out->prefix_len)
			rc = vmset_fail(routes, SNMP_ERR_INCONSISTENTVALUE,
					"routes need a vmibVifAddr on the same vif");
		for (i = 0; i < n && out->prefix_len; i++) {
			if (!rt[i].has_gw || vmcheck_in_subnet(out->addr, out->prefix_len, rt[i].gw))
				continue;
			inet_ntop(AF_INET, rt[i].gw, g, sizeof(g));
			rc = vmset_fail(routes, SNMP_ERR_INCONSISTENTVALUE,
					"gateway %s is outside %s/%u", g, a, out->prefix_len);
			break;
		}
	}
	return rc;
}

static void vr_vif_from_vm(const struct vm_vif *in, struct domgen_vif *out)
{
	memset(out, 0, sizeof(*out));
	out->index = in->index;
	snprintf(out->bridge, sizeof(out->bridge), "%.15s", in->bridge);
	memcpy(out->mac, in->mac, 6);
	memcpy(out->addr, in->addr, 4);
	out->prefix_len = in->prefix_len;
	snprintf(out->routes, sizeof(out->routes), "%s", in->routes);
}

/* a column written on an existing vif: the same value or inconsistentValue */
static void vr_vif_same(struct vs_txn *tx, struct vs_vif_row *v, const char *vm_name)
{
	static const char *const names[VS_VIF_COLS] = {
		[VMIB_COL_vmibVifMac] = "vmibVifMac", [VMIB_COL_vmibVifBridge] = "vmibVifBridge",
		[VMIB_COL_vmibVifAddr] = "vmibVifAddr",
		[VMIB_COL_vmibVifPrefixLen] = "vmibVifPrefixLen",
		[VMIB_COL_vmibVifRoutes] = "vmibVifRoutes",
	};
	unsigned int c;
	bool same;

	for (c = 1; c < VS_VIF_COLS; c++) {
		struct vs_item *it = vr_it(tx, v->item[c]);

		if (!it || c == VMIB_COL_vmibVifRowStatus)
			continue;
		switch (c) {
		case VMIB_COL_vmibVifMac:
			same = memcmp(it->bytes, v->cur.mac, 6) == 0;
			break;
		case VMIB_COL_vmibVifBridge:
			same = strcmp(it->str, v->cur.bridge) == 0;
			break;
		case VMIB_COL_vmibVifAddr:
			same = memcmp(it->bytes, v->cur.addr, 4) == 0;
			break;
		case VMIB_COL_vmibVifPrefixLen:
			same = it->num == v->cur.prefix_len;
			break;
		default:
			same = strcmp(it->str, v->cur.routes) == 0;
			break;
		}
		if (!same)
			vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE,
				   "%s of vif %u of VM %s cannot change after creation", names[c],
				   v->index, vm_name);
	}
}

/* every varbind of a vif row that does not exist and is not created */
static void vr_vif_missing(struct vs_txn *tx, struct vs_vif_row *v, int err, const char *why)
{
	size_t c;

	for (c = 0; c < VS_VIF_COLS; c++)
		if (v->item[c] >= 0)
			vmset_fail(&tx->items[v->item[c]], err, "%s", why);
}

/* --- creation --------------------------------------------------------------------- */

struct vr_new {
	const struct image *img;
	uint64_t mem_kib;
	unsigned int vcpus;
	int admin;
	struct domgen_vif *vifs;
	size_t n_vifs;
};

static int vr_vif_cmp(const void *a, const void *b)
{
	const struct domgen_vif *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

/* the vif rows of a VM created by this PDU */
static int vr_create_vifs(struct vs_txn *tx, struct vs_vm_row *r, struct vr_new *n)
{
	size_t i;
	int rc = 0;

	n->vifs = calloc(r->n_vifs ? r->n_vifs : 1, sizeof(*n->vifs));
	if (!n->vifs)
		return vmset_fail(vr_row_item(tx, r), SNMP_ERR_RESOURCEUNAVAILABLE, "out of memory");
	for (i = 0; i < r->n_vifs; i++) {
		struct vs_vif_row *v = &r->vifs[i];

		if (v->rowstatus == VR_RS_DESTROY)
			continue; /* a row that does not exist: noError */
		if (v->rowstatus != VR_RS_CREATE) {
			vr_vif_missing(tx, v, v->rowstatus == VR_RS_ACTIVE ? SNMP_ERR_INCONSISTENTVALUE
								  : SNMP_ERR_INCONSISTENTNAME,
				       "a vif of a new VM is created with vmibVifRowStatus createAndGo");
			rc = -1;
			continue;
		}
		if (vr_vif_spec(tx, v, &n->vifs[n->n_vifs]) < 0)
			rc = -1;
		n->n_vifs++;
	}
	qsort(n->vifs, n->n_vifs, sizeof(*n->vifs), vr_vif_cmp);
	return rc;
}

/* VMIB-MIB vmibImageMinMemoryKBytes: a VM of img with less memory does not boot */
static bool vr_below_image(struct vs_item *it, const struct image *img, uint64_t mem_kib)
{
	if (!img->min_memory_mib || mem_kib >= (uint64_t)img->min_memory_mib * 1024)
		return false;
	vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE,
		   "image %s needs at least %u MiB (its memoryMiB), not %llu KiB", img->name,
		   img->min_memory_mib, (unsigned long long)mem_kib);
	return true;
}

static int vr_create_values(struct vs_txn *tx, struct vs_vm_row *r, struct vr_new *n)
{
	struct vs_item *name = vr_it(tx, r->item[VMIB_COL_vmibVmName]);
	struct vs_item *image = vr_it(tx, r->item[VMIB_COL_vmibVmImage]);
	struct vs_item *mem = vr_it(tx, r->item[VMIB_COL_vmibVmMemoryKBytes]);
	struct vs_item *vcpus = vr_it(tx, r->item[VMIB_COL_vmibVmVcpus]);
	struct vs_item *admin = vr_it(tx, r->item[VMIB_COL_vmibVmAdminState]);
	struct vs_item *target = vr_it(tx, r->item[VMIB_COL_vmibVmMigrateTarget]);
	struct vs_item *rs = vr_row_item(tx, r);
	const char *owner;
	int rc = 0;

	if (!name)
		rc = vmset_fail(rs, SNMP_ERR_INCONSISTENTVALUE, "createAndGo of VM %d needs vmibVmName",
				(int)r->index);
	if (!image)
		rc = vmset_fail(rs, SNMP_ERR_INCONSISTENTVALUE, "createAndGo of VM %d needs vmibVmImage",
				(int)r->index);
	if (name && (owner = vr_name_owner(tx, name->str, r)))
		rc = vmset_fail(name, SNMP_ERR_INCONSISTENTVALUE, "the name %s is taken by %s",
				name->str, owner);
	if (name)
		snprintf(r->name, sizeof(r->name), "%s", name->str);
	if (image && !(n->img = images_by_name(tx->ctx->images, image->str)))
		rc = vmset_fail(image, SNMP_ERR_INCONSISTENTVALUE, "there is no image %s in %s",
				image->str, tx->ctx->images->root);
	n->mem_kib = mem ? (uint64_t)mem->num : VR_DEFAULT_MEM_KIB;
	if (n->img && vr_below_image(mem ? mem : rs, n->img, n->mem_kib))
		rc = -1;
	n->vcpus = vcpus ? (unsigned int)vcpus->num : VR_DEFAULT_VCPUS;
	if (vcpus && vr_host(tx)->max_vcpus && n->vcpus > vr_host(tx)->max_vcpus)
		rc = vmset_fail(vcpus, SNMP_ERR_INCONSISTENTVALUE, "the hypervisor allows %u vCPUs",
				vr_host(tx)->max_vcpus);
	n->admin = admin ? (int)admin->num : VM_ADMIN_RUNNING;
	if (target && target->len)
		rc = vmset_fail(target, SNMP_ERR_INCONSISTENTVALUE,
				"a VM cannot migrate in the PDU that creates it");
	return rc;
}

/* scheduler parameters of a new or changed VM: -1 if the hypervisor has
 * none for what was written */
static int vr_sched(struct vs_txn *tx, struct vs_vm_row *r, unsigned int vcpus,
		    struct virt_sched *out, bool *any)
{
	struct vs_item *w = vr_it(tx, r->item[VMIB_COL_vmibVmSchedWeight]);
	struct vs_item *c = vr_it(tx, r->item[VMIB_COL_vmibVmSchedCapPercent]);
	enum vmsched_kind k = vmsched_kind_of(vr_host(tx)->hv_type);
	int rc = 0;

	*any = w || c;
	if (!*any)
		return 0;
	if (k == VMSCHED_NONE) {
		if (w)
			rc = vmset_fail(w, SNMP_ERR_INCONSISTENTVALUE,
					"the %s hypervisor has no writable scheduler weight",
					vr_host(tx)->hv_type);
		if (c && c->num)
			rc = vmset_fail(c, SNMP_ERR_INCONSISTENTVALUE,
					"the %s hypervisor has no CPU cap", vr_host(tx)->hv_type);
		*any = false;
		return rc;
	}
	vmsched_params(k, w != NULL, w ? (uint32_t)w->num : 0, c != NULL,
		       c ? (uint32_t)c->num : 0, vcpus, out);
	return 0;
}

/* free memory for a VM this PDU starts */
static int vr_reserve_mem(struct vs_txn *tx, struct vs_item *it, const char *name,
			  uint64_t kib)
{
	if (kib > tx->free_kib)
		return vmset_fail(it, SNMP_ERR_RESOURCEUNAVAILABLE,
				  "VM %s needs %llu KiB, the host has %llu KiB free", name,
				  (unsigned long long)kib, (unsigned long long)tx->free_kib);
	tx->free_kib -= kib;
	return 0;
}

static void vr_create_plan(struct vs_txn *tx, struct vs_vm_row *r, struct vr_new *n,
			   const struct virt_sched *sched, bool has_sched)
{
	struct domgen_spec spec;
	struct vs_item *rs = vr_row_item(tx, r);
	struct vp_step *s;
	char err[200];
	size_t t, k;

	memset(&spec, 0, sizeof(spec));
	if (vr_new_uuid(spec.uuid) < 0) {
		vmset_fail(rs, SNMP_ERR_RESOURCEUNAVAILABLE, "no random numbers for a UUID");
		return;
	}
	spec.name = r->name;
	spec.domain_type = tx->ctx->cfg->domain_type ? tx->ctx->cfg->domain_type : "qemu";
	spec.image = n->img;
	spec.mem_kib = n->mem_kib;
	spec.vcpus = n->vcpus;
	spec.index = r->index;
	spec.admin = n->admin;
	spec.live = r->set_live ? (r->live ? VMIB_ENUM_vmibVmMigrateLive_true
					   : VMIB_ENUM_vmibVmMigrateLive_false)
				: 0;
	spec.console_dir = tx->ctx->cfg->console_dir;
	spec.vifs = n->vifs;
	spec.n_vifs = n->n_vifs;
	for (k = 0; has_sched && k < sched->n; k++) {
		if (strcmp(sched->p[k].field, "cpu_shares") == 0) {
			spec.has_shares = true;
			spec.shares = sched->p[k].u;
		} else if (strcmp(sched->p[k].field, "vcpu_quota") == 0) {
			spec.has_quota = true;
			spec.quota_us = sched->p[k].l;
			spec.period_us = VMSCHED_PERIOD_US;
		}
	}
	memcpy(r->uuid, spec.uuid, VM_UUID_LEN);
	t = vmplan_target(tx->plan, spec.uuid, r->name, r->index);
	s = vmplan_add(tx->plan, VP_DEFINE, t, (int)(rs - tx->items));
	s->xml = domgen_domain(&spec, err, sizeof(err));
	if (!s->xml) {
		vmset_fail(rs, SNMP_ERR_INCONSISTENTVALUE, "%s", err);
		return;
	}
	if (n->admin == VM_ADMIN_RUNNING || n->admin == VM_ADMIN_PAUSED)
		vmplan_add(tx->plan, n->admin == VM_ADMIN_RUNNING ? VP_START : VP_START_PAUSED, t,
			   (int)(rs - tx->items));
	/* Xen's credit parameters have no place in the XML */
	if (has_sched && vmsched_kind_of(vr_host(tx)->hv_type) == VMSCHED_CREDIT)
		vmplan_add(tx->plan, VP_SCHED, t, (int)(rs - tx->items))->sched = *sched;
}

static void vr_create(struct vs_txn *tx, struct vs_vm_row *r)
{
	struct vs_item *rs = vr_row_item(tx, r);
	struct vr_new n;
	struct virt_sched sched;
	char cmdline[DOMGEN_CMDLINE_MAX];
	bool has_sched;
	int rc;

	memset(&n, 0, sizeof(n));
	rc = vr_create_values(tx, r, &n);
	if (vr_sched(tx, r, n.vcpus, &sched, &has_sched) < 0)
		rc = -1;
	if (vr_create_vifs(tx, r, &n) < 0)
		rc = -1;
	if (rc == 0 && n.img &&
	    domgen_cmdline(n.img->cmdline, r->name, n.vifs, n.n_vifs, cmdline, sizeof(cmdline)) < 0)
		rc = vmset_fail(rs, SNMP_ERR_INCONSISTENTVALUE,
				"the addresses and routes do not fit on a kernel command line");
	if (rc == 0 && (n.admin == VM_ADMIN_RUNNING || n.admin == VM_ADMIN_PAUSED))
		rc = vr_reserve_mem(tx, vr_it(tx, r->item[VMIB_COL_vmibVmMemoryKBytes])
					    ? vr_it(tx, r->item[VMIB_COL_vmibVmMemoryKBytes]) : rs,
				    r->name, n.mem_kib);
	if (vr_it(tx, r->item[VMIB_COL_vmibVmMigrateLive])) {
		r->set_live = true;
		r->live = vr_it(tx, r->item[VMIB_COL_vmibVmMigrateLive])->num ==
			  VMIB_ENUM_vmibVmMigrateLive_true;
	}
	if (rc == 0)
		vr_create_plan(tx, r, &n, &sched, has_sched);
	free(n.vifs);
}

/* --- destruction -------------------------------------------------------------------- */

static void vr_destroy(struct vs_txn *tx, struct vs_vm_row *r, const struct vm *vm)
{
	struct vs_item *rs = vr_row_item(tx, r);
	size_t c, t, i;

	if (vm->migrate_status == VMIB_ENUM_vmibVmMigrateStatus_inProgress) {
		vmset_fail(rs, SNMP_ERR_INCONSISTENTVALUE, "VM %s is migrating", vm->name);
		return;
	}
	for (c = 0; c < VS_VM_COLS; c++)
		if (r->item[c] >= 0 && c != VMIB_COL_vmibVmRowStatus)
			vmset_fail(&tx->items[r->item[c]], SNMP_ERR_INCONSISTENTVALUE,
				   "VM %s is destroyed by this PDU", vm->name);
	for (i = 0; i < r->n_vifs; i++)
		for (c = 0; c < VS_VIF_COLS; c++)
			if (r->vifs[i].item[c] >= 0 && r->vifs[i].rowstatus != VR_RS_DESTROY)
				vmset_fail(&tx->items[r->vifs[i].item[c]], SNMP_ERR_INCONSISTENTVALUE,
					   "VM %s is destroyed by this PDU", vm->name);
	t = vmplan_target(tx->plan, vm->uuid, vm->name, vm->index);
	/* undefine is the part that can be undone; the power-off is not */
	if (vm->persistent)
		vmplan_add(tx->plan, VP_UNDEFINE, t, (int)(rs - tx->items));
	if (vm_is_active(vm))
		vmplan_add(tx->plan, VP_POWEROFF, t, (int)(rs - tx->items));
	r->stop_deadline = true;
}

/* --- changes to an existing VM ---------------------------------------------------------- */

static bool vr_state_off(int state)
{
	return state == VIR_DOMAIN_SHUTOFF || state == VIR_DOMAIN_CRASHED ||
	       state == VIR_DOMAIN_NOSTATE;
}

static bool vr_state_running(int state)
{
	return state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED;
}

static void vr_admin(struct vs_txn *tx, struct vs_vm_row *r, const struct vm *vm,
		     struct vs_item *it, size_t t)
{
	int want = (int)it->num, item = (int)(it - tx->items);
	enum vp_kind k = VP_META;
	bool step = true;

	if (want == VM_ADMIN_RUNNING && vm->state == VIR_DOMAIN_PAUSED)
		k = VP_RESUME;
	else if (want == VM_ADMIN_PAUSED && vr_state_running(vm->state))
		k = VP_SUSPEND;
	else if ((want == VM_ADMIN_RUNNING || want == VM_ADMIN_PAUSED) && vr_state_off(vm->state))
		k = want == VM_ADMIN_RUNNING ? VP_START : VP_START_PAUSED;
	else if (want == VM_ADMIN_SHUTOFF && vm_is_active(vm))
		k = VP_SHUTDOWN;
	else if (want == VM_ADMIN_DESTROYED && vm_is_active(vm))
		k = VP_POWEROFF;
	else if ((want == VM_ADMIN_RUNNING && vr_state_running(vm->state)) ||
		 (want == VM_ADMIN_PAUSED && vm->state == VIR_DOMAIN_PAUSED) ||
		 want == VM_ADMIN_SHUTOFF || want == VM_ADMIN_DESTROYED)
		step = false;
	else {
		vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE, "VM %s cannot go from %s to %s", vm->name,
			   vm->state == VIR_DOMAIN_SHUTDOWN ? "shuttingDown" : "its state",
			   want == VM_ADMIN_RUNNING ? "running" : "paused");
		return;
	}
	if ((k == VP_START || k == VP_START_PAUSED) &&
	    vr_reserve_mem(tx, it, vm->name, vm->max_mem_kib) < 0)
		return;
	if (step)
		vmplan_add(tx->plan, k, t, item);
	if (k == VP_SHUTDOWN)
		r->shutdown = true;
	else
		r->stop_deadline = true;
	if (vm->admin != want)
		vmplan_add(tx->plan, VP_META, t, item)->meta.admin = want;
}

/* an earlier SET's start or power-off of vm still under way: a change
 * that depends on whether the VM runs is refused on it (vmplan.h) */
static bool vr_power_busy(struct vs_item *it, const struct vm *vm)
{
	if (!vmplan_power_pending(vm->uuid))
		return false;
	vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE, "VM %s is being started or powered off by an "
		   "earlier SET; try again once vmibVmOperState has settled", vm->name);
	return true;
}

static void vr_migrate(struct vs_txn *tx, struct vs_vm_row *r, const struct vm *vm,
		       struct vs_item *it)
{
	const struct vmibd_config *cfg = tx->ctx->cfg;
	struct vs_item *live = vr_it(tx, r->item[VMIB_COL_vmibVmMigrateLive]);
	char host[256];
	const char *uri = NULL;
	size_t i;

	if (it->len == 0) {
		r->abort_migration = vm->migrate_status == VMIB_ENUM_vmibVmMigrateStatus_inProgress;
		return;
	}
	if (vr_power_busy(it, vm))
		return;
	if (vmcheck_target((const unsigned char *)it->str, it->len) == VMCHECK_TARGET_URI) {
		uri = it->str;
		vmcheck_uri_host(uri, host, sizeof(host));
	} else {
		for (i = 0; i < cfg->n_peers && !uri; i++)
			if (strcmp(cfg->peer_names[i], it->str) == 0)
				uri = cfg->peer_uris[i];
		if (!uri) {
			vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE, "no peer host %s in vmibd's "
				   "configuration (peer NAME URI)", it->str);
			return;
		}
		if (strcasecmp(it->str, vr_host(tx)->hostname) == 0)
			host[0] = '\0'; /* the peer named like this host: this host */
		else
			vmcheck_uri_host(uri, host, sizeof(host));
	}
	if (vr_is_local(tx, host))
		vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE, "%s is this host", it->str);
	else if (!vr_host(tx)->migration)
		vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE, "the hypervisor cannot migrate VMs");
	else if (vm->migrate_status == VMIB_ENUM_vmibVmMigrateStatus_inProgress)
		vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE, "VM %s is migrating already", vm->name);
	else if (!vr_state_running(vm->state) && vm->state != VIR_DOMAIN_PAUSED)
		vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE, "VM %s is not running or paused", vm->name);
	if (it->err)
		return;
	r->migrate = true;
	snprintf(r->target_uri, sizeof(r->target_uri), "%s", uri);
	snprintf(r->target_text, sizeof(r->target_text), "%s", it->str);
	r->live = live ? live->num == VMIB_ENUM_vmibVmMigrateLive_true : vm->migrate_live;
}

/* the guest's kernel command line with the vif set it will have, NULL if
 * vmibd did not create the VM from an image (then it is not touched) */
static char *vr_new_cmdline(struct vs_txn *tx, const struct vm *vm, const struct vs_vm_row *r,
			    const struct domgen_vif *added, size_t n_added)
{
	const struct image *img = vm->image && *vm->image
					  ? images_by_name(tx->ctx->images, vm->image) : NULL;
	struct domgen_vif *all;
	char *out = NULL;
	size_t n = 0, i, k;
	bool gone;

	if (!img)
		return NULL;
	all = calloc(vm->n_vifs + n_added + 1, sizeof(*all));
	if (!all)
		return NULL;
	for (i = 0; i < vm->n_vifs; i++) {
		gone = false;
		for (k = 0; k < r->n_vifs; k++)
			gone |= r->vifs[k].index == vm->vifs[i].index &&
				r->vifs[k].rowstatus == VR_RS_DESTROY;
		if (!gone)
			vr_vif_from_vm(&vm->vifs[i], &all[n++]);
	}
	memcpy(all + n, added, n_added * sizeof(*added));
	n += n_added;
	qsort(all, n, sizeof(*all), vr_vif_cmp);
	out = malloc(DOMGEN_CMDLINE_MAX);
	if (out && domgen_cmdline(img->cmdline, vm->name, all, n, out, DOMGEN_CMDLINE_MAX) < 0) {
		free(out);
		out = NULL;
	}
	free(all);
	return out;
}

static void vr_vif_steps(struct vs_txn *tx, const struct vm *vm, size_t t, bool add,
			 const struct domgen_vif *spec, struct vs_vif_row *v, const char *cmdline)
{
	int item = (int)(vr_vif_item(tx, v) - tx->items);
	struct vp_step *s;

	if (vm->persistent) {
		s = vmplan_add(tx->plan, VP_REDEFINE, t, item);
		s->cmdline = cmdline ? strdup(cmdline) : NULL;
		s->vif_add = add;
		if (add)
			s->vif = *spec;
		s->edit.has_remove_mac = !add;
		memcpy(s->edit.remove_mac, v->cur.mac, 6);
	}
	s = vmplan_add(tx->plan, VP_META, t, item);
	s->vif_add = add;
	if (add)
		s->vif = *spec;
	else
		s->meta.remove_vif = v->index;
	if (!vm_is_active(vm))
		return;
	s = vmplan_add(tx->plan, add ? VP_ATTACH : VP_DETACH, t, item);
	if (add)
		s->vif = *spec;
	memcpy(s->mac, v->cur.mac, 6);
}

static void vr_vifs(struct vs_txn *tx, struct vs_vm_row *r, const struct vm *vm, size_t t)
{
	struct domgen_vif *added = calloc(r->n_vifs + 1, sizeof(*added));
	uint32_t max_index = vm->n_vifs ? vm->vifs[vm->n_vifs - 1].index : 0;
	size_t n_added = 0, i;
	char *cmdline;
	bool changes = false;

	if (!added)
		return;
	for (i = 0; i < r->n_vifs; i++) {
		struct vs_vif_row *v = &r->vifs[i];
		const struct vm_vif *cur = vm_vif_find(vm, v->index);
		struct vs_item *it = vr_vif_item(tx, v);

		v->exists = cur != NULL;
		if (cur)
			v->cur = *cur;
		if (v->rowstatus == VR_RS_CREATE) {
			if (v->exists)
				vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE, "vif %u of VM %s exists",
					   v->index, vm->name);
			else if (v->index <= max_index)
				vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE,
					   "a vif added to VM %s needs an index above %u, its last vif "
					   "(the guest names interfaces in index order)", vm->name, max_index);
			else if (vr_vif_spec(tx, v, &added[n_added]) == 0)
				n_added++;
			changes = true;
		} else if (v->rowstatus == VR_RS_DESTROY) {
			changes |= v->exists;
		} else if (!v->exists) {
			vr_vif_missing(tx, v, v->rowstatus == VR_RS_ACTIVE ? SNMP_ERR_INCONSISTENTVALUE
								  : SNMP_ERR_INCONSISTENTNAME,
				       "no such vif (create it with vmibVifRowStatus createAndGo)");
		} else {
			vr_vif_same(tx, v, vm->name);
		}
	}
	if (changes && vm->migrate_status == VMIB_ENUM_vmibVmMigrateStatus_inProgress) {
		vmset_fail(vr_row_item(tx, r), SNMP_ERR_INCONSISTENTVALUE, "VM %s is migrating",
			   vm->name);
	} else if (changes && vr_power_busy(vr_vif_change_item(tx, r), vm)) {
		/* refused */
	} else if (changes && (vm->state == VIR_DOMAIN_SHUTDOWN ||
			       vm->state == VIR_DOMAIN_PMSUSPENDED)) {
		vmset_fail(vr_row_item(tx, r), SNMP_ERR_INCONSISTENTVALUE,
			   "VM %s cannot change its vifs while shutting down or suspended", vm->name);
	} else if (changes && !vmset_failed(tx)) {
		cmdline = vr_new_cmdline(tx, vm, r, added, n_added);
		for (i = 0; i < r->n_vifs; i++) {
			struct vs_vif_row *v = &r->vifs[i];
			size_t k;

			if (v->rowstatus == VR_RS_DESTROY && v->exists)
				vr_vif_steps(tx, vm, t, false, NULL, v, cmdline);
			for (k = 0; v->rowstatus == VR_RS_CREATE && k < n_added; k++)
				if (added[k].index == v->index)
					vr_vif_steps(tx, vm, t, true, &added[k], v, cmdline);
		}
		free(cmdline);
	}
	free(added);
}

static void vr_same_text(struct vs_item *it, const char *cur, const char *what,
			 const char *vm_name)
{
	if (it && strcmp(it->str, cur) != 0)
		vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE, "the %s of VM %s cannot change", what,
			   vm_name);
}

/* memory and vCPUs: only while the VM is shut off, by redefining it */
static void vr_resize(struct vs_txn *tx, struct vs_vm_row *r, const struct vm *vm, size_t t,
		      unsigned int *vcpus)
{
	struct vs_item *mem = vr_it(tx, r->item[VMIB_COL_vmibVmMemoryKBytes]);
	struct vs_item *cpu = vr_it(tx, r->item[VMIB_COL_vmibVmVcpus]);
	bool mem_new = mem && (uint64_t)mem->num != vm->max_mem_kib;
	bool cpu_new = cpu && (unsigned int)cpu->num != vm->vcpus;
	struct vs_item *it = mem_new ? mem : cpu;
	const struct image *img;
	struct vp_step *s;

	*vcpus = vm->vcpus;
	if (!mem_new && !cpu_new)
		return;
	if (vr_power_busy(it, vm))
		return;
	if (vm_is_active(vm) || !vm->persistent) {
		vmset_fail(it, SNMP_ERR_INCONSISTENTVALUE,
			   "the %s of VM %s can change only while it is shut off",
			   mem_new ? "memory" : "vCPU count", vm->name);
		return;
	}
	img = mem_new && vm->image[0] ? images_by_name(tx->ctx->images, vm->image) : NULL;
	if (img && vr_below_image(mem, img, (uint64_t)mem->num))
		return;
	if (cpu_new && vr_host(tx)->max_vcpus && cpu->num > (long)vr_host(tx)->max_vcpus) {
		vmset_fail(cpu, SNMP_ERR_INCONSISTENTVALUE, "the hypervisor allows %u vCPUs",
			   vr_host(tx)->max_vcpus);
		return;
	}
	s = vmplan_add(tx->plan, VP_REDEFINE, t, (int)(it - tx->items));
	s->edit.has_mem = mem_new;
	s->edit.mem_kib = mem_new ? (uint64_t)mem->num : 0;
	s->edit.has_vcpus = cpu_new;
	s->edit.vcpus = cpu_new ? (unsigned int)cpu->num : 0;
	if (cpu_new)
		*vcpus = (unsigned int)cpu->num;
}

static void vr_modify(struct vs_txn *tx, struct vs_vm_row *r, const struct vm *vm)
{
	struct vs_item *admin = vr_it(tx, r->item[VMIB_COL_vmibVmAdminState]);
	struct vs_item *target = vr_it(tx, r->item[VMIB_COL_vmibVmMigrateTarget]);
	struct vs_item *live = vr_it(tx, r->item[VMIB_COL_vmibVmMigrateLive]);
	bool migrating = vm->migrate_status == VMIB_ENUM_vmibVmMigrateStatus_inProgress;
	struct virt_sched sched;
	unsigned int vcpus;
	size_t t, c;
	bool has_sched;

	for (c = 0; migrating && c < VS_VM_COLS; c++)
		if (r->item[c] >= 0 && c != VMIB_COL_vmibVmMigrateTarget &&
		    c != VMIB_COL_vmibVmMigrateLive && c != VMIB_COL_vmibVmRowStatus)
			vmset_fail(&tx->items[r->item[c]], SNMP_ERR_INCONSISTENTVALUE,
				   "VM %s is migrating", vm->name);
	if (migrating && vmset_failed(tx))
		return;
	vr_same_text(vr_it(tx, r->item[VMIB_COL_vmibVmName]), vm->name, "name", vm->name);
	vr_same_text(vr_it(tx, r->item[VMIB_COL_vmibVmImage]), images_of_vm(tx->ctx->images, vm),
		     "image", vm->name);
	t = vmplan_target(tx->plan, vm->uuid, vm->name, vm->index);
	vr_resize(tx, r, vm, t, &vcpus);
	vr_vifs(tx, r, vm, t);
	if (admin)
		vr_admin(tx, r, vm, admin, t);
	if (vr_sched(tx, r, vcpus, &sched, &has_sched) == 0 && has_sched)
		vmplan_add(tx->plan, VP_SCHED, t,
			   r->item[VMIB_COL_vmibVmSchedWeight] >= 0
				   ? r->item[VMIB_COL_vmibVmSchedWeight]
				   : r->item[VMIB_COL_vmibVmSchedCapPercent])->sched = sched;
	if (target)
		vr_migrate(tx, r, vm, target);
	if (live) {
		r->set_live = true;
		r->live = live->num == VMIB_ENUM_vmibVmMigrateLive_true;
		/* kept in the metadata, so that it outlives a vmibd restart */
		if (r->live != vm->migrate_live || !vm->migrate_live_meta)
			vmplan_add(tx->plan, VP_META, t, r->item[VMIB_COL_vmibVmMigrateLive])
				->meta.live = (int)live->num;
	}
}

/* --- the rows ---------------------------------------------------------------------- */

static void vr_missing(struct vs_txn *tx, struct vs_vm_row *r)
{
	size_t c, i;

	if (r->rowstatus == VR_RS_ACTIVE) {
		vmset_fail(vr_row_item(tx, r), SNMP_ERR_INCONSISTENTVALUE, "there is no VM %d",
			   (int)r->index);
		return;
	}
	for (c = 0; c < VS_VM_COLS; c++)
		if (r->item[c] >= 0 && r->rowstatus != VR_RS_DESTROY)
			vmset_fail(&tx->items[r->item[c]], SNMP_ERR_INCONSISTENTNAME,
				   "there is no VM %d (vmibVmRowStatus createAndGo makes one)",
				   (int)r->index);
		else if (r->item[c] >= 0 && c != VMIB_COL_vmibVmRowStatus)
			vmset_fail(&tx->items[r->item[c]], SNMP_ERR_INCONSISTENTVALUE,
				   "VM %d is destroyed by this PDU", (int)r->index);
	for (i = 0; i < r->n_vifs; i++)
		if (r->vifs[i].rowstatus != VR_RS_DESTROY)
			vr_vif_missing(tx, &r->vifs[i], SNMP_ERR_INCONSISTENTNAME,
				       "the VM of this vif neither exists nor is created by this PDU");
}

static void vr_check_row(struct vs_txn *tx, struct vs_vm_row *r)
{
	const struct vm *vm = vmcache_get(vr_cache(tx), r->index);

	r->exists = vm != NULL;
	if (vm) {
		memcpy(r->uuid, vm->uuid, VM_UUID_LEN);
		snprintf(r->name, sizeof(r->name), "%s", vm->name);
	}
	if (r->rowstatus == VR_RS_CREATE) {
		if (vm)
			vmset_fail(vr_row_item(tx, r), SNMP_ERR_INCONSISTENTVALUE,
				   "VM index %d is in use (by %s)", (int)r->index, vm->name);
		else
			vr_create(tx, r);
	} else if (!vm) {
		vr_missing(tx, r);
	} else if (r->rowstatus == VR_RS_DESTROY) {
		vr_destroy(tx, r, vm);
	} else {
		vr_modify(tx, r, vm);
	}
}

/* does the PDU possibly start a VM (so it needs the free memory)? */
static bool vr_starts(const struct vs_txn *tx)
{
	size_t i;

	for (i = 0; i < tx->n_items; i++)
		if (tx->items[i].table == VS_VM &&
		    ((tx->items[i].col == VMIB_COL_vmibVmRowStatus && tx->items[i].num == VR_RS_CREATE) ||
		     tx->items[i].col == VMIB_COL_vmibVmAdminState))
			return true;
	return false;
}

void vmrows_prepare(struct vs_txn *tx)
{
	const struct tracker_host *h;
	size_t i;

	vr_group(tx);
	/* free memory is read with the counters: fresh enough for a start */
	if (vr_starts(tx))
		tracker_need_stats(tx->ctx->tracker);
	h = tracker_host(tx->ctx->tracker);
	tx->free_kib = h->info.mem_free_kib;
	if (!h->connected) {
		for (i = 0; i < tx->n_rows; i++)
			vmset_fail(vr_row_item(tx, &tx->rows[i]), SNMP_ERR_RESOURCEUNAVAILABLE,
				   "libvirt is not reachable (vmibHostLibvirtState stale): %s",
				   h->last_error);
		return;
	}
	for (i = 0; i < tx->n_rows; i++)
		vr_check_row(tx, &tx->rows[i]);
}

void vmrows_clear(struct vs_txn *tx)
{
	size_t i;

	for (i = 0; i < tx->n_rows; i++)
		free(tx->rows[i].vifs);
	free(tx->rows);
	tx->rows = NULL;
	tx->n_rows = 0;
}
