/*
 * test_manager_plan.c - plan, apply, destroy and status over recorded SNMP,
 * with the in-memory agents of manager/snmpfake.c behind the client seam.
 * Data-driven (adding a case adds files, not C):
 *
 *  - every scenarios/NAME/: applied to agents holding nothing
 *    (tests/data/plan/host-base.txt), the SET PDUs sent must be exactly
 *    tests/data/plan/scenarios/NAME.sets; a second apply must send no SET;
 *    destroy must then leave every agent as it was before the apply.
 *  - every tests/data/plan/cases/NAME/: `command` (plan, apply, destroy,
 *    status, migrate, run, with options; the words REAL and VIRTUAL stand for
 *    the files, which are appended when they do not appear) is run with
 *    virtual.xml (and real.xml, else
 *    tests/data/base/real.xml) against agents that hold what applying the
 *    virtual.xml named in `start` made (if there is one), plus
 *    agents.txt ("[h1]" sections of varbinds in pdu.h's text form; "!fail
 *    OBJECT STATUS TEXT", "!failtimes N OBJECT STATUS TEXT" (the next N
 *    only), "!unreachable TEXT" and "!maxvarbinds N" script failures,
 *    "!linger N" (a destroyed VM stays for N more requests),
 *    "!peer TARGET HOST DOWNTIME_MS" migrations); its output
 *    (first line "exit N", timings blanked) must be output.txt and the SETs
 *    it sent sets.txt.  An apply that exits 0 must be idempotent.
 *
 * VMIB_RECORD=1 in the environment writes the files instead of comparing
 * (read them before committing: the test then only checks they do not
 * change).  Paths are relative to the top of the tree.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "load.h"
#include "pdu.h"
#include "snmpfake.h"
#include "testutil.h"
#include "unit.h"

#define SCHEMAS "schemas"
#define SCENARIOS "scenarios"
#define DATA "tests/data/plan"
#define BASE_REAL "tests/data/base/real.xml"

/* a failure names this file and the caller's line */
#define check(ok, line, ...) testutil_check(ok, line, __FILE__, __VA_ARGS__)

static bool recording(void)
{
	const char *r = getenv("VMIB_RECORD");

	return r && strcmp(r, "1") == 0;
}

/* compare got with the file, or write it when recording */
static void expect_file(const char *path, const char *got, const char *what)
{
	char *want;
	FILE *fp;

	if (recording()) {
		fp = fopen(path, "w");
		check(fp != NULL, __LINE__, "cannot write %s", path);
		if (fp) {
			fputs(got, fp);
			fclose(fp);
		}
		return;
	}
	want = testutil_read_text(path);
	check(want != NULL, __LINE__, "%s: nothing recorded in %s", what, path);
	if (want)
		check(strcmp(got, want) == 0, __LINE__, "%s differs from %s:\n%s", what, path, got);
	free(want);
}

