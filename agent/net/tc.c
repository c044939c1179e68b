/*
 * tc.c - the shaping of one vif: checks the rows of vmibShapeTable, plans
 * the netlink requests that turn the rows in force into the wanted ones,
 * sends them through a backend (tc_backend.c) and rolls back on failure.
 *
 * It owns the shape of the qdisc tree and every handle in it; it does not
 * talk to the kernel itself (only through struct tc_backend) and keeps no
 * state between calls: the caller passes the rows in force and the wanted
 * rows every time.
 *
 * The tree on the egress of the vif (the traffic towards the VM):
 *
 *   qdisc htb 7600: root, default ffff
 *   |
 *   |  What no filter claims goes to class 7600:ffff, the whole-vif row's
 *   |  class; while there is no such row that class does not exist and
 *   |  htb sends the packet through its direct queue: at once, with no
 *   |  rate and no class at all, i.e. truly unshaped.  (A "line-rate"
 *   |  default class would still be a limit, and a tap device has no
 *   |  line rate worth the name.)
 *   |
 *   +-- filter u32 pref 10 protocol ip              root table 800:
 *   |     800::1    match any -> link 120:   sources /32, indexes 1..4095
 *   |     800::2    match any -> link 160:   sources /32, indexes 4096..8190
 *   |     ...
 *   |     800::12   match any -> link 11f:   sources /31 ...
 *   |     ...       (node ids order the links: longest prefix first)
 *   |     800::210  match any -> link 101:   sources /1
 *   |
 *   |     table 118:  118::5   src 10.1.0.0/24  -> class 7600:5
 *   |                 118::9   src 10.3.0.0/24  -> class 7600:9
 *   |     table 120:  120::7   src 10.2.0.7/32  -> class 7600:7
 *   |
 *   +-- class htb 7600:5     rate = ceil = the row's rate (no borrowing)
 *   |     `-- leaf: netem (delay, jitter, loss, duplicate, corrupt,
 *   |               reorder, limit) | pfifo limit N | htb's default pfifo
 *   +-- class htb 7600:7 ...
 *   +-- class htb 7600:ffff  the whole-vif row (prefix length 0), if any
 *
 * Why these handles.  A class is 7600:<vmibShapeIndex>, so tc -s class
 * shows the MIB's rows as they are; index 65535 is reserved for the
 * whole-vif class because htb's default class cannot be changed after the
 * qdisc is created.  u32 matches the nodes of one table in node-id order,
 * node ids are 12 bits, a node's keys cannot be changed in place, and a
 * node is deleted by its full handle, whose table part for the root table
 * is chosen by the kernel (800: for the first u32 filter of a qdisc, which
 * ours always is).  So the rows live in tables of our own, one per (prefix
 * length L, index group g = (index-1) / 4095): prefixes in one table never
 * overlap, so their order does not matter, and a row's node is
 * <table>::<index - 4095 g>.  Table (L, g) is 0x100 + 0x40 g + L (118: is
 * /24 group 0) and is linked from 800:<(32-L)*17 + g + 1>, which puts
 * longer prefixes first (MIB: "the longer prefix wins").  A table whose
 * last row goes is unlinked but kept: the kernel drops the link's
 * reference to it asynchronously, so deleting it at once fails with
 * EBUSY; an unlinked empty table costs nothing, and TC_ENSURE re-uses it.
 *
 * Order of the requests: adds and changes first, removals last, so that a
 * change never leaves the other rows' traffic unclassified, and u32 never
 * sees its last node go (which would make the kernel drop the whole filter
 * and our tables with it) unless the last row goes, where we delete the
 * root qdisc instead and the vif is back to its default qdisc.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/cls/u32.h>

#include "log.h"
#include "tc_int.h"

#define TC_WHOLE_MINOR 0xffffu     /* class of the whole-vif row */
#define TC_FILTER_PRIO 10
#define TC_U32_GROUP 4095u         /* u32 node ids are 1..0xfff */
#define TC_U32_GROUPS 17u          /* ceil(65534 / 4095) */
#define TC_U32_ROOT_HT 0x800u
#define TC_DELAY_MAX_US 60000000u
#define TC_PPM_MAX 1000000u
#define TC_LIMIT_MAX 1000000u
#define TC_L2_HDR_BYTES 14u
#define TC_RATE_UNLIMITED_BPS 0xffffffffu  /* ~34.4 Gbit/s: htb's 32-bit max */
#define TC_BURST_MAX_S 250u        /* bucket size, in seconds at the rate */
#define TC_QUANTUM_MIN 1514u
#define TC_QUANTUM_MAX 200000u     /* htb warns above this */

