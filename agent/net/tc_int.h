/*
 * tc_int.h - what tc.c, tc_kind.c, tc_backend.c and caps.c share, and
 * nobody else should use: the plan's operations, the qdisc-kind plug-ins,
 * the backend interface, and one netlink exchange with extended ACKs.
 */
#ifndef VMIB_TC_INT_H
#define VMIB_TC_INT_H

#include <stdio.h>

#include <netlink/netlink.h>
#include <netlink/route/tc.h>

#include "tc.h"

/* What a request does; the netlink flags follow from it (tc_kind.c). */
enum tc_verb {
	TC_ADD,      /* NLM_F_CREATE | NLM_F_EXCL */
	TC_ENSURE,   /* the same, and EEXIST counts as success */
	TC_CHANGE,   /* no flag: the object must exist */
	TC_REPLACE,  /* NLM_F_CREATE | NLM_F_REPLACE: create, change or graft */
	TC_DELETE,
};

enum tc_obj {
	TC_OBJ_QDISC,
	TC_OBJ_CLASS,
	TC_OBJ_FILTER,
};

/* One request.  Owns tc (a struct rtnl_qdisc/class/cls by obj). */
struct tc_op {
	enum tc_verb verb;
	enum tc_obj obj;
	struct rtnl_tc *tc;
	uint32_t index;        /* row it serves, 0 = the vif */
	int ok_errno;          /* this errno counts as success (0: none);
	                        * ENOENT means "absent": EINVAL too (tc.c) */
};

struct tc_plan {
	char ifname[32];
	struct tc_op *ops;
	size_t n, cap;
};

/* Build the netlink message of op (the caller frees it, nlmsg_free). */
int tc_op_build_msg(const struct tc_op *op, struct nl_msg **msg);
/* Render the message as one line of tc-like text, without '\n'. */
void tc_msg_render(FILE *out, const char *ifname, const struct tc_op *op,
		   struct nl_msg *msg);

/*
 * Leaf qdisc kinds, one entry each (a new kind is one new entry): the first
 * whose wants() is true is the row's leaf; none = the kernel's default
 * pfifo.  fill() sets the kind's parameters on a fresh qdisc, same() says
 * whether two rows give the same parameters, and complete() (may be NULL)
 * fixes up the netlink message libnl built, where libnl falls short.
 */
struct tc_leaf_kind {
	const char *name;
	uint32_t needs_caps;   /* CAPS_MASK() bits */
	int (*wants)(const struct shape_row *row);
	int (*fill)(struct rtnl_qdisc *q, const struct shape_row *row);
	int (*same)(const struct shape_row *a, const struct shape_row *b);
	int (*complete)(struct nl_msg *msg);
};
const struct tc_leaf_kind *tc_leaf_kind_of(const struct shape_row *row);

/* The backend seam: one call per request. */
struct tc_backend_ops {
	/* 0, or a negative errno with why filled (the kernel's own words
	 * when it gave some) */
	int (*send)(struct tc_backend *b, const char *ifname,
		    const struct tc_op *op, char *why, size_t why_len);
	/* every class of ours on the vif, index = class minor; *out is
	 * malloc'd (caller frees); returns the count or -1 */
	int (*counters)(struct tc_backend *b, const struct tc_vif *vif,
			struct tc_counters **out, char *why, size_t why_len);
	void (*free)(struct tc_backend *b);
};

struct tc_backend {
	const struct tc_backend_ops *ops;
};

/*
 * Send msg on sk and wait for the kernel's answer: 0 or a negative errno;
 * why gets the extended ACK message if the kernel sent one, else
 * strerror().  Used by the netlink backend and by caps.c.
 */
int tc_nl_talk(struct nl_sock *sk, struct nl_msg *msg, char *why,
	       size_t why_len);
/* A NETLINK_ROUTE socket with extended ACKs on, or NULL (why filled). */
struct nl_sock *tc_nl_open(char *why, size_t why_len);

/* Fill err, log it once (token "tc"), return -1. */
int tc_fail(struct tc_error *err, uint32_t index, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
