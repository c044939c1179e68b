/*
 * tc_kind.c - the plug-in tables of the shaping code: which leaf qdisc a
 * shape row gets (netem, pfifo, or htb's default) and how to fill it, and
 * how each kind's netlink options read as text.
 *
 * It also builds the netlink message of one planned request
 * (tc_op_build_msg) and renders a message as one tc-like line
 * (tc_msg_render): the recorder backend writes exactly what would go to
 * the kernel, decoded from the message itself, not from the plan.
 * Nothing here sends anything.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/utils.h>
#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/fifo.h>
#include <netlink/route/qdisc/netem.h>

#include "tc_int.h"

/* --- leaf kinds ---------------------------------------------------------- */

/* NetEm probabilities are fractions of 2^32 - 1 (iproute2 tc/q_netem.c). */
static int ppm_to_prob(uint32_t ppm)
{
	uint64_t p = ((uint64_t)ppm * 0xffffffffu + 500000u) / 1000000u;

	return (int)(uint32_t)p; /* libnl takes int, the kernel a u32 */
}

static int netem_wants(const struct shape_row *r)
{
	return tc_row_needs_netem(r);
}

static int netem_fill(struct rtnl_qdisc *q, const struct shape_row *r)
{
	/* libnl says "limit in bytes"; sch_netem counts packets */
	if (r->limit_pkts)
		rtnl_netem_set_limit(q, (int)r->limit_pkts);
	rtnl_netem_set_delay(q, (int)r->delay_us);
	rtnl_netem_set_jitter(q, (int)r->jitter_us);
	rtnl_netem_set_loss(q, ppm_to_prob(r->loss_ppm));
	rtnl_netem_set_duplicate(q, ppm_to_prob(r->duplicate_ppm));
	if (r->corrupt_ppm)
		rtnl_netem_set_corruption_probability(q, ppm_to_prob(r->corrupt_ppm));
	if (r->reorder_ppm) {
		/* gap 1: every packet may go ahead, as tc's "reorder P%" */
		rtnl_netem_set_reorder_probability(q, ppm_to_prob(r->reorder_ppm));
		rtnl_netem_set_gap(q, 1);
	}
	return 0;
}

static int netem_same(const struct shape_row *a, const struct shape_row *b)
{
	return a->delay_us == b->delay_us && a->jitter_us == b->jitter_us &&
	       a->loss_ppm == b->loss_ppm && a->duplicate_ppm == b->duplicate_ppm &&
	       a->corrupt_ppm == b->corrupt_ppm && a->reorder_ppm == b->reorder_ppm &&
	       a->limit_pkts == b->limit_pkts;
}

/*
 * sch_netem's change keeps the corruption and reordering it had when the
 * request carries no TCA_NETEM_CORRUPT / TCA_NETEM_REORDER, and libnl
 * sends them only when non-zero: so a row going back to no corruption
 * would keep corrupting.  Every netem request therefore carries both,
 * zeros included.  libnl's netem layout makes TCA_OPTIONS (a struct
 * tc_netem_qopt, then attributes) the last attribute, spanning to the end
 * of the message: append, then stretch TCA_OPTIONS over what was added.
 */
static int netem_complete(struct nl_msg *msg)
{
	static const struct tc_netem_corrupt no_corrupt;
	static const struct tc_netem_reorder no_reorder;
	struct nlattr *tb[TCA_NETEM_MAX + 1] = {0};
	struct nlattr *opts = nlmsg_find_attr(nlmsg_hdr(msg), sizeof(struct tcmsg),
					      TCA_OPTIONS);
	int off = NLA_ALIGN(sizeof(struct tc_netem_qopt));

	if (!opts || nla_len(opts) < off)
		return -NLE_INVAL;
	if (nla_len(opts) > off &&
	    nla_parse(tb, TCA_NETEM_MAX, (struct nlattr *)((char *)nla_data(opts) + off),
		      nla_len(opts) - off, NULL) < 0)
		return -NLE_INVAL;
	if ((!tb[TCA_NETEM_CORRUPT] &&
	     nla_put(msg, TCA_NETEM_CORRUPT, sizeof(no_corrupt), &no_corrupt) < 0) ||
	    (!tb[TCA_NETEM_REORDER] &&
	     nla_put(msg, TCA_NETEM_REORDER, sizeof(no_reorder), &no_reorder) < 0))
		return -NLE_NOMEM;
	opts = nlmsg_find_attr(nlmsg_hdr(msg), sizeof(struct tcmsg), TCA_OPTIONS);
	opts->nla_len = (uint16_t)((char *)nlmsg_tail(nlmsg_hdr(msg)) - (char *)opts);
	return 0;
}

