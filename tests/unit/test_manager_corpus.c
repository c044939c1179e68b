/*
 * test_manager_corpus.c - the manager over its data, picked up by loops so
 * that adding a case adds files, not C:
 *
 *  - every tests/data/invalid/NAME.xml fails with exactly the problems in
 *    NAME.expect ("file:line: element: message" per line, file names
 *    without their directory).  real-*.xml cases are real environments
 *    checked against tests/data/base/virtual.xml; the others are virtual
 *    environments checked against tests/data/base/real.xml.
 *  - every scenarios/NAME/ (real.xml + virtual.xml) is clean, keeps the
 *    model's invariants (every VM placed once, hosts within their room,
 *    shape rows ordered and unique, isolation the same on every host),
 *    and prints exactly the recorded tests/data/scenarios/NAME.show.txt,
 *    NAME.show.json and NAME.dot.
 *  - the subcommand handlers' exit statuses.
 *
 * Paths are relative to the top of the tree, where `make check-unit` runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "load.h"
#include "testutil.h"
#include "unit.h"

#define SCHEMAS "schemas"
#define INVALID "tests/data/invalid"
#define BASE_REAL "tests/data/base/real.xml"
#define BASE_VIRTUAL "tests/data/base/virtual.xml"
#define SCENARIOS "scenarios"
#define RECORDED "tests/data/scenarios"

/* a failure names this file and the caller's line */
#define check(ok, line, ...) testutil_check(ok, line, __FILE__, __VA_ARGS__)

/* "virtual.xml:12: link: ..." per problem, file names without directory */
static char *format_problems(const struct diag *d)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);

	for (i = 0; i < d->n; i++) {
		const char *base = strrchr(d->v[i].file, '/');

		base = base ? base + 1 : d->v[i].file;
		if (d->v[i].line)
			fprintf(fp, "%s:%u: %s: %s\n", base, d->v[i].line, d->v[i].element,
				d->v[i].message);
		else
			fprintf(fp, "%s: %s: %s\n", base, d->v[i].element, d->v[i].message);
	}
	fclose(fp);
	return buf;
}

static void run_invalid_case(const char *name)
{
	char *path, *expect_path, *want, *got;
	bool real = strncmp(name, "real-", 5) == 0;
	struct load l;
	int rc;

	if (asprintf(&path, INVALID "/%s", name) < 0 ||
	    asprintf(&expect_path, INVALID "/%.*s.expect", (int)(strlen(name) - 4), name) < 0)
		return;
	rc = real ? load_files(path, BASE_VIRTUAL, SCHEMAS, &l)
		  : load_files(BASE_REAL, path, SCHEMAS, &l);
	want = testutil_read_text(expect_path);
	got = format_problems(&l.diag);
	check(rc == 0, __LINE__, "%s: the pipeline could not run (schemas?)", name);
	check(l.diag.n > 0, __LINE__, "%s: accepted, but it is in the invalid corpus", name);
	check(want != NULL && *want != '\0', __LINE__, "%s: no (or empty) %s", name, expect_path);
	if (want)
		check(strcmp(got, want) == 0, __LINE__,
		      "%s: problems differ\n--- reported:\n%s--- expected (%s):\n%s", name, got,
		      expect_path, want);
	free(got);
	free(want);
	load_release(&l);
	free(path);
	free(expect_path);
}

static void corpus_invalid_files_fail_as_expected(void)
{
	char **names;
	size_t n = testutil_list(INVALID, ".xml", false, &names), i;

	check(n > 0, __LINE__, "no case in %s (run from the top of the tree)", INVALID);
	for (i = 0; i < n; i++)
		run_invalid_case(names[i]);
	testutil_free_list(names, n);
}

static void corpus_every_expect_file_has_its_case(void)
{
	char **names, *xml;
	size_t n = testutil_list(INVALID, ".expect", false, &names), i;
	struct stat st;

	check(n > 0, __LINE__, "no .expect file in %s", INVALID);
	for (i = 0; i < n; i++) {
		if (asprintf(&xml, INVALID "/%.*s.xml", (int)(strlen(names[i]) - 7), names[i]) < 0)
			continue;
		check(stat(xml, &st) == 0, __LINE__, "%s has no %s", names[i], xml);
		free(xml);
	}
	testutil_free_list(names, n);
}

