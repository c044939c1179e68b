/*
 * tc_backend.c - the two sides of the shaping seam: the netlink backend,
 * which sends each planned request to the kernel and waits for its answer,
 * and the recorder, which renders each request as one line of text
 * instead (unit tests, dry runs).
 *
 * Both build the very same netlink message from the plan's libnl objects
 * (tc_op_build_msg), so a request the recorder accepts is byte for byte
 * the one the kernel would get.  The netlink backend owns one
 * NETLINK_ROUTE socket in the namespace of the thread that made it, with
 * extended ACKs on so that the kernel's own reason ("Specified qdisc kind
 * is unknown.") reaches vmibShapeLastError.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/route/class.h>

#include "tc_int.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* --- one exchange with the kernel ----------------------------------------- */

struct tc_answer {
	int done;
	int error;             /* 0 or a negative errno */
	char *why;
	size_t why_len;
};

/* The extended ACK's message, if any (RFC 3549 style TLVs after nlmsgerr) */
static void answer_extack(struct tc_answer *a, struct nlmsgerr *e)
{
	struct nlmsghdr *h = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);
	int len;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)h->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0 ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off), len,
		      NULL) < 0 || !tb[NLMSGERR_ATTR_MSG])
		return;
	snprintf(a->why, a->why_len, "%s (%s)", (char *)nla_data(tb[NLMSGERR_ATTR_MSG]),
		 strerror(-a->error));
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct tc_answer *a = arg;

	(void)nla;
	a->done = 1;
	a->error = e->error;
	snprintf(a->why, a->why_len, "%s", strerror(-e->error));
	answer_extack(a, e);
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct tc_answer *a = arg;

	(void)msg;
	a->done = 1;
	return NL_STOP;
}

int tc_nl_talk(struct nl_sock *sk, struct nl_msg *msg, char *why,
	       size_t why_len)
{
	struct tc_answer a = {0, 0, why, why_len};
	struct nl_cb *cb;
	int rc;

	rc = nl_send_auto(sk, msg);
	if (rc < 0) {
		snprintf(why, why_len, "netlink send: %s", nl_geterror(rc));
		return -EIO;
	}
	cb = nl_socket_get_cb(sk);      /* a new reference */
	if (cb) {
		struct nl_cb *mine = nl_cb_clone(cb);

		nl_cb_put(cb);
		cb = mine;
	}
	if (!cb) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &a);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &a);
	while (!a.done) {
		rc = nl_recvmsgs(sk, cb);
		if (rc < 0 && !a.done) {
			snprintf(why, why_len, "netlink receive: %s", nl_geterror(rc));
			a.error = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	return a.error;
}

struct nl_sock *tc_nl_open(char *why, size_t why_len)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, rc;

	if (!sk) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc < 0) {
		snprintf(why, why_len, "netlink socket: %s", nl_geterror(rc));
		nl_socket_free(sk);
		return NULL;
	}
	/* best effort: older kernels answer without the reason */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return sk;
}

/* --- the netlink backend ---------------------------------------------------- */

struct tc_nl_backend {
	struct tc_backend base;
	struct nl_sock *sk;
};

static int nl_send_op(struct tc_backend *b, const char *ifname,
		      const struct tc_op *op, char *why, size_t why_len)
{
	struct tc_nl_backend *nb = (struct tc_nl_backend *)b;
	struct nl_msg *msg = NULL;
	int rc;

	(void)ifname;
	rc = tc_op_build_msg(op, &msg);
	if (rc < 0) {
		snprintf(why, why_len, "building the request: %s", nl_geterror(rc));
		return -EINVAL;
	}
	rc = tc_nl_talk(nb->sk, msg, why, why_len);
	nlmsg_free(msg);
	return rc;
}

struct class_walk {
	struct tc_counters *out;
	size_t n, cap;
	int failed;
};

static void take_class(struct nl_object *obj, void *arg)
{
	struct rtnl_tc *tc = (struct rtnl_tc *)obj;
	struct class_walk *w = arg;
	uint32_t h = rtnl_tc_get_handle(tc);

	if (TC_H_MAJ(h) != TC_H_MAJ(TC_ROOT_MAJOR << 16) || w->failed)
		return;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct tc_counters *o = realloc(w->out, cap * sizeof(*o));

		if (!o) {
			w->failed = 1;
			return;
		}
		w->out = o;
		w->cap = cap;
	}
	w->out[w->n++] = (struct tc_counters){
		.index = TC_H_MIN(h),
		.sent_bytes = rtnl_tc_get_stat(tc, RTNL_TC_BYTES),
		.sent_pkts = rtnl_tc_get_stat(tc, RTNL_TC_PACKETS),
		.dropped_pkts = rtnl_tc_get_stat(tc, RTNL_TC_DROPS),
		.overlimits = rtnl_tc_get_stat(tc, RTNL_TC_OVERLIMITS),
	};
}

