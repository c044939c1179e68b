/*
 * test_manager_pdu.c - vmibctl's estimate of a varbind's size in AgentX's
 * encoding (pdu_vb_agentx_bytes, manager/pdu.h), checked against the
 * encoder of Net-SNMP's AgentX code itself: vmibctl cuts its SET PDUs by
 * that estimate so that snmpd never forwards vmibd a PDU that Net-SNMP's
 * AgentX parser drops (over 65536 bytes).
 */
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "pdu.h"
#include "unit.h"

/* exported by libnetsnmpagent (agent/mibgroup/agentx/protocol.c), which
 * installs no header for it */
int agentx_realloc_build_varbind(u_char **buf, size_t *buf_len, size_t *out_len,
				 int allow_realloc, netsnmp_variable_list *vp, int network_order);

static const uint32_t vmib_col[] = {1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 42, 1, 5, 1, 7, 12, 3};

/* the size Net-SNMP's AgentX encoder gives the same varbind */
static size_t netsnmp_agentx_bytes(const struct pdu_vb *vb)
{
	netsnmp_variable_list *list = NULL;
	oid name[MAX_OID_LEN];
	u_char *buf = NULL;
	size_t i, buf_len = 0, out_len = 0;
	long l = (long)vb->i;
	u_long ul = (u_long)vb->u;
	struct counter64 c64 = {(u_long)(vb->u >> 32), (u_long)(vb->u & 0xffffffffu)};
	const void *value = &l;
	size_t value_len = sizeof(l);

	for (i = 0; i < vb->oid_len; i++)
		name[i] = vb->oid[i];
	if (vb->type == MIBCOL_STRING) {
		value = vb->s;
		value_len = vb->s_len;
	} else if (vb->type == MIBCOL_IPADDRESS) {
		value = "\x0a\x01\x00\x05";
		value_len = 4;
	} else if (vb->type == MIBCOL_COUNTER64) {
		value = &c64;
		value_len = sizeof(c64);
	} else if (vb->type != MIBCOL_INTEGER) {
		value = &ul;
		value_len = sizeof(ul);
	}
	snmp_varlist_add_variable(&list, name, vb->oid_len, (u_char)vb->type, value, value_len);
	CU_ASSERT_FATAL(list != NULL);
	CU_ASSERT_FATAL(agentx_realloc_build_varbind(&buf, &buf_len, &out_len, 1, list, 1) == 1);
	snmp_free_varbind(list);
	free(buf);
	return out_len;
}

static void check_vb(enum mibcol_type type, const char *s, size_t oid_len)
{
	struct pdu_vb vb;

	memset(&vb, 0, sizeof(vb));
	memcpy(vb.oid, vmib_col, oid_len * sizeof(vmib_col[0]));
	vb.oid_len = oid_len;
	vb.type = type;
	vb.i = 4;
	vb.u = 123456789;
	if (s)
		pdu_vb_set_str(&vb, s, strlen(s));
	CU_ASSERT_EQUAL(pdu_vb_agentx_bytes(&vb), netsnmp_agentx_bytes(&vb));
	pdu_vb_release(&vb);
}

static void agentx_size_matches_net_snmp_for_every_set_type(void)
{
	static const char *const strings[] = {"", "a", "ab", "abc", "abcd", "abcde",
					      "rate=1000kbit delay=10ms", "vm-with-a-long-name-17"};
	size_t i, len;

	for (len = 14; len <= 16; len++) {
		check_vb(MIBCOL_INTEGER, NULL, len);
		check_vb(MIBCOL_UNSIGNED, NULL, len);
		check_vb(MIBCOL_IPADDRESS, NULL, len);
		check_vb(MIBCOL_COUNTER64, NULL, len);
		for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
			check_vb(MIBCOL_STRING, strings[i], len);
	}
}

static void agentx_size_of_an_oid_outside_internet_is_not_folded(void)
{
	struct pdu_vb vb;

	memset(&vb, 0, sizeof(vb));
	vb.oid[0] = 1;
	vb.oid[1] = 0;
	vb.oid[2] = 8802;
	vb.oid_len = 3;
	vb.type = MIBCOL_INTEGER;
	CU_ASSERT_EQUAL(pdu_vb_agentx_bytes(&vb), netsnmp_agentx_bytes(&vb));
	CU_ASSERT_EQUAL(pdu_vb_agentx_bytes(&vb), 4 + (4 + 3 * 4) + 4);
}

static const struct unit_test tests[] = {
	UNIT_TEST(agentx_size_matches_net_snmp_for_every_set_type),
	UNIT_TEST(agentx_size_of_an_oid_outside_internet_is_not_folded),
	{NULL, NULL},
};
UNIT_SUITE(manager_pdu, NULL, NULL, tests);