/* --- scenarios ----------------------------------------------------------------- */

static size_t count_rows(const struct state *s, const char *name)
{
	size_t h, m, f, k, n = 0;

	for (h = 0; h < s->n_hosts; h++)
		for (m = 0; m < s->hosts[h].n_vms; m++)
			for (f = 0; f < s->hosts[h].vms[m].n_vifs; f++)
				for (k = 0; k < s->hosts[h].vms[m].vifs[f].n_shapes; k++)
					n += strcmp(s->hosts[h].vms[m].vifs[f].shapes[k].name,
						    name) == 0;
	return n;
}

static void check_vms_placed_once(const char *sc, const struct load *l)
{
	size_t i, h, found, total = 0;

	for (h = 0; h < l->desired.n_hosts; h++)
		total += l->desired.hosts[h].n_vms;
	check(total == l->virt->n_vms, __LINE__, "%s: %zu VMs in the state, %zu in the file",
	      sc, total, l->virt->n_vms);
	for (i = 0; i < l->virt->n_vms; i++) {
		const struct virt_vm *vm = &l->virt->vms[i];
		const char *on = NULL;

		for (h = found = 0; h < l->desired.n_hosts; h++) {
			if (state_find_vm(&l->desired.hosts[h], vm->name)) {
				found++;
				on = l->desired.hosts[h].name;
			}
		}
		check(found == 1, __LINE__, "%s: vm %s is on %zu hosts", sc, vm->name, found);
		if (vm->host && on)
			check(strcmp(vm->host, on) == 0, __LINE__, "%s: vm %s pinned to %s is on %s",
			      sc, vm->name, vm->host, on);
	}
}

static void check_room(const char *sc, const struct load *l)
{
	size_t h, m, j;

	for (h = 0; h < l->real->n_hosts; h++) {
		const struct real_host *rh = &l->real->hosts[h];
		const struct state_host *sh = &l->desired.hosts[h];
		uint64_t mem = 0, vcpus = 0;

		for (m = 0; m < sh->n_vms; m++) {
			mem += sh->vms[m].memory_kib / 1024;
			vcpus += sh->vms[m].vcpus;
		}
		for (j = 0; j < rh->n_vms; j++) {
			if (env_virt_vm(l->virt, rh->vms[j].name))
				continue;
			mem += rh->vms[j].memory_mib;
			vcpus += rh->vms[j].vcpus;
		}
		check(mem == l->placement.room[h].memory_used_mib, __LINE__,
		      "%s: %s: %llu MiB used, placement counted %llu", sc, rh->name,
		      (unsigned long long)mem,
		      (unsigned long long)l->placement.room[h].memory_used_mib);
		check(mem <= (uint64_t)rh->memory_mib - rh->reserved_mib, __LINE__,
		      "%s: %s overcommitted: %llu MiB", sc, rh->name, (unsigned long long)mem);
		check(vcpus <= (uint64_t)rh->cpus * rh->max_vcpus_per_cpu, __LINE__,
		      "%s: %s has %llu vCPUs", sc, rh->name, (unsigned long long)vcpus);
	}
}

static void check_vif(const char *sc, const struct state_vm *vm, const struct state_vif *v,
		      uint32_t index)
{
	size_t k, j;

	check(v->index == index, __LINE__, "%s: %s vif %u has index %u", sc, vm->name, index,
	      v->index);
	for (k = 0; k < v->n_shapes; k++) {
		const struct state_shape *s = &v->shapes[k];

		check(s->index == k + 1, __LINE__, "%s: %s/%u shape %zu has index %u", sc,
		      vm->name, index, k + 1, s->index);
		check(ip4_is_network(&s->src), __LINE__, "%s: %s/%u %s: source has host bits",
		      sc, vm->name, index, s->name);
		check(s->p.has != 0, __LINE__, "%s: %s/%u %s shapes nothing", sc, vm->name,
		      index, s->name);
		if (k > 0)
			check(v->shapes[k - 1].src.len >= s->src.len, __LINE__,
			      "%s: %s/%u: row %zu less specific than row %zu", sc, vm->name,
			      index, k, k + 1);
		for (j = 0; j < k; j++)
			check(!ip4_equal(&v->shapes[j].src, &s->src) &&
			      strcmp(v->shapes[j].name, s->name) != 0, __LINE__,
			      "%s: %s/%u: rows %zu and %zu clash", sc, vm->name, index, j + 1, k + 1);
	}
}

