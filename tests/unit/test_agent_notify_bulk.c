/*
 * test_agent_notify_bulk.c - RFC 7666 bulk notifications: changes within
 * the window go out as one vmBulk<State> per new state, carrying only
 * vmAffectedVMs.0 (the VirtualMachineList bitmap), after the window and
 * not before; vmBulkNotificationsEnabled reads the configuration.  PDUs
 * are caught with Net-SNMP's SNMPD_CALLBACK_SEND_TRAP2 hook (no snmpd);
 * the window's timer runs in the real loop.
 */
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include <net-snmp/agent/agent_callbacks.h>

#include "loop.h"
#include "mib_tables.h"
#include "notify.h"
#include "test_agent_fake_virt.h"
#include "unit.h"
#include "read_thread.h"
#include "vm_oids.h"

#define MAX_TRAPS 16
static struct {
	oid trap[MAX_OID_LEN];
	size_t trap_len;
	oid third[MAX_OID_LEN];
	size_t third_len;
	unsigned char value[64]; /* the third varbind's octets */
	size_t value_len;
	int nvars;
} traps[MAX_TRAPS];
static int n_traps;

static int catch_trap(int major, int minor, void *serverarg, void *clientarg)
{
	netsnmp_pdu *pdu = serverarg;
	netsnmp_variable_list *v;
	int i = 0;

	(void)major;
	(void)minor;
	(void)clientarg;
	if (n_traps >= MAX_TRAPS)
		return 0;
	for (v = pdu->variables; v; v = v->next_variable, i++) {
		if (i == 1) {
			memcpy(traps[n_traps].trap, v->val.objid, v->val_len);
			traps[n_traps].trap_len = v->val_len / sizeof(oid);
		} else if (i == 2) {
			memcpy(traps[n_traps].third, v->name, v->name_length * sizeof(oid));
			traps[n_traps].third_len = v->name_length;
			if (v->type == ASN_OCTET_STR && v->val_len <= sizeof(traps[0].value)) {
				memcpy(traps[n_traps].value, v->val.string, v->val_len);
				traps[n_traps].value_len = v->val_len;
			}
		}
	}
	traps[n_traps++].nvars = i;
	return 0;
}

static struct vmibd_config cfg;
static struct agent_ctx ctx;

/* shut off VMs with vmIndex 4, 9, 12 and 70000; per-VM RFC 7666
 * notifications off, bulk ones as asked */
static int start(bool bulk)
{
	config_defaults(&cfg);
	cfg.rfc7666_notifications = false;
	cfg.rfc7666_bulk_notifications = bulk;
	log_set_level(LOG_WARNING);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_SEND_TRAP2,
			       catch_trap, NULL);
	fake_virt_reset();
	fake_virt_add(1, "a", VIR_DOMAIN_SHUTOFF, 0, 4);
	fake_virt_add(2, "b", VIR_DOMAIN_SHUTOFF, 0, 9);
	fake_virt_add(3, "c", VIR_DOMAIN_SHUTOFF, 0, 12);
	fake_virt_add(4, "far", VIR_DOMAIN_SHUTOFF, 0, 70000);
	if (loop_init() < 0 || worker_start(false) < 0)
		return -1;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.tracker = tracker_new(&cfg, &fake_virt_ops);
	if (!ctx.tracker)
		return -1;
	notify_init(&ctx);
	notify_enable(true);
	tracker_set_listener(ctx.tracker, notify_listener, NULL);
	n_traps = 0;
	tracker_start(ctx.tracker);
	return 0;
}

static void stop(void)
{
	notify_enable(false);
	tracker_stop(ctx.tracker);
	worker_stop();
	tracker_free(ctx.tracker);
	loop_fini();
	config_free(&cfg);
	snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_SEND_TRAP2,
				 catch_trap, NULL, 1);
	log_set_level(LOG_INFO);
}

/* run the loop for ms */
static void run_loop_ms(uint64_t ms)
{
	uint64_t end = loop_now_ms() + ms;

	while (loop_now_ms() < end)
		loop_iterate((int)(end - loop_now_ms()));
}

static bool is_trap(int i, int nr)
{
	oid want[MAX_OID_LEN] = {VM_OID_vmNotifications};
	size_t n = OID_LENGTH(((oid[]){VM_OID_vmNotifications}));

	want[n] = (oid)nr;
	return snmp_oid_compare(traps[i].trap, traps[i].trap_len, want, n + 1) == 0;
}

static bool is_affected_vms(int i)
{
	static const oid affected[] = {VM_OID_vmObjects, VM_SUB_vmAffectedVMs, 0};

	return traps[i].nvars == 3 &&
	       snmp_oid_compare(traps[i].third, traps[i].third_len, affected,
				OID_LENGTH(affected)) == 0;
}

static void notify_bulk_starts_in_one_window_are_one_notification(void)
{
	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	fake_virt_event(fake_virt_find("a"), VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_RUNNING);
	fake_virt_event(fake_virt_find("b"), VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_RUNNING);
	fake_virt_event(fake_virt_find("c"), VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_RUNNING);
	/* vmibVmStateChange at once, per VM; no per-VM RFC 7666 one (off) */
	CU_ASSERT_EQUAL(n_traps, 3);
	/* not before the window closes */
	run_loop_ms(NOTIFY_BULK_WINDOW_MS / 5);
	CU_ASSERT_EQUAL(n_traps, 3);
	run_loop_ms(NOTIFY_BULK_WINDOW_MS + 300);
	CU_ASSERT_EQUAL_FATAL(n_traps, 4);
	CU_ASSERT_TRUE(is_trap(3, VM_SUB_vmRunning + 10)); /* vmBulkRunning */
	CU_ASSERT_TRUE(is_affected_vms(3));
	/* vmIndex 4: octet 1, 4th bit from the top; 9 and 12: octet 2 */
	CU_ASSERT_EQUAL_FATAL(traps[3].value_len, 2);
	CU_ASSERT_EQUAL(traps[3].value[0], 0x10);
	CU_ASSERT_EQUAL(traps[3].value[1], 0x90);
	/* the window is closed: nothing more */
	run_loop_ms(NOTIFY_BULK_WINDOW_MS + 100);
	CU_ASSERT_EQUAL(n_traps, 4);
	stop();
}

