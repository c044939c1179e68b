/*
 * test_manager_run_shapes.c - which shape rows `vmibctl run` reports as
 * not in force (manager/run_scenario.c, run_shape_problems): the rows a
 * host reads unsupported or failed (a delay on a kernel without
 * sch_netem), of one link (its rows as merge.c names them, both
 * directions of a symmetric link, or the link's name) or of every link,
 * each with its host, row and the agent's reason.  A link event fails on
 * them; the scenario's own are listed in the manifest.
 */
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "mem.h"
#include "run_int.h"
#include "state.h"
#include "unit.h"
#include "vmib_oids.h"

static void add_row(struct state_vif *vf, const char *name, int status, const char *why)
{
	struct state_shape *s = MEM_PUSH(vf->shapes, vf->n_shapes);

	s->index = (uint32_t)vf->n_shapes;
	s->name = mem_strdup(name);
	s->oper.status = status;
	s->oper.last_error = why ? mem_strdup(why) : NULL;
}

static struct state_vif *add_vm(struct state_host *h, const char *name)
{
	struct state_vm *vm = MEM_PUSH(h->vms, h->n_vms);
	struct state_vif *vf;

	vm->name = mem_strdup(name);
	vm->index = (uint32_t)h->n_vms;
	vf = MEM_PUSH(vm->vifs, vm->n_vifs);
	vf->index = 1;
	return vf;
}

/* h1: local receives a>local (unsupported), b>local (applied);
 * h2: remote receives a>remote (failed) and up (a named link, unsupported) */
static void build(struct state *cur)
{
	struct state_host *h1, *h2;
	struct state_vif *vf;

	memset(cur, 0, sizeof(*cur));
	MEM_PUSH(cur->hosts, cur->n_hosts);
	MEM_PUSH(cur->hosts, cur->n_hosts);   /* both first: a push may move them */
	h1 = &cur->hosts[0];
	h1->name = mem_strdup("h1");
	h2 = &cur->hosts[1];
	h2->name = mem_strdup("h2");
	vf = add_vm(h1, "local");
	add_row(vf, "a>local", VMIB_ENUM_vmibShapeOperStatus_unsupported,
		"delay not applied: kernel has no sch_netem");
	add_row(vf, "b>local", VMIB_ENUM_vmibShapeOperStatus_applied, NULL);
	vf = add_vm(h2, "remote");
	add_row(vf, "a>remote", VMIB_ENUM_vmibShapeOperStatus_failed, NULL);
	add_row(vf, "up", VMIB_ENUM_vmibShapeOperStatus_unsupported, "no netem");
}

static void release(char **lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void run_shapes_every_row_listed_with_host_and_reason(void)
{
	struct state cur;
	char **lines = NULL;
	size_t n = 0;

	build(&cur);
	CU_ASSERT_EQUAL(run_shape_problems(&cur, NULL, &lines, &n), 3);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_STRING_EQUAL(lines[0], "h1: shape local/1/1 a>local is unsupported: "
			       "delay not applied: kernel has no sch_netem");
	CU_ASSERT_STRING_EQUAL(lines[1], "h2: shape remote/1/1 a>remote is failed: "
			       "no reason given");
	CU_ASSERT_STRING_EQUAL(lines[2], "h2: shape remote/1/2 up is unsupported: no netem");
	release(lines, n);
	state_release(&cur);
}

static void run_shapes_of_one_link_only(void)
{
	struct virt_link l = { 0 };
	struct state cur;
	char **lines = NULL;
	size_t n = 0;

	build(&cur);
	l.from.name = "a";
	l.to.name = "local";
	l.symmetric = false;
	CU_ASSERT_EQUAL(run_shape_problems(&cur, &l, &lines, &n), 1);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "a>local is unsupported"));
	/* the reverse direction counts for a symmetric link only */
	l.from.name = "local";
	l.to.name = "a";
	CU_ASSERT_EQUAL(run_shape_problems(&cur, &l, &lines, &n), 0);
	l.symmetric = true;
	CU_ASSERT_EQUAL(run_shape_problems(&cur, &l, &lines, &n), 1);
	/* an applied row is in force */
	l.from.name = "b";
	CU_ASSERT_EQUAL(run_shape_problems(&cur, &l, &lines, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	release(lines, n);
	state_release(&cur);
}

static void run_shapes_named_link_by_its_name(void)
{
	struct virt_link l = { 0 };
	struct state cur;
	char **lines = NULL;
	size_t n = 0;

	build(&cur);
	l.name = "up";
	l.from.name = "a";
	l.to.name = "remote";   /* named: "a>remote" is not one of its rows */
	CU_ASSERT_EQUAL(run_shape_problems(&cur, &l, &lines, &n), 1);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], " up is unsupported: no netem"));
	release(lines, n);
	state_release(&cur);
}

static const struct unit_test tests[] = {
	UNIT_TEST(run_shapes_every_row_listed_with_host_and_reason),
	UNIT_TEST(run_shapes_of_one_link_only),
	UNIT_TEST(run_shapes_named_link_by_its_name),
	{ NULL, NULL },
};

UNIT_SUITE(manager_run_shapes, NULL, NULL, tests);
