/*
 * agent_ctx.h - what vmibd's modules share once it runs: the tracker's
 * cache and host state, the shape store, the isolation state, the image
 * list, the configuration and the capabilities.
 *
 * daemon.c fills one struct agent_ctx (unit tests fill their own) and
 * hands it to the modules that read or change those objects: the MIB
 * tables (snmp/), the migrations and the shutdown deadlines (ops/).  It
 * owns nothing: daemon.c creates and frees every object in it.  Plain C,
 * no Net-SNMP, so the layers below snmp/ can take it.
 */
#ifndef VMIB_AGENT_CTX_H
#define VMIB_AGENT_CTX_H

#include <stdint.h>

#include "config.h"
#include "images.h"
#include "tracker.h"

struct shapestore;
struct isolation;

struct agent_ctx {
	struct tracker *tracker;
	struct shapestore *shapes;  /* vmibShapeTable (shapestore.h) */
	struct isolation *isol;     /* the isolation state (mib_isol.c) */
	struct images *images;
	const struct vmibd_config *cfg;
	uint32_t caps;              /* vmibHostCapabilities bits (1u << VMIB_BIT_...) */
};

#endif
