/*
 * test_agent_mib.c - every MIB handler called without snmpd: GET and
 * GETNEXT order for each table (full walks, empty tables, end of table,
 * indexes between and beyond rows), and the Net-SNMP handler entry point
 * with hand-built requests.
 */
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "loop.h"
#include "mib_tables.h"
#include "mib_time.h"
#include "test_agent_fake_virt.h"
#include "unit.h"
#include "vm_oids.h"
#include "vmib_oids.h"
#include "read_thread.h"

static struct vmibd_config cfg;
static struct images images;
static struct agent_ctx ctx;
static struct mibtab tab[4 + RFC7666_N_TABLES];

enum { T_HOST, T_IMAGE, T_VM, T_VIF };
#define T_RFC(n) (4 + (n))

static void setup_tables(void)
{
	mib_host_setup(&tab[T_HOST], &ctx);
	mib_image_setup(&tab[T_IMAGE], &ctx);
	mib_vm_setup(&tab[T_VM], &ctx);
	mib_vif_setup(&tab[T_VIF], &ctx);
	rfc7666_setup(&tab[T_RFC(0)], &ctx);
}

static int start(bool with_vms)
{
	config_defaults(&cfg);
	free(cfg.libvirt_uri);
	cfg.libvirt_uri = strdup("fake:///");
	log_set_level(LOG_WARNING);
	fake_virt_reset();
	if (with_vms) {
		fake_virt_add(1, "alpha", VIR_DOMAIN_RUNNING, 2, 10);
		fake_virt_add(2, "beta", VIR_DOMAIN_SHUTOFF, 0, 3);
		fake_virt_add(3, "gamma", VIR_DOMAIN_PAUSED, 3, 7);
	}
	if (loop_init() < 0 || worker_start(false) < 0)
		return -1;
	images_init(&images, "/nonexistent");
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.images = &images;
	ctx.tracker = tracker_new(&cfg, &fake_virt_ops);
	if (!ctx.tracker)
		return -1;
	tracker_start(ctx.tracker);
	setup_tables();
	return 0;
}

static void stop(void)
{
	tracker_stop(ctx.tracker);
	worker_stop();
	tracker_free(ctx.tracker);
	images_clear(&images);
	loop_fini();
	config_free(&cfg);
	log_set_level(LOG_INFO);
}

/* Walk a table from its registration root with mibtab_getnext; check
 * that OIDs strictly increase and stay in the subtree, that each one is
 * GET-able with the same type.  Returns the number of instances. */
static int walk(const struct mibtab *t, oid first[], size_t *first_len,
		oid last[], size_t *last_len)
{
	oid cur[MAX_OID_LEN], next[MAX_OID_LEN];
	size_t cur_len = t->root_len, next_len;
	struct mib_value v, g;
	int n = 0;

	memcpy(cur, t->root, t->root_len * sizeof(oid));
	while (mibtab_getnext(t, cur, cur_len, next, &next_len, &v) == 0) {
		CU_ASSERT_TRUE(snmp_oid_compare(next, next_len, cur, cur_len) > 0);
		CU_ASSERT_TRUE(netsnmp_oid_is_subtree(t->root, t->root_len, next, next_len) == 0);
		CU_ASSERT_EQUAL(mibtab_get(t, next, next_len, &g), 0);
		CU_ASSERT_EQUAL(g.type, v.type);
		if (n == 0 && first) {
			memcpy(first, next, next_len * sizeof(oid));
			*first_len = next_len;
		}
		memcpy(cur, next, next_len * sizeof(oid));
		cur_len = next_len;
		if (++n > 10000)
			break;
	}
	if (last) {
		memcpy(last, cur, cur_len * sizeof(oid));
		*last_len = cur_len;
	}
	return n;
}

static size_t mkoid(oid *out, const oid *base, size_t base_len, const oid *tail, size_t n)
{
	memcpy(out, base, base_len * sizeof(oid));
	memcpy(out + base_len, tail, n * sizeof(oid));
	return base_len + n;
}

/* --- tests -------------------------------------------------------------------------- */

