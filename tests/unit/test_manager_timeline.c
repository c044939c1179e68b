/*
 * test_manager_timeline.c - the scheduling of an experiment's timeline
 * (manager/timeline.c) with a fake clock: events start at their offsets,
 * a foreground event holds the next ones (which are then late, beyond
 * the tolerance or not), a background one does not, a stop leaves the
 * rest unplayed, failures are counted.
 */
#include <string.h>

#include "experiment.h"
#include "timeline.h"
#include "unit.h"

struct clock {
	double t;
	const double *takes;     /* how long event i holds the timeline */
	const bool *fails;
	size_t stop_after;       /* stopped once this many were played */
	size_t played;
	char log[256];
};

static double fk_now(void *o)
{
	return ((struct clock *)o)->t;
}

static void fk_sleep(void *o, double t)
{
	struct clock *c = o;

	if (c->played >= c->stop_after)
		return;          /* interrupted: returns early */
	c->t = t;
}

static int fk_play(void *o, size_t i)
{
	struct clock *c = o;
	size_t n = strlen(c->log);

	snprintf(c->log + n, sizeof(c->log) - n, "%zu@%.1f ", i, c->t);
	c->t += c->takes[i];
	c->played++;
	return c->fails && c->fails[i] ? -1 : 0;
}

static bool fk_stopped(void *o)
{
	struct clock *c = o;

	return c->played >= c->stop_after;
}

static const struct timeline_ops fk_ops = { fk_now, fk_sleep, fk_play, fk_stopped };

/* an experiment with events at the given offsets (seconds) */
static void mk(struct experiment *e, struct exp_event *ev, const double *at, size_t n,
	       double tol_s)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	memset(ev, 0, n * sizeof(*ev));
	for (i = 0; i < n; i++)
		ev[i].at_us = (uint32_t)(at[i] * 1e6);
	e->events = ev;
	e->n_events = n;
	e->tolerance_us = (uint32_t)(tol_s * 1e6);
}

static void timeline_events_start_at_their_offsets(void)
{
	static const double at[] = { 0, 2, 2, 5 }, takes[] = { 0, 0.5, 0, 0 };
	struct exp_event ev[4];
	struct experiment e;
	struct timeline_record rec[4];
	struct timeline_summary sum;
	struct clock c = { .takes = takes, .stop_after = 99 };

	mk(&e, ev, at, 4, 1);
	timeline_play(&e, &fk_ops, &c, rec, &sum);
	CU_ASSERT_STRING_EQUAL(c.log, "0@0.0 1@2.0 2@2.5 3@5.0 ");
	CU_ASSERT_EQUAL(sum.played, 4);
	CU_ASSERT_EQUAL(sum.late, 0);
	CU_ASSERT_DOUBLE_EQUAL(rec[2].planned_s, 2.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(rec[2].late_s, 0.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(rec[1].end_s, 2.5, 1e-9);
	CU_ASSERT_FALSE(sum.stopped);
}

static void timeline_foreground_beyond_tolerance_makes_the_next_late(void)
{
	static const double at[] = { 0, 2, 3 }, takes[] = { 3.5, 0, 0 };
	struct exp_event ev[3];
	struct experiment e;
	struct timeline_record rec[3];
	struct timeline_summary sum;
	struct clock c = { .takes = takes, .stop_after = 99 };

	mk(&e, ev, at, 3, 1);
	timeline_play(&e, &fk_ops, &c, rec, &sum);
	CU_ASSERT_STRING_EQUAL(c.log, "0@0.0 1@3.5 2@3.5 ");
	CU_ASSERT_TRUE(rec[1].late);           /* 1.5 s after 2 s */
	CU_ASSERT_FALSE(rec[2].late);          /* 0.5 s after 3 s: within 1 s */
	CU_ASSERT_EQUAL(sum.late, 1);
}

static void timeline_stop_leaves_the_rest_unplayed(void)
{
	static const double at[] = { 0, 1, 2 }, takes[] = { 0, 0, 0 };
	struct exp_event ev[3];
	struct experiment e;
	struct timeline_record rec[3];
	struct timeline_summary sum;
	struct clock c = { .takes = takes, .stop_after = 1 };

	mk(&e, ev, at, 3, 1);
	timeline_play(&e, &fk_ops, &c, rec, &sum);
	CU_ASSERT_STRING_EQUAL(c.log, "0@0.0 ");
	CU_ASSERT_TRUE(sum.stopped);
	CU_ASSERT_EQUAL(sum.played, 1);
	CU_ASSERT_FALSE(rec[1].started);
	CU_ASSERT_FALSE(rec[2].started);
}

static void timeline_failures_are_counted(void)
{
	static const double at[] = { 0, 0 }, takes[] = { 0, 0 };
	static const bool fails[] = { true, false };
	struct exp_event ev[2];
	struct experiment e;
	struct timeline_record rec[2];
	struct timeline_summary sum;
	struct clock c = { .takes = takes, .fails = fails, .stop_after = 99 };

	mk(&e, ev, at, 2, 0);
	timeline_play(&e, &fk_ops, &c, rec, &sum);
	CU_ASSERT_EQUAL(sum.failed, 1);
	CU_ASSERT_TRUE(rec[0].failed);
	CU_ASSERT_FALSE(rec[1].failed);
	CU_ASSERT_FALSE(rec[1].late);          /* on time with tolerance 0 */
}

static const struct unit_test tests[] = {
	UNIT_TEST(timeline_events_start_at_their_offsets),
	UNIT_TEST(timeline_foreground_beyond_tolerance_makes_the_next_late),
	UNIT_TEST(timeline_stop_leaves_the_rest_unplayed),
	UNIT_TEST(timeline_failures_are_counted),
	{ NULL, NULL },
};

UNIT_SUITE(manager_timeline, NULL, NULL, tests);