static void notify_bulk_one_notification_per_new_state(void)
{
	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	fake_virt_event(fake_virt_find("a"), VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_RUNNING);
	fake_virt_event(fake_virt_find("c"), VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_RUNNING);
	run_loop_ms(NOTIFY_BULK_WINDOW_MS + 300);
	CU_ASSERT_EQUAL_FATAL(n_traps, 3);
	n_traps = 0;
	fake_virt_event(fake_virt_find("a"), VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_PAUSED);
	fake_virt_event(fake_virt_find("c"), VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_SHUTOFF);
	notify_flush();
	/* 2 vmibVmStateChange, then vmBulkShutdown(13) and vmBulkPaused(14) */
	CU_ASSERT_EQUAL_FATAL(n_traps, 4);
	CU_ASSERT_TRUE(is_trap(2, VM_SUB_vmShutdown + 10));
	CU_ASSERT_TRUE(is_affected_vms(2));
	CU_ASSERT_EQUAL(traps[2].value_len, 2);
	CU_ASSERT_EQUAL(traps[2].value[1], 0x10); /* 12 only */
	CU_ASSERT_TRUE(is_trap(3, VM_SUB_vmPaused + 10));
	CU_ASSERT_EQUAL(traps[3].value_len, 1);
	CU_ASSERT_EQUAL(traps[3].value[0], 0x10); /* 4 only */
	/* flushed: the timer finds nothing */
	run_loop_ms(NOTIFY_BULK_WINDOW_MS + 100);
	CU_ASSERT_EQUAL(n_traps, 4);
	stop();
}

static void notify_bulk_off_sends_none_and_reads_false(void)
{
	static const oid bulk_enabled[] = {VM_OID_vmObjects,
					   VM_SUB_vmBulkNotificationsEnabled, 0};
	struct mibtab tab[RFC7666_N_TABLES];
	struct mib_value v;

	CU_ASSERT_EQUAL_FATAL(start(false), 0);
	rfc7666_setup(tab, &ctx);
	CU_ASSERT_EQUAL(mibtab_get(&tab[RFC7666_BULK_ENABLED], bulk_enabled,
				   OID_LENGTH(bulk_enabled), &v), 0);
	CU_ASSERT_EQUAL(v.integer, VM_ENUM_vmBulkNotificationsEnabled_false);
	fake_virt_event(fake_virt_find("a"), VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_RUNNING);
	run_loop_ms(NOTIFY_BULK_WINDOW_MS + 300);
	CU_ASSERT_EQUAL(n_traps, 1); /* vmibVmStateChange only */
	cfg.rfc7666_bulk_notifications = true;
	CU_ASSERT_EQUAL(mibtab_get(&tab[RFC7666_BULK_ENABLED], bulk_enabled,
				   OID_LENGTH(bulk_enabled), &v), 0);
	CU_ASSERT_EQUAL(v.integer, VM_ENUM_vmBulkNotificationsEnabled_true);
	stop();
}

static void notify_bulk_leaves_out_indexes_past_the_bitmap_cap(void)
{
	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	fake_virt_event(fake_virt_find("far"), VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_RUNNING);
	notify_flush();
	CU_ASSERT_EQUAL(n_traps, 1); /* vmibVmStateChange; no 8750-octet bitmap */
	fake_virt_event(fake_virt_find("b"), VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_RUNNING);
	notify_flush();
	CU_ASSERT_EQUAL_FATAL(n_traps, 3);
	CU_ASSERT_TRUE(is_trap(2, VM_SUB_vmRunning + 10));
	CU_ASSERT_EQUAL(traps[2].value_len, 2);
	CU_ASSERT_EQUAL(traps[2].value[1], 0x80);
	stop();
}

static void notify_bulk_deleted_and_per_vm_together(void)
{
	struct fake_dom *d;

	CU_ASSERT_EQUAL_FATAL(start(true), 0);
	cfg.rfc7666_notifications = true;
	d = fake_virt_find("b");
	d->present = false;
	fake_virt_event(d, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_SHUTOFF);
	/* vmibVmStateChange and vmDeleted at once */
	CU_ASSERT_EQUAL_FATAL(n_traps, 2);
	CU_ASSERT_TRUE(is_trap(1, VM_SUB_vmDeleted));
	notify_flush();
	CU_ASSERT_EQUAL_FATAL(n_traps, 3);
	CU_ASSERT_TRUE(is_trap(2, VM_SUB_vmDeleted + 10)); /* vmBulkDeleted */
	CU_ASSERT_EQUAL(traps[2].value_len, 2);
	CU_ASSERT_EQUAL(traps[2].value[1], 0x80); /* vmIndex 9 */
	stop();
}

static const struct unit_test tests[] = {
	UNIT_TEST(notify_bulk_starts_in_one_window_are_one_notification),
	UNIT_TEST(notify_bulk_one_notification_per_new_state),
	UNIT_TEST(notify_bulk_off_sends_none_and_reads_false),
	UNIT_TEST(notify_bulk_leaves_out_indexes_past_the_bitmap_cap),
	UNIT_TEST(notify_bulk_deleted_and_per_vm_together),
	{NULL, NULL},
};

UNIT_SUITE(agent_notify_bulk, NULL, NULL, tests)
