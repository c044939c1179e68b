/*
 * status.h - renders the current state of every host for people (text)
 * and programs (JSON): host facts and errors, every VM (the scenario's
 * and others'), its vifs with their traffic, and its shape rows (the
 * links) with the rate and delay configured on the agent, what the
 * scenario wants where it differs, whether they are in force, and the
 * rate measured between two reads.
 *
 * Reads both states and the plan between them; owns nothing.
 */
#ifndef VMIB_STATUS_H
#define VMIB_STATUS_H

#include "plan.h"
#include "state.h"

struct out;

/*
 * cur: the state read now; prev: an earlier read (NULL: no rates), dt_s
 * seconds before; p: the plan from the scenario to cur (what differs).
 */
void status_print(const struct state *cur, const struct state *prev, double dt_s,
		  const struct plan *p, struct out *o);

#endif
