/*
 * test_manager_xml.c - what the XML loader (xml_doc.c) lets reach the
 * model: attributes are read by namespace (a foreign attribute with a
 * known local name is not the real one), a DTD's attribute defaults and
 * entities never arrive, and lines past 65535 are the file's.  The
 * problems themselves are checked by the corpus (tests/data/invalid/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "unit.h"

#define SCHEMAS "schemas"

static const char real_ok[] =
	"<realEnvironment xmlns='urn:vmib:real:1'>"
	"<host name='h1' address='10.250.0.1' snmp='udp:10.250.0.1:161' "
	"libvirt='qemu+tcp://10.250.0.1/system' cpus='1' memoryMiB='1024' bridge='br0'/>"
	"</realEnvironment>";
static const char virt_ok[] =
	"<virtualEnvironment xmlns='urn:vmib:virtual:1'><subnet name='a' prefix='10.1.0.0/24'/>"
	"<vm name='x'><interface address='10.1.0.11'/></vm></virtualEnvironment>";

static void xml_foreign_attribute_is_not_the_real_one(void)
{
	static const char real[] =
		"<realEnvironment xmlns='urn:vmib:real:1' xmlns:x='urn:example:other'>"
		"<host name='h1' address='10.250.0.1' snmp='udp:10.250.0.1:161' "
		"libvirt='qemu+tcp://10.250.0.1/system' cpus='1' memoryMiB='1024' bridge='br0' "
		"x:maxVcpusPerCpu='0' x:reservedMemoryMiB='1024' x:name='evil'/>"
		"</realEnvironment>";
	struct load l;

	CU_ASSERT_EQUAL_FATAL(load_buffers("real.xml", real, "virtual.xml", virt_ok, SCHEMAS, &l),
			      0);
	CU_ASSERT_EQUAL(l.diag.n, 0);
	CU_ASSERT_EQUAL_FATAL(l.real->n_hosts, 1);
	CU_ASSERT_STRING_EQUAL(l.real->hosts[0].name, "h1");
	CU_ASSERT_EQUAL(l.real->hosts[0].max_vcpus_per_cpu, 16);   /* the default */
	CU_ASSERT_EQUAL(l.real->hosts[0].reserved_mib, 0);
	CU_ASSERT_FALSE(l.real->hosts[0].bad_size);
	load_release(&l);
}

static void xml_dtd_defaults_never_reach_the_model(void)
{
	static const char virt[] =
		"<!DOCTYPE virtualEnvironment [\n"
		"<!ATTLIST vm image CDATA '../../etc/passwd' memoryMiB CDATA '0' vcpus CDATA '9'>\n"
		"<!ATTLIST scheduler cap CDATA '4294967295'>\n"
		"]>\n"
		"<virtualEnvironment xmlns='urn:vmib:virtual:1'><subnet name='a' prefix='10.1.0.0/24'/>"
		"<vm name='x'><interface address='10.1.0.11'/><scheduler weight='5'/></vm>"
		"</virtualEnvironment>";
	struct load l;

	CU_ASSERT_EQUAL_FATAL(load_buffers("real.xml", real_ok, "virtual.xml", virt, SCHEMAS, &l),
			      0);
	CU_ASSERT_EQUAL_FATAL(l.diag.n, 1);   /* the DOCTYPE, and nothing else */
	CU_ASSERT_EQUAL(l.diag.v[0].line, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(l.diag.v[0].message, "DOCTYPE"));
	CU_ASSERT_EQUAL_FATAL(l.virt->n_vms, 1);
	CU_ASSERT_STRING_EQUAL(l.virt->vms[0].image, "vmib-test");
	CU_ASSERT_EQUAL(l.virt->vms[0].memory_mib, 128);
	CU_ASSERT_EQUAL(l.virt->vms[0].vcpus, 1);
	CU_ASSERT_FALSE(l.virt->vms[0].has_sched_cap);
	CU_ASSERT_TRUE(l.virt->vms[0].has_sched_weight);
	load_release(&l);
}

static void xml_entities_are_not_expanded(void)
{
	static const char virt[] =
		"<!DOCTYPE virtualEnvironment [<!ENTITY e 'b'>]>\n"
		"<virtualEnvironment xmlns='urn:vmib:virtual:1'><subnet name='a' prefix='10.1.0.0/24'/>"
		"<vm name='x'><interface address='10.1.0.11'/></vm>\n"
		"<vm name='&e;'><interface address='10.1.0.12'/></vm>\n"
		"</virtualEnvironment>";
	struct load l;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(load_buffers("real.xml", real_ok, "virtual.xml", virt, SCHEMAS, &l),
			      0);
	CU_ASSERT_TRUE(l.diag.n >= 2);
	CU_ASSERT_EQUAL_FATAL(l.virt->n_vms, 2);
	CU_ASSERT_PTR_NULL(l.virt->vms[1].name);   /* removed, never "b" */
	for (i = 0; i < l.diag.n; i++)
		if (strstr(l.diag.v[i].message, "entity reference"))
			CU_ASSERT_EQUAL(l.diag.v[i].line, 3);
	load_release(&l);
}

static void xml_lines_past_65535_are_the_files(void)
{
	const char head[] = "<virtualEnvironment xmlns='urn:vmib:virtual:1'>"
			    "<subnet name='a' prefix='10.1.0.0/24'/>";
	const char tail[] = "<vm name='x'><interface address='10.9.0.11'/></vm>"
			    "</virtualEnvironment>";
	size_t blank = 70000, n = strlen(head) + blank + strlen(tail) + 1;
	char *virt = malloc(n);
	struct load l;

	CU_ASSERT_PTR_NOT_NULL_FATAL(virt);
	snprintf(virt, n, "%s%*s%s", head, (int)blank, "", tail);
	memset(virt + strlen(head), '\n', blank);
	CU_ASSERT_EQUAL_FATAL(load_buffers("real.xml", real_ok, "virtual.xml", virt, SCHEMAS, &l),
			      0);
	CU_ASSERT_EQUAL_FATAL(l.virt->n_vms, 1);
	CU_ASSERT_EQUAL(l.virt->vms[0].line, 70001);
	CU_ASSERT_EQUAL(l.virt->vms[0].ifaces[0].line, 70001);
	CU_ASSERT_EQUAL_FATAL(l.diag.n, 1);   /* the address in no subnet */
	CU_ASSERT_EQUAL(l.diag.v[0].line, 70001);
	load_release(&l);
	free(virt);
}

static const struct unit_test tests[] = {
	UNIT_TEST(xml_foreign_attribute_is_not_the_real_one),
	UNIT_TEST(xml_dtd_defaults_never_reach_the_model),
	UNIT_TEST(xml_entities_are_not_expanded),
	UNIT_TEST(xml_lines_past_65535_are_the_files),
	{NULL, NULL},
};

UNIT_SUITE(manager_xml, NULL, NULL, tests)