/* TC_HANDLE(maj, min) comes from <netlink/route/tc.h>. */

static int tc_report(int level, struct tc_error *err, uint32_t index,
		     const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static int tc_report(int level, struct tc_error *err, uint32_t index,
		     const char *fmt, va_list ap)
{
	struct tc_error local;

	if (!err)
		err = &local;
	err->index = index;
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	log_msg(level, "tc", "%s", err->text);
	return -1;
}

/* The kernel or the system failed us. */
int tc_fail(struct tc_error *err, uint32_t index, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tc_report(LOG_ERR, err, index, fmt, ap);
	va_end(ap);
	return -1;
}

/* A request we refuse (bad value, missing kernel feature): not vmibd's
 * error, so a notice. */
static int tc_refuse(struct tc_error *err, uint32_t index, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int tc_refuse(struct tc_error *err, uint32_t index, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tc_report(LOG_NOTICE, err, index, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- handles ------------------------------------------------------------ */

static uint32_t row_minor(const struct shape_row *r)
{
	return r->src_len == 0 ? TC_WHOLE_MINOR : r->index;
}

static uint32_t row_classid(const struct shape_row *r)
{
	return TC_HANDLE(TC_ROOT_MAJOR, row_minor(r));
}

static unsigned int row_group(const struct shape_row *r)
{
	return (r->index - 1) / TC_U32_GROUP;
}

static uint32_t u32_htid(unsigned int len, unsigned int group)
{
	return 0x100u + 0x40u * group + len;
}

static uint32_t u32_node_handle(const struct shape_row *r)
{
	uint32_t node = r->index - TC_U32_GROUP * row_group(r);

	return (u32_htid(r->src_len, row_group(r)) << 20) | node;
}

static uint32_t u32_link_handle(unsigned int len, unsigned int group)
{
	return (TC_U32_ROOT_HT << 20) | ((32u - len) * TC_U32_GROUPS + group + 1);
}

static uint32_t prefix_mask(unsigned int len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

/* --- checks ------------------------------------------------------------- */

int tc_row_needs_netem(const struct shape_row *r)
{
	return r->delay_us || r->jitter_us || r->loss_ppm || r->duplicate_ppm ||
	       r->corrupt_ppm || r->reorder_ppm;
}

int tc_row_kernel_part(const struct shape_row *r, uint32_t caps, struct shape_row *out)
{
	*out = *r;
	if (CAPS_HAS(caps, CAPS_NETEM) || !tc_row_needs_netem(r))
		return 0;
	out->delay_us = out->jitter_us = 0;
	out->loss_ppm = out->duplicate_ppm = out->corrupt_ppm = out->reorder_ppm = 0;
	return 1;
}

static int check_ranges(const struct shape_row *r, struct tc_error *err)
{
	const struct { const char *what; uint32_t v, max; } lim[] = {
		{"delay", r->delay_us, TC_DELAY_MAX_US},
		{"jitter", r->jitter_us, TC_DELAY_MAX_US},
		{"loss", r->loss_ppm, TC_PPM_MAX},
		{"duplication", r->duplicate_ppm, TC_PPM_MAX},
		{"corruption", r->corrupt_ppm, TC_PPM_MAX},
		{"reordering", r->reorder_ppm, TC_PPM_MAX},
		{"queue limit", r->limit_pkts, TC_LIMIT_MAX},
	};
	size_t i;

	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++)
		if (lim[i].v > lim[i].max)
			return tc_refuse(err, r->index, "shape %u: %s %u above %u",
				         r->index, lim[i].what, lim[i].v, lim[i].max);
	return 0;
}

uint32_t tc_row_caps(const struct shape_row *r)
{
	const struct tc_leaf_kind *leaf = tc_leaf_kind_of(r);
	uint32_t need = CAPS_MASK(CAPS_HTB);

	if (r->src_len > 0)
		need |= CAPS_MASK(CAPS_U32);
	if (leaf)
		need |= leaf->needs_caps;
	return need;
}

/* A missing kernel feature: the reason alone in err (it goes to the row's
 * LastError), the log line names the row and its device. */
static int refuse_caps(struct tc_error *err, const struct shape_row *r,
		       const struct tc_vif *vif, const char *what)
{
	struct tc_error local;

	if (!err)
		err = &local;
	err->index = r->index;
	snprintf(err->text, sizeof(err->text), "kernel has no %s", what);
	log_msg(LOG_NOTICE, "tc", "shape %u on %s: %s", r->index,
		vif && vif->ifname ? vif->ifname : "?", err->text);
	return -1;
}

static int check_caps(const struct shape_row *r, const struct tc_vif *vif, uint32_t caps,
		      struct tc_error *err)
{
	const struct tc_leaf_kind *leaf = tc_leaf_kind_of(r);
	char what[32];

	if (!CAPS_HAS(caps, CAPS_HTB))
		return refuse_caps(err, r, vif, "sch_htb");
	if (r->src_len > 0 && !CAPS_HAS(caps, CAPS_U32))
		return refuse_caps(err, r, vif, "cls_u32");
	if (leaf && (leaf->needs_caps & ~caps)) {
		snprintf(what, sizeof(what), "sch_%s", leaf->name);
		return refuse_caps(err, r, vif, what);
	}
	return 0;
}

int tc_row_check(const struct shape_row *r, const struct tc_vif *vif,
		 uint32_t caps, struct tc_error *err)
{
	uint32_t host = ntohl(r->src.s_addr);
	uint32_t frame;
	char a[INET_ADDRSTRLEN];

	if (r->index < 1 || r->index >= TC_INDEX_MAX)
		return tc_refuse(err, r->index, "shape index %u out of range 1..%u",
			         r->index, TC_INDEX_MAX - 1);
	if (r->src_len > 32)
		return tc_refuse(err, r->index, "shape %u: prefix length %u above 32",
			         r->index, r->src_len);
	if (r->src_len > 0 && (host & ~prefix_mask(r->src_len)))
		return tc_refuse(err, r->index, "shape %u: source %s/%u has host bits set",
			         r->index, inet_ntop(AF_INET, &r->src, a, sizeof(a)),
			         r->src_len);
	if (check_ranges(r, err) < 0)
		return -1;
	if (r->jitter_us > r->delay_us)
		return tc_refuse(err, r->index, "shape %u: jitter %u us larger than delay %u us",
			         r->index, r->jitter_us, r->delay_us);
	if (r->reorder_ppm && !r->delay_us)
		return tc_refuse(err, r->index, "shape %u: reordering needs a delay",
			         r->index);
	/* htb keeps the bucket as a time in 32-bit ticks of 64 ns: 274 s */
	if (r->rate_kbps &&
	    (uint64_t)r->burst_bytes > (uint64_t)r->rate_kbps * 125u * TC_BURST_MAX_S)
		return tc_refuse(err, r->index,
				 "shape %u: burst %u bytes is more than %u s at %u kbit/s",
				 r->index, r->burst_bytes, TC_BURST_MAX_S, r->rate_kbps);
	frame = vif && vif->mtu ? vif->mtu + TC_L2_HDR_BYTES : 0;
	if (r->rate_kbps && r->burst_bytes && r->burst_bytes < frame)
		return tc_refuse(err, r->index,
			         "shape %u: burst %u bytes smaller than one frame (%u bytes) of %s",
			         r->index, r->burst_bytes, frame, vif->ifname);
	return check_caps(r, vif, caps, err);
}

static int same_prefix(const struct shape_row *a, const struct shape_row *b)
{
	return a->src_len == b->src_len &&
	       (a->src_len == 0 || a->src.s_addr == b->src.s_addr);
}

static int by_prefix(const void *a, const void *b)
{
	const struct shape_row *x = a, *y = b;
	uint32_t ax = ntohl(x->src.s_addr), ay = ntohl(y->src.s_addr);

	if (x->src_len != y->src_len)
		return x->src_len < y->src_len ? -1 : 1;
	if (x->src_len == 0 || ax == ay)
		return x->index < y->index ? -1 : x->index > y->index;
	return ax < ay ? -1 : 1;
}

static int by_index(const void *a, const void *b);

/* Unique indexes and prefixes, in O(n log n): a vif may have 65534 rows. */
static int check_unique(const struct shape_row *rows, size_t n,
			struct tc_error *err)
{
	struct shape_row *c = malloc((n ? n : 1) * sizeof(*c));
	char a[INET_ADDRSTRLEN];
	size_t i;
	int rc = 0;

	if (!c)
		return tc_fail(err, 0, "out of memory");
	if (n)
		memcpy(c, rows, n * sizeof(*c));
	qsort(c, n, sizeof(*c), by_index);
	for (i = 1; rc == 0 && i < n; i++)
		if (c[i].index == c[i - 1].index)
			rc = tc_refuse(err, c[i].index, "shape %u given twice", c[i].index);
	qsort(c, n, sizeof(*c), by_prefix);
	for (i = 1; rc == 0 && i < n; i++)
		if (same_prefix(&c[i], &c[i - 1]))
			rc = tc_refuse(err, c[i].index,
				         "shape %u: source %s/%u already used by shape %u",
				         c[i].index, inet_ntop(AF_INET, &c[i].src, a, sizeof(a)),
				         c[i].src_len, c[i - 1].index);
	free(c);
	return rc;
}

int tc_rows_check(const struct shape_row *rows, size_t n,
		  const struct tc_vif *vif, uint32_t caps, struct tc_error *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tc_row_check(&rows[i], vif, caps, err) < 0)
			return -1;
	return check_unique(rows, n, err);
}

/* --- building the libnl objects ----------------------------------------- */

static int plan_push(struct tc_plan *p, enum tc_verb verb, enum tc_obj obj,
		     struct rtnl_tc *tc, uint32_t index, int ok_errno)
{
	struct tc_op *ops;

	if (!tc)
		return -1;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;

		ops = realloc(p->ops, cap * sizeof(*ops));
		if (!ops) {
			nl_object_put((struct nl_object *)tc);
			return -1;
		}
		p->ops = ops;
		p->cap = cap;
	}
	p->ops[p->n++] = (struct tc_op){verb, obj, tc, index, ok_errno};
	return 0;
}

static void tc_common(struct rtnl_tc *tc, const struct tc_vif *vif,
		      uint32_t parent, uint32_t handle)
{
	rtnl_tc_set_ifindex(tc, vif->ifindex);
	rtnl_tc_set_parent(tc, parent);
	if (handle)
		rtnl_tc_set_handle(tc, handle);
	if (vif->mtu)
		rtnl_tc_set_mtu(tc, vif->mtu);
}

static struct rtnl_tc *new_root(const struct tc_vif *vif, int with_kind)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();

	if (!q)
		return NULL;
	tc_common(TC_CAST(q), vif, TC_H_ROOT, TC_HANDLE(TC_ROOT_MAJOR, 0));
	if (with_kind &&
	    (rtnl_tc_set_kind(TC_CAST(q), "htb") < 0 ||
	     rtnl_htb_set_defcls(q, TC_WHOLE_MINOR) < 0)) {
		rtnl_qdisc_put(q);
		return NULL;
	}
	return TC_CAST(q);
}

/* The root noqueue qdisc libvirt puts on the tap devices it creates
 * (with a handle, so a new root cannot simply replace it as it replaces
 * the kernel's default qdisc, handle 0).  Deleting it by kind removes
 * nothing else: on any other root the kernel answers EINVAL ("Invalid
 * qdisc name"), on a default one ENOENT, both "absent" (op_ok). */
static struct rtnl_tc *new_noqueue_root(const struct tc_vif *vif)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();

	if (!q)
		return NULL;
	tc_common(TC_CAST(q), vif, TC_H_ROOT, 0);
	if (rtnl_tc_set_kind(TC_CAST(q), "noqueue") < 0) {
		rtnl_qdisc_put(q);
		return NULL;
	}
	return TC_CAST(q);
}

