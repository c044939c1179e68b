/*
 * shape-tool.c - a small command-line driver of vmibd's shaping and
 * isolation backends (agent/tc.c, agent/isolate.c, agent/caps.c), for the
 * integration tests (tests/integration/3x-*.sh) and the shaping benchmark
 * (tests/bench/bench-30-shape-lib).  It is not part of vmibd; vmibd calls the same
 * functions from its MIB handlers.
 *
 *   shape-tool caps
 *   shape-tool plan  DEV NEW [OLD] [-r]      print the requests (recorder)
 *   shape-tool apply DEV NEW [OLD] [-r] [-c CAPS]
 *   shape-tool counters DEV ROWS
 *   shape-tool bench DEV N                   N rows on DEV: add, change, remove
 *   shape-tool isolate POLICY [-p]           -p: print the requests only
 *   shape-tool isolate-remove
 *   shape-tool isolate-counters
 *
 * NEW, OLD, ROWS: files of shape rows, one per line in tc_row_parse()'s
 * form ("index=1 src=10.1.0.0/24 rate_kbps=1000"), '#' comments; "-" or a
 * missing OLD is no rows.  POLICY: lines "default accept|drop",
 * "subnet A.B.C.D/L" and "rule index=N src=.. dst=.. action=accept|drop".
 * CAPS: "probe" (default), "all", or a list like "htb,u32".  Exit status 0 on
 * success, 1 on a refused request (the reason on stderr), 2 on bad usage.
 *
 * Built by tests/bench/shape-build against build/lib/libvmibagent.a.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "isolate.h"
#include "log.h"
#include "tc.h"

struct rows {
	struct shape_row *v;
	size_t n, cap;
};

static void die_usage(void)
{
	fprintf(stderr, "usage: shape-tool caps | plan|apply DEV NEW [OLD] [-r] [-c CAPS] |\n"
			"       counters DEV ROWS | bench DEV N | isolate POLICY [-p] |\n"
			"       isolate-remove | isolate-counters\n");
	exit(2);
}

static int rows_push(struct rows *r, const struct shape_row *row)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct shape_row *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return -1;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *row;
	return 0;
}

static int rows_load(const char *path, struct rows *r)
{
	char line[512], why[160];
	struct shape_row row;
	unsigned int lineno = 0;
	FILE *f;

	memset(r, 0, sizeof(*r));
	if (!path || strcmp(path, "-") == 0)
		return 0;
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "shape-tool: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "#\n")] = '\0';
		if (line[strspn(line, " \t")] == '\0')
			continue;
		if (tc_row_parse(line, &row, why, sizeof(why)) < 0 || rows_push(r, &row) < 0) {
			fprintf(stderr, "shape-tool: %s:%u: %s\n", path, lineno, why);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

static int vif_open(const char *ifname, struct tc_vif *vif, int must_exist)
{
	struct ifreq ifr;
	int fd;

	vif->ifname = ifname;
	vif->ifindex = (int)if_nametoindex(ifname);
	vif->mtu = 0;
	if (vif->ifindex == 0) {
		if (must_exist) {
			fprintf(stderr, "shape-tool: no device %s\n", ifname);
			return -1;
		}
		vif->ifindex = 1;   /* for plans: any index builds the requests */
		return 0;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		vif->mtu = (uint32_t)ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
	return 0;
}

static int caps_get(const char *spec, uint32_t *caps)
{
	char why[1024];

	if (!spec || strcmp(spec, "probe") == 0) {
		if (caps_probe_report(caps, why, sizeof(why)) < 0) {
			fprintf(stderr, "shape-tool: capability probe: %s\n", why);
			return -1;
		}
		return 0;
	}
	if (strcmp(spec, "all") == 0) {
		*caps = CAPS_ALL_KERNEL;
		return 0;
	}
	if (caps_from_string(spec, caps) < 0) {
		fprintf(stderr, "shape-tool: unknown capability in '%s'\n", spec);
		return -1;
	}
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmd_caps(void)
{
	char why[2048], names[160];
	uint32_t caps;
	uint8_t oct[1];

	if (caps_probe_report(&caps, why, sizeof(why)) < 0) {
		fprintf(stderr, "shape-tool: %s\n", why);
		return 1;
	}
	caps_to_octets(caps, oct);
	printf("caps %s\noctet 0x%02x\n%s", caps_to_string(caps, names, sizeof(names)),
	       oct[0], why);
	return 0;
}

/* plan|apply DEV NEW [OLD] [-r] [-c CAPS] */
static int cmd_shape(int argc, char **argv, int apply)
{
	const char *caps_spec = NULL, *files[2] = {NULL, NULL};
	unsigned int flags = 0;
	struct rows o, n;
	struct tc_vif vif;
	struct tc_backend *b;
	struct tc_error err = {0, ""};
	uint32_t caps = CAPS_ALL_KERNEL;
	int i, nf = 0, rc;

	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "-r") == 0)
			flags |= TC_PLAN_RESET;
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			caps_spec = argv[++i];
		else if (nf < 2)
			files[nf++] = argv[i];
		else
			die_usage();
	}
	if (nf < 1 || vif_open(argv[2], &vif, apply) < 0)
		return nf < 1 ? 2 : 1;
	if (rows_load(files[0], &n) < 0 || rows_load(files[1], &o) < 0)
		return 1;
	if (apply && caps_get(caps_spec, &caps) < 0)
		return 1;
	b = apply ? tc_backend_netlink_new(&err) : tc_backend_recorder_new();
	if (!b) {
		fprintf(stderr, "shape-tool: %s\n", err.text);
		return 1;
	}
	rc = tc_apply(b, &vif, o.v, o.n, n.v, n.n, caps, flags, &err);
	if (!apply)
		fputs(tc_recorder_text(b), stdout);
	if (rc < 0)
		fprintf(stderr, "shape-tool: %s\n", err.text);
	tc_backend_free(b);
	free(o.v);
	free(n.v);
	return rc < 0 ? 1 : 0;
}

