/*
 * tc.h - traffic shaping of one vif: the rows of vmibShapeTable turned into
 * qdiscs, classes and u32 filters with libnl-route-3 (never by forking tc).
 *
 * The caller (mib_shape.c, the VM tracker) holds the rows; this module is
 * stateless between calls.  tc_plan_build() computes, from the rows in
 * force on a vif and the wanted rows, the smallest list of netlink
 * requests; tc_plan_send() hands them one by one to a backend: the netlink
 * backend talks to the kernel, the recorder renders each request as one
 * line of tc-like text (what the unit tests compare with
 * tests/data/tc/ *.expected).  tc_apply() is validate + plan + send, and
 * puts the old rows back when the kernel refuses a request half-way.
 *
 * The tree, its handles and the reasons for them are drawn in tc.c; the
 * whole story (units, defaults, order of requests) is in doc/shaping.md.
 *
 * How the MIB uses it: tc_rows_check() in the SET's check phase (nothing
 * changes), tc_apply(old -> new) to do it, tc_apply(new -> old) to undo
 * it; at vmibd start, after a host reboot or on migration arrival, when
 * the vif's state is not known, tc_apply(NULL -> rows, TC_PLAN_RESET).
 * tc_row_check() alone tells which rows of a migrated VM this host cannot
 * do (vmibShapeOperStatus unsupported).
 *
 * Threads: a backend is used by one thread at a time (one netlink socket);
 * plans and checks have no shared state.
 *
 * Errors: every function that can fail fills a struct tc_error (the row at
 * fault and a one-line reason for vmibShapeLastError) and logs it once,
 * token "tc"; callers propagate it without logging again.
 */
#ifndef VMIB_TC_H
#define VMIB_TC_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"

/* vmibShapeIndex is 1..65535 in the MIB; 65535 is refused here because
 * class 7600:ffff is the whole-vif class (tc.c). */
#define TC_INDEX_MAX 65535u
#define TC_ROOT_MAJOR 0x7600u    /* our root qdisc is 7600: ("v" = 0x76) */

/*
 * One row of vmibShapeTable, in the MIB's units.  Every column's DEFVAL in
 * VMIB-MIB is 0 and 0 is defined there as "none / default", so a zero here
 * is exactly "unset": no presence mask, which would be a second truth.
 */
struct shape_row {
	uint32_t index;          /* vmibShapeIndex, 1..65534 */
	struct in_addr src;      /* vmibShapeSrcAddr, network byte order */
	uint8_t src_len;         /* 0..32; 0 = the whole vif */
	uint32_t rate_kbps;      /* 1000 bit/s at layer 2; 0 = unlimited */
	uint32_t burst_bytes;    /* 0 = chosen from the rate (tc.c) */
	uint32_t delay_us;       /* NetEm, 0..60000000 */
	uint32_t jitter_us;      /* NetEm, <= delay_us */
	uint32_t loss_ppm;       /* NetEm, 0..1000000 */
	uint32_t duplicate_ppm;  /* NetEm */
	uint32_t corrupt_ppm;    /* NetEm */
	uint32_t reorder_ppm;    /* NetEm, needs delay_us > 0 */
	uint32_t limit_pkts;     /* leaf queue limit; 0 = kernel default */
};

/* The vif device.  mtu 0 = unknown (then burst is not checked against it). */
struct tc_vif {
	const char *ifname;
	int ifindex;
	uint32_t mtu;
};

struct tc_error {
	uint32_t index;          /* row at fault, 0 = the vif as a whole */
	char text[200];          /* for vmibShapeLastError, no trailing '\n' */
};

/* Counters of one row: the statistics of its htb class (tc -s class).
 * Inside the backends, index is the class's minor number. */
struct tc_counters {
	uint32_t index;
	uint64_t sent_bytes;
	uint64_t sent_pkts;
	uint64_t dropped_pkts;   /* class drops, which include the leaf's */
	uint64_t overlimits;
};

/* --- text form (tc_text.c) ------------------------------------------------ */

/* "index=5 src=10.1.0.0/24 rate_kbps=1000 ..." (keys: the MIB columns with
 * their units; a key left out is 0).  Syntax only; -1 with why filled. */
int tc_row_parse(const char *line, struct shape_row *row, char *why,
		 size_t why_len);
