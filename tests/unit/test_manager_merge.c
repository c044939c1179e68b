/*
 * test_manager_merge.c - the desired per-host state (manager/merge.c, the
 * rules are in merge.h): where each kind of link puts its shape rows and
 * how it classifies them, row order, receiver vifs of multi-homed VMs,
 * gateway default routes, isolation rules, units in the model.  Runs from
 * the top of the tree (schemas are read from ./schemas).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "unit.h"

static const char real2[] =
	"<realEnvironment xmlns='urn:vmib:real:1'>"
	"<host name='h1' address='10.250.0.1' snmp='udp:10.250.0.1:161' "
	" libvirt='qemu+tcp://10.250.0.1/system' cpus='2' memoryMiB='8192' bridge='br0'/>"
	"<host name='h2' address='10.250.0.2' snmp='udp:10.250.0.2:161' "
	" libvirt='qemu+tcp://10.250.0.2/system' cpus='2' memoryMiB='8192' bridge='br1'/>"
	"</realEnvironment>";

/* two sites, five VMs; each test adds its links and rules */
#define SITES                                                                  \
	"<virtualEnvironment xmlns='urn:vmib:virtual:1'>"                      \
	"<subnet name='a' prefix='10.1.0.0/24'/>"                             \
	"<subnet name='b' prefix='10.2.0.0/24'/>"                             \
	"<vm name='a1' host='h1'><interface address='10.1.0.11'/></vm>"        \
	"<vm name='a2' host='h1'><interface address='10.1.0.12'/></vm>"        \
	"<vm name='a3' host='h2'><interface address='10.1.0.13'/></vm>"        \
	"<vm name='b1' host='h2'><interface address='10.2.0.11'/></vm>"        \
	"<vm name='b2' host='h2'><interface address='10.2.0.12'/></vm>"
#define END "</virtualEnvironment>"

static struct load the;

static int load_ok(const char *virt)
{
	char msg[512] = "no problem";
	int rc;

	load_release(&the);
	rc = load_buffers("real.xml", real2, "virtual.xml", virt, "schemas", &the);
	if (the.diag.n)
		snprintf(msg, sizeof(msg), "unexpected problem: line %u: %s: %s",
			 the.diag.v[0].line, the.diag.v[0].element, the.diag.v[0].message);
	CU_assertImplementation(rc == 0 && the.diag.n == 0, __LINE__, msg, __FILE__, "",
				CU_FALSE);
	return rc == 0 && the.diag.n == 0 ? 0 : -1;
}

static int cleanup(void)
{
	load_release(&the);
	return 0;
}

static const struct state_vm *vm_named(const char *name)
{
	size_t h;

	for (h = 0; h < the.desired.n_hosts; h++)
		if (state_find_vm(&the.desired.hosts[h], name))
			return state_find_vm(&the.desired.hosts[h], name);
	return NULL;
}

static const struct state_vif *vif_of(const char *vm, size_t index)
{
	const struct state_vm *v = vm_named(vm);

	return v && index >= 1 && index <= v->n_vifs ? &v->vifs[index - 1] : NULL;
}

static size_t rows_of(const char *vm)
{
	const struct state_vm *v = vm_named(vm);
	size_t j, n = 0;

	for (j = 0; v && j < v->n_vifs; j++)
		n += v->vifs[j].n_shapes;
	return n;
}

/* "name from 10.1.0.11/32 rate 1000" for the index-th row (1-based) */
static const char *row(const char *vm, size_t vif, size_t index)
{
	static char buf[160];
	const struct state_vif *v = vif_of(vm, vif);
	char pfx[IP4_PREFIX_STRLEN];
	const struct state_shape *s;

	if (!v || index < 1 || index > v->n_shapes)
		return "(none)";
	s = &v->shapes[index - 1];
	snprintf(buf, sizeof(buf), "%u %s from %s rate %u", s->index, s->name,
		 ip4_format_prefix(&s->src, pfx), s->p.rate_kbps);
	return buf;
}

static void merge_vm_link_shapes_the_receiver_only(void)
{
	if (load_ok(SITES "<link from='a1' to='b1' symmetric='false' bandwidth='1Mbit'/>" END))
		return;
	CU_ASSERT_EQUAL(rows_of("a1"), 0);
	CU_ASSERT_EQUAL(rows_of("b1"), 1);
	CU_ASSERT_STRING_EQUAL(row("b1", 1, 1), "1 a1>b1 from 10.1.0.11/32 rate 1000");
}

