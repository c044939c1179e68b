/*
 * isolate.h - the isolation of bridged VM traffic: vmibIsolationTable,
 * vmibSubnetTable and vmibIsolationDefault turned into one iptables chain,
 * VMIB-ISOLATE, jumped to from FORWARD for bridged packets
 * (br_netfilter + physdev) and replaced atomically with
 * iptables-restore --noflush.
 *
 * The caller holds the rules; this module is stateless: isolate_apply()
 * rebuilds the whole chain from the policy it is given, so calling it
 * again with the same policy (at every vmibd start, after a host reboot)
 * gives the same chain and exactly one hook.  It touches nothing but its
 * own chain and its own hook rule in FORWARD.
 *
 * All side effects (iptables-restore, iptables -S, the br_netfilter
 * sysctl) go through struct isolate_backend; the recorder backend writes
 * them as text instead (tests/data/isolate/ *.expected).
 *
 * Errors fill struct isolate_error (rule at fault, one line for
 * vmibIsolLastError / vmibHostLastError) and are logged once, token "ipt".
 */
#ifndef VMIB_ISOLATE_H
#define VMIB_ISOLATE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define ISOLATE_CHAIN "VMIB-ISOLATE"
#define ISOLATE_INDEX_MAX 65535u   /* vmibIsolRuleIndex (1..65535) */

enum isolate_action {              /* the MIB's values */
	ISOLATE_ACCEPT = 1,
	ISOLATE_DROP = 2,
};

struct isolate_prefix {
	struct in_addr addr;           /* network byte order */
	uint8_t len;                   /* 0 = any */
};

struct isolate_rule {
	uint32_t index;                /* evaluation order, lower first */
	struct isolate_prefix src, dst;
	enum isolate_action action;
};

/* The policy; the arrays stay the caller's. */
struct isolate_policy {
	const struct isolate_rule *rules;
	size_t n_rules;
	const struct isolate_prefix *subnets;  /* vmibSubnetTable */
	size_t n_subnets;
	enum isolate_action default_action;    /* between two subnets */
};

struct isolate_error {
	uint32_t index;                /* rule at fault, 0 = the policy */
	char text[200];
};

struct isolate_counter {
	uint32_t index;
	uint64_t pkts, bytes;
};

/* --- no side effects ------------------------------------------------------ */

/* Indexes unique and in range, actions valid, no host bits, subnets not
 * overlapping (so "two different subnets" is never ambiguous). */
int isolate_check(const struct isolate_policy *p, struct isolate_error *err);
/* The iptables-restore --noflush input that installs p; `hooks` is how
 * many of our hook rules FORWARD has now (0: insert one, >1: delete the
 * extra ones).  malloc'd, or NULL. */
char *isolate_render(const struct isolate_policy *p, unsigned int hooks);
/* The input that removes the chain and every hook; chain_exists 0 if
 * there is no chain to remove. */
char *isolate_render_remove(unsigned int hooks, int chain_exists);
/* From an "iptables -t filter -S" listing: how many of our hook rules
 * FORWARD has, and whether our chain exists. */
unsigned int isolate_count_hooks(const char *listing);
int isolate_has_chain(const char *listing);
/* Matched counters from an "iptables -t filter -S -v" listing, rules only
 * (not the defaults); returns the number filled. */
size_t isolate_counters_parse(const char *listing, struct isolate_counter *out,
			      size_t max);
/* "index=3 src=10.1.0.0/24 dst=10.2.0.0/24 action=drop" (src/dst may be
 * left out: any); syntax only. */
int isolate_rule_parse(const char *line, struct isolate_rule *rule, char *why,
		       size_t why_len);

/* --- backends (the side-effect seam) --------------------------------------- */

struct isolate_backend;

/* iptables-restore / iptables of this host, in the caller's namespace. */
struct isolate_backend *isolate_backend_iptables_new(void);
/* Records; answers "iptables -t filter -S" with `plain` and "... -S -v"
 * with `verbose` (NULL: an empty table). */
struct isolate_backend *isolate_backend_recorder_new(void);
void isolate_recorder_set_listing(struct isolate_backend *b, const char *plain,
				  const char *verbose);
void isolate_recorder_fail_restore(struct isolate_backend *b, int fail);
const char *isolate_recorder_text(struct isolate_backend *b);
void isolate_backend_free(struct isolate_backend *b);

/* --- what the MIB calls ------------------------------------------------------ */

/*
 * Check p, make bridged IPv4 traffic traverse iptables (load br_netfilter
 * and set bridge-nf-call-iptables where needed, or fail saying why), then
 * install the chain and exactly one hook in one iptables-restore
 * transaction.  On failure the previous chain stays in force.
 */
int isolate_apply(struct isolate_backend *b, const struct isolate_policy *p,
		  struct isolate_error *err);
/* Remove the chain and the hook (nothing else). */
int isolate_remove(struct isolate_backend *b, struct isolate_error *err);
/* Matched packets per rule; returns the number filled, 0 if the chain is
 * not installed, -1 on error. */
int isolate_counters_read(struct isolate_backend *b, struct isolate_counter *out,
			  size_t max, struct isolate_error *err);

/*
 * Run argv (searched in PATH, then /usr/sbin and /sbin) with input on its
 * stdin (NULL: none); *output (may be NULL) gets its stdout, malloc'd.
 * Returns the exit status (0..255), or -1 with why filled if it could not
 * run; on a non-zero status why gets the first line of its stderr.
 */
int isolate_exec(const char *const argv[], const char *input, char **output,
		 char *why, size_t why_len);

#endif