static int nl_counters(struct tc_backend *b, const struct tc_vif *vif,
		       struct tc_counters **out, char *why, size_t why_len)
{
	struct tc_nl_backend *nb = (struct tc_nl_backend *)b;
	struct class_walk w = {0};
	struct nl_cache *cache = NULL;
	int rc;

	rc = rtnl_class_alloc_cache(nb->sk, vif->ifindex, &cache);
	if (rc < 0) {
		snprintf(why, why_len, "%s", nl_geterror(rc));
		return -1;
	}
	nl_cache_foreach(cache, take_class, &w);
	nl_cache_free(cache);
	if (w.failed) {
		free(w.out);
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	*out = w.out;
	return (int)w.n;
}

static void nl_free(struct tc_backend *b)
{
	struct tc_nl_backend *nb = (struct tc_nl_backend *)b;

	nl_socket_free(nb->sk);
	free(nb);
}

static const struct tc_backend_ops tc_nl_ops = {nl_send_op, nl_counters, nl_free};

struct tc_backend *tc_backend_netlink_new(struct tc_error *err)
{
	struct tc_nl_backend *nb = calloc(1, sizeof(*nb));
	char why[160];

	if (!nb) {
		tc_fail(err, 0, "netlink backend: out of memory");
		return NULL;
	}
	nb->sk = tc_nl_open(why, sizeof(why));
	if (!nb->sk) {
		free(nb);
		tc_fail(err, 0, "netlink backend: %s", why);
		return NULL;
	}
	nb->base.ops = &tc_nl_ops;
	return &nb->base;
}

/* --- the recorder ----------------------------------------------------------- */

struct tc_recorder {
	struct tc_backend base;
	FILE *out;             /* open_memstream on text/size */
	char *text;
	size_t size;
	unsigned int sent, fail_at;
	int fail_errno;
};

static int rec_send(struct tc_backend *b, const char *ifname,
		    const struct tc_op *op, char *why, size_t why_len)
{
	struct tc_recorder *r = (struct tc_recorder *)b;
	struct nl_msg *msg = NULL;
	int rc = tc_op_build_msg(op, &msg);

	if (rc < 0) {
		fprintf(r->out, "UNBUILDABLE %s request: %s\n", ifname, nl_geterror(rc));
		snprintf(why, why_len, "building the request: %s", nl_geterror(rc));
		return -EINVAL;
	}
	tc_msg_render(r->out, ifname, op, msg);
	nlmsg_free(msg);
	if (++r->sent == r->fail_at) {
		fprintf(r->out, " -> %s\n", strerror(r->fail_errno));
		snprintf(why, why_len, "%s (injected)", strerror(r->fail_errno));
		return -r->fail_errno;
	}
	fputc('\n', r->out);
	return 0;
}

static int rec_counters(struct tc_backend *b, const struct tc_vif *vif,
			struct tc_counters **out, char *why, size_t why_len)
{
	struct tc_recorder *r = (struct tc_recorder *)b;

	(void)why;
	(void)why_len;
	fprintf(r->out, "dump dev %s class\n", vif->ifname);
	*out = NULL;
	return 0;
}

static void rec_free(struct tc_backend *b)
{
	struct tc_recorder *r = (struct tc_recorder *)b;

	fclose(r->out);
	free(r->text);
	free(r);
}

static const struct tc_backend_ops tc_rec_ops = {rec_send, rec_counters, rec_free};

struct tc_backend *tc_backend_recorder_new(void)
{
	struct tc_recorder *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->out = open_memstream(&r->text, &r->size);
	if (!r->out) {
		free(r);
		return NULL;
	}
	r->base.ops = &tc_rec_ops;
	return &r->base;
}

void tc_recorder_fail_at(struct tc_backend *b, unsigned int fail_at,
			 int errno_val)
{
	struct tc_recorder *r = (struct tc_recorder *)b;

	if (b->ops != &tc_rec_ops)
		return;
	r->fail_at = fail_at;
	r->fail_errno = errno_val;
}

const char *tc_recorder_text(struct tc_backend *b)
{
	struct tc_recorder *r = (struct tc_recorder *)b;

	if (b->ops != &tc_rec_ops)
		return "";
	fflush(r->out);
	return r->text ? r->text : "";
}

void tc_backend_free(struct tc_backend *b)
{
	if (b)
		b->ops->free(b);
}