static void merge_symmetric_link_shapes_both_ends(void)
{
	if (load_ok(SITES "<link from='a1' to='b1' bandwidth='1Mbit'/>" END))
		return;
	CU_ASSERT_STRING_EQUAL(row("b1", 1, 1), "1 a1>b1 from 10.1.0.11/32 rate 1000");
	CU_ASSERT_STRING_EQUAL(row("a1", 1, 1), "1 b1>a1 from 10.2.0.11/32 rate 1000");
	CU_ASSERT_EQUAL(rows_of("a2") + rows_of("a3") + rows_of("b2"), 0);
}

static void merge_subnet_link_shapes_every_member(void)
{
	if (load_ok(SITES "<link from='a' to='b' symmetric='false' bandwidth='2Mbit'/>" END))
		return;
	CU_ASSERT_STRING_EQUAL(row("b1", 1, 1), "1 a>b from 10.1.0.0/24 rate 2000");
	CU_ASSERT_STRING_EQUAL(row("b2", 1, 1), "1 a>b from 10.1.0.0/24 rate 2000");
	CU_ASSERT_EQUAL(rows_of("a1") + rows_of("a2") + rows_of("a3"), 0);
}

static void merge_vm_to_own_subnet_skips_the_sender(void)
{
	if (load_ok(SITES "<link from='a1' to='a' delay='5ms'/>" END))
		return;
	/* a1 -> a: every other member of a; a -> a1: a1, by the whole prefix */
	CU_ASSERT_STRING_EQUAL(row("a2", 1, 1), "1 a1>a from 10.1.0.11/32 rate 0");
	CU_ASSERT_STRING_EQUAL(row("a3", 1, 1), "1 a1>a from 10.1.0.11/32 rate 0");
	CU_ASSERT_STRING_EQUAL(row("a1", 1, 1), "1 a>a1 from 10.1.0.0/24 rate 0");
	CU_ASSERT_EQUAL(rows_of("a1"), 1);
	CU_ASSERT_EQUAL(rows_of("b1") + rows_of("b2"), 0);
}

static void merge_rows_most_specific_source_first(void)
{
	if (load_ok(SITES "<link from='a' to='b1' symmetric='false' bandwidth='5Mbit'/>"
		    "<link from='a2' to='b1' symmetric='false' bandwidth='1Mbit'/>"
		    "<link from='a1' to='b1' symmetric='false' bandwidth='3Mbit'/>" END))
		return;
	CU_ASSERT_STRING_EQUAL(row("b1", 1, 1), "1 a1>b1 from 10.1.0.11/32 rate 3000");
	CU_ASSERT_STRING_EQUAL(row("b1", 1, 2), "2 a2>b1 from 10.1.0.12/32 rate 1000");
	CU_ASSERT_STRING_EQUAL(row("b1", 1, 3), "3 a>b1 from 10.1.0.0/24 rate 5000");
}

static void merge_named_link_keeps_its_name_both_ways(void)
{
	if (load_ok(SITES "<link name='wan' from='a1' to='b1' bandwidth='1Mbit'/>" END))
		return;
	CU_ASSERT_STRING_EQUAL(row("b1", 1, 1), "1 wan from 10.1.0.11/32 rate 1000");
	CU_ASSERT_STRING_EQUAL(row("a1", 1, 1), "1 wan from 10.2.0.11/32 rate 1000");
	CU_ASSERT_PTR_NOT_NULL(state_find_shape(vif_of("a1", 1), "wan"));
	CU_ASSERT_PTR_NULL(state_find_shape(vif_of("a1", 1), "a1>b1"));
}

/* a router r in a, b and c; c reaches the world through r */
#define ROUTED                                                                 \
	"<virtualEnvironment xmlns='urn:vmib:virtual:1'>"                      \
	"<subnet name='a' prefix='10.1.0.0/24'/>"                             \
	"<subnet name='b' prefix='10.2.0.0/24' gateway='10.2.0.1'/>"          \
	"<subnet name='c' prefix='10.3.0.0/24'/>"                             \
	"<vm name='r' host='h1'>"                                             \
	" <interface subnet='a' address='10.1.0.1'/>"                         \
	" <interface subnet='b' address='10.2.0.2'>"                           \
	"  <route to='10.3.0.0/24' via='10.2.0.3'/></interface></vm>"          \
	"<vm name='a1' host='h1'><interface address='10.1.0.11'/></vm>"        \
	"<vm name='b1' host='h2'><interface address='10.2.0.11'/></vm>"        \
	"<vm name='gw' host='h2'><interface address='10.2.0.1'/></vm>"         \
	"<vm name='c1' host='h2'><interface address='10.3.0.11'>"             \
	" <route to='default' via='10.3.0.1'/></interface></vm>"

