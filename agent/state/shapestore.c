/*
 * shapestore.c - the shape rows of this host's VMs (shapestore.h): the
 * table, the per-VM records that say where the rows are in force and
 * whether they are saved, the metadata element, and the changes SETs
 * make.
 *
 * Owns every struct shape_entry in the table and the per-VM records; it
 * does not own the VM cache (the tracker's), the tc backend or the
 * metadata transport (struct shapestore_ops).  It never calls libvirt
 * itself: reads and writes of the metadata are jobs of the worker thread
 * whose results come back here in the loop thread.
 *
 * In force on a vif device means: the device named by the VM's snapshot
 * exists with the ifindex the snapshot recorded (a snapshot older than
 * the device is stale and waits for the tracker's re-read), and the
 * store's record of it (struct shape_dev) has that ifindex.  A device
 * the store has not built is rebuilt from the rows (TC_PLAN_RESET, which
 * first deletes a tree of ours left there), so a restarted vmibd, a
 * restarted VM and an arriving VM all end up the same way.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "grow.h"
#include "log.h"
#include "loop.h"
#include "shapestore.h"
#include "xmlelem.h"

#define SHAPE_RETRY_MS 2000

/* One VM the store follows. */
struct shape_vm {
	unsigned char uuid[VM_UUID_LEN];
	int32_t index;
	bool loaded;          /* its rows are in the table */
	bool loading;         /* a read is under way */
	bool load_retry;      /* the last read failed */
	unsigned int seq;     /* of the record, for late answers */
	bool writing;         /* a write is under way */
	bool dirty;           /* the table differs from the metadata */
	bool save_retry;      /* the last write failed */
	unsigned int busy;    /* changes of a SET in progress hold its rows */
	bool gone;            /* the VM went while busy: removed at the end */
	struct shape_dev *devs;
	size_t n_devs, cap_devs;
};

struct shapestore {
	const struct vmcache *cache;
	struct shapestore_ops ops;
	struct tc_backend *tc;
	uint32_t caps;
	struct shape_entry **rows;   /* sorted by (vm, vif, index) */
	size_t n, cap;
	struct shape_vm **vms;       /* sorted by uuid */
	size_t n_vms, cap_vms;
	unsigned int seq;
	unsigned int loading;
	int retry_timer;
	struct shapestore_hooks hooks;
	char last_error[256];
};

/* What a metadata job carries back (the record may be gone by then). */
struct shape_req {
	struct shapestore *s;
	unsigned char uuid[VM_UUID_LEN];
	unsigned int seq;
};

static void shape_save(struct shapestore *s, struct shape_vm *rec);
static void shape_load(struct shapestore *s, struct shape_vm *rec);

/* --- the table ---------------------------------------------------------------- */

static int shape_cmp3(const struct shape_entry *e, int32_t vm, uint32_t vif,
		      uint32_t index)
{
	if (e->vm != vm)
		return e->vm < vm ? -1 : 1;
	if (e->vif != vif)
		return e->vif < vif ? -1 : 1;
	if (e->row.index != index)
		return e->row.index < index ? -1 : 1;
	return 0;
}

/* first position whose key is >= (vm, vif, index) */
static size_t shape_lower(const struct shapestore *s, int32_t vm, uint32_t vif,
			  uint32_t index)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (shape_cmp3(s->rows[mid], vm, vif, index) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* [*lo, *hi) are the rows of (vm, vif); vif 0: every row of vm */
static void shape_range(const struct shapestore *s, int32_t vm, uint32_t vif,
			size_t *lo, size_t *hi)
{
	size_t i;

	*lo = shape_lower(s, vm, vif, 0);
	for (i = *lo; i < s->n && s->rows[i]->vm == vm && (!vif || s->rows[i]->vif == vif); i++)
		;
	*hi = i;
}

int shapestore_reserve(struct shapestore *s, size_t extra)
{
	return grow_array((void **)&s->rows, &s->cap, s->n + extra, sizeof(*s->rows));
}

/* rows [lo, hi) become rows[0..n-1]; the capacity must be there */
static void shape_replace(struct shapestore *s, size_t lo, size_t hi,
			  struct shape_entry **rows, size_t n)
{
	if (s->n > hi && lo + n != hi)
		memmove(&s->rows[lo + n], &s->rows[hi], (s->n - hi) * sizeof(*s->rows));
	if (n)
		memcpy(&s->rows[lo], rows, n * sizeof(*rows));
	s->n = s->n - (hi - lo) + n;
}

size_t shapestore_count(const struct shapestore *s)
{
	return s->n;
}

const struct shape_entry *shapestore_get(const struct shapestore *s, int32_t vm,
					 uint32_t vif, uint32_t index)
{
	size_t i = shape_lower(s, vm, vif, index);

	return i < s->n && shape_cmp3(s->rows[i], vm, vif, index) == 0 ? s->rows[i] : NULL;
}

/* the row's index (vm, vif, index) against an OID index q, as OIDs */
static int shape_cmp_oid(const struct shape_entry *e, const uint64_t *q, size_t q_len)
{
	uint64_t k[3] = {(uint64_t)e->vm, e->vif, e->row.index};
	size_t i;

	for (i = 0; i < 3 && i < q_len; i++)
		if (k[i] != q[i])
			return k[i] < q[i] ? -1 : 1;
	return q_len < 3 ? 1 : q_len == 3 ? 0 : -1;
}

const struct shape_entry *shapestore_after(const struct shapestore *s,
					   const uint64_t *q, size_t q_len)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (shape_cmp_oid(s->rows[mid], q, q_len) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n ? s->rows[lo] : NULL;
}

size_t shapestore_vif_rows(const struct shapestore *s, int32_t vm, uint32_t vif,
			   struct shape_entry *const **rows)
{
	size_t lo, hi;

	shape_range(s, vm, vif, &lo, &hi);
	*rows = s->rows + lo;
	return hi - lo;
}

static bool shape_supported(const struct shapestore *s, const struct shape_row *r)
{
	return (tc_row_caps(r) & ~s->caps) == 0;
}

/* a row this host puts in force in part (without its NetEm parameters) */
static bool shape_partial(const struct shapestore *s, const struct shape_row *r)
{
	struct shape_row k;

	return tc_row_kernel_part(r, s->caps, &k) && (tc_row_caps(&k) & ~s->caps) == 0;
}

static void shape_entries_free(struct shape_entry **rows, size_t n)
{
	size_t i;

	for (i = 0; rows && i < n; i++)
		free(rows[i]);
	free(rows);
}

/* --- the metadata element --------------------------------------------------------- */

/* The numeric columns, as attributes named after the MIB's units. */
static const struct {
	const char *attr;
	size_t off;
} shape_attrs[] = {
	{"rate-kbps", offsetof(struct shape_row, rate_kbps)},
	{"burst-bytes", offsetof(struct shape_row, burst_bytes)},
	{"delay-us", offsetof(struct shape_row, delay_us)},
	{"jitter-us", offsetof(struct shape_row, jitter_us)},
	{"loss-ppm", offsetof(struct shape_row, loss_ppm)},
	{"duplicate-ppm", offsetof(struct shape_row, duplicate_ppm)},
	{"corrupt-ppm", offsetof(struct shape_row, corrupt_ppm)},
	{"reorder-ppm", offsetof(struct shape_row, reorder_ppm)},
	{"limit-pkts", offsetof(struct shape_row, limit_pkts)},
};
#define SHAPE_N_ATTRS (sizeof(shape_attrs) / sizeof(shape_attrs[0]))

static uint32_t *shape_field(struct shape_row *r, size_t i)
{
	return (uint32_t *)((char *)r + shape_attrs[i].off);
}

static void shape_prop_u32(xmlNodePtr n, const char *name, uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)buf);
}

