/*
 * shape.h - the shaping parameters of one traffic class, as the columns
 * vmibShapeRateKbps .. vmibShapeLimitPkts of vmibShapeTable (VMIB-MIB), with
 * "unset" kept apart from zero by a presence mask.  A link of the virtual
 * environment and a shape row of the state carry the same struct.
 *
 * shape_fields[] is the one table that says, per field, its scenario
 * attribute, its JSON key, its text label and its unit: the parsers, the
 * printers and the graph iterate over it, so a new NetEm parameter is one
 * enum value, one struct member and one table row.
 */
#ifndef VMIB_SHAPE_H
#define VMIB_SHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "units.h"

/* the shaping columns of vmibShapeTable, in MIB order */
enum shape_field {
	SHAPE_RATE,
	SHAPE_BURST,
	SHAPE_DELAY,
	SHAPE_JITTER,
	SHAPE_LOSS,
	SHAPE_DUPLICATE,
	SHAPE_CORRUPT,
	SHAPE_REORDER,
	SHAPE_LIMIT,
	SHAPE_N_FIELDS
};

struct shape_params {
	unsigned has;            /* bit (1u << enum shape_field) when set */
	uint32_t rate_kbps;
	uint32_t burst_bytes;
	uint32_t delay_us;
	uint32_t jitter_us;
	uint32_t loss_ppm;
	uint32_t duplicate_ppm;
	uint32_t corrupt_ppm;
	uint32_t reorder_ppm;
	uint32_t limit_pkts;
};

/* one row per field: how it is spelt in XML, JSON and text, and its unit */
struct shape_field_info {
	const char *attr;        /* scenario attribute, e.g. "bandwidth" */
	const char *key;         /* JSON key, e.g. "rateKbps" (vMIB column) */
	const char *label;       /* text label, e.g. "rate" */
	enum units_kind kind;
	size_t offset;           /* of the uint32_t in struct shape_params */
};

extern const struct shape_field_info shape_fields[SHAPE_N_FIELDS];

bool shape_has(const struct shape_params *p, enum shape_field f);
uint32_t shape_get(const struct shape_params *p, enum shape_field f);
void shape_set(struct shape_params *p, enum shape_field f, uint32_t value);
bool shape_params_equal(const struct shape_params *a, const struct shape_params *b);

#endif