/* "12 ms" -> "N ms", "(0.12 s)" -> "(T s)": timings vary from run to run */
static char *normalize(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	const char *p = s;

	while (*p) {
		const char *q = p;

		if (isdigit((unsigned char)*p) && (p == s || !isalnum((unsigned char)p[-1]))) {
			while (isdigit((unsigned char)*q) || *q == '.')
				q++;
			if (strncmp(q, " ms", 3) == 0 || (strncmp(q, " s)", 3) == 0 && p > s &&
							    p[-1] == '(')) {
				*o++ = strncmp(q, " ms", 3) == 0 ? 'N' : 'T';
				p = q;
				continue;
			}
		}
		*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* --- fake agents ------------------------------------------------------------------ */

struct agents {
	struct snmpc *c;
	struct snmpfake *f;
	size_t n;
};

static long error_status(const char *name)
{
	long i;

	for (i = 0; i < 19; i++)
		if (strcmp(mibcol_error_name(i), name) == 0)
			return i;
	return -1;
}

static void directive(struct agents *a, const struct state *d, size_t host, char *line,
		      const char *file)
{
	char object[64], status[32], target[256], to[64];
	unsigned n = 0;
	size_t k;
	int off = 0;

	if (sscanf(line, "!failtimes %u %63s %31s %n", &n, object, status, &off) == 3 && off > 0) {
		check(error_status(status) > 0, __LINE__, "%s: bad status %s", file, status);
		snmpfake_fail_times(a->f, host, object, error_status(status), line + off, n);
	} else if (sscanf(line, "!maxvarbinds %u", &n) == 1) {
		snmpfake_max_varbinds(a->f, host, n);
	} else if (sscanf(line, "!linger %u", &n) == 1) {
		snmpfake_linger(a->f, host, n);
	} else if (sscanf(line, "!peer %255s %63s %u", target, to, &n) == 3) {
		for (k = 0; k < d->n_hosts && strcmp(d->hosts[k].name, to) != 0; k++)
			;
		check(k < d->n_hosts, __LINE__, "%s: !peer: no host %s", file, to);
		if (k < d->n_hosts)
			snmpfake_peer(a->f, target, k, n);
	} else if (strncmp(line, "!unreachable ", 13) == 0) {
		snmpfake_unreachable(a->f, host, line + 13);
	} else if (sscanf(line, "!fail %63s %31s %n", object, status, &off) == 2 && off > 0) {
		check(error_status(status) > 0, __LINE__, "%s: bad status %s", file, status);
		snmpfake_fail(a->f, host, object, error_status(status), line + off);
	} else {
		check(false, __LINE__, "%s: bad directive %s", file, line);
	}
}

/* fake agents for the hosts of d, each holding host-base.txt */
static void open_agents(struct agents *a, const struct state *d)
{
	char *base = testutil_read_text(DATA "/host-base.txt"), why[160];
	const char **names = calloc(d->n_hosts + 1, sizeof(*names));
	size_t i;

	check(base != NULL, __LINE__, "no %s/host-base.txt", DATA);
	for (i = 0; i < d->n_hosts; i++)
		names[i] = d->hosts[i].name;
	a->n = d->n_hosts;
	a->c = snmpfake_open(names, d->n_hosts, &a->f);
	for (i = 0; i < d->n_hosts; i++) {
		char *text = NULL;

		if (asprintf(&text, "vmibHostName.0 = STRING \"%s\"\n%s", names[i], base ? base : "") < 0)
			continue;
		check(snmpfake_load(a->f, i, text, why) == 0, __LINE__, "host-base: %s", why);
		free(text);
	}
	free(base);
	free(names);
}

/* the "[hN]" sections of agents.txt, loaded on top of what the agents hold */
static void load_sections(struct agents *a, const struct state *d, const char *text,
			  const char *file)
{
	char why[160], *copy = strdup(text ? text : ""), *line, *save = NULL;
	size_t host = (size_t)-1;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (line[0] == '[') {
			for (host = 0; host < d->n_hosts; host++)
				if (strncmp(line + 1, d->hosts[host].name, strlen(d->hosts[host].name)) == 0 &&
				    line[1 + strlen(d->hosts[host].name)] == ']')
					break;
			check(host < d->n_hosts, __LINE__, "%s: unknown host %s", file, line);
		} else if (line[0] == '!' && host < d->n_hosts) {
			directive(a, d, host, line, file);
		} else if (host < d->n_hosts) {
			check(snmpfake_load(a->f, host, line, why) == 0, __LINE__, "%s: %s: %s", file,
			      line, why);
		}
	}
	free(copy);
}

static char *dump_all(struct agents *a, const struct state *d)
{
	char *buf = NULL, *s;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);

	for (i = 0; i < a->n; i++) {
		s = snmpfake_dump(a->f, i);
		fprintf(fp, "[%s]\n%s", d->hosts[i].name, s);
		free(s);
	}
	fclose(fp);
	return buf;
}

/* --- running commands ---------------------------------------------------------------- */

static int run(cmd_handler fn, struct snmpc *c, char **words, int n, char **out, char **err)
{
	size_t ol = 0, el = 0;
	FILE *o = open_memstream(out, &ol), *e = open_memstream(err, &el);
	struct cmd_ctx ctx = { .schema_dir = SCHEMAS, .out = o, .err = e, .argc = n,
			       .argv = words, .snmp = c };
	int rc;

	rc = fn(&ctx, NULL);
	fclose(o);
	fclose(e);
	return rc;
}

static cmd_handler handler(const char *name)
{
	if (strcmp(name, "plan") == 0)
		return cmd_plan;
	if (strcmp(name, "apply") == 0)
		return cmd_apply;
	if (strcmp(name, "destroy") == 0)
		return cmd_destroy;
	if (strcmp(name, "status") == 0)
		return cmd_status;
	if (strcmp(name, "migrate") == 0)
		return cmd_migrate;
	if (strcmp(name, "run") == 0)
		return cmd_run;
	return NULL;
}