static int cmd_counters(int argc, char **argv)
{
	struct tc_counters *c;
	struct tc_backend *b;
	struct tc_error err = {0, ""};
	struct tc_vif vif;
	struct rows r;
	size_t i;
	int found;

	if (argc != 4)
		die_usage();
	if (vif_open(argv[2], &vif, 1) < 0 || rows_load(argv[3], &r) < 0)
		return 1;
	c = calloc(r.n ? r.n : 1, sizeof(*c));
	b = tc_backend_netlink_new(&err);
	found = c && b ? tc_counters_read(b, &vif, r.v, r.n, c, &err) : -1;
	for (i = 0; found >= 0 && i < r.n; i++)
		printf("index=%u sent_bytes=%" PRIu64 " sent_pkts=%" PRIu64
		       " dropped_pkts=%" PRIu64 " overlimits=%" PRIu64 "\n",
		       c[i].index, c[i].sent_bytes, c[i].sent_pkts, c[i].dropped_pkts,
		       c[i].overlimits);
	if (found < 0)
		fprintf(stderr, "shape-tool: %s\n", err.text);
	tc_backend_free(b);
	free(c);
	free(r.v);
	return found < 0 ? 1 : 0;
}

/* N rows with distinct /32 sources 10.128.x.y, 1..N Mbit/s-ish rates. */
static void bench_rows(struct shape_row *v, size_t n, uint32_t rate_step)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].index = (uint32_t)i + 1;
		v[i].src.s_addr = htonl(0x0a800000u + (uint32_t)i + 1);
		v[i].src_len = 32;
		v[i].rate_kbps = 1000u + (uint32_t)i * rate_step;
	}
}

static int bench_step(struct tc_backend *b, const struct tc_vif *vif,
		      const struct shape_row *o, size_t no,
		      const struct shape_row *n, size_t nn, uint32_t caps,
		      const char *what)
{
	struct tc_error err = {0, ""};
	double t0 = now_ms(), ms;
	size_t rows = nn > no ? nn : no;

	if (tc_apply(b, vif, o, no, n, nn, caps, 0, &err) < 0) {
		fprintf(stderr, "shape-tool: bench %s: %s\n", what, err.text);
		return -1;
	}
	ms = now_ms() - t0;
	printf("%s rows=%zu ms=%.1f rows_per_s=%.0f\n", what, rows, ms,
	       ms > 0 ? rows * 1000.0 / ms : 0.0);
	return 0;
}

static int cmd_bench(int argc, char **argv)
{
	struct shape_row *a, *c;
	struct tc_backend *b;
	struct tc_error err = {0, ""};
	struct tc_vif vif;
	size_t n;
	int rc = -1;

	if (argc != 4 || vif_open(argv[2], &vif, 1) < 0)
		return argc != 4 ? 2 : 1;
	n = strtoul(argv[3], NULL, 10);
	a = calloc(n ? n : 1, sizeof(*a));
	c = calloc(n ? n : 1, sizeof(*c));
	b = tc_backend_netlink_new(&err);
	if (a && c && b) {
		bench_rows(a, n, 1);
		bench_rows(c, n, 2);
		rc = bench_step(b, &vif, NULL, 0, a, n, CAPS_ALL_KERNEL, "add");
		if (rc == 0)
			rc = bench_step(b, &vif, a, n, c, n, CAPS_ALL_KERNEL, "change");
		if (rc == 0)
			rc = bench_step(b, &vif, c, n, NULL, 0, CAPS_ALL_KERNEL, "remove");
	}
	tc_backend_free(b);
	free(a);
	free(c);
	return rc < 0 ? 1 : 0;
}