static xmlNodePtr shape_xml_row(xmlNodePtr root, const struct shape_entry *e)
{
	xmlNodePtr n = xmlNewChild(root, NULL, (const xmlChar *)"shape", NULL);
	struct shape_row r = e->row;
	char addr[INET_ADDRSTRLEN], buf[40];
	size_t i;

	if (!n)
		return NULL;
	shape_prop_u32(n, "vif", e->vif);
	shape_prop_u32(n, "index", r.index);
	if (e->name[0])
		xmlSetProp(n, (const xmlChar *)"name", (const xmlChar *)e->name);
	if (r.src_len) {
		inet_ntop(AF_INET, &r.src, addr, sizeof(addr));
		snprintf(buf, sizeof(buf), "%s/%u", addr, r.src_len);
		xmlSetProp(n, (const xmlChar *)"src", (const xmlChar *)buf);
	}
	for (i = 0; i < SHAPE_N_ATTRS; i++)
		if (*shape_field(&r, i))
			shape_prop_u32(n, shape_attrs[i].attr, *shape_field(&r, i));
	return n;
}

char *shapestore_xml_format(struct shape_entry *const *rows, size_t n, bool *oom)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	xmlBufferPtr buf = NULL;
	char *out = NULL;
	size_t i;

	*oom = false;
	if (n == 0)
		return NULL;
	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = doc ? xmlNewNode(NULL, (const xmlChar *)"shapes") : NULL;
	if (!root)
		goto out;
	xmlDocSetRootElement(doc, root);
	for (i = 0; i < n; i++)
		if (!shape_xml_row(root, rows[i]))
			goto out;
	buf = xmlBufferCreate();
	if (buf && xmlNodeDump(buf, doc, root, 0, 0) >= 0)
		out = strdup((const char *)xmlBufferContent(buf));
out:
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	*oom = out == NULL;
	return out;
}

/* a decimal number of at most max, all of s */
static int shape_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int shape_attr(xmlNodePtr n, const char *name, char *buf, size_t len)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);

	if (!v)
		return 0;
	snprintf(buf, len, "%s", (const char *)v);
	xmlFree(v);
	return 1;
}

/* one <shape/>: 0, or -1 with why */
static int shape_xml_read_row(xmlNodePtr n, struct shape_entry *e, char *why, size_t len)
{
	char buf[128];
	uint32_t v;
	size_t i;

	if (!shape_attr(n, "vif", buf, sizeof(buf)) || shape_parse_u32(buf, UINT32_MAX, &e->vif) < 0 ||
	    !e->vif) {
		snprintf(why, len, "no valid vif attribute");
		return -1;
	}
	if (!shape_attr(n, "index", buf, sizeof(buf)) ||
	    shape_parse_u32(buf, TC_INDEX_MAX - 1, &e->row.index) < 0 || !e->row.index) {
		snprintf(why, len, "vif %u: no valid index attribute", e->vif);
		return -1;
	}
	shape_attr(n, "name", e->name, sizeof(e->name));
	if (shape_attr(n, "src", buf, sizeof(buf)) &&
	    tc_prefix_parse(buf, &e->row.src, &e->row.src_len) < 0) {
		snprintf(why, len, "shape %u/%u: bad src '%s'", e->vif, e->row.index, buf);
		return -1;
	}
	for (i = 0; i < SHAPE_N_ATTRS; i++) {
		if (!shape_attr(n, shape_attrs[i].attr, buf, sizeof(buf)))
			continue;
		if (shape_parse_u32(buf, UINT32_MAX, &v) < 0) {
			snprintf(why, len, "shape %u/%u: bad %s '%s'", e->vif, e->row.index,
				 shape_attrs[i].attr, buf);
			return -1;
		}
		*shape_field(&e->row, i) = v;
	}
	if (tc_row_check(&e->row, NULL, CAPS_ALL_KERNEL, NULL) < 0) {
		snprintf(why, len, "shape %u/%u: values out of range", e->vif, e->row.index);
		return -1;
	}
	return 0;
}