static int pfifo_wants(const struct shape_row *r)
{
	return r->limit_pkts > 0;
}

static int pfifo_fill(struct rtnl_qdisc *q, const struct shape_row *r)
{
	return rtnl_qdisc_fifo_set_limit(q, (int)r->limit_pkts);
}

static int pfifo_same(const struct shape_row *a, const struct shape_row *b)
{
	return a->limit_pkts == b->limit_pkts;
}

/* First match wins: a NetEm parameter makes a netem leaf (which also holds
 * the queue limit), a limit alone a pfifo, nothing htb's default pfifo. */
static const struct tc_leaf_kind tc_leaf_kinds[] = {
	{"netem", CAPS_MASK(CAPS_NETEM), netem_wants, netem_fill, netem_same,
	 netem_complete},
	{"pfifo", 0, pfifo_wants, pfifo_fill, pfifo_same, NULL},
};

const struct tc_leaf_kind *tc_leaf_kind_of(const struct shape_row *row)
{
	size_t i;

	for (i = 0; i < sizeof(tc_leaf_kinds) / sizeof(tc_leaf_kinds[0]); i++)
		if (tc_leaf_kinds[i].wants(row))
			return &tc_leaf_kinds[i];
	return NULL;
}

/* --- building a request -------------------------------------------------- */

static int verb_flags(enum tc_verb v)
{
	switch (v) {
	case TC_ADD:
	case TC_ENSURE:
		return NLM_F_CREATE | NLM_F_EXCL;
	case TC_REPLACE:
		return NLM_F_CREATE | NLM_F_REPLACE;
	case TC_CHANGE:
	case TC_DELETE:
		break;
	}
	return 0;
}

/* The leaf kind's own fix-up of a request that sets a leaf. */
static int complete_leaf(const struct tc_op *op, struct nl_msg *msg)
{
	const char *kind = rtnl_tc_get_kind(op->tc);
	size_t i;

	if (op->obj != TC_OBJ_QDISC || op->verb == TC_DELETE || !kind)
		return 0;
	for (i = 0; i < sizeof(tc_leaf_kinds) / sizeof(tc_leaf_kinds[0]); i++)
		if (strcmp(tc_leaf_kinds[i].name, kind) == 0 && tc_leaf_kinds[i].complete)
			return tc_leaf_kinds[i].complete(msg);
	return 0;
}

int tc_op_build_msg(const struct tc_op *op, struct nl_msg **msg)
{
	int del = op->verb == TC_DELETE, rc = -NLE_INVAL;
	struct nlmsghdr *h;

	switch (op->obj) {
	case TC_OBJ_QDISC:
		rc = del ? rtnl_qdisc_build_delete_request((struct rtnl_qdisc *)op->tc, msg)
			 : rtnl_qdisc_build_add_request((struct rtnl_qdisc *)op->tc, 0, msg);
		break;
	case TC_OBJ_CLASS:
		rc = del ? rtnl_class_build_delete_request((struct rtnl_class *)op->tc, msg)
			 : rtnl_class_build_add_request((struct rtnl_class *)op->tc, 0, msg);
		break;
	case TC_OBJ_FILTER:
		rc = del ? rtnl_cls_build_delete_request((struct rtnl_cls *)op->tc, 0, msg)
			 : rtnl_cls_build_add_request((struct rtnl_cls *)op->tc, 0, msg);
		break;
	}
	if (rc < 0)
		return rc;
	rc = complete_leaf(op, *msg);
	if (rc < 0) {
		nlmsg_free(*msg);
		*msg = NULL;
		return rc;
	}
	/* libnl's add requests may carry NLM_F_CREATE: set exactly ours */
	h = nlmsg_hdr(*msg);
	h->nlmsg_flags &= ~(NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE | NLM_F_APPEND);
	h->nlmsg_flags |= verb_flags(op->verb);
	return 0;
}

/* --- rendering a request --------------------------------------------------- */

static void put_qhandle(FILE *out, uint32_t h)
{
	if (TC_H_MIN(h))
		fprintf(out, "%x:%x", TC_H_MAJ(h) >> 16, TC_H_MIN(h));
	else
		fprintf(out, "%x:", TC_H_MAJ(h) >> 16);
}

