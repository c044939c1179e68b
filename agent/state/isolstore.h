/*
 * isolstore.h - the isolation configuration of this host
 * (vmibIsolationTable, vmibSubnetTable, vmibIsolationDefault) as values,
 * and its state file.
 *
 * Isolation is host-wide, not a VM's, so it is kept in vmibd's own state
 * directory (vmibd.conf state-dir), in one file, isolation.conf:
 *
 *   default drop
 *   subnet index=1 addr=10.1.0.0/24 name=siteA
 *   rule index=5 src=10.1.0.9/32 dst=10.2.0.9/32 action=accept name=proxies
 *
 * (names percent-encoded).  A file is replaced atomically: written to
 * isolation.conf.tmp and fsync'ed (isolstore_prepare, which can fail:
 * in a SET's ACTION), then renamed over the old one and the directory
 * fsync'ed (isolstore_commit: a rename within one directory, in COMMIT),
 * or the temporary removed (isolstore_discard: UNDO).  A reader sees the
 * old file or the new one, never a mix.
 *
 * Pure values and files: no iptables here (mib_isol.c applies them
 * through isolate.h).
 */
#ifndef VMIB_ISOLSTORE_H
#define VMIB_ISOLSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isolate.h"
#include "vmib_oids.h"

#define ISOL_NAME_MAX VMIB_SIZE_vmibIsolName_MAX
#define ISOL_ERROR_MAX VMIB_SIZE_vmibIsolLastError_MAX
#define ISOL_FILE "isolation.conf"

enum isol_oper {
	ISOL_APPLIED = VMIB_ENUM_vmibIsolOperStatus_applied,
	ISOL_PENDING = VMIB_ENUM_vmibIsolOperStatus_pending,
	ISOL_FAILED = VMIB_ENUM_vmibIsolOperStatus_failed,
	ISOL_UNSUPPORTED = VMIB_ENUM_vmibIsolOperStatus_unsupported,
};

/* One row of vmibIsolationTable. */
struct isol_rule {
	struct isolate_rule r;       /* index, prefixes, action */
	char name[ISOL_NAME_MAX + 1];
	enum isol_oper oper;
	char last_error[ISOL_ERROR_MAX + 1];
	uint64_t matched_pkts;
	bool touched;                /* in a change: created or modified */
};

/* One row of vmibSubnetTable. */
struct isol_subnet {
	uint32_t index;
	struct isolate_prefix p;
	char name[ISOL_NAME_MAX + 1];
	bool touched;
};

/* The whole configuration.  Owns its arrays (isolstore_free). */
struct isol_config {
	struct isol_rule *rules;      /* sorted by index */
	size_t n_rules, cap_rules;
	struct isol_subnet *subnets;  /* sorted by index */
	size_t n_subnets, cap_subnets;
	enum isolate_action default_action;
};

void isolstore_init(struct isol_config *c);   /* empty, default accept */
void isolstore_free(struct isol_config *c);
int isolstore_copy(struct isol_config *dst, const struct isol_config *src);

/* Lookups (NULL if absent) and edits (NULL: out of memory).  The edit
 * functions create the row with the MIB's defaults if absent. */
struct isol_rule *isolstore_rule(const struct isol_config *c, uint32_t index);
struct isol_rule *isolstore_rule_add(struct isol_config *c, uint32_t index);
void isolstore_rule_drop(struct isol_config *c, uint32_t index);
struct isol_subnet *isolstore_subnet(const struct isol_config *c, uint32_t index);
struct isol_subnet *isolstore_subnet_add(struct isol_config *c, uint32_t index);
void isolstore_subnet_drop(struct isol_config *c, uint32_t index);
/* first row with index > after (0: the first) */
struct isol_rule *isolstore_rule_after(const struct isol_config *c, uint64_t after);
struct isol_subnet *isolstore_subnet_after(const struct isol_config *c, uint64_t after);

/* Nothing to install: no rule and no subnet. */
bool isolstore_empty(const struct isol_config *c);
/* The isolate.h policy of c: arrays malloc'd in *rules / *subnets (the
 * caller frees them); -1 out of memory. */
int isolstore_policy(const struct isol_config *c, struct isolate_policy *p,
		     struct isolate_rule **rules, struct isolate_prefix **subnets);

/* The file's text (malloc'd) and back (-1 with why: line and reason). */
char *isolstore_format(const struct isol_config *c);
int isolstore_parse(const char *text, struct isol_config *c, char *why, size_t len);

/* Read dir/isolation.conf: 1 read, 0 there is none (c stays empty), -1
 * error (why). */
int isolstore_load(const char *dir, struct isol_config *c, char *why, size_t len);
/* Write c to dir/isolation.conf.tmp, durable (the directory is created
 * if missing); -1 with why. */
int isolstore_prepare(const char *dir, const struct isol_config *c, char *why, size_t len);
/* Put the prepared file in place (atomic rename); -1 with why, the old
 * file then stays. */
int isolstore_commit(const char *dir, char *why, size_t len);
void isolstore_discard(const char *dir);

#endif
