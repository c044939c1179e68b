/*
 * test_agent_loop.c - the event loop (libvirt's event semantics) and the
 * worker thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "unit.h"
#include "read_thread.h"

static int fired, freed, readable;
static int timer_id;

static void on_timer(int timer, void *opaque)
{
	(void)opaque;
	fired++;
	if (fired == 3)
		loop_update_timeout(timer, -1);
}

static void on_free(void *opaque)
{
	(void)opaque;
	freed++;
}

static int setup(void)
{
	return loop_init();
}

static int teardown(void)
{
	loop_fini();
	return 0;
}

static void loop_timer_repeats_until_disabled(void)
{
	uint64_t start = loop_now_ms();
	int i;

	fired = freed = 0;
	timer_id = loop_add_timeout(10, on_timer, NULL, on_free);
	CU_ASSERT_TRUE_FATAL(timer_id > 0);
	for (i = 0; i < 50 && loop_now_ms() - start < 500; i++)
		loop_iterate(50);
	CU_ASSERT_EQUAL(fired, 3);
	CU_ASSERT_TRUE(loop_now_ms() - start >= 25);
	CU_ASSERT_EQUAL(loop_remove_timeout(timer_id), 0);
	/* the free callback runs after the removal, at the end of an iteration */
	CU_ASSERT_EQUAL(freed, 0);
	loop_iterate(0);
	CU_ASSERT_EQUAL(freed, 1);
	CU_ASSERT_EQUAL(loop_remove_timeout(timer_id), -1);
}

static void on_readable(int watch, int fd, int events, void *opaque)
{
	char c;

	(void)watch;
	(void)opaque;
	if (events & LOOP_EV_READABLE && read(fd, &c, 1) == 1)
		readable++;
}

static void loop_handle_dispatches_readable_fd(void)
{
	int p[2], w;

	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	readable = 0;
	w = loop_add_handle(p[0], LOOP_EV_READABLE, on_readable, NULL, NULL);
	loop_iterate(0);
	CU_ASSERT_EQUAL(readable, 0);
	CU_ASSERT_EQUAL(write(p[1], "x", 1), 1);
	loop_iterate(100);
	CU_ASSERT_EQUAL(readable, 1);
	/* events 0: not watched */
	loop_update_handle(w, 0);
	CU_ASSERT_EQUAL(write(p[1], "y", 1), 1);
	loop_iterate(20);
	CU_ASSERT_EQUAL(readable, 1);
	loop_update_handle(w, LOOP_EV_READABLE);
	loop_iterate(20);
	CU_ASSERT_EQUAL(readable, 2);
	loop_remove_handle(w);
	loop_iterate(0);
	close(p[0]);
	close(p[1]);
}

static void *arm_later(void *arg)
{
	int *t = arg;

	usleep(30000);
	loop_update_timeout(*t, 0);
	return NULL;
}

static void loop_update_from_thread_wakes_poll(void)
{
	pthread_t th;
	uint64_t start;
	int t;

	fired = 0;
	t = loop_add_timeout(-1, on_timer, NULL, NULL);
	pthread_create(&th, NULL, arm_later, &t);
	start = loop_now_ms();
	/* without the wake-up this would sleep the full 2 s */
	loop_iterate(2000);
	if (!fired)
		loop_iterate(2000);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(fired, 1);
	CU_ASSERT_TRUE(loop_now_ms() - start < 1000);
	loop_remove_timeout(t);
	loop_iterate(0);
}

/* --- worker ---------------------------------------------------------------- */

struct job {
	struct work w;
	int n;
	int order_run, order_done;
	pthread_t run_thread;
	unsigned int sleep_us;
};

static int run_seq, done_seq;
static pthread_t loop_thread;
static bool done_in_loop_thread = true;

static void job_run(struct work *w)
{
	struct job *j = (struct job *)w;

	j->run_thread = pthread_self();
	if (j->sleep_us)
		usleep(j->sleep_us);
	j->order_run = ++run_seq;
}

static void job_done(struct work *w)
{
	struct job *j = (struct job *)w;

	j->order_done = ++done_seq;
	if (!pthread_equal(pthread_self(), loop_thread))
		done_in_loop_thread = false;
}