struct policy_store {
	struct isolate_rule rules[256];
	struct isolate_prefix subnets[64];
	struct isolate_policy p;
};

static int policy_line(struct policy_store *s, char *line, char *why, size_t len)
{
	struct isolate_policy *p = &s->p;

	if (strncmp(line, "default ", 8) == 0) {
		p->default_action = strstr(line + 8, "accept") ? ISOLATE_ACCEPT
				  : strstr(line + 8, "drop") ? ISOLATE_DROP : 0;
		return p->default_action ? 0 : -1;
	}
	if (strncmp(line, "subnet ", 7) == 0 && p->n_subnets < 64) {
		struct isolate_prefix *sn = &s->subnets[p->n_subnets];
		char *v = line + 7 + strspn(line + 7, " \t");

		v[strcspn(v, " \t\r")] = '\0';
		if (tc_prefix_parse(v, &sn->addr, &sn->len) < 0)
			return -1;
		p->n_subnets++;
		return 0;
	}
	if (strncmp(line, "rule ", 5) == 0 && p->n_rules < 256)
		return isolate_rule_parse(line + 5, &s->rules[p->n_rules++], why, len);
	return -1;
}

static int policy_load(const char *path, struct policy_store *s)
{
	char line[512], why[160] = "";
	unsigned int lineno = 0;
	FILE *f = fopen(path, "r");

	memset(s, 0, sizeof(*s));
	s->p.rules = s->rules;
	s->p.subnets = s->subnets;
	s->p.default_action = ISOLATE_ACCEPT;
	if (!f) {
		fprintf(stderr, "shape-tool: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "#\n")] = '\0';
		if (line[strspn(line, " \t")] == '\0')
			continue;
		if (policy_line(s, line + strspn(line, " \t"), why, sizeof(why)) < 0) {
			fprintf(stderr, "shape-tool: %s:%u: bad line %s\n", path, lineno, why);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

static int cmd_isolate(int argc, char **argv)
{
	int print = argc > 3 && strcmp(argv[3], "-p") == 0;
	struct isolate_error err = {0, ""};
	struct isolate_backend *b;
	struct policy_store *s = malloc(sizeof(*s));
	int rc = -1;

	if (argc < 3 || !s || policy_load(argv[2], s) < 0) {
		free(s);
		return argc < 3 ? 2 : 1;
	}
	b = print ? isolate_backend_recorder_new() : isolate_backend_iptables_new();
	if (b)
		rc = isolate_apply(b, &s->p, &err);
	if (print && b)
		fputs(isolate_recorder_text(b), stdout);
	if (rc < 0)
		fprintf(stderr, "shape-tool: %s\n", err.text);
	isolate_backend_free(b);
	free(s);
	return rc < 0 ? 1 : 0;
}

static int cmd_isolate_other(const char *cmd)
{
	struct isolate_counter c[256];
	struct isolate_error err = {0, ""};
	struct isolate_backend *b = isolate_backend_iptables_new();
	int rc = -1, i;

	if (b && strcmp(cmd, "isolate-remove") == 0)
		rc = isolate_remove(b, &err);
	else if (b)
		rc = isolate_counters_read(b, c, 256, &err);
	for (i = 0; strcmp(cmd, "isolate-counters") == 0 && i < rc; i++)
		printf("index=%u pkts=%" PRIu64 " bytes=%" PRIu64 "\n", c[i].index,
		       c[i].pkts, c[i].bytes);
	if (rc < 0)
		fprintf(stderr, "shape-tool: %s\n", err.text);
	isolate_backend_free(b);
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die_usage();
	log_open("shape-tool", LOG_TARGET_STDERR);
	log_set_level(getenv("SHAPE_TOOL_DEBUG") ? LOG_DEBUG : LOG_CRIT);
	if (strcmp(argv[1], "caps") == 0)
		return cmd_caps();
	if (strcmp(argv[1], "plan") == 0 && argc >= 4)
		return cmd_shape(argc, argv, 0);
	if (strcmp(argv[1], "apply") == 0 && argc >= 4)
		return cmd_shape(argc, argv, 1);
	if (strcmp(argv[1], "counters") == 0)
		return cmd_counters(argc, argv);
	if (strcmp(argv[1], "bench") == 0)
		return cmd_bench(argc, argv);
	if (strcmp(argv[1], "isolate") == 0)
		return cmd_isolate(argc, argv);
	if (strcmp(argv[1], "isolate-remove") == 0 ||
	    strcmp(argv[1], "isolate-counters") == 0)
		return cmd_isolate_other(argv[1]);
	die_usage();
	return 2;
}
