/*
 * test_manager_place.c - the placement policy (manager/place.c, stated in
 * place.h): pinned VMs stay, running VMs stay, the rest go in file order
 * to the host with the most free memory that has room, first host on
 * ties; memory is never overcommitted, vCPUs up to maxVcpusPerCpu; a VM
 * that fits nowhere is a problem naming it.  Runs from the top of the tree
 * (the schemas are read from ./schemas).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "unit.h"

#define HOST(name, n, attrs, body)                                             \
	"<host name='" name "' address='10.250.0." n "' snmp='udp:10.250.0." n   \
	":161' libvirt='qemu+tcp://10.250.0." n "/system' bridge='br0' " attrs   \
	">" body "</host>"
#define REAL(hosts) "<realEnvironment xmlns='urn:vmib:real:1'>" hosts "</realEnvironment>"
#define VIRT(vms)                                                              \
	"<virtualEnvironment xmlns='urn:vmib:virtual:1'>"                      \
	"<subnet name='s' prefix='10.1.0.0/24'/>" vms "</virtualEnvironment>"
#define VM(name, n, attrs)                                                     \
	"<vm name='" name "' " attrs "><interface address='10.1.0." n "'/></vm>"

static int load(const char *real, const char *virt, struct load *l)
{
	return load_buffers("real.xml", real, "virtual.xml", virt, "schemas", l);
}

/* no problem at all; else fail with the first one */
static void expect_clean(const struct load *l, int line)
{
	char msg[512] = "no problem";

	if (l->diag.n)
		snprintf(msg, sizeof(msg), "unexpected problem: %s:%u: %s: %s",
			 l->diag.v[0].file, l->diag.v[0].line, l->diag.v[0].element,
			 l->diag.v[0].message);
	CU_assertImplementation(l->diag.n == 0, line, msg, __FILE__, "", CU_FALSE);
}

/* the host a VM landed on in the desired state, or "" */
static const char *host_of(const struct load *l, const char *vm)
{
	size_t h;

	for (h = 0; h < l->desired.n_hosts; h++)
		if (state_find_vm(&l->desired.hosts[h], vm))
			return l->desired.hosts[h].name;
	return "";
}

static enum state_placed how(const struct load *l, const char *vm)
{
	size_t h;

	for (h = 0; h < l->desired.n_hosts; h++)
		if (state_find_vm(&l->desired.hosts[h], vm))
			return state_find_vm(&l->desired.hosts[h], vm)->placed;
	return STATE_PLACED_NONE;
}

static void place_pinned_vm_stays_on_its_host(void)
{
	struct load l;

	CU_ASSERT_EQUAL_FATAL(load(REAL(HOST("h1", "1", "cpus='1' memoryMiB='4096'", "")
				       HOST("h2", "2", "cpus='1' memoryMiB='1024'", "")),
				  VIRT(VM("v", "11", "host='h2'")), &l), 0);
	expect_clean(&l, __LINE__);
	CU_ASSERT_STRING_EQUAL(host_of(&l, "v"), "h2");
	CU_ASSERT_EQUAL(how(&l, "v"), STATE_PLACED_PINNED);
	load_release(&l);
}

static void place_free_vm_goes_to_most_free_memory(void)
{
	struct load l;

	CU_ASSERT_EQUAL_FATAL(load(REAL(HOST("h1", "1", "cpus='1' memoryMiB='1024'", "")
				       HOST("h2", "2", "cpus='1' memoryMiB='2048'", "")),
				  VIRT(VM("v", "11", "")), &l), 0);
	expect_clean(&l, __LINE__);
	CU_ASSERT_STRING_EQUAL(host_of(&l, "v"), "h2");
	CU_ASSERT_EQUAL(how(&l, "v"), STATE_PLACED_AUTO);
	load_release(&l);
}

static void place_ties_go_to_the_first_host(void)
{
	struct load l;

	CU_ASSERT_EQUAL_FATAL(load(REAL(HOST("h1", "1", "cpus='1' memoryMiB='1024'", "")
				       HOST("h2", "2", "cpus='1' memoryMiB='1024'", "")),
				  VIRT(VM("a", "11", "memoryMiB='600'")
				       VM("b", "12", "memoryMiB='600'")
				       VM("c", "13", "memoryMiB='300'")), &l), 0);
	expect_clean(&l, __LINE__);
	/* a: tie -> h1; b: h2 has more left; c: tie again (424 each) -> h1 */
	CU_ASSERT_STRING_EQUAL(host_of(&l, "a"), "h1");
	CU_ASSERT_STRING_EQUAL(host_of(&l, "b"), "h2");
	CU_ASSERT_STRING_EQUAL(host_of(&l, "c"), "h1");
	load_release(&l);
}

