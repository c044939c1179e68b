/*
 * test_agent_notify.c - the notifications sent on VM life cycle changes:
 * varbind order (sysUpTime.0, snmpTrapOID.0, then row instances), which
 * change sends what, and nothing for the initial load.  The PDUs are
 * caught with Net-SNMP's SNMPD_CALLBACK_SEND_TRAP2 hook, no snmpd needed.
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
#include "vm_oids.h"
#include "vmib_oids.h"
#include "read_thread.h"

#define MAX_TRAPS 16
static struct {
	oid trap[MAX_OID_LEN];
	size_t trap_len;
	oid first[MAX_OID_LEN], third[MAX_OID_LEN];
	size_t first_len, third_len;
	long oper; /* value of the 4th varbind */
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
		if (i == 0) {
			memcpy(traps[n_traps].first, v->name, v->name_length * sizeof(oid));
			traps[n_traps].first_len = v->name_length;
		} else if (i == 1) {
			memcpy(traps[n_traps].trap, v->val.objid, v->val_len);
			traps[n_traps].trap_len = v->val_len / sizeof(oid);
		} else if (i == 2) {
			memcpy(traps[n_traps].third, v->name, v->name_length * sizeof(oid));
			traps[n_traps].third_len = v->name_length;
		} else if (i == 3 && v->type == ASN_INTEGER) {
			traps[n_traps].oper = *v->val.integer;
		}
	}
	traps[n_traps++].nvars = i;
	return 0;
}

static struct vmibd_config cfg;
static struct agent_ctx ctx;

static int setup(void)
{
	config_defaults(&cfg);
	log_set_level(LOG_WARNING);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_SEND_TRAP2,
			       catch_trap, NULL);
	fake_virt_reset();
	fake_virt_add(1, "one", VIR_DOMAIN_SHUTOFF, 1, 4);
	if (loop_init() < 0 || worker_start(false) < 0)
		return -1;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.tracker = tracker_new(&cfg, &fake_virt_ops);
	notify_init(&ctx);
	notify_enable(true);
	tracker_set_listener(ctx.tracker, notify_listener, NULL);
	n_traps = 0;
	tracker_start(ctx.tracker);
	return 0;
}

static int teardown(void)
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
	return 0;
}

static void notify_initial_load_sends_nothing(void)
{
	CU_ASSERT_TRUE(tracker_synced(ctx.tracker));
	CU_ASSERT_EQUAL(n_traps, 0);
	CU_ASSERT_EQUAL(notify_sent(), 0);
}

static void notify_start_sends_vmib_and_rfc7666(void)
{
	static const oid sysuptime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
	static const oid state_change[] = {VMIB_OID_vmibVmStateChange};
	static const oid name_col[] = {VMIB_OID_vmibVmName};
	static const oid vm_running[] = {VM_OID_vmNotifications, VM_SUB_vmRunning};
	oid want[MAX_OID_LEN];

	n_traps = 0;
	fake_virt_event(fake_virt_find("one"), VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_RUNNING);
	CU_ASSERT_EQUAL_FATAL(n_traps, 2);
	CU_ASSERT_EQUAL(snmp_oid_compare(traps[0].first, traps[0].first_len, sysuptime,
					 OID_LENGTH(sysuptime)), 0);
	CU_ASSERT_EQUAL(snmp_oid_compare(traps[0].trap, traps[0].trap_len, state_change,
					 OID_LENGTH(state_change)), 0);
	/* vmibVmName.4: the row's instance, never .0 */
	memcpy(want, name_col, sizeof(name_col));
	want[OID_LENGTH(name_col)] = 4;
	CU_ASSERT_EQUAL(snmp_oid_compare(traps[0].third, traps[0].third_len, want,
					 OID_LENGTH(name_col) + 1), 0);
	CU_ASSERT_EQUAL(traps[0].oper, VMIB_ENUM_vmibVmOperState_running);
	CU_ASSERT_EQUAL(traps[0].nvars, 5);
	/* vmRunning, whose vmOperState carries the state before: shutdown */
	CU_ASSERT_EQUAL(snmp_oid_compare(traps[1].trap, traps[1].trap_len, vm_running,
					 OID_LENGTH(vm_running)), 0);
	CU_ASSERT_EQUAL(traps[1].nvars, 5);
}

