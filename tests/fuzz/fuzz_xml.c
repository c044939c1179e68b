/*
 * fuzz_xml.c - the shared body of fuzz_xml_real and fuzz_xml_virtual (see
 * fuzz_xml.h).  Besides crashes and leaks (ASan, UBSan), a problem that
 * breaks the promises of diag.h aborts: every message is valid UTF-8 with
 * no control character, and no longer than DIAG_MESSAGE_MAX plus its "...".
 * The schemas are read from schemas/ ($VMIB_SCHEMA_DIR overrides), so the
 * targets run from the top of the tree, as tests/fuzz/run does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "diag.h"
#include "fuzz_xml.h"
#include "load.h"
#include "utf8.h"

static const char base_real[] =
	"<realEnvironment xmlns='urn:vmib:real:1'>"
	"<host name='h1' address='10.250.0.1' snmp='udp:10.250.0.1:161' "
	"libvirt='qemu+tcp://10.250.0.1/system' cpus='2' memoryMiB='4096' bridge='br0'/>"
	"<host name='h2' address='10.250.0.2' snmp='udp:10.250.0.2:161' "
	"libvirt='qemu+tcp://10.250.0.2/system' cpus='2' memoryMiB='4096' bridge='br0'/>"
	"</realEnvironment>";
static const char base_virtual[] =
	"<virtualEnvironment xmlns='urn:vmib:virtual:1'>"
	"<subnet name='a' prefix='10.1.0.0/24'/><subnet name='b' prefix='10.2.0.0/24'/>"
	"<vm name='a1'><interface address='10.1.0.11'/></vm>"
	"<vm name='b1'><interface address='10.2.0.11'/></vm>"
	"<link from='a' to='b' bandwidth='10Mbit'/></virtualEnvironment>";

static void fuzz_check_text(const char *s, size_t max)
{
	size_t n = strlen(s), i = 0, k;

	if (n > max + 3)
		abort();
	while (i < n) {
		k = utf8_char_len(s + i, n - i);
		if (k == 1 && ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f))
			abort();
		i += k;
	}
}

int fuzz_xml_load(const uint8_t *data, size_t size, int real)
{
	const char *dir = getenv("VMIB_SCHEMA_DIR");
	char *buf = malloc(size + 1);
	struct load l;
	size_t i;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (real)
		load_buffers("real.xml", buf, "virtual.xml", base_virtual, dir ? dir : "schemas",
			     &l);
	else
		load_buffers("real.xml", base_real, "virtual.xml", buf, dir ? dir : "schemas", &l);
	for (i = 0; i < l.diag.n; i++) {
		fuzz_check_text(l.diag.v[i].message, DIAG_MESSAGE_MAX);
		fuzz_check_text(l.diag.v[i].element, DIAG_VALUE_MAX);
	}
	load_release(&l);
	free(buf);
	return 0;
}