static bool shape_xml_is(xmlNodePtr n, const char *name)
{
	return xmlelem_is(n, name) &&
	       (!n->ns || !n->ns->href ||
		strcmp((const char *)n->ns->href, SHAPE_META_URI) == 0);
}

static bool shape_has(struct shape_entry **rows, size_t n, const struct shape_entry *e)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i]->vif == e->vif && rows[i]->row.index == e->row.index)
			return true;
	return false;
}

static int shape_xml_add(struct shape_entry ***rows, size_t *n, size_t *cap,
			 const struct shape_entry *e)
{
	struct shape_entry *copy;

	if (grow_array((void **)rows, cap, *n + 1, sizeof(**rows)) < 0 ||
	    !(copy = malloc(sizeof(*copy))))
		return -1;
	*copy = *e;
	(*rows)[(*n)++] = copy;
	return 0;
}

int shapestore_xml_parse(const char *xml, int32_t vm, struct shape_entry ***rows,
			 size_t *n, char *err, size_t errlen)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "shapes.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, c;
	struct shape_entry e;
	size_t cap = *n;
	char why[160];
	int rc = 0;

	if (!root || !shape_xml_is(root, "shapes")) {
		snprintf(err, errlen, "not a <%s:shapes> element", SHAPE_META_PREFIX);
		xmlFreeDoc(doc);
		return -1;
	}
	for (c = root->children; c && rc == 0; c = c->next) {
		if (!shape_xml_is(c, "shape"))
			continue;
		memset(&e, 0, sizeof(e));
		e.vm = vm;
		e.oper = SHAPE_PENDING;
		if (shape_xml_read_row(c, &e, why, sizeof(why)) < 0)
			log_msg(LOG_WARNING, "tc", "VM %d: shape row skipped: %s", (int)vm, why);
		else if (shape_has(*rows, *n, &e))
			log_msg(LOG_WARNING, "tc", "VM %d: shape %u/%u given twice, first kept",
				(int)vm, e.vif, e.row.index);
		else if (shape_xml_add(rows, n, &cap, &e) < 0) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		}
	}
	xmlFreeDoc(doc);
	return rc;
}

/* --- VM records ------------------------------------------------------------------- */