/* u32 handles as tc writes them: table:bucket:node, zeros left out */
static void put_u32handle(FILE *out, uint32_t h)
{
	uint32_t ht = h >> 20, bucket = (h >> 12) & 0xff, node = h & 0xfff;

	fprintf(out, "%x:", ht);
	if (bucket || node) {
		if (bucket)
			fprintf(out, "%x", bucket);
		fprintf(out, ":");
		if (node)
			fprintf(out, "%x", node);
	}
}

static void render_htb_qdisc(FILE *out, struct nlattr *opts)
{
	struct nlattr *tb[TCA_HTB_MAX + 1];
	struct tc_htb_glob g;

	if (nla_parse_nested(tb, TCA_HTB_MAX, opts, NULL) < 0 || !tb[TCA_HTB_INIT])
		return;
	nla_memcpy(&g, tb[TCA_HTB_INIT], sizeof(g));
	fprintf(out, " default %x r2q %u", g.defcls, g.rate2quantum);
}

static void render_htb_class(FILE *out, struct nlattr *opts)
{
	struct nlattr *tb[TCA_HTB_MAX + 1];
	struct tc_htb_opt o;

	if (nla_parse_nested(tb, TCA_HTB_MAX, opts, NULL) < 0 || !tb[TCA_HTB_PARMS])
		return;
	nla_memcpy(&o, tb[TCA_HTB_PARMS], sizeof(o));
	fprintf(out, " rate %llubit ceil %llubit buffer %uus cbuffer %uus quantum %u",
		8ull * o.rate.rate, 8ull * o.ceil.rate, nl_ticks2us(o.buffer),
		nl_ticks2us(o.cbuffer), o.quantum);
	if (tb[TCA_HTB_RATE64])
		fprintf(out, " rate64 %llubit",
			8ull * (unsigned long long)nla_get_u64(tb[TCA_HTB_RATE64]));
	if (tb[TCA_HTB_CEIL64])
		fprintf(out, " ceil64 %llubit",
			8ull * (unsigned long long)nla_get_u64(tb[TCA_HTB_CEIL64]));
}

/* sch_netem's options are a struct tc_netem_qopt followed by attributes */
static void render_netem(FILE *out, struct nlattr *opts)
{
	struct nlattr *tb[TCA_NETEM_MAX + 1];
	struct tc_netem_qopt q;
	int len = nla_len(opts) - (int)NLA_ALIGN(sizeof(q));

	if (nla_len(opts) < (int)sizeof(q))
		return;
	memcpy(&q, nla_data(opts), sizeof(q));
	fprintf(out, " limit %u delay %uus jitter %uus loss %u duplicate %u gap %u",
		q.limit, nl_ticks2us(q.latency), nl_ticks2us(q.jitter), q.loss,
		q.duplicate, q.gap);
	if (len <= 0 ||
	    nla_parse(tb, TCA_NETEM_MAX,
		      (struct nlattr *)((char *)nla_data(opts) + NLA_ALIGN(sizeof(q))),
		      len, NULL) < 0)
		return;
	if (tb[TCA_NETEM_REORDER]) {
		struct tc_netem_reorder ro;

		nla_memcpy(&ro, tb[TCA_NETEM_REORDER], sizeof(ro));
		fprintf(out, " reorder %u", ro.probability);
	}
	if (tb[TCA_NETEM_CORRUPT]) {
		struct tc_netem_corrupt c;

		nla_memcpy(&c, tb[TCA_NETEM_CORRUPT], sizeof(c));
		fprintf(out, " corrupt %u", c.probability);
	}
}

static void render_fifo(FILE *out, struct nlattr *opts)
{
	struct tc_fifo_qopt f;

	if (nla_len(opts) < (int)sizeof(f))
		return;
	memcpy(&f, nla_data(opts), sizeof(f));
	fprintf(out, " limit %u", f.limit);
}

static void render_u32_sel(FILE *out, struct nlattr *a)
{
	struct tc_u32_sel *sel = nla_data(a);
	int i;

	if (nla_len(a) < (int)sizeof(*sel) ||
	    nla_len(a) < (int)(sizeof(*sel) + sel->nkeys * sizeof(sel->keys[0])))
		return;
	for (i = 0; i < sel->nkeys; i++)
		fprintf(out, " match %08x/%08x at %d", ntohl(sel->keys[i].val),
			ntohl(sel->keys[i].mask), sel->keys[i].off);
	if (sel->flags & TC_U32_TERMINAL)
		fprintf(out, " terminal");
}