/* run "apply REAL VIRTUAL" and return its SET log (and exit status) */
static char *apply_log(struct agents *a, const char *real, const char *virt, int *rc, char **out)
{
	char *words[2] = { (char *)real, (char *)virt }, *err = NULL;

	*rc = run(cmd_apply, a->c, words, 2, out, &err);
	check(*err == '\0', __LINE__, "apply %s wrote on stderr: %s", virt, err);
	free(err);
	return snmpfake_take_log(a->f);
}

/* --- every scenario from nothing ---------------------------------------------------- */

static void scenario_case(const char *name)
{
	char *real = NULL, *virt = NULL, *rec = NULL, *log, *out, *before, *after;
	struct agents a;
	struct load l;
	int rc;

	if (asprintf(&real, SCENARIOS "/%s/real.xml", name) < 0 ||
	    asprintf(&virt, SCENARIOS "/%s/virtual.xml", name) < 0 ||
	    asprintf(&rec, DATA "/scenarios/%s.sets", name) < 0)
		return;
	check(load_files(real, virt, SCHEMAS, &l) == 0 && l.diag.n == 0, __LINE__,
	      "%s: does not load", name);
	open_agents(&a, &l.desired);
	before = dump_all(&a, &l.desired);

	log = apply_log(&a, real, virt, &rc, &out);
	check(rc == CMD_OK, __LINE__, "%s: apply from nothing exits %d:\n%s", name, rc, out);
	expect_file(rec, log, "the SETs of applying the scenario from nothing");
	free(log);
	free(out);

	log = apply_log(&a, real, virt, &rc, &out);
	check(rc == CMD_OK && *log == '\0', __LINE__, "%s: a second apply (exit %d) sent:\n%s",
	      name, rc, log);
	check(strstr(out, "plan: 0 to create, 0 to change, 0 to replace, 0 to delete") != NULL,
	      __LINE__, "%s: the second plan is not empty:\n%s", name, out);
	free(log);
	free(out);

	{
		char *words[2] = { real, virt }, *err = NULL;

		rc = run(cmd_destroy, a.c, words, 2, &out, &err);
		check(rc == CMD_OK, __LINE__, "%s: destroy exits %d:\n%s%s", name, rc, out, err);
		free(out);
		free(err);
	}
	free(snmpfake_take_log(a.f));
	after = dump_all(&a, &l.desired);
	check(strcmp(before, after) == 0, __LINE__, "%s: destroy left:\n%s", name, after);
	free(before);
	free(after);
	snmpc_free(a.c);
	load_release(&l);
	free(real);
	free(virt);
	free(rec);
}

static void plan_every_scenario_applies_from_nothing_and_converges(void)
{
	char **names;
	size_t n = testutil_list(SCENARIOS, "", true, &names), i;

	check(n >= 3, __LINE__, "%zu scenarios found", n);
	for (i = 0; i < n; i++)
		scenario_case(names[i]);
	testutil_free_list(names, n);
}

/* --- recorded cases ----------------------------------------------------------------- */

struct words {
	char *buf;
	char *w[16];
	int n;
};

static void split_words(const char *s, struct words *w)
{
	char *save = NULL, *t;

	w->buf = strdup(s);
	w->n = 0;
	for (t = strtok_r(w->buf, " \t\n", &save); t && w->n < 14; t = strtok_r(NULL, " \t\n", &save))
		w->w[w->n++] = t;
}