static void merge_multihomed_receiver_uses_the_shared_subnet(void)
{
	if (load_ok(ROUTED "<link from='a1' to='r' symmetric='false' bandwidth='1Mbit'/>"
		    "<link from='b1' to='r' symmetric='false' bandwidth='2Mbit'/>" END))
		return;
	CU_ASSERT_STRING_EQUAL(row("r", 1, 1), "1 a1>r from 10.1.0.11/32 rate 1000");
	CU_ASSERT_STRING_EQUAL(row("r", 2, 1), "1 b1>r from 10.2.0.11/32 rate 2000");
}

static void merge_receiver_vif_follows_its_routes(void)
{
	/* c1 shares no subnet with r: r routes 10.3.0.0/24 through vif 2 */
	if (load_ok(ROUTED "<link from='c1' to='r' symmetric='false' bandwidth='1Mbit'/>"
		    "<link from='r' to='c1' symmetric='false' bandwidth='2Mbit'/>" END))
		return;
	CU_ASSERT_EQUAL(vif_of("r", 1)->n_shapes, 0);
	CU_ASSERT_STRING_EQUAL(row("r", 2, 1), "1 c1>r from 10.3.0.11/32 rate 1000");
	/* and r is seen by c1 with the address r routes towards c1 with */
	CU_ASSERT_STRING_EQUAL(row("c1", 1, 1), "1 r>c1 from 10.2.0.2/32 rate 2000");
}

static void merge_gateway_gives_a_default_route(void)
{
	char *routes;

	if (load_ok(ROUTED END))
		return;
	routes = state_routes_format(vif_of("b1", 1));
	CU_ASSERT_STRING_EQUAL(routes, "0.0.0.0/0,10.2.0.1");
	free(routes);
	/* explicit routes first, then the gateway's default */
	routes = state_routes_format(vif_of("r", 2));
	CU_ASSERT_STRING_EQUAL(routes, "10.3.0.0/24,10.2.0.3;0.0.0.0/0,10.2.0.1");
	free(routes);
	/* not on the gateway itself, nor where a default route is explicit */
	CU_ASSERT_EQUAL(vif_of("gw", 1)->n_routes, 0);
	routes = state_routes_format(vif_of("c1", 1));
	CU_ASSERT_STRING_EQUAL(routes, "0.0.0.0/0,10.3.0.1");
	free(routes);
	CU_ASSERT_EQUAL(vif_of("r", 1)->n_routes, 0);
}

static void merge_isolation_rules_expand_in_order(void)
{
	const struct state_host *h;
	char s[IP4_PREFIX_STRLEN], d[IP4_PREFIX_STRLEN], buf[128];
	static const char *const want[] = {
		"1 a1>b1 drop 10.1.0.11/32 10.2.0.11/32",
		"2 a>b accept 10.1.0.0/24 10.2.0.0/24",
		"3 b>a accept 10.2.0.0/24 10.1.0.0/24",
	};
	size_t i, k;

	if (load_ok(SITES "<isolation default='deny'>"
		    "<deny from='a1' to='b1' symmetric='false'/>"
		    "<allow from='a' to='b'/></isolation>" END))
		return;
	/* file order is rule order: the deny comes first */
	for (i = 0; i < the.desired.n_hosts; i++) {
		h = &the.desired.hosts[i];
		CU_ASSERT_TRUE(h->has_isolation_default);
		CU_ASSERT_EQUAL(h->isolation_default, STATE_DROP);
		CU_ASSERT_EQUAL_FATAL(h->n_rules, 3);
		CU_ASSERT_EQUAL_FATAL(h->n_subnets, 2);
		CU_ASSERT_STRING_EQUAL(h->subnets[1].name, "b");
		CU_ASSERT_EQUAL(h->subnets[1].index, 2);
		for (k = 0; k < 3; k++) {
			const struct state_rule *r = &h->rules[k];

			snprintf(buf, sizeof(buf), "%u %s %s %s %s", r->index, r->name,
				 state_action_name(r->action), ip4_format_prefix(&r->src, s),
				 ip4_format_prefix(&r->dst, d));
			CU_ASSERT_STRING_EQUAL(buf, want[k]);
		}
	}
}