static size_t shape_vm_pos(const struct shapestore *s, const unsigned char *uuid, bool *found)
{
	size_t lo = 0, hi = s->n_vms, mid;
	int c;

	*found = false;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = vm_uuid_cmp(s->vms[mid]->uuid, uuid);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct shape_vm *shape_vm_find(const struct shapestore *s, const unsigned char *uuid)
{
	bool found;
	size_t i = shape_vm_pos(s, uuid, &found);

	return found ? s->vms[i] : NULL;
}

static struct shape_vm *shape_vm_add(struct shapestore *s, const struct vm *vm)
{
	struct shape_vm *rec;
	bool found;
	size_t i = shape_vm_pos(s, vm->uuid, &found);

	if (grow_array((void **)&s->vms, &s->cap_vms, s->n_vms + 1, sizeof(*s->vms)) < 0 ||
	    !(rec = calloc(1, sizeof(*rec)))) {
		log_msg(LOG_ERR, "tc", "VM %s: out of memory for its shape rows", vm->name);
		return NULL;
	}
	memcpy(rec->uuid, vm->uuid, VM_UUID_LEN);
	rec->index = vm->index;
	rec->seq = ++s->seq;
	memmove(&s->vms[i + 1], &s->vms[i], (s->n_vms - i) * sizeof(*s->vms));
	s->vms[i] = rec;
	s->n_vms++;
	return rec;
}

static void shape_vm_remove(struct shapestore *s, struct shape_vm *rec)
{
	bool found;
	size_t i = shape_vm_pos(s, rec->uuid, &found), lo, hi, k;

	if (rec->loaded) {
		shape_range(s, rec->index, 0, &lo, &hi);
		for (k = lo; k < hi; k++)
			free(s->rows[k]);
		shape_replace(s, lo, hi, NULL, 0);
	}
	if (rec->loading)
		s->loading--;
	if (found) {
		memmove(&s->vms[i], &s->vms[i + 1], (s->n_vms - i - 1) * sizeof(*s->vms));
		s->n_vms--;
	}
	free(rec->devs);
	free(rec);
}

static struct shape_dev *shape_dev_find(struct shape_vm *rec, uint32_t vif)
{
	size_t i;

	for (i = 0; i < rec->n_devs; i++)
		if (rec->devs[i].vif == vif)
			return &rec->devs[i];
	return NULL;
}

static struct shape_dev *shape_dev_get(struct shape_vm *rec, uint32_t vif)
{
	struct shape_dev *d = shape_dev_find(rec, vif);

	if (d)
		return d;
	if (grow_array((void **)&rec->devs, &rec->cap_devs, rec->n_devs + 1,
		       sizeof(*rec->devs)) < 0)
		return NULL;
	d = &rec->devs[rec->n_devs++];
	memset(d, 0, sizeof(*d));
	d->vif = vif;
	d->reset = true;
	return d;
}

const struct shape_dev *shapestore_dev(const struct shapestore *s,
				       const unsigned char *uuid, uint32_t vif)
{
	struct shape_vm *rec = shape_vm_find(s, uuid);

	return rec ? shape_dev_find(rec, vif) : NULL;
}

static const char *shape_vm_name(const struct shapestore *s, const struct shape_vm *rec,
				 char buf[VM_UUID_STR_LEN + 1])
{
	const struct vm *vm = vmcache_by_uuid(s->cache, rec->uuid);

	if (vm)
		return vm->name;
	vm_uuid_format(rec->uuid, buf);
	return buf;
}

static void shape_host_error(struct shapestore *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void shape_host_error(struct shapestore *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->last_error, sizeof(s->last_error), fmt, ap);
	va_end(ap);
	if (s->hooks.error)
		s->hooks.error(s->hooks.opaque, s->last_error);
}

const char *shapestore_last_error(const struct shapestore *s)
{
	return s->last_error;
}

unsigned int shapestore_loading(const struct shapestore *s)
{
	return s->loading;
}

bool shapestore_vm_loaded(const struct shapestore *s, const unsigned char *uuid)
{
	const struct shape_vm *rec = shape_vm_find(s, uuid);

	return rec && rec->loaded;
}

/* --- retries ---------------------------------------------------------------------- */

static void shape_retry(int timer, void *opaque)
{
	struct shapestore *s = opaque;
	bool more = false;
	size_t i;

	for (i = 0; i < s->n_vms; i++) {
		struct shape_vm *rec = s->vms[i];

		if (rec->load_retry && !rec->loading)
			shape_load(s, rec);
		else if (rec->save_retry && !rec->writing)
			shape_save(s, rec);
		more |= rec->load_retry || rec->save_retry;
	}
	loop_update_timeout(timer, more ? SHAPE_RETRY_MS : -1);
}

static void shape_retry_later(struct shapestore *s)
{
	if (s->retry_timer > 0)
		loop_update_timeout(s->retry_timer, SHAPE_RETRY_MS);
}

/* --- applying rows on a device ----------------------------------------------------- */

static int shape_ops_device(const struct shapestore *s, const char *dev, uint32_t *mtu)
{
	return s->ops.device ? s->ops.device(s->ops.ctx, dev, mtu) : 0;
}

/* The vif's device if it exists now and is the one the snapshot names:
 * *vif filled (ifname points into the snapshot), its ifindex; else 0. */
static int shape_device(const struct shapestore *s, const struct vm *vm, uint32_t vif_index,
			struct tc_vif *vif)
{
	const struct vm_vif *v = vm ? vm_vif_find(vm, vif_index) : NULL;
	uint32_t mtu = 0;
	int ifx;

	memset(vif, 0, sizeof(*vif));
	if (!v || !vm_is_active(vm) || !v->dev[0])
		return 0;
	ifx = shape_ops_device(s, v->dev, &mtu);
	if (ifx <= 0 || (uint32_t)ifx != v->ifindex)
		return 0;
	vif->ifname = v->dev;
	vif->ifindex = ifx;
	vif->mtu = mtu;
	return ifx;
}

/* the rows of rows[0..n-1] that go on the device: supported ones, or (in
 * force) those SHAPE_APPLIED; malloc'd (n may be 0) */
static struct shape_row *shape_set(const struct shapestore *s, struct shape_entry *const *rows,
				   size_t n, bool in_force, size_t *k)
{
	struct shape_row *set = malloc((n ? n : 1) * sizeof(*set));
	size_t i;

	*k = 0;
	for (i = 0; set && i < n; i++) {
		const struct shape_entry *e = rows[i];
		bool partial = shape_partial(s, &e->row);

		if (in_force ? e->oper == SHAPE_APPLIED || (partial && e->oper == SHAPE_UNSUPPORTED)
			     : shape_supported(s, &e->row) || partial)
			tc_row_kernel_part(&e->row, s->caps, &set[(*k)++]);
	}
	return set;
}

static void shape_tell(struct shapestore *s, const struct shape_entry *e)
{
	if (s->hooks.failure)
		s->hooks.failure(s->hooks.opaque, e);
}

/* why an unsupported row cannot be applied here ("kernel has no sch_netem") */
static void shape_unsupported(struct shapestore *s, struct shape_entry *e,
			      const struct tc_vif *vif)
{
	struct tc_error err;

	e->oper = SHAPE_UNSUPPORTED;
	if (shape_partial(s, &e->row))
		snprintf(e->last_error, sizeof(e->last_error),
			 "kernel has no sch_netem: %s%s%s%s%s%snot applied; the rest of the row "
			 "is in force", e->row.delay_us ? "delay " : "",
			 e->row.jitter_us ? "jitter " : "", e->row.loss_ppm ? "loss " : "",
			 e->row.duplicate_ppm ? "duplication " : "",
			 e->row.corrupt_ppm ? "corruption " : "",
			 e->row.reorder_ppm ? "reordering " : "");
	else if (tc_row_check(&e->row, vif, s->caps, &err) < 0)
		snprintf(e->last_error, sizeof(e->last_error), "%s", err.text);
}

/* The device is new to the store: build the vif's rows there from scratch. */
static void shape_rebuild(struct shapestore *s, struct shape_vm *rec, struct shape_dev *d,
			  const struct tc_vif *vif)
{
	struct shape_entry *const *rows;
	size_t n = shapestore_vif_rows(s, rec->index, d->vif, &rows), k, i;
	struct shape_row *set;
	struct tc_error err;
	char name[VM_UUID_STR_LEN + 1];
	int rc = -1;

	set = shape_set(s, rows, n, false, &k);
	if (!set)
		snprintf(err.text, sizeof(err.text), "out of memory");
	else
		rc = tc_apply(s->tc, vif, NULL, 0, set, k, s->caps, TC_PLAN_RESET, &err);
	free(set);
	d->reset = rc < 0;
	d->ifindex = rc < 0 ? 0 : vif->ifindex;
	d->failed_ifindex = rc < 0 ? vif->ifindex : 0;
	snprintf(d->dev, sizeof(d->dev), "%s", vif->ifname);
	if (rc < 0)
		shape_host_error(s, "VM %s vif %u (%s): %s", shape_vm_name(s, rec, name), d->vif,
				 vif->ifname, err.text);
	else
		log_msg(LOG_INFO, "tc", "VM %s vif %u (%s): %zu of %zu shape rows in force",
			shape_vm_name(s, rec, name), d->vif, vif->ifname, k, n);
	for (i = 0; i < n; i++) {
		struct shape_entry *e = rows[i];

		if (rc >= 0 && !shape_supported(s, &e->row)) {
			shape_unsupported(s, e, vif);
		} else if (rc < 0 && (shape_supported(s, &e->row) || shape_partial(s, &e->row))) {
			e->oper = SHAPE_FAILED;
			snprintf(e->last_error, sizeof(e->last_error), "%s", err.text);
		} else if (rc < 0) {
			shape_unsupported(s, e, vif);
		} else {
			e->oper = SHAPE_APPLIED;
			e->last_error[0] = '\0';
			continue;
		}
		shape_tell(s, e);
	}
}

/* the device is gone (or not known yet): the rows wait for it */
static void shape_absent(struct shapestore *s, struct shape_vm *rec, struct shape_dev *d)
{
	struct shape_entry *const *rows;
	size_t n = shapestore_vif_rows(s, rec->index, d->vif, &rows), i;

	d->ifindex = 0;
	d->reset = true;
	d->failed_ifindex = 0;
	for (i = 0; i < n; i++)
		rows[i]->oper = shape_supported(s, &rows[i]->row) ? SHAPE_PENDING
								    : SHAPE_UNSUPPORTED;
}

/* Bring the vifs of one VM in line with its devices. */
static void shape_sync(struct shapestore *s, struct shape_vm *rec, const struct vm *vm)
{
	struct tc_vif vif;
	struct shape_entry *const *rows;
	size_t i;
	int ifx;

	for (i = 0; i < rec->n_devs; i++) {
		struct shape_dev *d = &rec->devs[i];

		ifx = shape_device(s, vm, d->vif, &vif);
		if (!ifx) {
			if (d->ifindex || d->failed_ifindex)
				log_msg(LOG_DEBUG, "tc", "VM %s vif %u: device gone, rows pending",
					vm->name, d->vif);
			shape_absent(s, rec, d);
			continue;
		}
		if (shapestore_vif_rows(s, rec->index, d->vif, &rows) == 0) {
			/* nothing to build; a tree of ours left there goes with
			 * the next change, which resets the device */
			d->ifindex = ifx;
			d->reset = true;
			d->failed_ifindex = 0;
			continue;
		}
		if ((ifx == d->ifindex && !d->reset) || ifx == d->failed_ifindex)
			continue;
		shape_rebuild(s, rec, d, &vif);
	}
}

/* --- persistence -------------------------------------------------------------------- */

static struct shape_req *shape_req_new(struct shapestore *s, const struct shape_vm *rec)
{
	struct shape_req *q = malloc(sizeof(*q));

	if (q) {
		q->s = s;
		memcpy(q->uuid, rec->uuid, VM_UUID_LEN);
		q->seq = rec->seq;
	}
	return q;
}

static int shape_by_key(const void *a, const void *b)
{
	const struct shape_entry *x = *(struct shape_entry *const *)a;
	const struct shape_entry *y = *(struct shape_entry *const *)b;

	return shape_cmp3(x, y->vm, y->vif, y->row.index);
}

/* the rows just read go into the table and get their devices' records */
static int shape_install(struct shapestore *s, struct shape_vm *rec,
			 struct shape_entry **rows, size_t n)
{
	size_t lo, hi, i;

	if (n > 1)
		qsort(rows, n, sizeof(*rows), shape_by_key);
	for (i = 0; i < n; i++)
		if (!shape_dev_get(rec, rows[i]->vif))
			return -1;
	if (shapestore_reserve(s, n) < 0)
		return -1;
	shape_range(s, rec->index, 0, &lo, &hi);
	shape_replace(s, lo, hi, rows, n);
	return 0;
}

static void shape_load_done(void *opaque, int rc, const char *xml, const char *err)
{
	struct shape_req *q = opaque;
	struct shapestore *s = q->s;
	struct shape_vm *rec = shape_vm_find(s, q->uuid);
	struct shape_entry **rows = NULL;
	size_t n = 0;
	char why[200], name[VM_UUID_STR_LEN + 1];
	const struct vm *vm;

	if (!rec || rec->seq != q->seq || !rec->loading) {
		free(q);
		return;
	}
	free(q);
	rec->loading = false;
	s->loading--;
	if (rc < 0 || (rc == 0 && xml && shapestore_xml_parse(xml, rec->index, &rows, &n, why,
							       sizeof(why)) < 0)) {
		log_msg(LOG_WARNING, "virt", "VM %s: reading its shape rows: %s (retrying)",
			shape_vm_name(s, rec, name), rc < 0 ? err : why);
		shape_host_error(s, "VM %s: reading its shape rows: %s",
				 shape_vm_name(s, rec, name), rc < 0 ? err : why);
		shape_entries_free(rows, n);
		rec->load_retry = true;
		shape_retry_later(s);
		return;
	}
	if (shape_install(s, rec, rows, n) < 0) {
		log_msg(LOG_ERR, "tc", "VM %s: out of memory for its shape rows (retrying)",
			shape_vm_name(s, rec, name));
		shape_entries_free(rows, n);
		rec->load_retry = true;
		shape_retry_later(s);
		return;
	}
	free(rows);
	rec->loaded = true;
	rec->load_retry = false;
	if (n)
		log_msg(LOG_INFO, "tc", "VM %s: %zu shape rows read from its metadata",
			shape_vm_name(s, rec, name), n);
	vm = vmcache_by_uuid(s->cache, rec->uuid);
	if (vm)
		shape_sync(s, rec, vm);
}

static void shape_load(struct shapestore *s, struct shape_vm *rec)
{
	struct shape_req *q = shape_req_new(s, rec);

	/* before the call: the answer may come at once (inline worker) */
	rec->load_retry = false;
	rec->loading = true;
	s->loading++;
	if (!q || s->ops.read(s->ops.ctx, rec->uuid, shape_load_done, q) < 0) {
		free(q);
		rec->loading = false;
		s->loading--;
		rec->load_retry = true;
		shape_retry_later(s);
	}
}

static void shape_save_done(void *opaque, int rc, const char *xml, const char *err)
{
	struct shape_req *q = opaque;
	struct shapestore *s = q->s;
	struct shape_vm *rec = shape_vm_find(s, q->uuid);
	char name[VM_UUID_STR_LEN + 1];

	(void)xml;
	if (!rec || rec->seq != q->seq) {
		free(q);
		return;
	}
	free(q);
	rec->writing = false;
	if (rc < 0) {
		/* the first failure of a streak is an error, repeats are routine */
		log_msg(rec->save_retry ? LOG_INFO : LOG_ERR, "virt",
			"VM %s: saving its shape rows in the domain metadata: %s (retrying)",
			shape_vm_name(s, rec, name), err);
		shape_host_error(s, "VM %s: shape rows not saved in the domain metadata: %s",
				 shape_vm_name(s, rec, name), err);
		rec->dirty = true;
		rec->save_retry = true;
		shape_retry_later(s);
		return;
	}
	if (rec->save_retry)
		log_msg(LOG_NOTICE, "virt", "VM %s: shape rows saved", shape_vm_name(s, rec, name));
	rec->save_retry = false;
	if (rec->dirty)
		shape_save(s, rec);
}

/* Write the VM's rows (coalesced: one write in flight, the newest next). */
static void shape_save(struct shapestore *s, struct shape_vm *rec)
{
	struct shape_entry *const *rows;
	size_t n;
	struct shape_req *q;
	char *xml;
	bool oom;

	rec->dirty = true;
	if (rec->writing || !rec->loaded)
		return;
	n = shapestore_vif_rows(s, rec->index, 0, &rows);
	xml = shapestore_xml_format(rows, n, &oom);
	q = oom ? NULL : shape_req_new(s, rec);
	/* before the call: the answer may come at once (inline worker) */
	rec->writing = true;
	rec->dirty = false;
	if (!q || s->ops.write(s->ops.ctx, rec->uuid, xml, shape_save_done, q) < 0) {
		free(q);
		rec->writing = false;
		rec->dirty = true;
		rec->save_retry = true;
		shape_retry_later(s);
	}
	free(xml);
}

/* --- following the VMs ------------------------------------------------------------- */

void shapestore_vm_event(struct shapestore *s, const struct vm *vm,
			 enum tracker_change what)
{
	struct shape_vm *rec;

	if (what == TRACKER_VM_MIGRATING || what == TRACKER_VM_MIGRATED)
		return; /* announcements of a migration: no row came or went */
	rec = shape_vm_find(s, vm->uuid);
	if (what == TRACKER_VM_GONE) {
		if (rec && rec->busy)
			rec->gone = true; /* a SET holds its rows: at its end */
		else if (rec)
			shape_vm_remove(s, rec);
		return;
	}
	if (rec && rec->gone)
		rec->gone = false; /* back before the SET ended */
	if (rec && rec->index != vm->index && !rec->busy) {
		/* not expected (indexes are stable): start over */
		shape_vm_remove(s, rec);
		rec = NULL;
	}
	if (!rec) {
		rec = shape_vm_add(s, vm);
		if (rec)
			shape_load(s, rec);
		return;
	}
	if (rec->loaded)
		shape_sync(s, rec, vm);
}

void shapestore_vm_created(struct shapestore *s, int32_t vm_index)
{
	const struct vm *vm = vmcache_get(s->cache, vm_index);
	struct shape_vm *rec = vm ? shape_vm_find(s, vm->uuid) : NULL;

	if (vm && !rec)
		rec = shape_vm_add(s, vm);
	if (!rec || rec->loaded)
		return;
	if (rec->loading) {
		/* the read's answer, whatever it is, comes too late: ignored */
		rec->loading = false;
		s->loading--;
		rec->seq = ++s->seq;
	}
	rec->loaded = true;
	rec->load_retry = false;
}

/* --- counters ------------------------------------------------------------------------ */

static void shape_dev_counters(struct shapestore *s, struct shape_vm *rec, struct shape_dev *d)
{
	struct shape_entry *const *rows;
	size_t n = shapestore_vif_rows(s, rec->index, d->vif, &rows), k, i, j;
	struct tc_vif vif = {.ifname = d->dev, .ifindex = d->ifindex};
	struct shape_row *set = shape_set(s, rows, n, true, &k);
	struct tc_counters *out = calloc(k ? k : 1, sizeof(*out));
	uint32_t mtu;

	if (set && out && shape_ops_device(s, d->dev, &mtu) == d->ifindex &&
	    tc_counters_read(s->tc, &vif, set, k, out, NULL) >= 0) {
		for (i = 0, j = 0; i < n; i++) {
			if (rows[i]->oper == SHAPE_APPLIED)
				rows[i]->c = out[j++];
			else
				memset(&rows[i]->c, 0, sizeof(rows[i]->c));
		}
	}
	free(set);
	free(out);
}

void shapestore_counters(struct shapestore *s, uint64_t max_age_ms)
{
	uint64_t now = loop_now_ms();
	size_t i, k;

	for (i = 0; i < s->n_vms; i++) {
		struct shape_vm *rec = s->vms[i];

		for (k = 0; rec->loaded && k < rec->n_devs; k++) {
			struct shape_dev *d = &rec->devs[k];

			if (!d->ifindex || (d->counters_ms && now - d->counters_ms <= max_age_ms))
				continue;
			shape_dev_counters(s, rec, d);
			d->counters_ms = now;
		}
	}
}

/* --- changes -------------------------------------------------------------------------- */

static size_t shape_change_pos(const struct shape_change *c, uint32_t index, bool *found)
{
	size_t lo = 0, hi = c->n, mid;

	*found = false;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (c->rows[mid]->row.index == index) {
			*found = true;
			return mid;
		}
		if (c->rows[mid]->row.index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum shape_verdict shapestore_change_begin(struct shapestore *s, int32_t vm_index,
					   uint32_t vif, struct shape_change *c,
					   struct tc_error *err)
{
	const struct vm *vm = vmcache_get(s->cache, vm_index);
	struct shape_vm *rec = vm ? shape_vm_find(s, vm->uuid) : NULL;
	struct shape_entry *const *rows;
	size_t n, i;

	memset(c, 0, sizeof(*c));
	c->vm = vm_index;
	c->vif = vif;
	err->index = 0;
	if (!vm) {
		snprintf(err->text, sizeof(err->text), "no VM with index %d", (int)vm_index);
		return SHAPE_NO_VIF;
	}
	if (!vm_vif_find(vm, vif)) {
		snprintf(err->text, sizeof(err->text), "VM %s has no vif %u", vm->name, vif);
		return SHAPE_NO_VIF;
	}
	memcpy(c->uuid, vm->uuid, VM_UUID_LEN);
	if (!rec || !rec->loaded || rec->gone) {
		snprintf(err->text, sizeof(err->text),
			 "the shape rows of VM %s are not read from its metadata yet", vm->name);
		return SHAPE_UNAVAILABLE;
	}
	n = shapestore_vif_rows(s, vm_index, vif, &rows);
	c->rows = calloc(n ? n : 1, sizeof(*c->rows));
	c->old = calloc(n ? n : 1, sizeof(*c->old));
	c->cap = n ? n : 1;
	for (i = 0; c->rows && c->old && i < n; i++) {
		c->rows[i] = malloc(sizeof(**c->rows));
		if (!c->rows[i])
			break;
		*c->rows[i] = *rows[i];
		c->rows[i]->touched = false;
		c->old[i] = rows[i];
		c->n++;
	}
	c->n_old = n;
	rec->busy++;
	c->held = true;
	if (!c->rows || !c->old || c->n != n) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		return SHAPE_UNAVAILABLE;
	}
	return SHAPE_OK;
}

struct shape_entry *shapestore_change_row(struct shape_change *c, uint32_t index, bool create)
{
	struct shape_entry *e;
	bool found;
	size_t i = shape_change_pos(c, index, &found);

	if (found) {
		c->rows[i]->touched = true;
		c->changed = true;
		return c->rows[i];
	}
	if (!create || grow_array((void **)&c->rows, &c->cap, c->n + 1, sizeof(*c->rows)) < 0 ||
	    !(e = calloc(1, sizeof(*e))))
		return NULL;
	e->vm = c->vm;
	e->vif = c->vif;
	e->row.index = index;
	e->oper = SHAPE_PENDING;
	e->touched = true;
	c->changed = true;
	memmove(&c->rows[i + 1], &c->rows[i], (c->n - i) * sizeof(*c->rows));
	c->rows[i] = e;
	c->n++;
	return e;
}

void shapestore_change_drop(struct shape_change *c, uint32_t index)
{
	bool found;
	size_t i = shape_change_pos(c, index, &found);

	if (!found)
		return;
	c->changed = true;
	free(c->rows[i]);
	memmove(&c->rows[i], &c->rows[i + 1], (c->n - i - 1) * sizeof(*c->rows));
	c->n--;
}

enum shape_verdict shapestore_change_check(struct shapestore *s, struct shape_change *c,
					   struct tc_error *err)
{
	const struct vm *vm = vmcache_get(s->cache, c->vm);
	struct shape_vm *rec = shape_vm_find(s, c->uuid);
	const struct vm_vif *v = vm ? vm_vif_find(vm, c->vif) : NULL;
	struct shape_row *all;
	struct tc_vif vif;
	size_t i;
	int rc;

	if (!v || !rec || rec->gone) {
		snprintf(err->text, sizeof(err->text), "VM %d or its vif %u is gone",
			 (int)c->vm, c->vif);
		return SHAPE_NO_VIF;
	}
	shape_device(s, vm, c->vif, &vif);
	if (!vif.ifname)
		vif.ifname = v->dev[0] ? v->dev : "(no device)";
	all = malloc((c->n ? c->n : 1) * sizeof(*all));
	if (!all || !shape_dev_get(rec, c->vif)) {
		free(all);
		snprintf(err->text, sizeof(err->text), "out of memory");
		return SHAPE_UNAVAILABLE;
	}
	for (i = 0; i < c->n; i++) {
		/* VMIB-MIB vmibShapeSrcAddr: ignored, and reads 0.0.0.0, with
		 * prefix length 0 */
		if (c->rows[i]->row.src_len == 0)
			c->rows[i]->row.src.s_addr = 0;
		all[i] = c->rows[i]->row;
	}
	/* the whole set's structure (ranges, unique prefixes), then what
	 * this kernel can do, for the rows this change touches only: a row
	 * unsupported since its VM arrived stays as it is */
	rc = tc_rows_check(all, c->n, &vif, CAPS_ALL_KERNEL, err);
	for (i = 0; rc == 0 && i < c->n; i++) {
		struct shape_row k;

		/* what the host can put in force: without netem, the rest */
		tc_row_kernel_part(&c->rows[i]->row, s->caps, &k);
		if (c->rows[i]->touched)
			rc = tc_row_check(&k, &vif, s->caps, err);
	}
	free(all);
	return rc < 0 ? SHAPE_REFUSED : SHAPE_OK;
}

/* the statuses of a change's rows once it is done on the device (or not) */
static void shape_change_status(struct shapestore *s, struct shape_change *c, bool in_force,
				const struct tc_vif *vif)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct shape_entry *e = c->rows[i];

		if (e->touched)
			e->last_error[0] = '\0';
		if (shape_partial(s, &e->row) && !in_force) {
			e->oper = SHAPE_PENDING;
		} else if (!shape_supported(s, &e->row)) {
			/* touched: in force in part; untouched: as it was */
			if (e->touched || e->oper != SHAPE_UNSUPPORTED)
				shape_unsupported(s, e, vif);
		} else
			e->oper = in_force ? SHAPE_APPLIED : SHAPE_PENDING;
	}
}