static void recorded_case(const char *name)
{
	char dir[256], path[512], real[512], virt[512];
	char *command, *agents, *start, *out = NULL, *err = NULL, *got, *norm, *log;
	struct words w;
	struct agents a;
	struct load l;
	cmd_handler fn;
	int rc, k;
	struct stat st;

	snprintf(dir, sizeof(dir), DATA "/cases/%s", name);
	snprintf(path, sizeof(path), "%s/command", dir);
	command = testutil_read_text(path);
	check(command != NULL, __LINE__, "%s: no command file", name);
	if (!command)
		return;
	snprintf(real, sizeof(real), "%s/real.xml", dir);
	if (stat(real, &st) != 0)
		snprintf(real, sizeof(real), "%s", BASE_REAL);
	snprintf(virt, sizeof(virt), "%s/virtual.xml", dir);
	check(load_files(real, virt, SCHEMAS, &l) == 0 && l.diag.n == 0, __LINE__,
	      "%s: the files do not load", name);
	open_agents(&a, &l.desired);
	snprintf(path, sizeof(path), "%s/start", dir);
	start = testutil_read_text(path);
	if (start) {             /* first, what vmibctl makes of that scenario */
		start[strcspn(start, "\n")] = '\0';
		log = apply_log(&a, real, start, &rc, &out);
		check(rc == CMD_OK, __LINE__, "%s: applying %s exits %d:\n%s", name, start, rc, out);
		free(log);
		free(out);
		free(start);
	}
	snprintf(path, sizeof(path), "%s/agents.txt", dir);
	agents = testutil_read_text(path);
	load_sections(&a, &l.desired, agents, path);

	split_words(command, &w);
	fn = w.n > 0 ? handler(w.w[0]) : NULL;
	check(fn != NULL, __LINE__, "%s: unknown command '%s'", name, command);
	/* the files go where the command says REAL and VIRTUAL, else last */
	for (k = 1; k < w.n; k++)
		w.w[k - 1] = w.w[k];
	w.n--;
	if (!strstr(command, " REAL")) {
		w.w[w.n++] = (char *)"REAL";
		w.w[w.n++] = (char *)"VIRTUAL";
	}
	for (k = 0; k < w.n; k++)
		w.w[k] = strcmp(w.w[k], "REAL") == 0 ? real : strcmp(w.w[k], "VIRTUAL") == 0 ? virt :
			 w.w[k];
	if (fn) {
		rc = run(fn, a.c, w.w, w.n, &out, &err);
		if (asprintf(&got, "exit %d\n%s%s%s", rc, out, *err ? "--- stderr\n" : "", err) > 0) {
			norm = normalize(got);
			snprintf(path, sizeof(path), "%s/output.txt", dir);
			expect_file(path, norm, name);
			free(norm);
			free(got);
		}
		log = snmpfake_take_log(a.f);
		snprintf(path, sizeof(path), "%s/sets.txt", dir);
		expect_file(path, log, name);
		free(log);
		if (fn == cmd_apply && rc == CMD_OK && !strstr(command, "--dry-run")) {
			/* the same command again (its options included) sends nothing */
			free(out);
			free(err);
			run(fn, a.c, w.w, w.n, &out, &err);
			log = snmpfake_take_log(a.f);
			check(*log == '\0', __LINE__, "%s: apply is not idempotent:\n%s", name, log);
			free(log);
		}
		free(out);
		free(err);
	}
	free(w.buf);
	free(agents);
	free(command);
	snmpc_free(a.c);
	load_release(&l);
}

static void plan_recorded_cases_send_what_was_recorded(void)
{
	char **names;
	size_t n = testutil_list(DATA "/cases", "", true, &names), i;

	check(n >= 5, __LINE__, "%zu cases found in %s/cases", n, DATA);
	for (i = 0; i < n; i++)
		recorded_case(names[i]);
	testutil_free_list(names, n);
}

/* --- pieces ------------------------------------------------------------------------ */

static void pdu_text_round_trips(void)
{
	static const char *const lines[] = {
		"vmibVmName.3 = STRING \"east \\\"1\\\"\"",
		"vmibVmMemoryKBytes.3 = Gauge32 131072",
		"vmibVifAddr.3.1 = IpAddress 10.1.0.11",
		"vmibVmRowStatus.3 = INTEGER createAndGo(4)",
		"vmibShapeSentOctets.3.1.2 = Counter64 18446744073709551615",
		"vmibHostCapabilities.0 = Hex-STRING DE",
		"vmibVifMac.1.1 = Hex-STRING 52 54 00 AB 00 01",
		".1.3.6.1.2.1.1.3.0 = Timeticks 42",
	};
	char why[128];
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct pdu_vb vb;
		char *s;

		CU_ASSERT_EQUAL_FATAL(pdu_vb_parse(lines[i], &vb, why), 0);
		s = pdu_vb_format(&vb);
		check(strcmp(s, lines[i]) == 0, __LINE__, "'%s' came back as '%s'", lines[i], s);
		free(s);
		pdu_vb_release(&vb);
	}
}

