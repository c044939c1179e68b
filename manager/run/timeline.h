/*
 * timeline.h - when the events of an experiment start: each at its offset
 * from the start, in document order, never before the previous one has
 * started (a foreground command or a wait holds the timeline; a
 * background command does not).  An event that starts more than the
 * tolerance after its offset is late.  The clock, the sleeping (during
 * which the caller samples and watches background commands) and the
 * events themselves are the caller's, through struct timeline_ops, so
 * that the scheduling is tested with a fake clock.
 *
 * Ownership: the records array is the caller's (one per event).
 */
#ifndef VMIB_TIMELINE_H
#define VMIB_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

struct experiment;

struct timeline_ops {
	double (*now)(void *opaque);                 /* seconds since the start */
	/* until t (seconds since the start); returns early when stopped */
	void (*sleep_until)(void *opaque, double t);
	/* run event i (foreground: until done); 0 ok, -1 failed */
	int (*play)(void *opaque, size_t i);
	bool (*stopped)(void *opaque);
};

struct timeline_record {
	bool started;
	double planned_s, start_s, end_s;
	double late_s;           /* start - planned, >= 0 */
	bool late;               /* late_s > tolerance */
	bool failed;
};

struct timeline_summary {
	size_t played, failed, late;
	bool stopped;            /* events were left out */
};

void timeline_play(const struct experiment *e, const struct timeline_ops *ops, void *opaque,
		   struct timeline_record *rec, struct timeline_summary *sum);

#endif
