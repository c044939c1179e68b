/*
 * test_manager_limits.c - the vMIB limits of manager/check_limits.c on
 * environments built in memory: values no schema stands in front of here
 * (a schema copy of a limit that is wrong, or bypassed), and counts too
 * big for a file of the corpus (tests/data/invalid/limits-*.xml has the
 * rest): interfaces per VM, subnets, shape rows per vif.
 */
#include <stdlib.h>
#include <string.h>

#include "check_limits.h"
#include "diag.h"
#include "unit.h"

static bool has_problem(const struct diag *d, unsigned line, const char *text)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].line == line && strstr(d->v[i].message, text))
			return true;
	return false;
}

static void limits_vm_values_out_of_the_mib_range_are_reported(void)
{
	struct virt_vm vm = { .name = "v1", .line = 7, .image = "vmib-test",
			      .memory_mib = 4194304, .vcpus = 257,
			      .has_sched_cap = true, .sched_cap_percent = 6401 };
	struct virt_env v = { .file = "v.xml", .vms = &vm, .n_vms = 1 };
	struct diag d = { 0 };

	check_limits_virtual(&v, &d);
	CU_ASSERT(has_problem(&d, 7, "memory in KiB 4294967296 is outside vmibVmMemoryKBytes's "
				     "range 0..4294967295"));
	CU_ASSERT(has_problem(&d, 7, "vcpus 257 is outside vmibVmVcpus's range 1..256"));
	CU_ASSERT(has_problem(&d, 7, "vmibVmSchedCapPercent's range 0..6400"));
	CU_ASSERT_EQUAL(d.n, 3);
	diag_release(&d);
}

static void limits_values_at_the_mib_bounds_pass(void)
{
	struct virt_vm vm = { .name = "v1", .line = 7, .image = "vmib-test",
			      .memory_mib = 4194303, .vcpus = 256,
			      .has_sched_weight = true, .sched_weight = 65535,
			      .has_sched_cap = true, .sched_cap_percent = 6400 };
	struct virt_link l = { .line = 9, .name = "l", .from = { "a" }, .to = { "b" } };
	struct virt_env v = { .file = "v.xml", .vms = &vm, .n_vms = 1, .links = &l,
			      .n_links = 1 };
	struct diag d = { 0 };

	shape_set(&l.params, SHAPE_DELAY, 60000000);
	shape_set(&l.params, SHAPE_LOSS, 1000000);
	shape_set(&l.params, SHAPE_RATE, UINT32_MAX);
	check_limits_virtual(&v, &d);
	CU_ASSERT_EQUAL(d.n, 0);
	shape_set(&l.params, SHAPE_DELAY, 60000001);
	check_limits_virtual(&v, &d);
	CU_ASSERT(has_problem(&d, 9, "delay 60000001 is outside vmibShapeDelayUs's range"));
	diag_release(&d);
}

static void limits_a_value_the_schema_refused_is_not_reported_twice(void)
{
	struct virt_vm vm = { .name = "v1", .line = 7, .image = "vmib-test", .memory_mib = 128,
			      .vcpus = 1, .has_sched_cap = true, .sched_cap_percent = 9000 };
	struct virt_env v = { .file = "v.xml", .vms = &vm, .n_vms = 1 };
	struct diag d = { 0 };

	diag_add(&d, "v.xml", 7, "vm", "attribute 'cap': too big (the schema's)");
	check_limits_virtual(&v, &d);
	CU_ASSERT_EQUAL(d.n, 1);
	diag_release(&d);
}

static void limits_too_many_interfaces_and_subnets_are_reported(void)
{
	size_t n = 65536;
	struct virt_vm vm = { .name = "v1", .line = 7, .image = "vmib-test", .memory_mib = 128,
			      .vcpus = 1, .n_ifaces = n };
	struct virt_subnet *s = calloc(n, sizeof(*s));
	struct virt_env v = { .file = "v.xml", .vms = &vm, .n_vms = 1, .subnets = s,
			      .n_subnets = n };
	struct diag d = { 0 };
	size_t i;

	vm.ifaces = calloc(n, sizeof(*vm.ifaces));
	for (i = 0; i < n; i++)
		s[i] = (struct virt_subnet){ .name = "s", .line = (unsigned)i + 100 };
	check_limits_virtual(&v, &d);
	CU_ASSERT(has_problem(&d, 7, "interfaces 65536, but vmibVifIndex goes up to 65535"));
	CU_ASSERT(has_problem(&d, 65635, "is subnet 65536, but vmibSubnetIndex goes up to 65535"));
	CU_ASSERT_EQUAL(d.n, 2);
	diag_release(&d);
	free(vm.ifaces);
	free(s);
}

static void limits_too_many_shape_rows_on_a_vif_are_reported(void)
{
	struct virt_iface ifc = { .line = 8 };
	struct virt_vm vm = { .name = "v1", .line = 7, .ifaces = &ifc, .n_ifaces = 1 };
	struct virt_env v = { .file = "v.xml", .vms = &vm, .n_vms = 1 };
	struct state_vif vif = { .index = 1, .n_shapes = 65535 };
	struct state_vm svm = { .name = "v1", .vifs = &vif, .n_vifs = 1 };
	struct state_host h = { .name = "h1", .vms = &svm, .n_vms = 1 };
	struct state s = { .hosts = &h, .n_hosts = 1 };
	struct diag d = { 0 };

	check_limits_state(&v, &s, &d);
	CU_ASSERT(has_problem(&d, 8, "shape rows from links: 65535, but vmibShapeIndex goes up "
				     "to 65534"));
	CU_ASSERT_EQUAL(d.n, 1);
	vif.n_shapes = 65534;
	diag_release(&d);
	check_limits_state(&v, &s, &d);
	CU_ASSERT_EQUAL(d.n, 0);
	diag_release(&d);
}

static const struct unit_test tests[] = {
	UNIT_TEST(limits_vm_values_out_of_the_mib_range_are_reported),
	UNIT_TEST(limits_values_at_the_mib_bounds_pass),
	UNIT_TEST(limits_a_value_the_schema_refused_is_not_reported_twice),
	UNIT_TEST(limits_too_many_interfaces_and_subnets_are_reported),
	UNIT_TEST(limits_too_many_shape_rows_on_a_vif_are_reported),
	{ NULL, NULL },
};

UNIT_SUITE(manager_limits, NULL, NULL, tests)