static void pdu_parse_refuses_bad_lines(void)
{
	static const char *const bad[] = {
		"vmibNoSuch.1 = INTEGER 1", "vmibVmName.1 STRING \"x\"", "vmibVmName.1 = STRING x",
		"vmibVifAddr.1.1 = IpAddress 10.1.0", "vmibVmVcpus.1 = Gauge32 -1",
		"vmibVmRowStatus.1 = INTEGER notAValue",
	};
	struct pdu_vb vb;
	char why[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		check(pdu_vb_parse(bad[i], &vb, why) < 0, __LINE__, "'%s' was accepted", bad[i]);
		pdu_vb_release(&vb);
	}
}

struct walk_got {
	char *err;
	size_t n;
	uint32_t last;
};

static void walk_cb(void *arg, const char *err, const struct pdu_vb *vb, size_t n)
{
	struct walk_got *g = arg;

	g->err = err ? strdup(err) : NULL;
	g->n = n;
	g->last = n ? vb[n - 1].oid[vb[n - 1].oid_len - 1] : 0;
}

/* a walk takes as many GETBULKs as it needs, and stops at the subtree's end */
static void walk_spans_many_getbulks_and_stops_at_the_table_end(void)
{
	const char *names[1] = { "h1" };
	struct snmpfake *f;
	struct snmpc *c = snmpfake_open(names, 1, &f);
	struct walk_got g = { 0 };
	char *text = NULL, why[160];
	size_t len = 0, i, rlen;
	FILE *fp = open_memstream(&text, &len);
	const uint32_t *root = mibcol_table_oid(MIBCOL_VM, &rlen);

	for (i = 1; i <= 25; i++)
		fprintf(fp, "vmibVmName.%zu = STRING \"vm%zu\"\n", i, i);
	fprintf(fp, "vmibVifBridge.1.1 = STRING \"br0\"\n");
	fclose(fp);
	CU_ASSERT_EQUAL(snmpfake_load(f, 0, text, why), 0);
	c->max_repetitions = 4;
	snmpc_walk(c, 0, root, rlen, walk_cb, &g);
	snmpc_run(c);
	CU_ASSERT_PTR_NULL(g.err);
	CU_ASSERT_EQUAL(g.n, 25);
	CU_ASSERT_EQUAL(g.last, 25);
	CU_ASSERT_EQUAL(c->stats[0].requests, 7);       /* ceil(26 / 4) */
	CU_ASSERT_EQUAL(c->stats[0].sets, 0);
	free(g.err);
	snmpfake_unreachable(f, 0, "no answer from h1 (timeout)");
	snmpc_walk(c, 0, root, rlen, walk_cb, &g);
	snmpc_run(c);
	CU_ASSERT_STRING_EQUAL(g.err, "no answer from h1 (timeout)");
	free(g.err);
	free(text);
	snmpc_free(c);
}

struct walk_all {
	char *err;
	size_t n;
	bool sorted;
	size_t per_col[3];
};

static void walk_all_cb(void *arg, const char *err, const struct pdu_vb *vb, size_t n)
{
	static const enum mibcol_id cols[3] = { COL_VM_NAME, COL_VM_MEMORY,
						COL_VM_VCPUS };
	struct walk_all *g = arg;
	size_t i, k, at;

	g->err = err ? strdup(err) : NULL;
	g->n = n;
	g->sorted = true;
	for (i = 0; i < n; i++) {
		if (i && pdu_oid_cmp(vb[i - 1].oid, vb[i - 1].oid_len, vb[i].oid, vb[i].oid_len) >= 0)
			g->sorted = false;
		for (k = 0; k < 3; k++)
			g->per_col[k] += mibcol_find(vb[i].oid, vb[i].oid_len, &at) == cols[k];
	}
}

/* a column walk asks every unfinished column in each GETBULK (RFC 3416
 * order: repetition after repetition), finishes each at its own end, and
 * hands over every instance once, sorted */
