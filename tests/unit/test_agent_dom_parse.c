/*
 * test_agent_domxml.c - domain XML to struct vm; the metadata element.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dom_parse.h"
#include "unit.h"

static const char dom_full[] =
	"<domain type='kvm' id='3'>"
	"<name>web1</name>"
	"<uuid>11111111-2222-3333-4444-555555555555</uuid>"
	"<metadata>"
	"<other:x xmlns:other='urn:other' index='99'/>"
	"<vmib:vm xmlns:vmib='urn:vmib:domain:1' index='42' image='vmib-test' admin='paused'>"
	"<vmib:vif mac='52:54:00:aa:00:02' index='5' addr='10.9.0.2' prefix='16' routes='0.0.0.0/0,10.9.0.1'/>"
	"</vmib:vm></metadata>"
	"<memory unit='MiB'>256</memory><currentMemory unit='KiB'>131072</currentMemory>"
	"<vcpu placement='static' current='2'>4</vcpu>"
	"<os><type arch='x86_64'>hvm</type><kernel>/img/vmib-test/vmlinuz</kernel>"
	"<cmdline>console=ttyS0 vmib.ip=eth0:10.1.0.5/24 vmib.ip=eth1:10.7.0.7/24 "
	"vmib.route=10.2.0.0/24,10.1.0.1 vmib.route=10.3.0.0/24,10.1.0.1</cmdline></os>"
	"<devices>"
	"<interface type='bridge'><mac address='52:54:00:aa:00:01'/><source bridge='br0'/>"
	"<target dev='vnet7'/><model type='virtio'/></interface>"
	"<interface type='bridge'><mac address='52:54:00:AA:00:02'/><source bridge='br1'/>"
	"<target dev='vnet8'/><model type='e1000'/></interface>"
	"</devices></domain>";

static void domxml_parse_reads_identity_and_sizes(void)
{
	char err[128] = "";
	struct vm *vm = domxml_parse(dom_full, err, sizeof(err));
	char uuid[VM_UUID_STR_LEN + 1];

	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_STRING_EQUAL(vm->name, "web1");
	vm_uuid_format(vm->uuid, uuid);
	CU_ASSERT_STRING_EQUAL(uuid, "11111111-2222-3333-4444-555555555555");
	CU_ASSERT_EQUAL(vm->max_mem_kib, 262144);
	CU_ASSERT_EQUAL(vm->mem_kib, 131072);
	CU_ASSERT_EQUAL(vm->max_vcpus, 4);
	CU_ASSERT_EQUAL(vm->vcpus, 2);
	CU_ASSERT_STRING_EQUAL(vm->os_type, "hvm");
	CU_ASSERT_STRING_EQUAL(vm->kernel, "/img/vmib-test/vmlinuz");
	vm_free(vm);
}

static void domxml_parse_reads_vmib_metadata_only(void)
{
	char err[128];
	struct vm *vm = domxml_parse(dom_full, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	/* the other namespace's index='99' must not be taken */
	CU_ASSERT_EQUAL(vm->meta_index, 42);
	CU_ASSERT_STRING_EQUAL(vm->image, "vmib-test");
	CU_ASSERT_EQUAL(vm->admin, VM_ADMIN_PAUSED);
	vm_free(vm);
}

static void domxml_parse_numbers_vifs_and_addresses(void)
{
	char err[128];
	struct vm *vm = domxml_parse(dom_full, err, sizeof(err));
	const struct vm_vif *a, *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL_FATAL(vm->n_vifs, 2);
	/* metadata gave the second vif index 5 (MAC matched case-blind);
	 * the first, unrecorded, is numbered after it */
	a = vm_vif_find(vm, 5);
	b = vm_vif_find(vm, 6);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(a->dev, "vnet8");
	CU_ASSERT_STRING_EQUAL(a->bridge, "br1");
	CU_ASSERT_STRING_EQUAL(a->model, "e1000");
	/* metadata address wins over the command line */
	CU_ASSERT_EQUAL(memcmp(a->addr, "\x0a\x09\x00\x02", 4), 0);
	CU_ASSERT_EQUAL(a->prefix_len, 16);
	CU_ASSERT_STRING_EQUAL(a->routes, "0.0.0.0/0,10.9.0.1");
	/* eth1 on the command line is the vif second in index order = b */
	CU_ASSERT_STRING_EQUAL(b->dev, "vnet7");
	CU_ASSERT_EQUAL(memcmp(b->addr, "\x0a\x07\x00\x07", 4), 0);
	vm_free(vm);
}

