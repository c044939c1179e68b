/*
 * test_agent_tracker.c - the tracker on a fake hypervisor: first load,
 * index assignment and persistence, lifecycle events, reconnection,
 * counters.  The worker runs inline, so every job completes at once.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "loop.h"
#include "test_agent_fake_virt.h"
#include "tracker.h"
#include "unit.h"
#include "read_thread.h"

static struct vmibd_config cfg;
static struct tracker *t;

static struct {
	int n;
	enum tracker_change what;
	int old_state, new_state;
	int32_t index;
} heard;

static void listener(void *opaque, const struct vm *vm, int old_state,
		     enum tracker_change what)
{
	(void)opaque;
	heard.n++;
	heard.what = what;
	heard.old_state = old_state;
	heard.new_state = vm->state;
	heard.index = vm->index;
}

static int32_t index_of(const char *name)
{
	const struct vmcache *c = tracker_cache(t);
	size_t i;

	for (i = 0; i < vmcache_count(c); i++)
		if (strcmp(vmcache_at(c, i)->name, name) == 0)
			return vmcache_at(c, i)->index;
	return 0;
}

static void iterate_until(bool (*cond)(void), int max_ms)
{
	uint64_t start = loop_now_ms();

	while (!cond() && loop_now_ms() - start < (uint64_t)max_ms)
		loop_iterate(5);
}

static void start_tracker(void)
{
	t = tracker_new(&cfg, &fake_virt_ops);
	tracker_set_listener(t, listener, NULL);
	tracker_start(t);
}

static void stop_tracker(void)
{
	tracker_stop(t);
	tracker_free(t);
	t = NULL;
}

static int setup_each(void)
{
	config_defaults(&cfg);
	free(cfg.libvirt_uri);
	cfg.libvirt_uri = strdup("fake:///");
	cfg.reconnect_min_ms = 10;
	cfg.reconnect_max_ms = 20;
	cfg.stats_max_age_ms = 10;
	fake_virt_reset();
	memset(&heard, 0, sizeof(heard));
	log_set_level(LOG_WARNING);
	if (loop_init() < 0)
		return -1;
	return worker_start(false);
}

static void teardown_each(void)
{
	if (t)
		stop_tracker();
	worker_stop();
	loop_fini();
	config_free(&cfg);
	log_set_level(LOG_INFO);
}

#define WITH_SETUP(fn)                                   \
	static void fn##_wrapped(void)                   \
	{                                                \
		CU_ASSERT_EQUAL_FATAL(setup_each(), 0);  \
		fn();                                    \
		teardown_each();                         \
	}

static void three_domains(void)
{
	fake_virt_add(1, "a", VIR_DOMAIN_RUNNING, 2, 5);
	fake_virt_add(2, "c", VIR_DOMAIN_SHUTOFF, 1, 0);
	fake_virt_add(3, "b", VIR_DOMAIN_RUNNING, 0, 0);
}

static void tracker_connect_loads_and_records_indexes(void)
{
	three_domains();
	start_tracker();
	CU_ASSERT_TRUE(tracker_synced(t));
	CU_ASSERT_EQUAL(vmcache_count(tracker_cache(t)), 3);
	CU_ASSERT_EQUAL(index_of("a"), 5);
	CU_ASSERT_EQUAL(index_of("b"), 1); /* lowest free, name order */
	CU_ASSERT_EQUAL(index_of("c"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(fake_virt.log, "set_index b 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(fake_virt.log, "set_index c 2\n"));
	CU_ASSERT_PTR_NULL(strstr(fake_virt.log, "set_index a"));
	CU_ASSERT_TRUE(tracker_host(t)->connected);
	CU_ASSERT_STRING_EQUAL(tracker_host(t)->info.hv_type, "FAKE");
	CU_ASSERT_EQUAL(tracker_connections(t), 1);
}
WITH_SETUP(tracker_connect_loads_and_records_indexes)

static void tracker_event_changes_state_at_once(void)
{
	const struct vm *c;

	three_domains();
	start_tracker();
	heard.n = 0;
	fake_virt_event(fake_virt_find("c"), VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_RUNNING);
	c = vmcache_get(tracker_cache(t), 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->state, VIR_DOMAIN_RUNNING);
	CU_ASSERT_TRUE(c->up_since_ms > 0);
	CU_ASSERT_TRUE(heard.n >= 1);
	CU_ASSERT_EQUAL(heard.what, TRACKER_VM_CHANGED);
	CU_ASSERT_EQUAL(heard.index, 2);
	CU_ASSERT_TRUE(tracker_host(t)->last_change_ms > 0);
}
WITH_SETUP(tracker_event_changes_state_at_once)

static void tracker_new_and_undefined_domains_follow_events(void)
{
	struct fake_dom *d, *b;

	three_domains();
	start_tracker();
	d = fake_virt_add(4, "d", VIR_DOMAIN_SHUTOFF, 1, 0);
	fake_virt_event(d, VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_SHUTOFF);
	CU_ASSERT_EQUAL(heard.what, TRACKER_VM_APPEARED);
	CU_ASSERT_EQUAL(index_of("d"), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(fake_virt.log, "set_index d 3\n"));
	b = fake_virt_find("b");
	b->present = false;
	fake_virt_event(b, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_SHUTOFF);
	CU_ASSERT_EQUAL(heard.what, TRACKER_VM_GONE);
	CU_ASSERT_EQUAL(heard.index, 1);
	CU_ASSERT_EQUAL(vmcache_count(tracker_cache(t)), 3);
	CU_ASSERT_PTR_NULL(vmcache_get(tracker_cache(t), 1));
	CU_ASSERT_TRUE(tracker_host(t)->table_change_ms > 0);
}
WITH_SETUP(tracker_new_and_undefined_domains_follow_events)

static bool reconnected(void)
{
	return tracker_connections(t) >= 2;
}

static bool disconnected(void)
{
	return !tracker_host(t)->connected;
}

static void tracker_reconnect_serves_stale_then_catches_up(void)
{
	three_domains();
	start_tracker();
	fake_virt.fail_open = true;
	fake_virt_close_now();
	iterate_until(disconnected, 500);
	CU_ASSERT_FALSE(tracker_host(t)->connected);
	CU_ASSERT_PTR_NOT_NULL(strstr(tracker_host(t)->last_error, "closed by libvirtd"));
	/* the last known state is still served */
	CU_ASSERT_EQUAL(vmcache_count(tracker_cache(t)), 3);
	/* while down: one VM goes, one comes */
	fake_virt_find("c")->present = false;
	fake_virt_add(9, "e", VIR_DOMAIN_RUNNING, 1, 0);
	iterate_until(reconnected, 100);
	CU_ASSERT_EQUAL(tracker_connections(t), 1); /* still refused */
	CU_ASSERT_TRUE(fake_virt.opens >= 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(tracker_host(t)->last_error, "fake refuses"));
	fake_virt.fail_open = false;
	iterate_until(reconnected, 1000);
	CU_ASSERT_EQUAL_FATAL(tracker_connections(t), 2);
	CU_ASSERT_TRUE(tracker_host(t)->connected);
	CU_ASSERT_EQUAL(vmcache_count(tracker_cache(t)), 3);
	CU_ASSERT_EQUAL(index_of("a"), 5);
	CU_ASSERT_EQUAL(index_of("b"), 1);
	CU_ASSERT_EQUAL(index_of("c"), 0);
	CU_ASSERT_EQUAL(index_of("e"), 2); /* c's index is free again */
}
WITH_SETUP(tracker_reconnect_serves_stale_then_catches_up)

static void tracker_lost_metadata_keeps_served_indexes(void)
{
	/* libvirt's test driver forgets metadata written through a
	 * connection when it reopens its file */
	fake_virt.lose_metadata = true;
	three_domains();
	fake_virt_add(0, "0first", VIR_DOMAIN_RUNNING, 0, 0);
	start_tracker();
	CU_ASSERT_EQUAL(index_of("0first"), 1);
	CU_ASSERT_EQUAL(index_of("b"), 2);
	fake_virt_find("0first")->present = false;
	fake_virt_close_now();
	iterate_until(reconnected, 1000);
	CU_ASSERT_EQUAL_FATAL(tracker_connections(t), 2);
	/* b's metadata is gone and 1 is free, yet b keeps 2 */
	CU_ASSERT_EQUAL(fake_virt_find("b")->meta_index, 2); /* rewritten */
	CU_ASSERT_EQUAL(index_of("b"), 2);
	CU_ASSERT_EQUAL(index_of("c"), 3);
}
WITH_SETUP(tracker_lost_metadata_keeps_served_indexes)

static void tracker_restart_reads_indexes_from_metadata(void)
{
	three_domains();
	start_tracker();
	CU_ASSERT_EQUAL(index_of("b"), 1);
	CU_ASSERT_EQUAL(index_of("c"), 2);
	stop_tracker();
	/* vmibd restarts; meanwhile "bb" is defined, which sorts between b
	 * and c: numbering by name or position would now give bb 2, c 3 */
	fake_virt_add(7, "bb", VIR_DOMAIN_RUNNING, 0, 0);
	start_tracker();
	CU_ASSERT_EQUAL(index_of("a"), 5);
	CU_ASSERT_EQUAL(index_of("b"), 1);
	CU_ASSERT_EQUAL(index_of("c"), 2);
	CU_ASSERT_EQUAL(index_of("bb"), 3);
	stop_tracker();
	/* and a VM undefined meanwhile frees its index for the next one */
	fake_virt_find("b")->present = false;
	fake_virt_add(8, "zz", VIR_DOMAIN_RUNNING, 0, 0);
	start_tracker();
	CU_ASSERT_EQUAL(index_of("c"), 2);
	CU_ASSERT_EQUAL(index_of("zz"), 1);
}
WITH_SETUP(tracker_restart_reads_indexes_from_metadata)

static void tracker_need_stats_refreshes_when_old(void)
{
	const struct vm *a;

	three_domains();
	start_tracker();
	CU_ASSERT_EQUAL(fake_virt.stats_calls, 0); /* lazy: nobody asked */
	tracker_need_stats(t);
	CU_ASSERT_EQUAL(fake_virt.stats_calls, 1);
	a = vmcache_get(tracker_cache(t), 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->cpu_time_ns, 5000000000ULL);
	CU_ASSERT_EQUAL(a->n_vcpu_time, 2);
	CU_ASSERT_EQUAL(a->vifs[1].c.rx_bytes, 1001);
	CU_ASSERT_EQUAL(a->vifs[0].c.tx_pkts, 7);
	CU_ASSERT_EQUAL(tracker_host(t)->info.mem_free_kib, 4096);
	tracker_need_stats(t); /* fresh enough: no call */
	CU_ASSERT_EQUAL(fake_virt.stats_calls, 1);
	usleep(20000);
	tracker_need_stats(t);
	CU_ASSERT_EQUAL(fake_virt.stats_calls, 2);
}
WITH_SETUP(tracker_need_stats_refreshes_when_old)

static void tracker_stats_detect_lost_state_change(void)
{
	struct fake_dom *b;

	three_domains();
	start_tracker();
	b = fake_virt_find("b");
	/* the domain stops and starts without vmibd hearing of it */
	b->tmpl.state = VIR_DOMAIN_PAUSED;
	heard.n = 0;
	tracker_need_stats(t);
	/* fake stats only report running domains: paused b is not among
	 * them, so nothing changes yet */
	CU_ASSERT_EQUAL(vmcache_get(tracker_cache(t), 1)->state, VIR_DOMAIN_RUNNING);
	b->tmpl.state = VIR_DOMAIN_RUNNING;
	vmcache_get(tracker_cache(t), 1)->state = VIR_DOMAIN_SHUTOFF;
	usleep(20000);
	tracker_need_stats(t);
	CU_ASSERT_EQUAL(vmcache_get(tracker_cache(t), 1)->state, VIR_DOMAIN_RUNNING);
	CU_ASSERT_TRUE(heard.n >= 1);
}
WITH_SETUP(tracker_stats_detect_lost_state_change)

static bool synced_now(void)
{
	return tracker_synced(t);
}

static bool answering(void)
{
	return tracker_host(t)->connected;
}

/* a libvirtd that hangs without closing the connection: counters stay
 * pending, the host turns stale and vmibHostLastError says why (not an
 * older, unrelated error); when libvirt answers again all is well */
static void tracker_hung_libvirt_is_stale_with_reason(void)
{
	three_domains();
	worker_stop();
	CU_ASSERT_EQUAL_FATAL(worker_start(true), 0);
	cfg.stats_wait_ms = 0;
	start_tracker();
	iterate_until(synced_now, 1000);
	CU_ASSERT_TRUE_FATAL(tracker_synced(t));
	tracker_set_hung_ms(t, 50);
	atomic_store(&fake_virt.stats_block, true);
	tracker_need_stats(t);
	CU_ASSERT_TRUE(tracker_host(t)->connected);
	CU_ASSERT_STRING_EQUAL(tracker_host(t)->last_error, "");
	usleep(80000);
	CU_ASSERT_FALSE(tracker_host(t)->connected);
	CU_ASSERT_PTR_NOT_NULL(strstr(tracker_host(t)->last_error, "not answering"));
	atomic_store(&fake_virt.stats_block, false);
	iterate_until(answering, 1000);
	CU_ASSERT_TRUE(tracker_host(t)->connected);
	CU_ASSERT_EQUAL(fake_virt.stats_calls, 1);
	/* the threaded worker must run the close job before the tracker goes */
	tracker_stop(t);
	worker_stop();
	tracker_free(t);
	t = NULL;
}
WITH_SETUP(tracker_hung_libvirt_is_stale_with_reason)

static const struct unit_test tests[] = {
	{"tracker_connect_loads_and_records_indexes", tracker_connect_loads_and_records_indexes_wrapped},
	{"tracker_event_changes_state_at_once", tracker_event_changes_state_at_once_wrapped},
	{"tracker_new_and_undefined_domains_follow_events", tracker_new_and_undefined_domains_follow_events_wrapped},
	{"tracker_reconnect_serves_stale_then_catches_up", tracker_reconnect_serves_stale_then_catches_up_wrapped},
	{"tracker_lost_metadata_keeps_served_indexes", tracker_lost_metadata_keeps_served_indexes_wrapped},
	{"tracker_restart_reads_indexes_from_metadata", tracker_restart_reads_indexes_from_metadata_wrapped},
	{"tracker_need_stats_refreshes_when_old", tracker_need_stats_refreshes_when_old_wrapped},
	{"tracker_stats_detect_lost_state_change", tracker_stats_detect_lost_state_change_wrapped},
	{"tracker_hung_libvirt_is_stale_with_reason", tracker_hung_libvirt_is_stale_with_reason_wrapped},
	{NULL, NULL},
};

UNIT_SUITE(agent_tracker, NULL, NULL, tests)