static void walk_columns_side_by_side(void)
{
	static const enum mibcol_id cols[3] = { COL_VM_NAME, COL_VM_MEMORY,
						COL_VM_VCPUS };
	const char *names[1] = { "h1" };
	struct snmpfake *f;
	struct snmpc *c = snmpfake_open(names, 1, &f);
	struct walk_all g = { 0 };
	char *text = NULL, why[160];
	size_t len = 0, i, lens[3];
	const uint32_t *roots[3];
	FILE *fp = open_memstream(&text, &len);

	for (i = 1; i <= 25; i++)
		fprintf(fp, "vmibVmName.%zu = STRING \"vm%zu\"\n", i, i);
	for (i = 1; i <= 10; i++)
		fprintf(fp, "vmibVmMemoryKBytes.%zu = Gauge32 %zu\n", i, 65536 + i);
	fprintf(fp, "vmibVifBridge.1.1 = STRING \"br0\"\n");
	fclose(fp);
	CU_ASSERT_EQUAL_FATAL(snmpfake_load(f, 0, text, why), 0);
	for (i = 0; i < 3; i++) {
		roots[i] = mibcol_cols[cols[i]].oid;
		lens[i] = mibcol_cols[cols[i]].oid_len;
	}
	c->max_repetitions = 12;
	snmpc_walk_columns(c, 0, roots, lens, 3, walk_all_cb, &g);
	snmpc_run(c);
	CU_ASSERT_PTR_NULL(g.err);
	CU_ASSERT_EQUAL(g.n, 35);
	CU_ASSERT_TRUE(g.sorted);
	CU_ASSERT_EQUAL(g.per_col[0], 25);
	CU_ASSERT_EQUAL(g.per_col[1], 10);
	CU_ASSERT_EQUAL(g.per_col[2], 0);
	/* 3 columns x 4 rows, 2 x 6, 2 x 6 (memory ends), 1 x 12 (name ends):
	 * one column after the other would take 3 + 1 + 1 */
	CU_ASSERT_EQUAL(c->stats[0].requests, 4);
	free(g.err);
	free(text);
	snmpc_free(c);
}

/* --- reviewed plans ---------------------------------------------------------------- */

static int run_words(struct agents *a, cmd_handler fn, const char *w0, const char *w1,
		     const char *real, const char *virt, char **log)
{
	char *words[4], *out = NULL, *err = NULL;
	int n = 0, rc;

	if (w0)
		words[n++] = (char *)w0;
	if (w1)
		words[n++] = (char *)w1;
	words[n++] = (char *)real;
	words[n++] = (char *)virt;
	rc = run(fn, a->c, words, n, &out, &err);
	free(out);
	free(err);
	*log = snmpfake_take_log(a->f);
	return rc;
}

/* apply --reviewed FILE carries out the plan `plan --save FILE` wrote, its
 * running-VM destroys included, and refuses any other plan, sending nothing */
static void apply_reviewed_plan_is_applied_only_as_reviewed(void)
{
	const char *real = BASE_REAL, *demo = SCENARIOS "/demo/virtual.xml";
	const char *bigger = DATA "/cases/memory-running-replaces/virtual.xml";
	char file[] = "/tmp/vmib-reviewed-XXXXXX", *log, *text;
	struct agents a;
	struct load l;
	int fd = mkstemp(file), rc;

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL_FATAL(load_files(real, demo, SCHEMAS, &l), 0);
	open_agents(&a, &l.desired);
	CU_ASSERT_EQUAL(run_words(&a, cmd_apply, NULL, NULL, real, demo, &log), CMD_OK);
	free(log);
	rc = run_words(&a, cmd_plan, "--save", file, real, bigger, &log);
	CU_ASSERT_EQUAL(rc, CMD_OK);
	text = testutil_read_text(file);
	check(text && strstr(text, "replace   vm east1") && strstr(text, "[DESTROYS RUNNING VM]"),
	      __LINE__, "the saved plan is:\n%s", text ? text : "(none)");
	free(text);
	free(log);
	/* another plan than the reviewed one: refused, nothing sent */
	rc = run_words(&a, cmd_apply, "--reviewed", file, real, demo, &log);
	check(rc == CMD_INCOMPLETE && *log == '\0', __LINE__, "a different plan: exit %d, sent:\n%s",
	      rc, log);
	free(log);
	/* the reviewed one: carried out without --yes */
	rc = run_words(&a, cmd_apply, "--reviewed", file, real, bigger, &log);
	check(rc == CMD_OK && strstr(log, "vmibVmRowStatus.1 = INTEGER destroy(6)"), __LINE__,
	      "the reviewed plan: exit %d, sent:\n%s", rc, log);
	free(log);
	/* done: the hosts changed, the file is stale */
	rc = run_words(&a, cmd_apply, "--reviewed", file, real, bigger, &log);
	check(rc == CMD_INCOMPLETE && *log == '\0', __LINE__, "a stale plan: exit %d, sent:\n%s",
	      rc, log);
	free(log);
	unlink(file);
	snmpc_free(a.c);
	load_release(&l);
}