/* Rate (bytes/s) and burst of a row's class, in the units htb takes.
 * Unlimited is htb's 32-bit maximum; a set rate above it is sent as a
 * 64-bit rate (TCA_HTB_RATE64), so no set rate is ever cut. */
static void class_params(const struct shape_row *r, const struct tc_vif *vif,
			 uint64_t *rate_bps, uint32_t *burst_bytes)
{
	uint64_t rate = r->rate_kbps ? (uint64_t)r->rate_kbps * 125u
				     : TC_RATE_UNLIMITED_BPS;
	uint32_t frame = (vif->mtu ? vif->mtu : 1500u) + TC_L2_HDR_BYTES;

	*rate_bps = rate;
	if (r->rate_kbps && r->burst_bytes)
		*burst_bytes = r->burst_bytes;
	else    /* 1 ms at the rate plus one frame, as tc does with HZ=1000 */
		*burst_bytes = (uint32_t)(rate / 1000u) + frame;
}

static struct rtnl_tc *new_class(const struct tc_vif *vif,
				 const struct shape_row *r)
{
	struct rtnl_class *c = rtnl_class_alloc();
	uint64_t rate, quantum;
	uint32_t burst;

	if (!c)
		return NULL;
	tc_common(TC_CAST(c), vif, TC_HANDLE(TC_ROOT_MAJOR, 0), row_classid(r));
	class_params(r, vif, &rate, &burst);
	/* explicit, so that htb does not complain about r2q at either end;
	 * it only matters when classes borrow, and ours never do */
	quantum = rate / 10u;
	quantum = quantum < TC_QUANTUM_MIN ? TC_QUANTUM_MIN
		: quantum > TC_QUANTUM_MAX ? TC_QUANTUM_MAX : quantum;
	if (rtnl_tc_set_kind(TC_CAST(c), "htb") < 0 ||
	    rtnl_htb_set_rate64(c, rate) < 0 || rtnl_htb_set_ceil64(c, rate) < 0 ||
	    rtnl_htb_set_rbuffer(c, burst) < 0 ||
	    rtnl_htb_set_cbuffer(c, burst) < 0 ||
	    rtnl_htb_set_quantum(c, (uint32_t)quantum) < 0) {
		rtnl_class_put(c);
		return NULL;
	}
	return TC_CAST(c);
}

