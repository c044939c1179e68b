/*
 * engine.h - vmibd as a Net-SNMP AgentX subagent (start and stop).
 */
#ifndef VMIB_ENGINE_H
#define VMIB_ENGINE_H

#include "config.h"
#include "agent_ctx.h"

/* Initialise the subagent, register every MIB module of ctx, connect to
 * the master (or keep retrying every ping interval), and hook Net-SNMP
 * into the event loop. */
int engine_init(const struct vmibd_config *cfg, struct agent_ctx *ctx);
void engine_shutdown(void);

#endif
