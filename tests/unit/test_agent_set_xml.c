/*
 * test_agent_set_xml.c - the pure parts of the SET side: the syntax
 * checks of SET values (vmcheck.c), the domain XML vmibd writes and edits
 * (domgen.c, read back with domxml.c where it matters), and the scheduler
 * mapping (vmsched.c).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "dom_build.h"
#include "dom_parse.h"
#include "unit.h"
#include "vmset_syntax.h"
#include "vmsched.h"

#define U(s) ((const unsigned char *)(s)), strlen(s)

static void check_names_and_strings(void)
{
	CU_ASSERT_TRUE(vmcheck_vm_name(U("web-1_a.b")));
	CU_ASSERT_FALSE(vmcheck_vm_name(U("")));
	CU_ASSERT_FALSE(vmcheck_vm_name(U("a b")));
	CU_ASSERT_FALSE(vmcheck_vm_name(U("a/b")));
	CU_ASSERT_FALSE(vmcheck_vm_name(U("<x>")));
	/* never a path component or an option (VmibSafeName) */
	CU_ASSERT_FALSE(vmcheck_vm_name(U("..")));
	CU_ASSERT_FALSE(vmcheck_vm_name(U(".")));
	CU_ASSERT_FALSE(vmcheck_vm_name(U("-x")));
	CU_ASSERT_FALSE(vmcheck_vm_name(U(".hidden")));
	CU_ASSERT_FALSE(vmcheck_vm_name(U("a..b")));
	CU_ASSERT_TRUE(vmcheck_display(U("any text, 1.2")));
	CU_ASSERT_FALSE(vmcheck_display(U("tab\there")));
	CU_ASSERT_TRUE(vmcheck_ifname(U("br0")));
	CU_ASSERT_FALSE(vmcheck_ifname(U("a-name-too-long-x")));
	CU_ASSERT_FALSE(vmcheck_ifname(U("br:0")));
	CU_ASSERT_FALSE(vmcheck_ifname(U("")));
	CU_ASSERT_FALSE(vmcheck_ifname(U("..")));
	CU_ASSERT_FALSE(vmcheck_ifname(U("-br")));
	CU_ASSERT_FALSE(vmcheck_ifname(U("br..0")));
	CU_ASSERT_EQUAL(vmcheck_target(U("h2")), VMCHECK_TARGET_NAME);
	CU_ASSERT_EQUAL(vmcheck_target(U("..")), -1);
	CU_ASSERT_EQUAL(vmcheck_target(U("-h2")), -1);
}

static void check_addresses_and_macs(void)
{
	uint8_t a[4];
	static const uint8_t unicast[6] = {0x52, 0x54, 0, 1, 2, 3};
	static const uint8_t mcast[6] = {0x33, 0x33, 0, 0, 0, 1};
	static const uint8_t zero[6];

	CU_ASSERT_TRUE(vmcheck_mac_unicast(unicast));
	CU_ASSERT_FALSE(vmcheck_mac_unicast(mcast));
	CU_ASSERT_FALSE(vmcheck_mac_unicast(zero));
	inet_pton(AF_INET, "0.0.0.0", a);
	CU_ASSERT_TRUE(vmcheck_guest_addr(a));
	inet_pton(AF_INET, "10.1.0.5", a);
	CU_ASSERT_TRUE(vmcheck_guest_addr(a));
	CU_ASSERT_TRUE(vmcheck_in_subnet((const uint8_t[]){10, 1, 0, 0}, 24, a));
	CU_ASSERT_FALSE(vmcheck_in_subnet((const uint8_t[]){10, 2, 0, 0}, 24, a));
	CU_ASSERT_TRUE(vmcheck_in_subnet((const uint8_t[]){0, 0, 0, 0}, 0, a));
	inet_pton(AF_INET, "127.0.0.1", a);
	CU_ASSERT_FALSE(vmcheck_guest_addr(a));
	inet_pton(AF_INET, "239.1.1.1", a);
	CU_ASSERT_FALSE(vmcheck_guest_addr(a));
	inet_pton(AF_INET, "255.255.255.255", a);
	CU_ASSERT_FALSE(vmcheck_guest_addr(a));
	inet_pton(AF_INET, "0.1.2.3", a);
	CU_ASSERT_FALSE(vmcheck_guest_addr(a));
}