static void worker_runs_in_order_and_done_in_loop(void)
{
	struct job jobs[5];
	uint64_t start = loop_now_ms();
	int i;

	memset(jobs, 0, sizeof(jobs));
	run_seq = done_seq = 0;
	loop_thread = pthread_self();
	CU_ASSERT_EQUAL_FATAL(worker_start(true), 0);
	for (i = 0; i < 5; i++) {
		jobs[i].w.run = job_run;
		jobs[i].w.done = job_done;
		worker_submit(&jobs[i].w);
	}
	while (done_seq < 5 && loop_now_ms() - start < 2000)
		loop_iterate(100);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(jobs[i].order_run, i + 1);
		CU_ASSERT_EQUAL(jobs[i].order_done, i + 1);
		CU_ASSERT_FALSE(pthread_equal(jobs[i].run_thread, loop_thread));
	}
	CU_ASSERT_TRUE(done_in_loop_thread);
	CU_ASSERT_EQUAL(worker_pending(), 0);
	worker_stop();
}

static void worker_wait_is_bounded(void)
{
	struct job slow, fast;
	uint64_t start;

	memset(&slow, 0, sizeof(slow));
	memset(&fast, 0, sizeof(fast));
	run_seq = done_seq = 0;
	loop_thread = pthread_self();
	CU_ASSERT_EQUAL_FATAL(worker_start(true), 0);
	slow.w.run = fast.w.run = job_run;
	slow.w.done = fast.w.done = job_done;
	slow.sleep_us = 300000;
	worker_submit(&slow.w);
	start = loop_now_ms();
	CU_ASSERT_EQUAL(worker_wait(&slow.w, 50), -1);
	CU_ASSERT_TRUE(loop_now_ms() - start < 250);
	CU_ASSERT_EQUAL(slow.order_done, 0);
	/* waiting longer collects it and calls done at once */
	CU_ASSERT_EQUAL(worker_wait(&slow.w, 2000), 0);
	CU_ASSERT_EQUAL(slow.order_done, 1);
	fast.sleep_us = 0;
	worker_submit(&fast.w);
	CU_ASSERT_EQUAL(worker_wait(&fast.w, 2000), 0);
	CU_ASSERT_EQUAL(fast.order_done, 2);
	worker_stop();
}

static void worker_stop_runs_queued_jobs(void)
{
	struct job a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	run_seq = done_seq = 0;
	CU_ASSERT_EQUAL_FATAL(worker_start(true), 0);
	a.w.run = b.w.run = job_run;
	a.w.done = b.w.done = job_done;
	a.sleep_us = 50000;
	worker_submit(&a.w);
	worker_submit(&b.w);
	worker_stop();
	CU_ASSERT_EQUAL(a.order_run, 1);
	CU_ASSERT_EQUAL(b.order_run, 2);
	CU_ASSERT_EQUAL(done_seq, 2);
	CU_ASSERT_FALSE(b.w.cancelled);
}

static void worker_inline_mode_runs_at_submit(void)
{
	struct job a;

	memset(&a, 0, sizeof(a));
	run_seq = done_seq = 0;
	worker_start(false);
	a.w.run = job_run;
	a.w.done = job_done;
	worker_submit(&a.w);
	CU_ASSERT_EQUAL(a.order_run, 1);
	CU_ASSERT_EQUAL(a.order_done, 1);
	worker_stop();
}

static const struct unit_test tests[] = {
	UNIT_TEST(loop_timer_repeats_until_disabled),
	UNIT_TEST(loop_handle_dispatches_readable_fd),
	UNIT_TEST(loop_update_from_thread_wakes_poll),
	UNIT_TEST(worker_runs_in_order_and_done_in_loop),
	UNIT_TEST(worker_wait_is_bounded),
	UNIT_TEST(worker_stop_runs_queued_jobs),
	UNIT_TEST(worker_inline_mode_runs_at_submit),
	{NULL, NULL},
};

UNIT_SUITE(agent_loop, setup, teardown, tests)