static void mib_vm_table_walk_is_dense_and_ordered(void)
{
	static const oid entry[] = {VMIB_OID_vmibVmEntry};
	oid first[MAX_OID_LEN], last[MAX_OID_LEN], want[MAX_OID_LEN];
	size_t fl, ll, wl;
	int cols = VMIB_TABLE_vmibVmTable_MAX_COL - VMIB_TABLE_vmibVmTable_MIN_COL + 1;

	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	CU_ASSERT_EQUAL(walk(&tab[T_VM], first, &fl, last, &ll), cols * 3);
	/* first: name of the lowest index (beta, 3); last: the last column of 10 */
	wl = mkoid(want, entry, OID_LENGTH(entry), (oid[]){VMIB_COL_vmibVmName, 3}, 2);
	CU_ASSERT_EQUAL(snmp_oid_compare(first, fl, want, wl), 0);
	wl = mkoid(want, entry, OID_LENGTH(entry), (oid[]){VMIB_TABLE_vmibVmTable_MAX_COL, 10}, 2);
	CU_ASSERT_EQUAL(snmp_oid_compare(last, ll, want, wl), 0);
	stop();
}

static void mib_vm_table_get_values(void)
{
	static const oid entry[] = {VMIB_OID_vmibVmEntry};
	oid name[MAX_OID_LEN];
	struct mib_value v;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	n = mkoid(name, entry, OID_LENGTH(entry), (oid[]){VMIB_COL_vmibVmName, 7}, 2);
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_VM], name, n, &v), 0);
	CU_ASSERT_EQUAL(v.type, ASN_OCTET_STR);
	CU_ASSERT_EQUAL(v.len, 5);
	CU_ASSERT_EQUAL(memcmp(v.ptr, "gamma", 5), 0);
	name[n - 2] = VMIB_COL_vmibVmOperState;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_VM], name, n, &v), 0);
	CU_ASSERT_EQUAL(v.integer, VMIB_ENUM_vmibVmOperState_paused);
	name[n - 2] = VMIB_COL_vmibVmAdminState;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_VM], name, n, &v), 0);
	CU_ASSERT_EQUAL(v.integer, VMIB_ENUM_vmibVmAdminState_paused);
	name[n - 2] = VMIB_COL_vmibVmUuid;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_VM], name, n, &v), 0);
	CU_ASSERT_EQUAL(v.len, 36);
	CU_ASSERT_EQUAL(memcmp(v.ptr, "00000000-0000-0000-0000-000000000003", 36), 0);
	/* counters are read on demand: GET of the CPU time refreshes them */
	name[n - 2] = VMIB_COL_vmibVmCpuTimeMs;
	name[n - 1] = 10;
	tracker_need_stats(ctx.tracker);
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_VM], name, n, &v), 0);
	CU_ASSERT_EQUAL(v.type, ASN_COUNTER64);
	CU_ASSERT_EQUAL(v.c64.low, 5000);
	/* missing row, missing column, wrong length */
	name[n - 1] = 8;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_VM], name, n, &v), SNMP_NOSUCHINSTANCE);
	name[n - 2] = 99;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_VM], name, n, &v), SNMP_NOSUCHOBJECT);
	name[n - 2] = VMIB_COL_vmibVmName;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_VM], name, n + 0 - 1, &v), SNMP_NOSUCHINSTANCE);
	stop();
}

static void mib_vm_getnext_between_and_beyond_rows(void)
{
	static const oid entry[] = {VMIB_OID_vmibVmEntry};
	oid q[MAX_OID_LEN], out[MAX_OID_LEN];
	size_t qn, on;
	struct mib_value v;

	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	/* between rows 3 and 7 */
	qn = mkoid(q, entry, OID_LENGTH(entry), (oid[]){VMIB_COL_vmibVmName, 5}, 2);
	CU_ASSERT_EQUAL(mibtab_getnext(&tab[T_VM], q, qn, out, &on, &v), 0);
	CU_ASSERT_EQUAL(out[on - 1], 7);
	/* a longer OID under an existing row: the next row */
	qn = mkoid(q, entry, OID_LENGTH(entry), (oid[]){VMIB_COL_vmibVmName, 7, 1, 2}, 4);
	CU_ASSERT_EQUAL(mibtab_getnext(&tab[T_VM], q, qn, out, &on, &v), 0);
	CU_ASSERT_EQUAL(out[on - 1], 10);
	/* past the last row, beyond Integer32: first row of the next column */
	qn = mkoid(q, entry, OID_LENGTH(entry), (oid[]){VMIB_COL_vmibVmName, 4294967295UL}, 2);
	CU_ASSERT_EQUAL(mibtab_getnext(&tab[T_VM], q, qn, out, &on, &v), 0);
	CU_ASSERT_EQUAL(out[on - 2], VMIB_COL_vmibVmUuid);
	CU_ASSERT_EQUAL(out[on - 1], 3);
	/* after the last instance: end of table */
	qn = mkoid(q, entry, OID_LENGTH(entry), (oid[]){VMIB_TABLE_vmibVmTable_MAX_COL, 10}, 2);
	CU_ASSERT_EQUAL(mibtab_getnext(&tab[T_VM], q, qn, out, &on, &v), -1);
	/* column 0 and column 1 (not-accessible index) start at the first */
	qn = mkoid(q, entry, OID_LENGTH(entry), (oid[]){1, 99}, 2);
	CU_ASSERT_EQUAL(mibtab_getnext(&tab[T_VM], q, qn, out, &on, &v), 0);
	CU_ASSERT_EQUAL(out[on - 2], VMIB_COL_vmibVmName);
	CU_ASSERT_EQUAL(out[on - 1], 3);
	stop();
}