static void merge_vm_rule_pairs_every_address(void)
{
	const struct state_host *h;

	if (load_ok(ROUTED "<isolation default='deny'><allow from='r' to='c1'/></isolation>"
		    END))
		return;
	h = &the.desired.hosts[0];
	/* r has two addresses, c1 one: two rules each way */
	CU_ASSERT_EQUAL_FATAL(h->n_rules, 4);
	CU_ASSERT_STRING_EQUAL(h->rules[0].name, "r>c1");
	CU_ASSERT_STRING_EQUAL(h->rules[1].name, "r>c1#2");
	CU_ASSERT_STRING_EQUAL(h->rules[2].name, "c1>r");
	CU_ASSERT_STRING_EQUAL(h->rules[3].name, "c1>r#2");
	CU_ASSERT_EQUAL(h->rules[1].src.addr, 0x0a020002u);
	CU_ASSERT_EQUAL(h->rules[3].dst.addr, 0x0a020002u);
}

static void merge_no_isolation_means_accept(void)
{
	if (load_ok(SITES END))
		return;
	CU_ASSERT_TRUE(the.desired.hosts[0].has_isolation_default);
	CU_ASSERT_EQUAL(the.desired.hosts[0].isolation_default, STATE_ACCEPT);
	CU_ASSERT_EQUAL(the.desired.hosts[0].n_rules, 0);
	CU_ASSERT_EQUAL(the.desired.hosts[1].n_subnets, 2);
}

static void merge_quantities_reach_the_model_in_vmib_units(void)
{
	const struct state_shape *s;
	int f;

	if (load_ok(SITES "<link from='a1' to='b1' symmetric='false' bandwidth='1.5Mbit' "
		    "burst='32KiB' delay='10ms' jitter='250us' loss='0.5%' duplicate='0.1%' "
		    "corrupt='0.01%' reorder='2%' limit='1000pkts'/>" END))
		return;
	CU_ASSERT_FATAL(vif_of("b1", 1) && vif_of("b1", 1)->n_shapes == 1);
	s = &vif_of("b1", 1)->shapes[0];
	for (f = 0; f < SHAPE_N_FIELDS; f++)
		CU_ASSERT_TRUE(shape_has(&s->p, f));
	CU_ASSERT_EQUAL(s->p.rate_kbps, 1500);
	CU_ASSERT_EQUAL(s->p.burst_bytes, 32768);
	CU_ASSERT_EQUAL(s->p.delay_us, 10000);
	CU_ASSERT_EQUAL(s->p.jitter_us, 250);
	CU_ASSERT_EQUAL(s->p.loss_ppm, 5000);
	CU_ASSERT_EQUAL(s->p.duplicate_ppm, 1000);
	CU_ASSERT_EQUAL(s->p.corrupt_ppm, 100);
	CU_ASSERT_EQUAL(s->p.reorder_ppm, 20000);
	CU_ASSERT_EQUAL(s->p.limit_pkts, 1000);
}

static void merge_unset_is_not_zero(void)
{
	const struct state_shape *s;

	if (load_ok(SITES "<link from='a1' to='b1' symmetric='false' delay='0ms'/>" END))
		return;
	CU_ASSERT_FATAL(vif_of("b1", 1) && vif_of("b1", 1)->n_shapes == 1);
	s = &vif_of("b1", 1)->shapes[0];
	CU_ASSERT_TRUE(shape_has(&s->p, SHAPE_DELAY));
	CU_ASSERT_EQUAL(s->p.delay_us, 0);
	CU_ASSERT_FALSE(shape_has(&s->p, SHAPE_RATE));
	CU_ASSERT_FALSE(shape_has(&s->p, SHAPE_LOSS));
}

