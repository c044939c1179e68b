/*
 * mib.h - the registry: every MIB module of mib_tables.h registered with
 * Net-SNMP, and unregistered (mib.c).
 */
#ifndef VMIB_MIB_H
#define VMIB_MIB_H

#include "agent_ctx.h"

/* describe every table from ctx and register it: 0, or -1 (logged) */
int mib_register_all(struct agent_ctx *ctx);
void mib_unregister_all(void);

#endif