static void check_rows_and_rules(const char *sc, const struct load *l)
{
	const struct state_host *h0 = &l->desired.hosts[0];
	size_t h, m, f, k;

	for (h = 0; h < l->desired.n_hosts; h++) {
		const struct state_host *sh = &l->desired.hosts[h];

		for (m = 0; m < sh->n_vms; m++)
			for (f = 0; f < sh->vms[m].n_vifs; f++)
				check_vif(sc, &sh->vms[m], &sh->vms[m].vifs[f], (uint32_t)f + 1);
		check(sh->n_rules == h0->n_rules && sh->n_subnets == h0->n_subnets &&
		      sh->isolation_default == h0->isolation_default, __LINE__,
		      "%s: isolation of %s differs from %s", sc, sh->name, h0->name);
		for (k = 0; k < sh->n_rules && k < h0->n_rules; k++)
			check(sh->rules[k].index == k + 1 &&
			      ip4_equal(&sh->rules[k].src, &h0->rules[k].src) &&
			      ip4_equal(&sh->rules[k].dst, &h0->rules[k].dst) &&
			      sh->rules[k].action == h0->rules[k].action, __LINE__,
			      "%s: rule %zu of %s differs", sc, k + 1, sh->name);
	}
	for (k = 0; k < l->virt->n_links; k++) {
		const struct virt_link *lk = &l->virt->links[k];
		char *name = lk->name ? strdup(lk->name) : NULL;

		if (!name && asprintf(&name, "%s>%s", lk->from.name, lk->to.name) < 0)
			continue;
		check(count_rows(&l->desired, name) > 0, __LINE__,
		      "%s: link at line %u made no shape row", sc, lk->line);
		free(name);
	}
}

/* run a handler into memory; returns its exit status, *text its stdout */
static int run_cmd(cmd_handler fn, bool json, const char *real, const char *virt,
		   const char *schemas, char **text, char **err)
{
	size_t ol = 0, el = 0;
	FILE *out = open_memstream(text, &ol), *errf = open_memstream(err, &el);
	struct cmd_ctx ctx = { .json = json, .schema_dir = schemas, .out = out, .err = errf };
	char *ops[2] = { (char *)real, (char *)virt };
	int rc = fn(&ctx, ops);

	fclose(out);
	fclose(errf);
	return rc;
}

static void check_recorded(const char *sc, cmd_handler fn, bool json, const char *suffix)
{
	char *real, *virt, *rec, *want, *got = NULL, *err = NULL;
	int rc;

	if (asprintf(&real, SCENARIOS "/%s/real.xml", sc) < 0 ||
	    asprintf(&virt, SCENARIOS "/%s/virtual.xml", sc) < 0 ||
	    asprintf(&rec, RECORDED "/%s.%s", sc, suffix) < 0)
		return;
	rc = run_cmd(fn, json, real, virt, SCHEMAS, &got, &err);
	want = testutil_read_text(rec);
	check(rc == CMD_OK && *err == '\0', __LINE__, "%s: exit %d: %s", sc, rc, err);
	check(want != NULL, __LINE__, "%s: nothing recorded in %s", sc, rec);
	if (want)
		check(strcmp(got, want) == 0, __LINE__, "%s: output differs from %s:\n%s", sc,
		      rec, got);
	free(want);
	free(got);
	free(err);
	free(rec);
	free(real);
	free(virt);
}