static void mib_tables_empty_have_no_instance(void)
{
	int i;

	CU_ASSERT_EQUAL_FATAL(start(false), 0);
	CU_ASSERT_EQUAL(walk(&tab[T_VM], NULL, NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(walk(&tab[T_VIF], NULL, NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(walk(&tab[T_IMAGE], NULL, NULL, NULL, NULL), 0);
	for (i = RFC7666_VM_TABLE; i <= RFC7666_NETWORK_TABLE; i++)
		CU_ASSERT_EQUAL(walk(&tab[T_RFC(i)], NULL, NULL, NULL, NULL), 0);
	/* scalars are there even with no VM */
	CU_ASSERT_EQUAL(walk(&tab[T_HOST], NULL, NULL, NULL, NULL), 12);
	CU_ASSERT_EQUAL(walk(&tab[T_RFC(RFC7666_NUMBER)], NULL, NULL, NULL, NULL), 1);
	stop();
}

static void mib_vif_table_walk_two_level_index(void)
{
	static const oid entry[] = {VMIB_OID_vmibVifEntry};
	oid first[MAX_OID_LEN], last[MAX_OID_LEN], q[MAX_OID_LEN], out[MAX_OID_LEN];
	size_t fl, ll, qn, on;
	struct mib_value v;
	int cols = VMIB_TABLE_vmibVifTable_MAX_COL - VMIB_TABLE_vmibVifTable_MIN_COL + 1;

	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	/* beta has no vif: 2 + 3 rows */
	CU_ASSERT_EQUAL(walk(&tab[T_VIF], first, &fl, last, &ll), cols * 5);
	CU_ASSERT_EQUAL(first[fl - 2], 7);
	CU_ASSERT_EQUAL(first[fl - 1], 1);
	CU_ASSERT_EQUAL(last[ll - 2], 10);
	CU_ASSERT_EQUAL(last[ll - 1], 2);
	/* partial index (VM only): its first vif; VM without vifs: skipped */
	qn = mkoid(q, entry, OID_LENGTH(entry), (oid[]){VMIB_COL_vmibVifDevice, 3}, 2);
	CU_ASSERT_EQUAL(mibtab_getnext(&tab[T_VIF], q, qn, out, &on, &v), 0);
	CU_ASSERT_EQUAL(out[on - 2], 7);
	CU_ASSERT_EQUAL(out[on - 1], 1);
	qn = mkoid(q, entry, OID_LENGTH(entry), (oid[]){VMIB_COL_vmibVifDevice, 7, 3}, 3);
	CU_ASSERT_EQUAL(mibtab_getnext(&tab[T_VIF], q, qn, out, &on, &v), 0);
	CU_ASSERT_EQUAL(out[on - 2], 10);
	CU_ASSERT_EQUAL(out[on - 1], 1);
	CU_ASSERT_EQUAL(v.len, 5);
	CU_ASSERT_EQUAL(memcmp(v.ptr, "vnet4", 5), 0);
	/* GET of the MAC, IpAddress and ifIndex types */
	qn = mkoid(q, entry, OID_LENGTH(entry), (oid[]){VMIB_COL_vmibVifMac, 7, 2}, 3);
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_VIF], q, qn, &v), 0);
	CU_ASSERT_EQUAL(v.len, 6);
	CU_ASSERT_EQUAL(((const unsigned char *)v.ptr)[5], 13);
	q[qn - 3] = VMIB_COL_vmibVifAddr;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_VIF], q, qn, &v), 0);
	CU_ASSERT_EQUAL(v.type, ASN_IPADDRESS);
	q[qn - 3] = VMIB_COL_vmibVifIfIndex;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_VIF], q, qn, &v), 0);
	CU_ASSERT_EQUAL(v.type, ASN_INTEGER);
	q[qn - 1] = 9;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_VIF], q, qn, &v), SNMP_NOSUCHINSTANCE);
	stop();
}