static void check_routes_strictly(void)
{
	struct vmcheck_route r[VMCHECK_MAX_ROUTES];
	char why[200];
	size_t n;

	CU_ASSERT_EQUAL(vmcheck_routes("", r, &n, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(vmcheck_routes("10.2.0.0/24,10.1.0.1;10.3.0.9/32;0.0.0.0/0,10.1.0.254",
				       r, &n, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_TRUE(r[0].has_gw && r[0].len == 24 && r[0].gw[3] == 1);
	CU_ASSERT_TRUE(!r[1].has_gw && r[1].len == 32);
	CU_ASSERT_EQUAL(r[2].len, 0);
	/* each of these is refused, with a reason */
	static const char *const bad[] = {
		"10.2.0.0",            /* no length */
		"10.2.0.0/33",         /* too long */
		"10.2.0.1/24",         /* host bits */
		"10.2.0.0/24,",        /* empty gateway */
		"10.2.0.0/24,1.2.3",   /* not a quad */
		"10.2.0.0/024",        /* three digits */
		"10.2.0.0/2x",         /* garbage */
		"010.2.0.0/16",        /* octal-looking */
		"10.2.0.0/24;",        /* empty item */
		"10.2.0.0/24,224.0.0.1", /* multicast gateway */
		"10.2.0.0/24 ,10.1.0.1",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (vmcheck_routes(bad[i], r, &n, why, sizeof(why)) != -1)
			fprintf(stderr, "\n    accepted: %s\n", bad[i]);
		CU_ASSERT_EQUAL(vmcheck_routes(bad[i], r, &n, why, sizeof(why)), -1);
		CU_ASSERT_TRUE(why[0] != '\0');
	}
}

static void check_migration_targets(void)
{
	char host[64];

	CU_ASSERT_EQUAL(vmcheck_target(U("h2")), VMCHECK_TARGET_NAME);
	CU_ASSERT_EQUAL(vmcheck_target(U("host-2.example.org")), VMCHECK_TARGET_NAME);
	CU_ASSERT_EQUAL(vmcheck_target(U("qemu+tcp://10.250.0.2/system")), VMCHECK_TARGET_URI);
	CU_ASSERT_EQUAL(vmcheck_target(U("xen+ssh://root@h2/")), VMCHECK_TARGET_URI);
	CU_ASSERT_EQUAL(vmcheck_target(U("h 2")), -1);
	CU_ASSERT_EQUAL(vmcheck_target(U("qemu+tcp://h2/system x")), -1);
	CU_ASSERT_EQUAL(vmcheck_target(U("qemu+tcp:/h2")), -1);
	CU_ASSERT_EQUAL(vmcheck_target(U("://h2")), -1);
	CU_ASSERT_EQUAL(vmcheck_target(U("qemu+ssh://h2/'$(reboot)'")), -1);
	vmcheck_uri_host("qemu+tcp://10.250.0.2/system", host, sizeof(host));
	CU_ASSERT_STRING_EQUAL(host, "10.250.0.2");
	vmcheck_uri_host("qemu+ssh://root@h2:2222/system?x=1", host, sizeof(host));
	CU_ASSERT_STRING_EQUAL(host, "h2");
	vmcheck_uri_host("qemu+tcp://[fd00::2]:16509/system", host, sizeof(host));
	CU_ASSERT_STRING_EQUAL(host, "fd00::2");
	vmcheck_uri_host("qemu:///system", host, sizeof(host));
	CU_ASSERT_STRING_EQUAL(host, "");
}

static struct domgen_vif vif(uint32_t index, const char *addr, uint8_t len, const char *routes)
{
	struct domgen_vif v;

	memset(&v, 0, sizeof(v));
	v.index = index;
	snprintf(v.bridge, sizeof(v.bridge), "br0");
	v.mac[0] = 0x52;
	v.mac[1] = 0x54;
	v.mac[5] = (uint8_t)index;
	if (addr)
		inet_pton(AF_INET, addr, v.addr);
	v.prefix_len = len;
	snprintf(v.routes, sizeof(v.routes), "%s", routes ? routes : "");
	return v;
}

static void domgen_cmdline_follows_the_guest_convention(void)
{
	struct domgen_vif v[2] = {vif(1, "10.1.0.5", 24, "10.2.0.0/24,10.1.0.1;10.3.0.0/24"),
				  vif(4, NULL, 0, NULL)};
	char out[DOMGEN_CMDLINE_MAX], tiny[40];

	CU_ASSERT_EQUAL(domgen_cmdline("console=ttyS0 quiet", "site1_vm.05", v, 2, out,
				       sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "console=ttyS0 quiet vmib.hostname=site1-vm.05 "
				    "vmib.ip=eth0:10.1.0.5/24 vmib.route=10.2.0.0/24,10.1.0.1 "
				    "vmib.route=10.3.0.0/24,dev:eth0");
	CU_ASSERT_EQUAL(domgen_cmdline("", "-x", v + 1, 1, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "vmib.hostname=x");
	CU_ASSERT_EQUAL(domgen_cmdline("console=ttyS0", "vm", v, 2, tiny, sizeof(tiny)), -1);
}

static struct image test_image(void)
{
	struct image img;

	memset(&img, 0, sizeof(img));
	snprintf(img.name, sizeof(img.name), "vmib-test");
	snprintf(img.arch, sizeof(img.arch), "x86_64");
	snprintf(img.dir, sizeof(img.dir), "/img/a&b");
	snprintf(img.kernel_file, sizeof(img.kernel_file), "vmlinuz");
	snprintf(img.initrd_file, sizeof(img.initrd_file), "initrd.img");
	snprintf(img.cmdline, sizeof(img.cmdline), "console=ttyS0");
	return img;
}

static void domgen_domain_reads_back_as_defined(void)
{
	struct image img = test_image();
	struct domgen_vif v[2] = {vif(1, "10.1.0.5", 24, "10.2.0.0/24,10.1.0.1"),
				  vif(2, "10.9.0.5", 16, NULL)};
	struct domgen_spec s;
	struct vm *vm;
	char err[200], *xml;

	memset(&s, 0, sizeof(s));
	s.name = "web1";
	s.uuid[0] = 0xab;
	s.domain_type = "qemu";
	s.image = &img;
	s.mem_kib = 65536;
	s.vcpus = 2;
	s.index = 42;
	s.admin = VM_ADMIN_PAUSED;
	s.has_shares = true;
	s.shares = 300;
	s.has_quota = true;
	s.quota_us = 25000;
	s.period_us = 100000;
	s.vifs = v;
	s.n_vifs = 2;
	xml = domgen_domain(&s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<kernel>/img/a&amp;b/vmlinuz</kernel>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<shares>300</shares>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<quota>25000</quota>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<controller type=\"usb\" model=\"none\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<memballoon model=\"none\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<target type=\"virtio\" name=\"org.qemu.guest_agent.0\"/>"));
	vm = domxml_parse(xml, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_STRING_EQUAL(vm->name, "web1");
	CU_ASSERT_EQUAL(vm->uuid[0], 0xab);
	CU_ASSERT_EQUAL(vm->meta_index, 42);
	CU_ASSERT_STRING_EQUAL(vm->image, "vmib-test");
	CU_ASSERT_EQUAL(vm->admin, VM_ADMIN_PAUSED);
	CU_ASSERT_EQUAL(vm->max_mem_kib, 65536);
	CU_ASSERT_EQUAL(vm->vcpus, 2);
	CU_ASSERT_EQUAL_FATAL(vm->n_vifs, 2);
	CU_ASSERT_EQUAL(vm->vifs[1].index, 2);
	CU_ASSERT_EQUAL(vm->vifs[1].prefix_len, 16);
	CU_ASSERT_STRING_EQUAL(vm->vifs[0].routes, "10.2.0.0/24,10.1.0.1");
	vm_free(vm);
	free(xml);
	/* libvirt's test driver: no platform, no console */
	s.domain_type = "test";
	xml = domgen_domain(&s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	CU_ASSERT_PTR_NULL(strstr(xml, "<serial"));
	CU_ASSERT_PTR_NULL(strstr(xml, "<cputune"));
	free(xml);
}

static void domgen_meta_edit_keeps_the_rest_without_namespace(void)
{
	struct domgen_vif v = vif(3, "10.1.0.9", 24, NULL);
	struct domgen_meta_edit e;
	char err[200], *out, *again;

	memset(&e, 0, sizeof(e));
	e.admin = VM_ADMIN_SHUTOFF;
	e.add_vif = &v;
	out = domgen_meta_edit("<vm xmlns=\"urn:vmib:domain:1\" index=\"7\" image=\"i\">"
			       "<vif index=\"1\" mac=\"52:54:00:00:00:01\"/><extra keep=\"1\"/></vm>",
			       7, &e, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NULL(strstr(out, "xmlns"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "admin=\"shutoff\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "image=\"i\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<extra keep=\"1\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "index=\"3\" mac=\"52:54:00:00:00:03\" addr=\"10.1.0.9\" "
					   "prefix=\"24\""));
	memset(&e, 0, sizeof(e));
	e.remove_vif = 1;
	again = domgen_meta_edit(out, 7, &e, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT_PTR_NULL(strstr(again, "index=\"1\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(again, "index=\"3\""));
	free(out);
	free(again);
	/* none yet: one is made */
	out = domgen_meta_edit(NULL, 9, &e, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(out, "<vm index=\"9\"/>");
	free(out);
	CU_ASSERT_PTR_NULL(domgen_meta_edit("<other/>", 9, &e, err, sizeof(err)));
}

static void domgen_edit_changes_a_definition(void)
{
	static const char *xml =
		"<domain type='qemu'><name>a</name><memory unit='KiB'>131072</memory>"
		"<currentMemory unit='KiB'>131072</currentMemory><vcpu current='1'>2</vcpu>"
		"<os><type>hvm</type><cmdline>old</cmdline></os><devices>"
		"<interface type='bridge'><mac address='52:54:00:AA:00:01'/>"
		"<alias name='net0'/><address type='pci' domain='0x0000' bus='0x00' slot='0x03' "
		"function='0x0'/></interface>"
		"<disk><address type='pci' domain='0x0000' bus='0x01' slot='0x1f'/></disk>"
		"</devices></domain>";
	struct domgen_vif v = vif(2, NULL, 0, NULL);
	struct domgen_edit e;
	char err[200], alias[32], *iface, *out;
	static const uint8_t mac1[6] = {0x52, 0x54, 0, 0xaa, 0, 1};

	CU_ASSERT_EQUAL(domgen_max_pci_slot(xml), 3);
	CU_ASSERT_EQUAL(domgen_iface_alias(xml, mac1, alias, sizeof(alias)), 0);
	CU_ASSERT_STRING_EQUAL(alias, "net0");
	CU_ASSERT_EQUAL(domgen_iface_alias(xml, v.mac, alias, sizeof(alias)), -1);
	iface = domgen_iface(&v, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(iface);
	CU_ASSERT_PTR_NOT_NULL(strstr(iface, "slot=\"0x04\""));
	memset(&e, 0, sizeof(e));
	e.has_mem = true;
	e.mem_kib = 262144;
	e.has_vcpus = true;
	e.vcpus = 3;
	e.cmdline = "new & improved";
	e.add_iface = iface;
	e.has_remove_mac = true;
	memcpy(e.remove_mac, mac1, 6);
	out = domgen_edit(xml, &e, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<memory unit=\"KiB\">262144</memory>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<currentMemory unit=\"KiB\">262144</currentMemory>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ">3</vcpu>"));
	CU_ASSERT_PTR_NULL(strstr(out, "current="));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<cmdline>new &amp; improved</cmdline>"));
	CU_ASSERT_PTR_NULL(strstr(out, "AA:00:01"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "52:54:00:00:00:02"));
	CU_ASSERT_EQUAL(domgen_max_pci_slot(out), 4);
	free(out);
	free(iface);
	CU_ASSERT_PTR_NULL(domgen_edit("<nodomain/>", &e, err, sizeof(err)));
}

static void vmsched_maps_weight_and_cap(void)
{
	struct virt_sched p;

	CU_ASSERT_EQUAL(vmsched_kind_of("QEMU"), VMSCHED_CGROUP);
	CU_ASSERT_EQUAL(vmsched_kind_of("Xen"), VMSCHED_CREDIT);
	CU_ASSERT_EQUAL(vmsched_kind_of("TEST"), VMSCHED_NONE);
	CU_ASSERT_EQUAL(vmsched_quota_us(0, 1), -1);
	CU_ASSERT_EQUAL(vmsched_quota_us(50, 1), 50000);
	CU_ASSERT_EQUAL(vmsched_quota_us(150, 2), 75000);
	CU_ASSERT_EQUAL(vmsched_quota_us(1, 4), 1000); /* libvirt's minimum */
	CU_ASSERT_EQUAL(vmsched_quota_us(6400, 1), 6400000);
	CU_ASSERT_EQUAL(vmsched_params(VMSCHED_CGROUP, true, 256, true, 50, 1, &p), 0);
	CU_ASSERT_EQUAL(p.n, 3);
	CU_ASSERT_STRING_EQUAL(p.p[0].field, "cpu_shares");
	CU_ASSERT_EQUAL(p.p[0].type, VIR_TYPED_PARAM_ULLONG);
	CU_ASSERT_EQUAL(p.p[0].u, 256);
	CU_ASSERT_STRING_EQUAL(p.p[2].field, "vcpu_quota");
	CU_ASSERT_EQUAL(p.p[2].type, VIR_TYPED_PARAM_LLONG);
	CU_ASSERT_EQUAL(p.p[2].l, 50000);
	CU_ASSERT_EQUAL(vmsched_params(VMSCHED_CREDIT, true, 512, true, 80, 4, &p), 0);
	CU_ASSERT_EQUAL(p.n, 2);
	CU_ASSERT_STRING_EQUAL(p.p[1].field, "cap");
	CU_ASSERT_EQUAL(p.p[1].u, 80);
	CU_ASSERT_EQUAL(vmsched_params(VMSCHED_NONE, true, 1, false, 0, 1, &p), -1);
	CU_ASSERT_EQUAL(p.n, 0);
}

static const struct unit_test tests[] = {
	UNIT_TEST(check_names_and_strings),
	UNIT_TEST(check_addresses_and_macs),
	UNIT_TEST(check_routes_strictly),
	UNIT_TEST(check_migration_targets),
	UNIT_TEST(domgen_cmdline_follows_the_guest_convention),
	UNIT_TEST(domgen_domain_reads_back_as_defined),
	UNIT_TEST(domgen_meta_edit_keeps_the_rest_without_namespace),
	UNIT_TEST(domgen_edit_changes_a_definition),
	UNIT_TEST(vmsched_maps_weight_and_cap),
	{NULL, NULL},
};

UNIT_SUITE(agent_set_xml, NULL, NULL, tests)