static struct rtnl_tc *new_class_ref(const struct tc_vif *vif,
				     const struct shape_row *r)
{
	struct rtnl_class *c = rtnl_class_alloc();

	if (c)
		tc_common(TC_CAST(c), vif, TC_HANDLE(TC_ROOT_MAJOR, 0), row_classid(r));
	return TC_CAST(c);
}

/* The leaf of a row's class; kind NULL: only the address (for delete). */
static struct rtnl_tc *new_leaf(const struct tc_vif *vif,
				const struct shape_row *r,
				const struct tc_leaf_kind *kind)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();

	if (!q)
		return NULL;
	/* handle 0: the kernel names it; "replace" on the parent class then
	 * creates, changes in place or grafts, whichever is needed */
	tc_common(TC_CAST(q), vif, row_classid(r), 0);
	if (kind && (rtnl_tc_set_kind(TC_CAST(q), kind->name) < 0 ||
		     kind->fill(q, r) < 0)) {
		rtnl_qdisc_put(q);
		return NULL;
	}
	return TC_CAST(q);
}

static struct rtnl_cls *new_u32(const struct tc_vif *vif, uint32_t handle)
{
	struct rtnl_cls *f = rtnl_cls_alloc();

	if (!f)
		return NULL;
	tc_common(TC_CAST(f), vif, TC_HANDLE(TC_ROOT_MAJOR, 0), handle);
	rtnl_cls_set_prio(f, TC_FILTER_PRIO);
	rtnl_cls_set_protocol(f, ETH_P_IP);
	if (rtnl_tc_set_kind(TC_CAST(f), "u32") < 0) {
		rtnl_cls_put(f);
		return NULL;
	}
	return f;
}

