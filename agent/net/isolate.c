/*
 * isolate.c - the isolation chain (see isolate.h): checks a policy, renders
 * it as iptables-restore input, reads iptables' listings, and installs it
 * through a backend (isolate_int.h): the real one (isolate_backend.c:
 * iptables-restore, iptables -S, the br_netfilter sysctl) or the recorder
 * (isolate_recorder.c).
 *
 * It owns the chain VMIB-ISOLATE and the one rule in FORWARD that jumps
 * to it; it must never write anything else.  The chain it installs reads,
 * for a policy with subnets S1, S2 and default drop:
 *
 *   -A FORWARD -m physdev --physdev-is-bridged -j VMIB-ISOLATE  (first)
 *   -A VMIB-ISOLATE <rule 1, by vmibIsolRuleIndex> -j ACCEPT|DROP
 *   -A VMIB-ISOLATE ...
 *   -A VMIB-ISOLATE -s S1 -d S2 -j DROP     (vmibIsolationDefault, for
 *   -A VMIB-ISOLATE -s S2 -d S1 -j DROP      each ordered pair of subnets)
 *   -A VMIB-ISOLATE -j RETURN               (the rest is not ours)
 *
 * The whole input is one *filter ... COMMIT, which iptables-restore
 * applies as one transaction (--noflush: the other chains stay as they
 * are; declaring our chain flushes just it), so there is never a moment
 * with half the rules; if it fails, nothing changed.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip4.h"
#include "isolate.h"
#include "isolate_int.h"
#include "kvline.h"
#include "log.h"

#define ISOLATE_HOOK "-m physdev --physdev-is-bridged -j " ISOLATE_CHAIN

static int isolate_report(int level, struct isolate_error *err, uint32_t index,
			  const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static int isolate_report(int level, struct isolate_error *err, uint32_t index,
			  const char *fmt, va_list ap)
{
	struct isolate_error local;

	if (!err)
		err = &local;
	err->index = index;
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	log_msg(level, "ipt", "%s", err->text);
	return -1;
}

/* iptables or the system failed us */
static int isolate_fail(struct isolate_error *err, uint32_t index,
			const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int isolate_fail(struct isolate_error *err, uint32_t index,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	isolate_report(LOG_ERR, err, index, fmt, ap);
	va_end(ap);
	return -1;
}

/* a policy we refuse: not vmibd's error, a notice */
static int isolate_refuse(struct isolate_error *err, uint32_t index,
			  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int isolate_refuse(struct isolate_error *err, uint32_t index,
			  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	isolate_report(LOG_NOTICE, err, index, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- checks ------------------------------------------------------------- */

static uint32_t mask_of(unsigned int len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

static const char *prefix_str(const struct isolate_prefix *p, char *buf,
			      size_t len)
{
	char a[INET_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", inet_ntop(AF_INET, &p->addr, a, sizeof(a)),
		 p->len);
	return buf;
}

static int check_prefix(const struct isolate_prefix *p, uint32_t index,
			const char *what, struct isolate_error *err)
{
	char b[32];

	if (p->len > 32)
		return isolate_refuse(err, index, "%s prefix length %u above 32", what,
				      p->len);
	if (ntohl(p->addr.s_addr) & ~mask_of(p->len))
		return isolate_refuse(err, index, "%s %s has host bits set", what,
				      prefix_str(p, b, sizeof(b)));
	return 0;
}

static int overlap(const struct isolate_prefix *a, const struct isolate_prefix *b)
{
	uint32_t m = mask_of(a->len < b->len ? a->len : b->len);

	return (ntohl(a->addr.s_addr) & m) == (ntohl(b->addr.s_addr) & m);
}

static int check_rules(const struct isolate_policy *p, struct isolate_error *err)
{
	size_t i, j;

	for (i = 0; i < p->n_rules; i++) {
		const struct isolate_rule *r = &p->rules[i];
		char what[32];

		if (r->index < 1 || r->index > ISOLATE_INDEX_MAX)
			return isolate_refuse(err, r->index,
					      "isolation rule index %u out of range 1..%u",
					      r->index, ISOLATE_INDEX_MAX);
		if (r->action != ISOLATE_ACCEPT && r->action != ISOLATE_DROP)
			return isolate_refuse(err, r->index,
					      "isolation rule %u: action %d is neither accept(1) nor drop(2)",
					      r->index, (int)r->action);
		snprintf(what, sizeof(what), "isolation rule %u: source", r->index);
		if (check_prefix(&r->src, r->index, what, err) < 0)
			return -1;
		snprintf(what, sizeof(what), "isolation rule %u: destination", r->index);
		if (check_prefix(&r->dst, r->index, what, err) < 0)
			return -1;
		for (j = 0; j < i; j++)
			if (p->rules[j].index == r->index)
				return isolate_refuse(err, r->index, "isolation rule %u given twice",
						      r->index);
	}
	return 0;
}

int isolate_check(const struct isolate_policy *p, struct isolate_error *err)
{
	char a[32], b[32];
	size_t i, j;

	if (p->default_action != ISOLATE_ACCEPT && p->default_action != ISOLATE_DROP)
		return isolate_refuse(err, 0,
				      "isolation default %d is neither accept(1) nor drop(2)",
				      (int)p->default_action);
	if (check_rules(p, err) < 0)
		return -1;
	for (i = 0; i < p->n_subnets; i++) {
		if (check_prefix(&p->subnets[i], 0, "managed subnet", err) < 0)
			return -1;
		for (j = 0; j < i; j++)
			if (overlap(&p->subnets[i], &p->subnets[j]))
				return isolate_refuse(err, 0, "managed subnet %s overlaps %s",
						      prefix_str(&p->subnets[i], a, sizeof(a)),
						      prefix_str(&p->subnets[j], b, sizeof(b)));
	}
	return 0;
}

/* --- rendering ------------------------------------------------------------- */

static void put_match(FILE *out, const char *opt, const struct isolate_prefix *p)
{
	char b[32];

	if (p->len > 0)
		fprintf(out, " %s %s", opt, prefix_str(p, b, sizeof(b)));
}

static const char *target(enum isolate_action a)
{
	return a == ISOLATE_ACCEPT ? "ACCEPT" : "DROP";
}

static int by_index(const void *a, const void *b)
{
	const struct isolate_rule *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

static void put_hooks(FILE *out, unsigned int hooks)
{
	if (hooks == 0)
		fprintf(out, "-I FORWARD 1 %s\n", ISOLATE_HOOK);
	for (; hooks > 1; hooks--)
		fprintf(out, "-D FORWARD %s\n", ISOLATE_HOOK);
}

static void put_defaults(FILE *out, const struct isolate_policy *p)
{
	size_t i, j;

	for (i = 0; i < p->n_subnets; i++)
		for (j = 0; j < p->n_subnets; j++) {
			if (i == j)
				continue;
			fprintf(out, "-A %s", ISOLATE_CHAIN);
			put_match(out, "-s", &p->subnets[i]);
			put_match(out, "-d", &p->subnets[j]);
			fprintf(out, " -m comment --comment vmib-default -j %s\n",
				target(p->default_action));
		}
}

char *isolate_render(const struct isolate_policy *p, unsigned int hooks)
{
	struct isolate_rule *rules = malloc((p->n_rules ? p->n_rules : 1) * sizeof(*rules));
	char *text = NULL;
	size_t size = 0, i;
	FILE *out;

	if (!rules)
		return NULL;
	out = open_memstream(&text, &size);
	if (!out) {
		free(rules);
		return NULL;
	}
	if (p->n_rules)
		memcpy(rules, p->rules, p->n_rules * sizeof(*rules));
	qsort(rules, p->n_rules, sizeof(*rules), by_index);
	fprintf(out, "*filter\n:%s - [0:0]\n-F %s\n", ISOLATE_CHAIN, ISOLATE_CHAIN);
	for (i = 0; i < p->n_rules; i++) {
		fprintf(out, "-A %s", ISOLATE_CHAIN);
		put_match(out, "-s", &rules[i].src);
		put_match(out, "-d", &rules[i].dst);
		fprintf(out, " -m comment --comment vmib-rule-%u -j %s\n", rules[i].index,
			target(rules[i].action));
	}
	put_defaults(out, p);
	fprintf(out, "-A %s -j RETURN\n", ISOLATE_CHAIN);
	put_hooks(out, hooks);
	fprintf(out, "COMMIT\n");
	free(rules);
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

char *isolate_render_remove(unsigned int hooks, int chain_exists)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (!out)
		return NULL;
	fprintf(out, "*filter\n");
	for (; hooks > 0; hooks--)
		fprintf(out, "-D FORWARD %s\n", ISOLATE_HOOK);
	if (chain_exists)
		fprintf(out, "-F %s\n-X %s\n", ISOLATE_CHAIN, ISOLATE_CHAIN);
	fprintf(out, "COMMIT\n");
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* --- reading listings ------------------------------------------------------- */

unsigned int isolate_count_hooks(const char *listing)
{
	const char *want = "-A FORWARD " ISOLATE_HOOK;
	size_t wlen = strlen(want);
	const char *line = listing;
	unsigned int n = 0;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
			len--;
		if (len == wlen && strncmp(line, want, wlen) == 0)
			n++;
		line = end ? end + 1 : NULL;
	}
	return n;
}

int isolate_has_chain(const char *listing)
{
	const char *want = "-N " ISOLATE_CHAIN;
	const char *p = listing;
	size_t wlen = strlen(want);

	while (p && (p = strstr(p, want)) != NULL) {
		if ((p == listing || p[-1] == '\n') &&
		    (p[wlen] == '\n' || p[wlen] == '\0' || p[wlen] == ' '))
			return 1;
		p += wlen;
	}
	return 0;
}

/* One "-A VMIB-ISOLATE ... --comment vmib-rule-N ... -c P B ..." line. */
static int parse_counter_line(char *line, struct isolate_counter *c)
{
	char *save = NULL, *tok, *prev = NULL;
	int have_index = 0, have_count = 0;

	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (prev && strcmp(prev, "--comment") == 0) {
			if (*tok == '"')
				tok++;
			have_index = sscanf(tok, "vmib-rule-%u", &c->index) == 1;
		} else if (strcmp(tok, "-c") == 0) {
			char *p = strtok_r(NULL, " \t", &save);
			char *b = p ? strtok_r(NULL, " \t", &save) : NULL;

			have_count = p && b && sscanf(p, "%" SCNu64, &c->pkts) == 1 &&
				     sscanf(b, "%" SCNu64, &c->bytes) == 1;
			tok = b;
			if (!tok)
				break;
		}
		prev = tok;
	}
	return have_index && have_count;
}

size_t isolate_counters_parse(const char *listing, struct isolate_counter *out,
			      size_t max)
{
	char *copy = strdup(listing ? listing : ""), *save = NULL, *line;
	size_t n = 0;

	if (!copy)
		return 0;
	for (line = strtok_r(copy, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "-A " ISOLATE_CHAIN " ", strlen("-A " ISOLATE_CHAIN " ")) != 0)
			continue;
		if (parse_counter_line(line, &out[n]))
			n++;
	}
	free(copy);
	return n;
}

static int parse_pair(struct isolate_rule *r, const char *key, const char *val)
{
	unsigned long v;
	char *end;

	if (strcmp(key, "src") == 0 || strcmp(key, "dst") == 0) {
		struct isolate_prefix *p = key[0] == 's' ? &r->src : &r->dst;

		return ip4_parse_prefix_net(val, &p->addr.s_addr, &p->len);
	}
	if (strcmp(key, "action") == 0) {
		r->action = strcmp(val, "accept") == 0 ? ISOLATE_ACCEPT
			  : strcmp(val, "drop") == 0 ? ISOLATE_DROP : 0;
		return r->action ? 0 : -1;
	}
	if (strcmp(key, "index") == 0) {
		v = strtoul(val, &end, 10);
		r->index = (uint32_t)v;
		return *val && !*end && v <= 0xffffffffUL ? 0 : -1;
	}
	return -1;
}

/* kvline_field_fn over parse_pair */
static int parse_field(void *obj, const char *key, const char *val)
{
	return parse_pair(obj, key, val);
}

int isolate_rule_parse(const char *line, struct isolate_rule *rule, char *why,
		       size_t why_len)
{
	memset(rule, 0, sizeof(*rule));
	return kvline_parse(line, parse_field, rule, "isolation", why, why_len);
}

/* --- what the MIB calls ---------------------------------------------------------- */

/* Our hooks in FORWARD and whether our chain exists, from one listing. */
static int table_now(struct isolate_backend *b, unsigned int *hooks,
		     int *chain_exists, struct isolate_error *err)
{
	char why[200] = "", *listing = NULL;

	if (b->ops->list(b, 0, &listing, why, sizeof(why)) < 0)
		return isolate_fail(err, 0, "listing the filter table: %s", why);
	*hooks = isolate_count_hooks(listing);
	*chain_exists = isolate_has_chain(listing);
	free(listing);
	return 0;
}

int isolate_apply(struct isolate_backend *b, const struct isolate_policy *p,
		  struct isolate_error *err)
{
	char why[200] = "", *text;
	unsigned int hooks;
	int exists, rc;

	if (isolate_check(p, err) < 0)
		return -1;
	if (b->ops->br_netfilter(b, why, sizeof(why)) < 0)
		return isolate_fail(err, 0, "%s", why);
	if (table_now(b, &hooks, &exists, err) < 0)
		return -1;
	text = isolate_render(p, hooks);
	if (!text)
		return isolate_fail(err, 0, "rendering the isolation chain: out of memory");
	rc = b->ops->restore(b, text, why, sizeof(why));
	free(text);
	if (rc < 0)
		return isolate_fail(err, 0, "installing the isolation chain: %s", why);
	log_msg(LOG_INFO, "ipt", "isolation chain %s installed: %zu rules, %zu subnets, default %s",
		ISOLATE_CHAIN, p->n_rules, p->n_subnets,
		p->default_action == ISOLATE_ACCEPT ? "accept" : "drop");
	return 0;
}

int isolate_remove(struct isolate_backend *b, struct isolate_error *err)
{
	char why[200] = "", *text;
	unsigned int hooks;
	int exists, rc;

	if (table_now(b, &hooks, &exists, err) < 0)
		return -1;
	if (!exists && hooks == 0)
		return 0;
	text = isolate_render_remove(hooks, exists);
	if (!text)
		return isolate_fail(err, 0, "removing the isolation chain: out of memory");
	rc = b->ops->restore(b, text, why, sizeof(why));
	free(text);
	if (rc < 0)
		return isolate_fail(err, 0, "removing the isolation chain: %s", why);
	log_msg(LOG_INFO, "ipt", "isolation chain %s removed", ISOLATE_CHAIN);
	return 0;
}

int isolate_counters_read(struct isolate_backend *b, struct isolate_counter *out,
			  size_t max, struct isolate_error *err)
{
	char why[200] = "", *listing = NULL;
	size_t n;

	if (b->ops->list(b, 1, &listing, why, sizeof(why)) < 0)
		return isolate_fail(err, 0, "reading the isolation counters: %s", why);
	n = isolate_counters_parse(listing, out, max);
	free(listing);
	return (int)n;
}