static void corpus_scenarios_are_clean_and_consistent(void)
{
	char **names, *real, *virt, *probs;
	size_t n = testutil_list(SCENARIOS, "", true, &names), i;
	struct load l;

	check(n >= 3, __LINE__, "%zu scenarios found in %s", n, SCENARIOS);
	for (i = 0; i < n; i++) {
		if (asprintf(&real, SCENARIOS "/%s/real.xml", names[i]) < 0 ||
		    asprintf(&virt, SCENARIOS "/%s/virtual.xml", names[i]) < 0)
			continue;
		check(load_files(real, virt, SCHEMAS, &l) == 0, __LINE__, "%s: cannot load",
		      names[i]);
		probs = format_problems(&l.diag);
		check(l.diag.n == 0 && l.real && l.virt, __LINE__, "%s: problems:\n%s", names[i],
		      probs);
		if (l.diag.n == 0 && l.real && l.virt) {
			check_vms_placed_once(names[i], &l);
			check_room(names[i], &l);
			check_rows_and_rules(names[i], &l);
		}
		free(probs);
		load_release(&l);
		free(real);
		free(virt);
	}
	testutil_free_list(names, n);
}

static void corpus_scenarios_print_what_was_recorded(void)
{
	char **names;
	size_t n = testutil_list(SCENARIOS, "", true, &names), i;

	check(n >= 3, __LINE__, "%zu scenarios found in %s", n, SCENARIOS);
	for (i = 0; i < n; i++) {
		check_recorded(names[i], cmd_show, false, "show.txt");
		check_recorded(names[i], cmd_show, true, "show.json");
		check_recorded(names[i], cmd_graph, false, "dot");
	}
	testutil_free_list(names, n);
}

/* --- the handlers' exit statuses ------------------------------------------------ */

static void corpus_check_exit_statuses(void)
{
	char *out = NULL, *err = NULL;

	CU_ASSERT_EQUAL(run_cmd(cmd_check, false, BASE_REAL, BASE_VIRTUAL, SCHEMAS, &out, &err),
			CMD_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "2 hosts, 3 vms, 2 subnets, 1 link (3 shape rows), "
					  "2 isolation rules: ok\n"));
	CU_ASSERT_STRING_EQUAL(err, "");
	free(out);
	free(err);

	CU_ASSERT_EQUAL(run_cmd(cmd_check, false, BASE_REAL, INVALID "/routes.xml", SCHEMAS,
				&out, &err), CMD_PROBLEMS);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, INVALID "/routes.xml:8: route: to 10.3.0.1/24 has "
					   "host bits set (the network is 10.3.0.0/24)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "\n5 problems found\n"));
	free(out);
	free(err);

	CU_ASSERT_EQUAL(run_cmd(cmd_check, true, BASE_REAL, INVALID "/routes.xml", SCHEMAS,
				&out, &err), CMD_PROBLEMS);
	CU_ASSERT_EQUAL(strncmp(out, "{\"ok\":false,\"problems\":[{\"file\":\"" INVALID
				"/routes.xml\",\"line\":8,\"element\":\"route\",", 90), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	free(out);
	free(err);

	CU_ASSERT_EQUAL(run_cmd(cmd_show, false, BASE_REAL, "tests/data/no-such-file.xml",
				SCHEMAS, &out, &err), CMD_PROBLEMS);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no-such-file.xml: file: cannot open: No such file"));
	free(out);
	free(err);

	CU_ASSERT_EQUAL(run_cmd(cmd_graph, false, BASE_REAL, BASE_VIRTUAL, "tests/data", &out,
				&err), CMD_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "tests/data/real.xsd: schema: cannot read the schema: "
					   "No such file or directory\n"));
	CU_ASSERT_STRING_EQUAL(out, "");
	free(out);
	free(err);
}

static const struct unit_test tests[] = {
	UNIT_TEST(corpus_invalid_files_fail_as_expected),
	UNIT_TEST(corpus_every_expect_file_has_its_case),
	UNIT_TEST(corpus_scenarios_are_clean_and_consistent),
	UNIT_TEST(corpus_scenarios_print_what_was_recorded),
	UNIT_TEST(corpus_check_exit_statuses),
	{ NULL, NULL },
};

UNIT_SUITE(manager_corpus, NULL, NULL, tests)