static void merge_vm_fields_in_vmib_terms(void)
{
	const struct state_vm *v;
	const struct state_vif *f;

	if (load_ok("<virtualEnvironment xmlns='urn:vmib:virtual:1'>"
		    "<subnet name='a' prefix='10.1.0.0/24'/>"
		    "<vm name='x' memoryMiB='96' vcpus='2' host='h2' image='other'>"
		    "<interface address='10.1.0.5'/><scheduler weight='512' cap='50'/></vm>"
		    "<vm name='y' host='h2'><interface address='10.1.0.6'/></vm>" END))
		return;
	v = vm_named("x");
	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT_STRING_EQUAL(v->image, "other");
	CU_ASSERT_EQUAL(v->memory_kib, 96 * 1024);
	CU_ASSERT_EQUAL(v->vcpus, 2);
	CU_ASSERT_TRUE(v->has_sched_weight && v->sched_weight == 512);
	CU_ASSERT_TRUE(v->has_sched_cap && v->sched_cap_percent == 50);
	CU_ASSERT_EQUAL(v->index, 0);   /* the agent assigns vmibVmIndex */
	f = vif_of("x", 1);
	CU_ASSERT_EQUAL(f->index, 1);
	CU_ASSERT_EQUAL(f->addr, 0x0a010005u);
	CU_ASSERT_EQUAL(f->prefix_len, 24);
	CU_ASSERT_STRING_EQUAL(f->subnet, "a");
	CU_ASSERT_STRING_EQUAL(f->bridge, "br1");   /* h2's bridge */
	v = vm_named("y");
	CU_ASSERT_STRING_EQUAL(v->image, "vmib-test");
	CU_ASSERT_EQUAL(v->memory_kib, 128 * 1024);
	CU_ASSERT_EQUAL(v->vcpus, 1);
	CU_ASSERT_FALSE(v->has_sched_weight || v->has_sched_cap);
	/* file order within a host */
	CU_ASSERT_STRING_EQUAL(the.desired.hosts[1].vms[0].name, "x");
	CU_ASSERT_STRING_EQUAL(the.desired.hosts[1].vms[1].name, "y");
	CU_ASSERT_EQUAL(the.desired.hosts[0].n_vms, 0);
	CU_ASSERT_PTR_NOT_NULL(state_find_host(&the.desired, "h2"));
	CU_ASSERT_PTR_NULL(state_find_host(&the.desired, "h3"));
}

static void merge_shape_params_equal_tells_unset_from_zero(void)
{
	struct shape_params a = { 0 }, b = { 0 };

	CU_ASSERT_TRUE(shape_params_equal(&a, &b));
	shape_set(&a, SHAPE_DELAY, 0);
	CU_ASSERT_FALSE(shape_params_equal(&a, &b));
	shape_set(&b, SHAPE_DELAY, 0);
	CU_ASSERT_TRUE(shape_params_equal(&a, &b));
	shape_set(&a, SHAPE_RATE, 1000);
	shape_set(&b, SHAPE_RATE, 1001);
	CU_ASSERT_FALSE(shape_params_equal(&a, &b));
	shape_set(&b, SHAPE_RATE, 1000);
	CU_ASSERT_TRUE(shape_params_equal(&a, &b));
	CU_ASSERT_EQUAL(shape_get(&b, SHAPE_RATE), 1000);
	CU_ASSERT_EQUAL(b.rate_kbps, 1000);
}

static const struct unit_test tests[] = {
	UNIT_TEST(merge_vm_link_shapes_the_receiver_only),
	UNIT_TEST(merge_symmetric_link_shapes_both_ends),
	UNIT_TEST(merge_subnet_link_shapes_every_member),
	UNIT_TEST(merge_vm_to_own_subnet_skips_the_sender),
	UNIT_TEST(merge_rows_most_specific_source_first),
	UNIT_TEST(merge_named_link_keeps_its_name_both_ways),
	UNIT_TEST(merge_multihomed_receiver_uses_the_shared_subnet),
	UNIT_TEST(merge_receiver_vif_follows_its_routes),
	UNIT_TEST(merge_gateway_gives_a_default_route),
	UNIT_TEST(merge_isolation_rules_expand_in_order),
	UNIT_TEST(merge_vm_rule_pairs_every_address),
	UNIT_TEST(merge_no_isolation_means_accept),
	UNIT_TEST(merge_quantities_reach_the_model_in_vmib_units),
	UNIT_TEST(merge_unset_is_not_zero),
	UNIT_TEST(merge_vm_fields_in_vmib_terms),
	UNIT_TEST(merge_shape_params_equal_tells_unset_from_zero),
	{ NULL, NULL },
};

UNIT_SUITE(manager_merge, NULL, cleanup, tests)