static struct rtnl_tc *new_u32_table(const struct tc_vif *vif,
				     unsigned int len, unsigned int group)
{
	struct rtnl_cls *f = new_u32(vif, u32_htid(len, group) << 20);

	if (f && rtnl_u32_set_divisor(f, 1) < 0) {
		rtnl_cls_put(f);
		return NULL;
	}
	return TC_CAST(f);
}

static struct rtnl_tc *new_u32_link(const struct tc_vif *vif, unsigned int len,
				    unsigned int group, int with_body)
{
	struct rtnl_cls *f = new_u32(vif, u32_link_handle(len, group));

	if (f && with_body &&
	    (rtnl_u32_set_link(f, u32_htid(len, group) << 20) < 0 ||
	     rtnl_u32_add_key(f, 0, 0, 0, 0) < 0)) {
		rtnl_cls_put(f);
		return NULL;
	}
	return TC_CAST(f);
}

static struct rtnl_tc *new_u32_node(const struct tc_vif *vif,
				    const struct shape_row *r, int with_body)
{
	struct rtnl_cls *f = new_u32(vif, u32_node_handle(r));
	uint32_t mask = prefix_mask(r->src_len);

	if (f && with_body &&
	    (rtnl_u32_set_hashtable(f, u32_htid(r->src_len, row_group(r)) << 20) < 0 ||
	     rtnl_u32_add_key(f, r->src.s_addr & htonl(mask), htonl(mask), 12, 0) < 0 ||
	     rtnl_u32_set_classid(f, row_classid(r)) < 0 ||
	     rtnl_u32_set_cls_terminal(f) < 0)) {
		rtnl_cls_put(f);
		return NULL;
	}
	return TC_CAST(f);
}

/* --- planning ------------------------------------------------------------ */

struct planner {
	struct tc_plan *plan;
	const struct tc_vif *vif;
	/* rows per u32 table, as the kernel has them at this point of the plan */
	unsigned int in_table[33][TC_U32_GROUPS];
};