static void domxml_cmdline_routes_go_to_gateway_subnet(void)
{
	char err[128];
	struct vm *vm = domxml_parse(
		"<domain><name>r</name><uuid>00000000-0000-0000-0000-000000000001</uuid>"
		"<memory>1024</memory><vcpu>1</vcpu>"
		"<os><type>hvm</type><cmdline>vmib.ip=eth0:10.1.0.5/24 vmib.ip=eth1:10.2.0.5/24 "
		"vmib.route=10.9.0.0/16,10.2.0.1 vmib.route=0.0.0.0/0,10.1.0.254 "
		"vmib.ip=eth9:1.2.3.4/8 vmib.route=garbage</cmdline></os>"
		"<devices><interface type='bridge'><mac address='52:54:00:00:00:01'/></interface>"
		"<interface type='bridge'><mac address='52:54:00:00:00:02'/></interface>"
		"</devices></domain>",
		err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL_FATAL(vm->n_vifs, 2);
	CU_ASSERT_EQUAL(vm->vifs[0].index, 1);
	CU_ASSERT_EQUAL(vm->vifs[1].index, 2);
	CU_ASSERT_STRING_EQUAL(vm->vifs[0].routes, "0.0.0.0/0,10.1.0.254");
	CU_ASSERT_STRING_EQUAL(vm->vifs[1].routes, "10.9.0.0/16,10.2.0.1");
	CU_ASSERT_EQUAL(vm->vifs[0].prefix_len, 24);
	CU_ASSERT_EQUAL(vm->meta_index, 0);
	CU_ASSERT_STRING_EQUAL(vm->image, "");
	CU_ASSERT_EQUAL(vm->mem_kib, 1024);
	vm_free(vm);
}

static void domxml_parse_rejects_bad_documents(void)
{
	char err[128];

	err[0] = '\0';
	CU_ASSERT_PTR_NULL(domxml_parse("<domain><name>x</name", err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "XML"));
	CU_ASSERT_PTR_NULL(domxml_parse("<pool/>", err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "not a <domain>");
	CU_ASSERT_PTR_NULL(domxml_parse("<domain><uuid>zz</uuid><name>a</name></domain>",
					err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "bad <uuid>");
	CU_ASSERT_PTR_NULL(domxml_parse("<domain><memory unit='parsec'>1</memory>"
					"<name>a</name></domain>", err, sizeof(err)));
	CU_ASSERT_PTR_NULL(domxml_parse("<domain/>", err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "domain without <name>");
}

static void domxml_meta_set_index_keeps_everything_else(void)
{
	char err[128];
	char *out = domxml_meta_set_index(
		"<vm index=\"3\" image=\"vmib-test\"><vif mac=\"52:54:00:00:00:01\" index=\"1\"/></vm>",
		17, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "index=\"17\""));
	CU_ASSERT_PTR_NULL(strstr(out, "index=\"3\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "image=\"vmib-test\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<vif mac=\"52:54:00:00:00:01\" index=\"1\"/>"));
	free(out);
}

static void domxml_meta_set_index_creates_element(void)
{
	char err[128];
	char *out = domxml_meta_set_index(NULL, 5, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL(out, "<vm index=\"5\"/>");
	free(out);
	CU_ASSERT_PTR_NULL(domxml_meta_set_index("<other/>", 5, err, sizeof(err)));
}

static struct vm *parse_meta(const char *attrs)
{
	char xml[512], err[128];

	snprintf(xml, sizeof(xml),
		 "<domain type='kvm'><name>m</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
		 "<metadata><vmib:vm xmlns:vmib='urn:vmib:domain:1' index='7' %s/></metadata>"
		 "<memory unit='MiB'>128</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>",
		 attrs);
	return domxml_parse(xml, err, sizeof(err));
}

/* vmibVmMigrateLive is kept in the metadata (migrate-live); without the
 * attribute (or with a value that is not ours) the value in memory, true
 * by default, is carried over a re-read */
static void domxml_parse_reads_the_live_flag(void)
{
	struct vm *off = parse_meta("migrate-live='false'"), *none = parse_meta(""),
		  *bad = parse_meta("migrate-live='maybe'"), *on = parse_meta("migrate-live='true'");

	CU_ASSERT_PTR_NOT_NULL_FATAL(off);
	CU_ASSERT_PTR_NOT_NULL_FATAL(none);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
	CU_ASSERT_PTR_NOT_NULL_FATAL(on);
	CU_ASSERT_FALSE(off->migrate_live);
	CU_ASSERT_TRUE(off->migrate_live_meta);
	CU_ASSERT_TRUE(none->migrate_live);
	CU_ASSERT_FALSE(none->migrate_live_meta);
	CU_ASSERT_TRUE(bad->migrate_live);
	CU_ASSERT_FALSE(bad->migrate_live_meta);
	/* re-read: the metadata wins, else memory is kept */
	vm_carry_over(none, off);
	CU_ASSERT_FALSE(none->migrate_live);
	vm_carry_over(on, off);
	CU_ASSERT_TRUE(on->migrate_live);
	vm_free(off);
	vm_free(none);
	vm_free(bad);
	vm_free(on);
}

static const struct unit_test tests[] = {
	UNIT_TEST(domxml_parse_reads_the_live_flag),
	UNIT_TEST(domxml_parse_reads_identity_and_sizes),
	UNIT_TEST(domxml_parse_reads_vmib_metadata_only),
	UNIT_TEST(domxml_parse_numbers_vifs_and_addresses),
	UNIT_TEST(domxml_cmdline_routes_go_to_gateway_subnet),
	UNIT_TEST(domxml_parse_rejects_bad_documents),
	UNIT_TEST(domxml_meta_set_index_keeps_everything_else),
	UNIT_TEST(domxml_meta_set_index_creates_element),
	{NULL, NULL},
};

UNIT_SUITE(agent_domxml, NULL, NULL, tests)