static void mib_host_scalars_report_tracker_state(void)
{
	static const oid host[] = {VMIB_OID_vmibHost};
	oid q[MAX_OID_LEN];
	size_t qn;
	struct mib_value v;

	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	qn = mkoid(q, host, OID_LENGTH(host), (oid[]){9, 0}, 2);
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_HOST], q, qn, &v), 0);
	CU_ASSERT_EQUAL(v.type, ASN_GAUGE);
	CU_ASSERT_EQUAL(v.integer, 3);
	q[qn - 2] = 11;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_HOST], q, qn, &v), 0);
	CU_ASSERT_EQUAL(v.integer, VMIB_ENUM_vmibHostLibvirtState_connected);
	q[qn - 2] = 2;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_HOST], q, qn, &v), 0);
	CU_ASSERT_EQUAL(memcmp(v.ptr, "FAKE", 4), 0);
	/* capabilities: BITS, one octet per 8 bits, bit 0 = 0x80 */
	ctx.caps = 1u << VMIB_BIT_vmibHostCapabilities_tbf |
		   1u << VMIB_BIT_vmibHostCapabilities_iptables;
	q[qn - 2] = 8;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_HOST], q, qn, &v), 0);
	CU_ASSERT_EQUAL(v.len, VMIB_BITS_vmibHostCapabilities_OCTETS);
	CU_ASSERT_EQUAL(((const unsigned char *)v.ptr)[0], 0x88);
	/* .1 instead of .0; columns 13/14 belong to another module */
	q[qn - 1] = 1;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_HOST], q, qn, &v), SNMP_NOSUCHINSTANCE);
	q[qn - 2] = 13;
	q[qn - 1] = 0;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_HOST], q, qn, &v), SNMP_NOSUCHOBJECT);
	/* stale after the connection drops */
	fake_virt_close_now();
	loop_iterate(10);
	q[qn - 2] = 11;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_HOST], q, qn, &v), 0);
	CU_ASSERT_EQUAL(v.integer, VMIB_ENUM_vmibHostLibvirtState_stale);
	stop();
}

static void mib_rfc7666_tables_use_the_same_index(void)
{
	static const oid vm_entry[] = {VM_OID_vmEntry};
	static const oid cpu_entry[] = {VM_OID_vmCpuEntry};
	oid q[MAX_OID_LEN], first[MAX_OID_LEN];
	size_t qn, fl;
	struct mib_value v;

	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	CU_ASSERT_EQUAL(walk(&tab[T_RFC(RFC7666_VM_TABLE)], first, &fl, NULL, NULL), 16 * 3);
	CU_ASSERT_EQUAL(first[fl - 1], 3);
	/* 2 vCPUs each */
	CU_ASSERT_EQUAL(walk(&tab[T_RFC(RFC7666_CPU_TABLE)], NULL, NULL, NULL, NULL), 6);
	CU_ASSERT_EQUAL(walk(&tab[T_RFC(RFC7666_NETWORK_TABLE)], NULL, NULL, NULL, NULL), 4 * 5);
	CU_ASSERT_EQUAL(walk(&tab[T_RFC(RFC7666_HYPERVISOR)], NULL, NULL, NULL, NULL), 4);
	qn = mkoid(q, vm_entry, OID_LENGTH(vm_entry), (oid[]){VM_COL_vmOperState, 7}, 2);
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_RFC(RFC7666_VM_TABLE)], q, qn, &v), 0);
	CU_ASSERT_EQUAL(v.integer, VM_ENUM_vmOperState_paused);
	q[qn - 2] = VM_COL_vmOperState;
	q[qn - 1] = 3;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_RFC(RFC7666_VM_TABLE)], q, qn, &v), 0);
	CU_ASSERT_EQUAL(v.integer, VM_ENUM_vmOperState_shutdown);
	q[qn - 2] = VM_COL_vmUUID;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_RFC(RFC7666_VM_TABLE)], q, qn, &v), 0);
	CU_ASSERT_EQUAL(v.len, 16);
	/* per-vCPU time in microseconds after a refresh */
	tracker_need_stats(ctx.tracker);
	qn = mkoid(q, cpu_entry, OID_LENGTH(cpu_entry), (oid[]){VM_COL_vmCpuCoreTime, 10, 2}, 3);
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_RFC(RFC7666_CPU_TABLE)], q, qn, &v), 0);
	CU_ASSERT_EQUAL(v.c64.low, 2000000);
	q[qn - 1] = 3;
	CU_ASSERT_EQUAL(mibtab_get(&tab[T_RFC(RFC7666_CPU_TABLE)], q, qn, &v), SNMP_NOSUCHINSTANCE);
	stop();
}