int shapestore_change_apply(struct shapestore *s, struct shape_change *c, struct tc_error *err)
{
	const struct vm *vm = vmcache_get(s->cache, c->vm);
	struct shape_vm *rec = shape_vm_find(s, c->uuid);
	struct shape_dev *d = rec ? shape_dev_find(rec, c->vif) : NULL;
	struct shape_row *old = NULL, *set = NULL;
	struct tc_vif vif;
	size_t n_old = 0, n_set = 0, lo, hi;
	int ifx, rc = 0;

	if (!vm || !d || rec->gone) {
		snprintf(err->text, sizeof(err->text), "VM %d is gone", (int)c->vm);
		return -1;
	}
	if (!c->changed)
		return 0; /* e.g. destroy of a row that does not exist */
	c->saved = *d;
	ifx = shape_device(s, vm, c->vif, &vif);
	if (ifx) {
		c->flags = ifx == d->ifindex && !d->reset ? 0 : TC_PLAN_RESET;
		old = shape_set(s, c->old, c->n_old, true, &n_old);
		set = shape_set(s, c->rows, c->n, false, &n_set);
		if (!old || !set) {
			snprintf(err->text, sizeof(err->text), "out of memory");
			rc = -1;
		} else {
			rc = tc_apply(s->tc, &vif, old, c->flags ? 0 : n_old, set, n_set, s->caps,
				      c->flags, err);
		}
		free(old);
		free(set);
		if (rc < 0) {
			/* tc_apply put the previous rows back, or says it could not:
			 * either way the next change rebuilds the vif */
			d->reset = true;
			return -1;
		}
		c->applied = true;
		d->ifindex = ifx;
		d->reset = false;
		d->failed_ifindex = 0;
		snprintf(d->dev, sizeof(d->dev), "%s", vif.ifname);
	} else if (d->ifindex) {
		d->ifindex = 0;
		d->reset = true;
	}
	shape_change_status(s, c, ifx != 0, ifx ? &vif : NULL);
	shape_range(s, c->vm, c->vif, &lo, &hi);
	shape_replace(s, lo, hi, c->rows, c->n);
	c->swapped = true;
	return 0;
}

