/*
 * show.h - prints a struct state (desired, or later current) through the
 * writer: text for people, JSON whose keys are the vMIB's column names in
 * lowerCamelCase with the MIB's units (rateKbps, delayUs, memoryKBytes).
 */
#ifndef VMIB_SHOW_H
#define VMIB_SHOW_H

#include "state.h"

struct out;

void show_state(const struct state *s, struct out *o);
/* the fields of one shape_params: " rate 1Mbit delay 10ms" / "rateKbps":1000,... */
void show_shape_params(const struct shape_params *p, struct out *o);

#endif