static void mib_rfc7666_state_mappings(void)
{
	CU_ASSERT_EQUAL(rfc7666_oper_state(VIR_DOMAIN_RUNNING, 0), VM_ENUM_vmOperState_running);
	CU_ASSERT_EQUAL(rfc7666_oper_state(VIR_DOMAIN_BLOCKED, 0), VM_ENUM_vmOperState_running);
	CU_ASSERT_EQUAL(rfc7666_oper_state(VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION),
			VM_ENUM_vmOperState_migrating);
	CU_ASSERT_EQUAL(rfc7666_oper_state(VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER),
			VM_ENUM_vmOperState_paused);
	CU_ASSERT_EQUAL(rfc7666_oper_state(VIR_DOMAIN_SHUTDOWN, 0), VM_ENUM_vmOperState_shuttingdown);
	CU_ASSERT_EQUAL(rfc7666_oper_state(VIR_DOMAIN_SHUTOFF, 0), VM_ENUM_vmOperState_shutdown);
	CU_ASSERT_EQUAL(rfc7666_oper_state(VIR_DOMAIN_CRASHED, 0), VM_ENUM_vmOperState_crashed);
	CU_ASSERT_EQUAL(rfc7666_oper_state(VIR_DOMAIN_PMSUSPENDED, 0), VM_ENUM_vmOperState_suspended);
	CU_ASSERT_EQUAL(rfc7666_oper_state(VIR_DOMAIN_NOSTATE, 0), VM_ENUM_vmOperState_unknown);
	CU_ASSERT_EQUAL(rfc7666_admin_state(VIR_DOMAIN_PAUSED), VM_ENUM_vmAdminState_paused);
	CU_ASSERT_EQUAL(rfc7666_admin_state(VIR_DOMAIN_SHUTOFF), VM_ENUM_vmAdminState_shutdown);
}

/* the Net-SNMP entry point, with requests built by hand */
static netsnmp_variable_list *vb_new(const oid *name, size_t len)
{
	netsnmp_variable_list *vb = calloc(1, sizeof(*vb));

	snmp_set_var_objid(vb, name, len);
	vb->type = ASN_NULL;
	return vb;
}