void shapestore_change_undo(struct shapestore *s, struct shape_change *c)
{
	const struct vm *vm = vmcache_get(s->cache, c->vm);
	struct shape_vm *rec = shape_vm_find(s, c->uuid);
	struct shape_dev *d = rec ? shape_dev_find(rec, c->vif) : NULL;
	struct shape_row *old, *set;
	struct tc_error err;
	struct tc_vif vif;
	size_t n_old = 0, n_set = 0, lo, hi;
	int rc = -1;

	if (c->swapped) {
		shape_range(s, c->vm, c->vif, &lo, &hi);
		shape_replace(s, lo, hi, c->old, c->n_old);
		c->swapped = false;
	}
	if (!c->applied || !d)
		return;
	c->applied = false;
	old = shape_set(s, c->old, c->n_old, true, &n_old);
	set = shape_set(s, c->rows, c->n, false, &n_set);
	if (old && set && shape_device(s, vm, c->vif, &vif))
		rc = tc_apply(s->tc, &vif, set, c->flags ? 0 : n_set, old, n_old, s->caps,
			      c->flags, &err);
	free(old);
	free(set);
	*d = c->saved;
	if (rc < 0) {
		log_msg(LOG_ERR, "tc", "VM %d vif %u: undoing a shape change failed; the vif is "
			"rebuilt at its next change", (int)c->vm, c->vif);
		d->reset = true;
	} else if (c->flags) {
		d->reset = true;
	}
}