static void place_pinned_first_whatever_the_file_order(void)
{
	struct load l;

	/* free 'a' comes first in the file, but pinned 'p' has taken h2 already */
	CU_ASSERT_EQUAL_FATAL(load(REAL(HOST("h1", "1", "cpus='1' memoryMiB='1024'", "")
				       HOST("h2", "2", "cpus='1' memoryMiB='1200'", "")),
				  VIRT(VM("a", "11", "memoryMiB='500'")
				       VM("p", "12", "memoryMiB='500' host='h2'")), &l), 0);
	expect_clean(&l, __LINE__);
	CU_ASSERT_STRING_EQUAL(host_of(&l, "a"), "h1");
	CU_ASSERT_STRING_EQUAL(host_of(&l, "p"), "h2");
	load_release(&l);
}

static void place_running_vm_stays_where_it_runs(void)
{
	struct load l;
	const struct state_vm *vm;

	CU_ASSERT_EQUAL_FATAL(load(REAL(HOST("h1", "1", "cpus='1' memoryMiB='4096'", "")
				       HOST("h2", "2", "cpus='1' memoryMiB='1024'",
					    "<vm name='r' memoryMiB='128'/>")),
				  VIRT(VM("r", "11", "")), &l), 0);
	expect_clean(&l, __LINE__);
	CU_ASSERT_STRING_EQUAL(host_of(&l, "r"), "h2");
	CU_ASSERT_EQUAL(how(&l, "r"), STATE_PLACED_RUNNING);
	vm = state_find_vm(&l.desired.hosts[1], "r");
	CU_ASSERT_PTR_NULL(vm ? vm->moved_from : "not found");
	load_release(&l);
}

static void place_pinned_elsewhere_records_the_move(void)
{
	struct load l;
	const struct state_vm *vm;

	CU_ASSERT_EQUAL_FATAL(load(REAL(HOST("h1", "1", "cpus='1' memoryMiB='1024'",
					    "<vm name='m' memoryMiB='128'/>")
				       HOST("h2", "2", "cpus='1' memoryMiB='1024'", "")),
				  VIRT(VM("m", "11", "host='h2'")), &l), 0);
	expect_clean(&l, __LINE__);
	CU_ASSERT_STRING_EQUAL(host_of(&l, "m"), "h2");
	vm = state_find_vm(&l.desired.hosts[1], "m");
	CU_ASSERT_FATAL(vm != NULL);
	CU_ASSERT_STRING_EQUAL(vm->moved_from, "h1");
	/* a VM that moves does not take room where it was */
	CU_ASSERT_EQUAL(l.placement.room[0].memory_used_mib, 0);
	load_release(&l);
}

static void place_foreign_vms_and_reserve_take_room(void)
{
	struct load l;

	/* h1: 2048 - 1024 reserved; h2: 2048 - 1500 of someone else's VM */
	CU_ASSERT_EQUAL_FATAL(load(REAL(HOST("h1", "1", "cpus='1' memoryMiB='2048' "
					    "reservedMemoryMiB='1024'", "")
				       HOST("h2", "2", "cpus='1' memoryMiB='2048'",
					    "<vm name='theirs' memoryMiB='1500'/>")
				       HOST("h3", "3", "cpus='1' memoryMiB='1000'", "")),
				  VIRT(VM("v", "11", "memoryMiB='1000'")
				       VM("w", "12", "memoryMiB='600'")), &l), 0);
	expect_clean(&l, __LINE__);
	/* v: h1 has 1024 left (most) -> h1; w: h3 1000 > h2 548 > h1 24 -> h3 */
	CU_ASSERT_STRING_EQUAL(host_of(&l, "v"), "h1");
	CU_ASSERT_STRING_EQUAL(host_of(&l, "w"), "h3");
	CU_ASSERT_EQUAL(l.placement.room[1].memory_used_mib, 1500);
	CU_ASSERT_PTR_NULL(state_find_vm(&l.desired.hosts[1], "theirs"));
	load_release(&l);
}

static void place_vcpus_up_to_the_overcommit_limit(void)
{
	struct load l;

	/* h1 has the memory but only 1 CPU x 2 vCPUs */
	CU_ASSERT_EQUAL_FATAL(load(REAL(HOST("h1", "1", "cpus='1' maxVcpusPerCpu='2' "
					    "memoryMiB='8192'", "")
				       HOST("h2", "2", "cpus='1' memoryMiB='1024'", "")),
				  VIRT(VM("a", "11", "vcpus='2'") VM("b", "12", "vcpus='1'")),
				  &l), 0);
	expect_clean(&l, __LINE__);
	CU_ASSERT_STRING_EQUAL(host_of(&l, "a"), "h1");
	CU_ASSERT_STRING_EQUAL(host_of(&l, "b"), "h2");
	CU_ASSERT_EQUAL(l.placement.room[0].vcpus, 2);
	CU_ASSERT_EQUAL(l.placement.room[1].vcpus, 16);   /* the default ratio */
	load_release(&l);
}

