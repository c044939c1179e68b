/*
 * fuzz_set_value.c - libFuzzer target: vmibd's RESERVE1 check of one SET
 * value of vmibVmTable or vmibVifTable (vmset_check_value), and the
 * checks it is built from (vmcheck.h, name.h), fed any bytes.
 *
 * Input: byte 0 picks the table (bit 7: vif) and the column (the rest,
 * modulo the table's columns), byte 1 the ASN.1 type, the rest is the
 * value (an OCTET STRING's octets, or an integer's first 8 bytes).  The
 * same value also goes through the mibset.h checks the shape and
 * isolation tables are made of (string, Unsigned32 range, IpAddress,
 * enumeration, RowStatus).
 * Besides crashes, a broken promise aborts: an accepted vmibVmName,
 * vmibVmImage or vmibVifBridge is a safe name (VMIB-MIB VmibSafeName), and
 * every string kept or reason given is printable ASCII, NUL-terminated.
 */
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "mibset.h"
#include "name.h"
#include "vmset_syntax.h"
#include "vmib_oids.h"
#include "vmset_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const u_char types[] = {
	ASN_OCTET_STR, ASN_INTEGER, ASN_UNSIGNED, ASN_IPADDRESS, ASN_GAUGE, ASN_COUNTER,
	ASN_TIMETICKS, ASN_OBJECT_ID, ASN_NULL, ASN_OPAQUE, ASN_COUNTER64,
};

static void fuzz_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			abort();
}

/* the checks of the shape and isolation tables' columns (mibset.h) */
static void fuzz_mibset(const netsnmp_variable_list *vb)
{
	char name[65];
	struct in_addr a;
	uint32_t u;
	long e;
	int rs;

	if (mibset_string(vb, 64, name) == SNMP_ERR_NOERROR) {
		if (!memchr(name, '\0', sizeof(name)))
			abort();
		fuzz_printable(name);
	}
	if (mibset_u32(vb, 1, 32, &u) == SNMP_ERR_NOERROR && (u < 1 || u > 32))
		abort();
	if (mibset_enum(vb, 1, 2, &e) == SNMP_ERR_NOERROR && (e < 1 || e > 2))
		abort();
	if (mibset_rowstatus(vb, &rs) == SNMP_ERR_NOERROR && rs != MIBSET_RS_ACTIVE &&
	    rs != MIBSET_RS_CREATE_AND_GO && rs != MIBSET_RS_DESTROY)
		abort();
	(void)mibset_ipaddr(vb, &a);
}

static void fuzz_value(bool vif, unsigned int col, u_char type, const uint8_t *v, size_t n)
{
	netsnmp_variable_list vb;
	uint8_t copy[300];
	long num = 0;
	char str[256];
	int rc;

	memset(&vb, 0, sizeof(vb));
	vb.type = type;
	if (n > sizeof(copy))
		n = sizeof(copy);
	memcpy(copy, v, n);
	if (type == ASN_OCTET_STR || type == ASN_IPADDRESS || type == ASN_OPAQUE) {
		vb.val.string = copy;
		vb.val_len = n;
	} else {
		memcpy(&num, v, n < sizeof(num) ? n : sizeof(num));
		vb.val.integer = &num;
		vb.val_len = n < sizeof(num) ? n : sizeof(num);
	}
	fuzz_mibset(&vb);
	rc = vmset_check_value(vif, col, &vb, str, sizeof(str));
	if (memchr(str, '\0', sizeof(str)) == NULL)
		abort();
	fuzz_printable(str);
	if (rc == 0 && !vif && (col == VMIB_COL_vmibVmName || col == VMIB_COL_vmibVmImage) &&
	    !name_safe_str(str))
		abort();
	if (rc == 0 && vif && col == VMIB_COL_vmibVifBridge && *str &&
	    (!name_safe_str(str) || strlen(str) > 15))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmcheck_route rt[VMCHECK_MAX_ROUTES];
	char text[300], why[200], host[64];
	size_t n;

	if (size < 2)
		return 0;
	fuzz_value(data[0] & 0x80, (data[0] & 0x7f) % ((data[0] & 0x80) ? VS_VIF_COLS : VS_VM_COLS),
		   types[data[1] % sizeof(types)], data + 2, size - 2);
	/* the string checks on their own, as NUL-terminated text */
	n = size - 2 < sizeof(text) - 1 ? size - 2 : sizeof(text) - 1;
	memcpy(text, data + 2, n);
	text[n] = '\0';
	if (vmcheck_routes(text, rt, &n, why, sizeof(why)) == 0 && n > VMCHECK_MAX_ROUTES)
		abort();
	if (vmcheck_target((const unsigned char *)text, strlen(text)) == VMCHECK_TARGET_URI) {
		vmcheck_uri_host(text, host, sizeof(host));
		if (!memchr(host, '\0', sizeof(host)))
			abort();
	}
	if (vmcheck_target((const unsigned char *)text, strlen(text)) == VMCHECK_TARGET_NAME &&
	    !name_safe_str(text))
		abort();
	return 0;
}