static void mib_handler_answers_get_and_getnext(void)
{
	static const oid entry[] = {VMIB_OID_vmibVmEntry};
	static const oid table[] = {VMIB_OID_vmibVmTable};
	netsnmp_mib_handler handler;
	netsnmp_agent_request_info reqinfo;
	netsnmp_request_info r1, r2;
	oid q[MAX_OID_LEN];
	size_t qn;

	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	memset(&handler, 0, sizeof(handler));
	memset(&reqinfo, 0, sizeof(reqinfo));
	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	handler.myvoid = &tab[T_VM];
	/* GET: one good instance, one missing */
	qn = mkoid(q, entry, OID_LENGTH(entry), (oid[]){VMIB_COL_vmibVmName, 3}, 2);
	r1.requestvb = vb_new(q, qn);
	q[qn - 1] = 4;
	r2.requestvb = vb_new(q, qn);
	r1.next = &r2;
	reqinfo.mode = MODE_GET;
	CU_ASSERT_EQUAL(mibtab_handler(&handler, NULL, &reqinfo, &r1), SNMP_ERR_NOERROR);
	CU_ASSERT_EQUAL(r1.requestvb->type, ASN_OCTET_STR);
	CU_ASSERT_EQUAL(r1.requestvb->val_len, 4);
	CU_ASSERT_EQUAL(memcmp(r1.requestvb->val.string, "beta", 4), 0);
	CU_ASSERT_EQUAL(r2.requestvb->type, SNMP_NOSUCHINSTANCE);
	snmp_free_var(r1.requestvb);
	snmp_free_var(r2.requestvb);
	/* GETNEXT from the table OID, and from the last instance */
	r1.requestvb = vb_new(table, OID_LENGTH(table));
	qn = mkoid(q, entry, OID_LENGTH(entry), (oid[]){VMIB_TABLE_vmibVmTable_MAX_COL, 10}, 2);
	r2.requestvb = vb_new(q, qn);
	r1.processed = r2.processed = 0;
	reqinfo.mode = MODE_GETNEXT;
	CU_ASSERT_EQUAL(mibtab_handler(&handler, NULL, &reqinfo, &r1), SNMP_ERR_NOERROR);
	CU_ASSERT_EQUAL(r1.requestvb->type, ASN_OCTET_STR);
	CU_ASSERT_EQUAL(r1.requestvb->name_length, OID_LENGTH(entry) + 2);
	CU_ASSERT_EQUAL(r1.requestvb->name[OID_LENGTH(entry)], VMIB_COL_vmibVmName);
	CU_ASSERT_EQUAL(r1.requestvb->name[OID_LENGTH(entry) + 1], 3);
	/* end of table: untouched, so the agent moves on */
	CU_ASSERT_EQUAL(r2.requestvb->type, ASN_NULL);
	CU_ASSERT_EQUAL(snmp_oid_compare(r2.requestvb->name, r2.requestvb->name_length, q, qn), 0);
	snmp_free_var(r1.requestvb);
	snmp_free_var(r2.requestvb);
	stop();
}

/* ts is within 3 ticks of what uptime_now was at when_ms */
static bool near_ticks(uint32_t ts, unsigned long uptime_now, uint64_t when_ms)
{
	long want = (long)uptime_now - (long)((loop_now_ms() - when_ms) / 10);

	return (long)ts >= want - 3 && (long)ts <= want + 3;
}

/* RFC 2579: a TimeStamp is sysUpTime at the occurrence, the same value on
 * every read; sysUpTime moved by the master (AgentX) moves it too */
static void mib_timestamps_read_the_same_every_time(void)
{
	uint64_t start, when;
	uint32_t ts, hv;
	int reads = 0, moved = 0;

	netsnmp_set_agent_uptime(100000); /* 1000 s */
	when = loop_now_ms() - 1234;
	ts = mib_timestamp(when);
	hv = mib_hv_timestamp(when);
	/* read across several 10 ms ticks of both clocks */
	for (start = loop_now_ms(); loop_now_ms() - start < 60; reads++)
		if (mib_timestamp(when) != ts || mib_hv_timestamp(when) != hv)
			moved++;
	CU_ASSERT_TRUE(reads > 100);
	CU_ASSERT_EQUAL(moved, 0);
	/* the uptime at that moment, give or take the ticks of truncation */
	CU_ASSERT_TRUE(near_ticks(ts, netsnmp_get_agent_uptime(), when));
	CU_ASSERT_TRUE(near_ticks(hv, mib_hv_uptime(), when));
	/* a restarted master: sysUpTime is 5 s now, 6 s ago was before it */
	netsnmp_set_agent_uptime(500);
	ts = mib_timestamp(when);
	CU_ASSERT_TRUE(ts > 300 && near_ticks(ts, netsnmp_get_agent_uptime(), when));
	CU_ASSERT_EQUAL(mib_timestamp(loop_now_ms() - 6000), 0);
	CU_ASSERT_EQUAL(mib_timestamp(0), 0);
}

static const struct unit_test tests[] = {
	UNIT_TEST(mib_timestamps_read_the_same_every_time),
	UNIT_TEST(mib_vm_table_walk_is_dense_and_ordered),
	UNIT_TEST(mib_vm_table_get_values),
	UNIT_TEST(mib_vm_getnext_between_and_beyond_rows),
	UNIT_TEST(mib_tables_empty_have_no_instance),
	UNIT_TEST(mib_vif_table_walk_two_level_index),
	UNIT_TEST(mib_host_scalars_report_tracker_state),
	UNIT_TEST(mib_rfc7666_tables_use_the_same_index),
	UNIT_TEST(mib_rfc7666_state_mappings),
	UNIT_TEST(mib_handler_answers_get_and_getnext),
	{NULL, NULL},
};

UNIT_SUITE(agent_mib, NULL, NULL, tests)