static void render_u32(FILE *out, struct nlattr *opts)
{
	struct nlattr *tb[TCA_U32_MAX + 1];

	if (nla_parse_nested(tb, TCA_U32_MAX, opts, NULL) < 0)
		return;
	if (tb[TCA_U32_DIVISOR])
		fprintf(out, " divisor %u", nla_get_u32(tb[TCA_U32_DIVISOR]));
	if (tb[TCA_U32_HASH]) {
		fprintf(out, " ht ");
		put_u32handle(out, nla_get_u32(tb[TCA_U32_HASH]));
	}
	if (tb[TCA_U32_LINK]) {
		fprintf(out, " link ");
		put_u32handle(out, nla_get_u32(tb[TCA_U32_LINK]));
	}
	if (tb[TCA_U32_SEL])
		render_u32_sel(out, tb[TCA_U32_SEL]);
	if (tb[TCA_U32_CLASSID]) {
		fprintf(out, " classid ");
		put_qhandle(out, nla_get_u32(tb[TCA_U32_CLASSID]));
	}
}

/* One entry per (object, kind) whose options we render. */
static const struct {
	enum tc_obj obj;
	const char *kind;
	void (*render)(FILE *out, struct nlattr *opts);
} tc_renderers[] = {
	{TC_OBJ_QDISC, "htb", render_htb_qdisc},
	{TC_OBJ_CLASS, "htb", render_htb_class},
	{TC_OBJ_QDISC, "netem", render_netem},
	{TC_OBJ_QDISC, "pfifo", render_fifo},
	{TC_OBJ_FILTER, "u32", render_u32},
};

static void render_options(FILE *out, enum tc_obj obj, const char *kind,
			   struct nlattr *opts)
{
	size_t i;

	for (i = 0; i < sizeof(tc_renderers) / sizeof(tc_renderers[0]); i++)
		if (tc_renderers[i].obj == obj && strcmp(tc_renderers[i].kind, kind) == 0) {
			tc_renderers[i].render(out, opts);
			return;
		}
	fprintf(out, " <%d option bytes>", nla_len(opts));
}

static const char *msg_verb(const struct nlmsghdr *h)
{
	int f = h->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE);

	if (h->nlmsg_type == RTM_DELQDISC || h->nlmsg_type == RTM_DELTCLASS ||
	    h->nlmsg_type == RTM_DELTFILTER)
		return "delete";
	if (f == (NLM_F_CREATE | NLM_F_EXCL))
		return "add";
	if (f == (NLM_F_CREATE | NLM_F_REPLACE))
		return "replace";
	return f ? "create" : "change";
}

static void render_addr(FILE *out, enum tc_obj obj, const struct tcmsg *t)
{
	if (t->tcm_parent == TC_H_ROOT) {
		fprintf(out, " root");
	} else {
		fprintf(out, " parent ");
		put_qhandle(out, t->tcm_parent);
	}
	if (obj == TC_OBJ_FILTER) {
		fprintf(out, " prio %u protocol %s", TC_H_MAJ(t->tcm_info) >> 16,
			ntohs(TC_H_MIN(t->tcm_info)) == ETH_P_IP ? "ip" : "?");
		if (t->tcm_handle) {
			fprintf(out, " handle ");
			put_u32handle(out, t->tcm_handle);
		}
	} else if (t->tcm_handle) {
		fprintf(out, obj == TC_OBJ_CLASS ? " classid " : " handle ");
		put_qhandle(out, t->tcm_handle);
	}
}

void tc_msg_render(FILE *out, const char *ifname, const struct tc_op *op,
		   struct nl_msg *msg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct tcmsg *t = nlmsg_data(h);
	static const char *const objs[] = {"qdisc", "class", "filter"};
	struct nlattr *tb[TCA_MAX + 1];
	const char *kind = NULL;

	fprintf(out, "%s %s dev %s", objs[op->obj], msg_verb(h), ifname);
	render_addr(out, op->obj, t);
	if (nlmsg_parse(h, sizeof(*t), tb, TCA_MAX, NULL) < 0) {
		fprintf(out, " <unparsable>");
		return;
	}
	if (tb[TCA_KIND]) {
		kind = nla_get_string(tb[TCA_KIND]);
		fprintf(out, " %s", kind);
	}
	if (kind && tb[TCA_OPTIONS])
		render_options(out, op->obj, kind, tb[TCA_OPTIONS]);
	if (op->ok_errno)
		fprintf(out, " [%s ok]", op->ok_errno == EEXIST ? "EEXIST"
				       : op->ok_errno == ENOENT ? "ENOENT/EINVAL" : "errno");
}