static int filter_add(struct planner *pl, const struct shape_row *r)
{
	unsigned int g = row_group(r), len = r->src_len;
	int rc;

	if (len == 0)       /* the whole-vif row is htb's default class */
		return 0;
	if (pl->in_table[len][g]++ > 0)
		return plan_push(pl->plan, TC_ADD, TC_OBJ_FILTER,
				 new_u32_node(pl->vif, r, 1), r->index, 0);
	/* the first row of its table: the node before the link that makes the
	 * table visible, so it never is visible empty */
	rc = plan_push(pl->plan, TC_ENSURE, TC_OBJ_FILTER,
		       new_u32_table(pl->vif, len, g), r->index, EEXIST);
	if (rc == 0)
		rc = plan_push(pl->plan, TC_ADD, TC_OBJ_FILTER,
			       new_u32_node(pl->vif, r, 1), r->index, 0);
	if (rc == 0)
		rc = plan_push(pl->plan, TC_ENSURE, TC_OBJ_FILTER,
			       new_u32_link(pl->vif, len, g, 1), r->index, EEXIST);
	return rc;
}

static int filter_remove(struct planner *pl, const struct shape_row *r)
{
	unsigned int g = row_group(r), len = r->src_len;

	if (len == 0)
		return 0;
	if (--pl->in_table[len][g] == 0 &&
	    plan_push(pl->plan, TC_DELETE, TC_OBJ_FILTER,
		      new_u32_link(pl->vif, len, g, 0), r->index, 0) < 0)
		return -1;
	return plan_push(pl->plan, TC_DELETE, TC_OBJ_FILTER,
			 new_u32_node(pl->vif, r, 0), r->index, 0);
}

static int leaf_set(struct planner *pl, const struct shape_row *r)
{
	const struct tc_leaf_kind *kind = tc_leaf_kind_of(r);

	if (!kind)
		return 0;
	return plan_push(pl->plan, TC_REPLACE, TC_OBJ_QDISC,
			 new_leaf(pl->vif, r, kind), r->index, 0);
}

static int row_add(struct planner *pl, const struct shape_row *r)
{
	if (plan_push(pl->plan, TC_ADD, TC_OBJ_CLASS, new_class(pl->vif, r),
		      r->index, 0) < 0 || leaf_set(pl, r) < 0)
		return -1;
	return filter_add(pl, r);
}

static int row_remove(struct planner *pl, const struct shape_row *r)
{
	if (filter_remove(pl, r) < 0)
		return -1;
	/* deleting the class deletes its leaf */
	return plan_push(pl->plan, TC_DELETE, TC_OBJ_CLASS,
			 new_class_ref(pl->vif, r), r->index, 0);
}

static int leaf_change(struct planner *pl, const struct shape_row *o,
		       const struct shape_row *r)
{
	const struct tc_leaf_kind *ko = tc_leaf_kind_of(o), *kn = tc_leaf_kind_of(r);

	if (kn && (kn != ko || !kn->same(o, r)))
		return leaf_set(pl, r);
	if (!kn && ko)      /* back to htb's default pfifo */
		return plan_push(pl->plan, TC_DELETE, TC_OBJ_QDISC,
				 new_leaf(pl->vif, r, NULL), r->index, 0);
	return 0;
}

/* A row in both sets.  *later: its old filter must go in the removal pass. */
static int row_change(struct planner *pl, const struct shape_row *o,
		      const struct shape_row *r, int *later)
{
	uint64_t ro, rn;
	uint32_t bo, bn;

	*later = 0;
	class_params(o, pl->vif, &ro, &bo);
	class_params(r, pl->vif, &rn, &bn);
	if ((ro != rn || bo != bn) &&
	    plan_push(pl->plan, TC_CHANGE, TC_OBJ_CLASS, new_class(pl->vif, r),
		      r->index, 0) < 0)
		return -1;
	if (leaf_change(pl, o, r) < 0)
		return -1;
	if (same_prefix(o, r))
		return 0;
	if (o->src_len == r->src_len) {
		/* same table, same node id: u32 cannot re-key a node */
		if (filter_remove(pl, o) < 0)
			return -1;
	} else {
		*later = 1;
	}
	return filter_add(pl, r);
}