static void place_memory_is_never_overcommitted(void)
{
	struct load l;

	CU_ASSERT_EQUAL_FATAL(load(REAL(HOST("h1", "1", "cpus='1' memoryMiB='1024'", "")),
				  VIRT(VM("exact", "11", "memoryMiB='1000'")
				       VM("one-more", "12", "memoryMiB='25'")), &l), 0);
	CU_ASSERT_STRING_EQUAL(host_of(&l, "exact"), "h1");
	CU_ASSERT_STRING_EQUAL(host_of(&l, "one-more"), "");
	CU_ASSERT_EQUAL_FATAL(l.diag.n, 1);
	CU_ASSERT_EQUAL(l.diag.v[0].line, 1);
	CU_ASSERT_STRING_EQUAL(l.diag.v[0].element, "vm");
	CU_ASSERT_STRING_EQUAL(l.diag.v[0].message,
			       "no host has room for 'one-more' (it needs 25 MiB and 1 vCPU; "
			       "the most memory left is 24 MiB, on 'h1')");
	load_release(&l);
}

static void place_pinned_overflow_names_host_and_vm(void)
{
	struct load l;

	CU_ASSERT_EQUAL_FATAL(load(REAL(HOST("h1", "1", "cpus='1' memoryMiB='512'", "")),
				  VIRT(VM("a", "11", "memoryMiB='512' host='h1'")
				       VM("b", "12", "memoryMiB='64' vcpus='2' host='h1'")),
				  &l), 0);
	CU_ASSERT_EQUAL_FATAL(l.diag.n, 1);
	CU_ASSERT_STRING_EQUAL(l.diag.v[0].message,
			       "host 'h1' has no room for 'b' (it needs 64 MiB and 2 vCPUs; "
			       "0 MiB and 15 vCPUs are left)");
	load_release(&l);
}

static void place_is_deterministic(void)
{
	const char *real = REAL(HOST("h1", "1", "cpus='2' memoryMiB='1000'", "")
				HOST("h2", "2", "cpus='2' memoryMiB='1000'", "")
				HOST("h3", "3", "cpus='2' memoryMiB='1000'", ""));
	const char *virt = VIRT(VM("a", "11", "memoryMiB='100'") VM("b", "12", "memoryMiB='300'")
				VM("c", "13", "memoryMiB='200'") VM("d", "14", "memoryMiB='100'")
				VM("e", "15", "memoryMiB='400'") VM("f", "16", "memoryMiB='50'"));
	struct load l1, l2;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(load(real, virt, &l1), 0);
	CU_ASSERT_EQUAL_FATAL(load(real, virt, &l2), 0);
	expect_clean(&l1, __LINE__);
	for (i = 0; i < l1.placement.n_vms; i++)
		CU_ASSERT_EQUAL(l1.placement.host[i], l2.placement.host[i]);
	/* free MiB after each: a h1 (900 1000 1000), b h2 (900 700 1000),
	 * c h3 (900 700 800), d h1 (800 700 800), e tie -> h1 (400 700 800),
	 * f h3 (400 700 750) */
	CU_ASSERT_STRING_EQUAL(host_of(&l1, "a"), "h1");
	CU_ASSERT_STRING_EQUAL(host_of(&l1, "b"), "h2");
	CU_ASSERT_STRING_EQUAL(host_of(&l1, "c"), "h3");
	CU_ASSERT_STRING_EQUAL(host_of(&l1, "d"), "h1");
	CU_ASSERT_STRING_EQUAL(host_of(&l1, "e"), "h1");
	CU_ASSERT_STRING_EQUAL(host_of(&l1, "f"), "h3");
	CU_ASSERT_EQUAL(l1.placement.room[2].memory_used_mib, 250);
	load_release(&l1);
	load_release(&l2);
}

static const struct unit_test tests[] = {
	UNIT_TEST(place_pinned_vm_stays_on_its_host),
	UNIT_TEST(place_free_vm_goes_to_most_free_memory),
	UNIT_TEST(place_ties_go_to_the_first_host),
	UNIT_TEST(place_pinned_first_whatever_the_file_order),
	UNIT_TEST(place_running_vm_stays_where_it_runs),
	UNIT_TEST(place_pinned_elsewhere_records_the_move),
	UNIT_TEST(place_foreign_vms_and_reserve_take_room),
	UNIT_TEST(place_vcpus_up_to_the_overcommit_limit),
	UNIT_TEST(place_memory_is_never_overcommitted),
	UNIT_TEST(place_pinned_overflow_names_host_and_vm),
	UNIT_TEST(place_is_deterministic),
	{ NULL, NULL },
};

UNIT_SUITE(manager_place, NULL, NULL, tests)