void shapestore_change_end(struct shapestore *s, struct shape_change *c)
{
	struct shape_vm *rec = shape_vm_find(s, c->uuid);

	/* applied and not undone: the new rows stay, and are saved */
	if (c->swapped) {
		shape_entries_free(c->old, c->n_old);
		free(c->rows);
		if (rec && !rec->gone)
			shape_save(s, rec);
	} else {
		shape_entries_free(c->rows, c->n);
		free(c->old);
	}
	if (rec && c->held && --rec->busy == 0 && rec->gone)
		shape_vm_remove(s, rec);
	memset(c, 0, sizeof(*c));
}

/* --- life cycle ------------------------------------------------------------------------- */

static int shape_tracker_read(void *ctx, const unsigned char *uuid, tracker_meta_cb cb,
			      void *opaque)
{
	return tracker_meta_read(ctx, uuid, SHAPE_META_URI, cb, opaque);
}

static int shape_tracker_write(void *ctx, const unsigned char *uuid, const char *xml,
			       tracker_meta_cb cb, void *opaque)
{
	return tracker_meta_write(ctx, uuid, SHAPE_META_URI, SHAPE_META_PREFIX, xml, cb, opaque);
}

static int shape_link(void *ctx, const char *dev, uint32_t *mtu)
{
	struct ifreq ifr;
	unsigned int ifx = if_nametoindex(dev);
	int fd;

	(void)ctx;
	*mtu = 0;
	if (!ifx)
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		*mtu = (uint32_t)ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
	return (int)ifx;
}

void shapestore_ops_tracker(struct shapestore_ops *ops, struct tracker *t)
{
	ops->read = shape_tracker_read;
	ops->write = shape_tracker_write;
	ops->device = shape_link;
	ops->ctx = t;
}

struct shapestore *shapestore_new(const struct vmcache *cache, const struct shapestore_ops *ops,
				  struct tc_backend *tc, uint32_t caps)
{
	struct shapestore *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cache = cache;
	s->ops = *ops;
	s->tc = tc;
	s->caps = caps;
	s->retry_timer = loop_add_timeout(-1, shape_retry, s, NULL);
	if (s->retry_timer < 0) {
		free(s);
		return NULL;
	}
	return s;
}

void shapestore_set_hooks(struct shapestore *s, const struct shapestore_hooks *hooks)
{
	s->hooks = *hooks;
}

void shapestore_free(struct shapestore *s)
{
	size_t i;

	if (!s)
		return;
	if (s->retry_timer > 0)
		loop_remove_timeout(s->retry_timer);
	for (i = 0; i < s->n_vms; i++) {
		free(s->vms[i]->devs);
		free(s->vms[i]);
	}
	free(s->vms);
	shape_entries_free(s->rows, s->n);
	free(s);
}