static int by_index(const void *a, const void *b)
{
	const struct shape_row *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

static struct shape_row *sorted_copy(const struct shape_row *rows, size_t n)
{
	struct shape_row *c = malloc((n ? n : 1) * sizeof(*c));

	if (c && n) {
		memcpy(c, rows, n * sizeof(*c));
		qsort(c, n, sizeof(*c), by_index);
	}
	return c;
}

/* A row's class id changes only between whole-vif and a prefix: then it is
 * a different class, added before the old one goes. */
static int same_class(const struct shape_row *o, const struct shape_row *r)
{
	return row_minor(o) == row_minor(r);
}

static int plan_rows(struct planner *pl, const struct shape_row *o, size_t no,
		     const struct shape_row *n, size_t nn)
{
	unsigned char *old_action = calloc(no ? no : 1, 1); /* 1 remove, 2 filter */
	size_t i = 0, j = 0;
	int later, rc = old_action ? 0 : -1;

	for (j = 0; rc == 0 && j < nn; j++) {
		while (i < no && o[i].index < n[j].index)
			old_action[i++] = 1;
		if (i < no && o[i].index == n[j].index && same_class(&o[i], &n[j])) {
			rc = row_change(pl, &o[i], &n[j], &later);
			old_action[i++] = later ? 2 : 0;
		} else {
			if (i < no && o[i].index == n[j].index)
				old_action[i++] = 1;
			rc = row_add(pl, &n[j]);
		}
	}
	while (rc == 0 && i < no)
		old_action[i++] = 1;
	for (i = 0; rc == 0 && i < no; i++) {
		if (old_action[i] == 1)
			rc = row_remove(pl, &o[i]);
		else if (old_action[i] == 2)
			rc = filter_remove(pl, &o[i]);
	}
	free(old_action);
	return rc;
}

static void count_tables(struct planner *pl, const struct shape_row *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (o[i].src_len > 0)
			pl->in_table[o[i].src_len][row_group(&o[i])]++;
}

struct tc_plan *tc_plan_build(const struct tc_vif *vif,
			      const struct shape_row *old, size_t n_old,
			      const struct shape_row *new_rows, size_t n_new,
			      unsigned int flags, struct tc_error *err)
{
	struct planner pl = {.vif = vif};
	struct shape_row *o = NULL, *n = NULL;
	int rc = 0;

	pl.plan = calloc(1, sizeof(*pl.plan));
	if (!pl.plan) {
		tc_fail(err, 0, "%s: out of memory", vif->ifname);
		return NULL;
	}
	snprintf(pl.plan->ifname, sizeof(pl.plan->ifname), "%s", vif->ifname);
	if (flags & TC_PLAN_RESET) {
		rc = plan_push(pl.plan, TC_DELETE, TC_OBJ_QDISC, new_root(vif, 0), 0,
			       ENOENT);
		n_old = 0;
	}
	if (rc == 0 && n_new == 0 && n_old > 0)
		rc = plan_push(pl.plan, TC_DELETE, TC_OBJ_QDISC, new_root(vif, 0), 0, 0);
	if (rc == 0 && n_new > 0) {
		if (n_old == 0)
			rc = plan_push(pl.plan, TC_DELETE, TC_OBJ_QDISC, new_noqueue_root(vif),
				       0, ENOENT);
		if (rc == 0 && n_old == 0)
			rc = plan_push(pl.plan, TC_ADD, TC_OBJ_QDISC, new_root(vif, 1), 0, 0);
		o = sorted_copy(old, n_old);
		n = sorted_copy(new_rows, n_new);
		if (rc == 0 && o && n) {
			count_tables(&pl, o, n_old);
			rc = plan_rows(&pl, o, n_old, n, n_new);
		} else {
			rc = -1;
		}
	}
	free(o);
	free(n);
	if (rc < 0) {
		tc_plan_free(pl.plan);
		tc_fail(err, 0, "%s: out of memory while planning", vif->ifname);
		return NULL;
	}
	return pl.plan;
}

size_t tc_plan_len(const struct tc_plan *plan)
{
	return plan ? plan->n : 0;
}

void tc_plan_free(struct tc_plan *plan)
{
	size_t i;

	if (!plan)
		return;
	for (i = 0; i < plan->n; i++)
		nl_object_put((struct nl_object *)plan->ops[i].tc);
	free(plan->ops);
	free(plan);
}

/* --- sending -------------------------------------------------------------- */

static const char *verb_name(enum tc_verb v)
{
	static const char *const names[] = {"add", "ensure", "change", "replace",
					    "delete"};

	return names[v];
}

static const char *obj_name(enum tc_obj o)
{
	static const char *const names[] = {"qdisc", "class", "filter"};

	return names[o];
}

/* Does errno e count as success for op?  "Absent" (a reset's delete of
 * our root) is ENOENT on older kernels and EINVAL "Invalid handle" on
 * newer ones, when the device's root qdisc is not ours. */
static int op_ok(const struct tc_op *op, int e)
{
	return e == op->ok_errno || (op->ok_errno == ENOENT && e == EINVAL);
}

/* "shape 5 on vnet3" or "vnet3": where a request belongs */
static const char *op_where(const struct tc_plan *plan, const struct tc_op *op,
			    char *buf, size_t len)
{
	if (op->index)
		snprintf(buf, len, "shape %u on %s", op->index, plan->ifname);
	else
		snprintf(buf, len, "%s", plan->ifname);
	return buf;
}

int tc_plan_send(struct tc_backend *b, const struct tc_plan *plan,
		 size_t *done, struct tc_error *err)
{
	char why[160], where[64];
	size_t i;
	int rc;

	*done = 0;
	for (i = 0; i < plan->n; i++) {
		const struct tc_op *op = &plan->ops[i];

		why[0] = '\0';
		rc = b->ops->send(b, plan->ifname, op, why, sizeof(why));
		if (rc < 0 && !op_ok(op, -rc)) {
			if (rc == -EEXIST && op->obj == TC_OBJ_QDISC && op->verb == TC_ADD &&
			    op->index == 0)
				return tc_fail(err, 0, "%s: another root qdisc, not vmibd's %x:, is in place (%s)",
					       plan->ifname, TC_ROOT_MAJOR, why);
			return tc_fail(err, op->index, "%s: %s %s: %s",
				       op_where(plan, op, where, sizeof(where)),
				       obj_name(op->obj), verb_name(op->verb), why);
		}
		/* an accepted "absent" or "exists" changed nothing */
		if (rc == 0)
			(*done)++;
	}
	return 0;
}

static void rollback(struct tc_backend *b, const struct tc_vif *vif,
		     const struct shape_row *old, size_t n_old,
		     struct tc_error *err)
{
	struct tc_error err2;
	struct tc_plan *plan;
	size_t done, len = strlen(err->text);
	int rc;

	plan = tc_plan_build(vif, NULL, 0, old, n_old, TC_PLAN_RESET, &err2);
	rc = plan ? tc_plan_send(b, plan, &done, &err2) : -1;
	tc_plan_free(plan);
	snprintf(err->text + len, sizeof(err->text) - len, "%s",
		 rc == 0 ? " (previous shaping restored)"
			 : " (restoring the previous shaping failed too)");
	if (rc == 0)
		log_msg(LOG_NOTICE, "tc", "%s: previous shaping restored", vif->ifname);
}

int tc_apply(struct tc_backend *b, const struct tc_vif *vif,
	     const struct shape_row *old, size_t n_old,
	     const struct shape_row *new_rows, size_t n_new,
	     uint32_t caps, unsigned int flags, struct tc_error *err)
{
	struct tc_error local;
	struct tc_plan *plan;
	size_t done = 0;
	int rc;

	if (!err)
		err = &local;
	if (tc_rows_check(new_rows, n_new, vif, caps, err) < 0)
		return -1;
	plan = tc_plan_build(vif, old, n_old, new_rows, n_new, flags, err);
	if (!plan)
		return -1;
	rc = tc_plan_send(b, plan, &done, err);
	tc_plan_free(plan);
	if (rc < 0) {
		/* after a reset the old rows are not known to be in force */
		if (done > 0)
			rollback(b, vif, (flags & TC_PLAN_RESET) ? NULL : old,
				 (flags & TC_PLAN_RESET) ? 0 : n_old, err);
		return -1;
	}
	log_msg(LOG_DEBUG, "tc", "%s: %zu shape rows in force", vif->ifname, n_new);
	return 0;
}

int tc_counters_read(struct tc_backend *b, const struct tc_vif *vif,
		     const struct shape_row *rows, size_t n,
		     struct tc_counters *out, struct tc_error *err)
{
	struct tc_counters *cls = NULL;
	char why[160] = "";
	size_t i;
	int got, k, found = 0;

	got = b->ops->counters(b, vif, &cls, why, sizeof(why));
	if (got < 0)
		return tc_fail(err, 0, "%s: reading the class counters: %s",
			       vif->ifname, why);
	for (i = 0; i < n; i++) {
		out[i] = (struct tc_counters){.index = rows[i].index};
		for (k = 0; k < got; k++) {
			if (cls[k].index != row_minor(&rows[i]))
				continue;
			out[i] = cls[k];
			out[i].index = rows[i].index;
			found++;
			break;
		}
	}
	free(cls);
	return found;
}
