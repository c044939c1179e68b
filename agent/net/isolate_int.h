/*
 * isolate_int.h - the seam of the isolation code: what a backend does
 * (isolate.c calls it; isolate_backend.c and isolate_recorder.c are the
 * two backends).  Private to agent/net/isolate*.c.
 */
#ifndef VMIB_ISOLATE_INT_H
#define VMIB_ISOLATE_INT_H

#include <stddef.h>

#include "isolate.h"

#define ISOLATE_BRNF "/proc/sys/net/bridge/bridge-nf-call-iptables"

struct isolate_backend_ops {
	/* bridged IPv4 must traverse iptables: 0, or -1 with why */
	int (*br_netfilter)(struct isolate_backend *b, char *why, size_t len);
	/* "iptables -t filter -S" (with -v: counters): 0 with *out
	 * (malloc'd), -1 with why */
	int (*list)(struct isolate_backend *b, int verbose, char **out, char *why,
		    size_t len);
	int (*restore)(struct isolate_backend *b, const char *text, char *why,
		       size_t len);
	void (*free)(struct isolate_backend *b);
};

struct isolate_backend {
	const struct isolate_backend_ops *ops;
};

#endif