/* --- JSON ----------------------------------------------------------------------------- */

/* a strict RFC 8259 check: one value, then only white space */
static const char *json_value(const char *p, int depth);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				int k;

				for (k = 1; k <= 4; k++)
					if (!isxdigit((unsigned char)p[k]))
						return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *json_number(const char *p)
{
	const char *q = p;

	if (*q == '-')
		q++;
	if (!isdigit((unsigned char)*q))
		return NULL;
	while (isdigit((unsigned char)*q) || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' ||
	       *q == '-')
		q++;
	return q;
}

static const char *json_container(const char *p, int depth, char close)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			p = json_string(json_ws(p));
			if (!p || *(p = json_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = json_value(p, depth + 1);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (depth > 64)
		return NULL;
	if (*p == '{' || *p == '[')
		return json_container(p, depth, *p == '{' ? '}' : ']');
	if (*p == '"')
		return json_string(p);
	if (strncmp(p, "true", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	if (strncmp(p, "null", 4) == 0)
		return p + 4;
	return json_number(p);
}

static bool json_valid(const char *s)
{
	const char *end = json_value(s, 0);

	return end && *json_ws(end) == '\0';
}

/* every SNMP command's --json output is one valid JSON document */
static void json_every_snmp_command_writes_valid_json(void)
{
	static const char *const commands[][5] = {
		{ "plan", "--all", NULL }, { "apply", "--dry-run", NULL }, { "apply", NULL },
		{ "status", "--interval", "0", NULL }, { "migrate", "REAL", "VIRTUAL", "east1", "h2" },
		{ "destroy", NULL }, { "apply", NULL },
	};
	char *real = (char *)BASE_REAL, *virt = (char *)SCENARIOS "/demo/virtual.xml";
	struct agents a;
	struct load l;
	size_t i;

	/* the checker itself */
	CU_ASSERT(json_valid("{\"a\":[1,{\"b\":\"x\\\"y\"}],\"c\":true}\n"));
	CU_ASSERT(!json_valid("{\"a\":1,}"));
	CU_ASSERT(!json_valid("{\"a\" 1}"));
	CU_ASSERT(!json_valid("[1,2]x"));
	CU_ASSERT(!json_valid("{\"a\":1}{\"b\":2}"));
	CU_ASSERT_EQUAL_FATAL(load_files(real, virt, SCHEMAS, &l), 0);
	open_agents(&a, &l.desired);
	load_sections(&a, &l.desired, "[h1]\n!peer qemu+tcp://10.250.0.2/system h2 37\n"
				      "[h2]\n!fail vmibVmImage inconsistentValue no \"image\"\n", "json");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char *words[8], *out = NULL, *err = NULL;
		int n = 0, k;

		words[n++] = (char *)"--json";
		for (k = 1; k < 5 && commands[i][k]; k++)
			words[n++] = strcmp(commands[i][k], "REAL") == 0 ? real :
				     strcmp(commands[i][k], "VIRTUAL") == 0 ? virt : (char *)commands[i][k];
		if (strcmp(commands[i][0], "migrate") != 0) {
			words[n++] = real;
			words[n++] = virt;
		}
		run(handler(commands[i][0]), a.c, words, n, &out, &err);
		check(json_valid(out), __LINE__, "%s: not JSON:\n%s", commands[i][0], out);
		check(*err == '\0', __LINE__, "%s: wrote on stderr: %s", commands[i][0], err);
		free(out);
		free(err);
	}
	free(snmpfake_take_log(a.f));
	snmpc_free(a.c);
	load_release(&l);
}

static const struct unit_test tests[] = {
	UNIT_TEST(pdu_text_round_trips),
	UNIT_TEST(pdu_parse_refuses_bad_lines),
	UNIT_TEST(walk_spans_many_getbulks_and_stops_at_the_table_end),
	UNIT_TEST(walk_columns_side_by_side),
	UNIT_TEST(plan_every_scenario_applies_from_nothing_and_converges),
	UNIT_TEST(plan_recorded_cases_send_what_was_recorded),
	UNIT_TEST(apply_reviewed_plan_is_applied_only_as_reviewed),
	UNIT_TEST(json_every_snmp_command_writes_valid_json),
	{ NULL, NULL },
};

UNIT_SUITE(manager_plan, NULL, NULL, tests)