const char *tc_row_format(const struct shape_row *row, char *buf, size_t len);
/* "a.b.c.d/len" */
int tc_prefix_parse(const char *s, struct in_addr *addr, uint8_t *len);

/* --- validation (no side effect) --------------------------------------- */

/* Does row need sch_netem? */
int tc_row_needs_netem(const struct shape_row *row);
/* What of row a host with caps can put in force: row itself, or, without
 * netem, row with its NetEm parameters zeroed (rate, burst, limit stay);
 * returns 1 when that is less than row. */
int tc_row_kernel_part(const struct shape_row *row, uint32_t caps, struct shape_row *out);
/* The capability bits (CAPS_MASK) the kernel needs for row: htb, u32 for
 * a source prefix, its leaf's qdisc.  A row is supported on a host when
 * (tc_row_caps(row) & ~caps) == 0; tc_row_check() says which is missing. */
uint32_t tc_row_caps(const struct shape_row *row);
/* One row alone: ranges, host bits, jitter <= delay, reorder needs delay,
 * burst >= one frame of the vif, and what caps says the kernel can do. */
int tc_row_check(const struct shape_row *row, const struct tc_vif *vif,
		 uint32_t caps, struct tc_error *err);
/* A whole row set of one vif: every row, plus unique indexes and unique
 * prefixes. */
int tc_rows_check(const struct shape_row *rows, size_t n,
		  const struct tc_vif *vif, uint32_t caps, struct tc_error *err);

/* --- plans ---------------------------------------------------------------- */

struct tc_plan; /* owns its libnl objects; tc_plan_free() releases them */

enum {
	/* The state of the vif is unknown (vmibd start, after a failure):
	 * delete our root qdisc if there is one, then build `new` from
	 * scratch; `old` is ignored. */
	TC_PLAN_RESET = 1,
};

/* Rows need not be sorted; they must have passed tc_rows_check(). */
struct tc_plan *tc_plan_build(const struct tc_vif *vif,
			      const struct shape_row *old, size_t n_old,
			      const struct shape_row *new_rows, size_t n_new,
			      unsigned int flags, struct tc_error *err);
size_t tc_plan_len(const struct tc_plan *plan);
void tc_plan_free(struct tc_plan *plan);

/* --- backends (the side-effect seam) -------------------------------------- */

struct tc_backend; /* tc_backend_free() releases it */

/* A netlink socket (NETLINK_ROUTE) in the caller's network namespace. */
struct tc_backend *tc_backend_netlink_new(struct tc_error *err);
/* Records each request as one line; fail_at > 0 makes request number
 * fail_at (1-based, counted over the backend's life) fail with errno_val,
 * to test the roll-back. */
struct tc_backend *tc_backend_recorder_new(void);
void tc_recorder_fail_at(struct tc_backend *b, unsigned int fail_at,
			 int errno_val);
/* Everything recorded so far ("" if nothing); owned by the backend. */
const char *tc_recorder_text(struct tc_backend *b);
void tc_backend_free(struct tc_backend *b);

/* Send a plan.  *done: how many requests the kernel carried out (a
 * request whose errno the plan accepts changed nothing and is not
 * counted), so on error 0 means nothing changed. */
int tc_plan_send(struct tc_backend *b, const struct tc_plan *plan,
		 size_t *done, struct tc_error *err);

/* --- the one call the MIB needs ------------------------------------------- */

/*
 * Check `new_rows`, then change the vif from `old` to `new_rows` (flags as
 * for tc_plan_build).  Nothing is sent if a check fails.  If the kernel
 * refuses a request half-way, the vif is rebuilt from `old` (TC_PLAN_RESET)
 * and the error says whether that worked.
 */
int tc_apply(struct tc_backend *b, const struct tc_vif *vif,
	     const struct shape_row *old, size_t n_old,
	     const struct shape_row *new_rows, size_t n_new,
	     uint32_t caps, unsigned int flags, struct tc_error *err);

/*
 * The counters of rows[0..n-1] on the vif, from one dump of its classes:
 * out[i] belongs to rows[i] (all zero if its class is not on the device).
 * Returns how many classes were found, or -1.  The recorder records the
 * dump and finds nothing.
 */
int tc_counters_read(struct tc_backend *b, const struct tc_vif *vif,
		     const struct shape_row *rows, size_t n,
		     struct tc_counters *out, struct tc_error *err);

#endif
