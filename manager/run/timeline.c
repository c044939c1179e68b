/*
 * timeline.c - plays an experiment's events in order at their offsets
 * (timeline.h) and records planned and actual times.  It decides only
 * when; what an event does is the caller's play().
 */
#include <string.h>

#include "experiment.h"
#include "timeline.h"

void timeline_play(const struct experiment *e, const struct timeline_ops *ops, void *opaque,
		   struct timeline_record *rec, struct timeline_summary *sum)
{
	double tol = e->tolerance_us / 1e6;
	size_t i;

	memset(sum, 0, sizeof(*sum));
	memset(rec, 0, e->n_events * sizeof(*rec));
	for (i = 0; i < e->n_events; i++) {
		struct timeline_record *r = &rec[i];

		r->planned_s = e->events[i].at_us / 1e6;
		if (ops->now(opaque) < r->planned_s)
			ops->sleep_until(opaque, r->planned_s);
		if (ops->stopped(opaque)) {
			sum->stopped = true;
			break;
		}
		r->started = true;
		r->start_s = ops->now(opaque);
		r->late_s = r->start_s > r->planned_s ? r->start_s - r->planned_s : 0;
		r->late = r->late_s > tol;
		r->failed = ops->play(opaque, i) < 0;
		r->end_s = ops->now(opaque);
		sum->played++;
		sum->failed += r->failed;
		sum->late += r->late;
	}
}