static void notify_same_oper_state_sends_nothing(void)
{
	n_traps = 0;
	/* a re-read (metadata change) with no state change */
	fake_virt.cb->event(fake_virt.opaque, fake_virt_find("one")->tmpl.uuid,
			    VIRT_EV_METADATA, 0, 0);
	CU_ASSERT_EQUAL(n_traps, 0);
}

/* the migrations announce through the tracker (they sit below the
 * notifications and do not call them) */
static void notify_migrating_announced_sends_vmib_only(void)
{
	static const oid state_change[] = {VMIB_OID_vmibVmStateChange};
	const struct vm *vm = vmcache_by_uuid(tracker_cache(ctx.tracker),
					      fake_virt_find("one")->tmpl.uuid);

	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	n_traps = 0;
	tracker_announce(ctx.tracker, vm, TRACKER_VM_MIGRATING);
	CU_ASSERT_EQUAL_FATAL(n_traps, 1);
	CU_ASSERT_EQUAL(snmp_oid_compare(traps[0].trap, traps[0].trap_len, state_change,
					 OID_LENGTH(state_change)), 0);
}

static void notify_migrated_announced_sends_migration_done(void)
{
	static const oid done[] = {VMIB_OID_vmibMigrationDone};
	static const oid name_col[] = {VMIB_OID_vmibVmName};
	oid want[MAX_OID_LEN];
	struct vm gone;

	/* a row already gone: the values the migration remembers */
	memset(&gone, 0, sizeof(gone));
	gone.index = 7;
	gone.name = "away";
	gone.migrate_status = VMIB_ENUM_vmibVmMigrateStatus_succeeded;
	n_traps = 0;
	tracker_announce(ctx.tracker, &gone, TRACKER_VM_MIGRATED);
	CU_ASSERT_EQUAL_FATAL(n_traps, 1);
	CU_ASSERT_EQUAL(snmp_oid_compare(traps[0].trap, traps[0].trap_len, done,
					 OID_LENGTH(done)), 0);
	memcpy(want, name_col, sizeof(name_col));
	want[OID_LENGTH(name_col)] = 7;
	CU_ASSERT_EQUAL(snmp_oid_compare(traps[0].third, traps[0].third_len, want,
					 OID_LENGTH(name_col) + 1), 0);
	CU_ASSERT_EQUAL(traps[0].oper, VMIB_ENUM_vmibVmMigrateStatus_succeeded);
	CU_ASSERT_EQUAL(traps[0].nvars, 7);
}

static void notify_undefine_sends_deleted(void)
{
	static const oid vm_deleted[] = {VM_OID_vmNotifications, VM_SUB_vmDeleted};
	struct fake_dom *d = fake_virt_find("one");

	n_traps = 0;
	d->present = false;
	fake_virt_event(d, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_RUNNING);
	CU_ASSERT_EQUAL_FATAL(n_traps, 2);
	CU_ASSERT_EQUAL(snmp_oid_compare(traps[1].trap, traps[1].trap_len, vm_deleted,
					 OID_LENGTH(vm_deleted)), 0);
	CU_ASSERT_EQUAL(traps[1].nvars, 6); /* + vmPersistent */
}

static const struct unit_test tests[] = {
	UNIT_TEST(notify_initial_load_sends_nothing),
	UNIT_TEST(notify_start_sends_vmib_and_rfc7666),
	UNIT_TEST(notify_same_oper_state_sends_nothing),
	UNIT_TEST(notify_migrating_announced_sends_vmib_only),
	UNIT_TEST(notify_migrated_announced_sends_migration_done),
	UNIT_TEST(notify_undefine_sends_deleted),
	{NULL, NULL},
};

UNIT_SUITE(agent_notify, setup, teardown, tests)
