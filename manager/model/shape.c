/*
 * shape.c - the shape-field table and the accessors over struct
 * shape_params (see shape.h).  Pure data, no I/O.
 */
#include <stddef.h>

#include "shape.h"

/* vmibShapeTable columns (VMIB-MIB) <-> scenario attributes */
const struct shape_field_info shape_fields[SHAPE_N_FIELDS] = {
	[SHAPE_RATE] = { "bandwidth", "rateKbps", "rate", UNITS_RATE_KBPS,
			 offsetof(struct shape_params, rate_kbps) },
	[SHAPE_BURST] = { "burst", "burstBytes", "burst", UNITS_SIZE_BYTES,
			  offsetof(struct shape_params, burst_bytes) },
	[SHAPE_DELAY] = { "delay", "delayUs", "delay", UNITS_TIME_US,
			  offsetof(struct shape_params, delay_us) },
	[SHAPE_JITTER] = { "jitter", "jitterUs", "jitter", UNITS_TIME_US,
			   offsetof(struct shape_params, jitter_us) },
	[SHAPE_LOSS] = { "loss", "lossPpm", "loss", UNITS_RATIO_PPM,
			 offsetof(struct shape_params, loss_ppm) },
	[SHAPE_DUPLICATE] = { "duplicate", "duplicatePpm", "duplicate", UNITS_RATIO_PPM,
			      offsetof(struct shape_params, duplicate_ppm) },
	[SHAPE_CORRUPT] = { "corrupt", "corruptPpm", "corrupt", UNITS_RATIO_PPM,
			    offsetof(struct shape_params, corrupt_ppm) },
	[SHAPE_REORDER] = { "reorder", "reorderPpm", "reorder", UNITS_RATIO_PPM,
			    offsetof(struct shape_params, reorder_ppm) },
	[SHAPE_LIMIT] = { "limit", "limitPkts", "limit", UNITS_COUNT_PKTS,
			  offsetof(struct shape_params, limit_pkts) },
};

bool shape_has(const struct shape_params *p, enum shape_field f)
{
	return (p->has & (1u << f)) != 0;
}

uint32_t shape_get(const struct shape_params *p, enum shape_field f)
{
	return *(const uint32_t *)((const char *)p + shape_fields[f].offset);
}

void shape_set(struct shape_params *p, enum shape_field f, uint32_t value)
{
	*(uint32_t *)((char *)p + shape_fields[f].offset) = value;
	p->has |= 1u << f;
}

bool shape_params_equal(const struct shape_params *a, const struct shape_params *b)
{
	int f;

	if (a->has != b->has)
		return false;
	for (f = 0; f < SHAPE_N_FIELDS; f++)
		if (shape_has(a, f) && shape_get(a, f) != shape_get(b, f))
			return false;
	return true;
}
