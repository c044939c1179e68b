/*
 * mib_time.h - the MIB's time values from vmibd's monotonic moments
 * (loop_now_ms() values; 0 means never).
 */
#ifndef VMIB_MIB_TIME_H
#define VMIB_MIB_TIME_H

#include <stdint.h>

/* TimeStamp: sysUpTime (this agent's) at a monotonic moment; 0 if never
 * or before the agent started */
uint32_t mib_timestamp(uint64_t when_ms);
/* TimeTicks since the host booted (RFC 7666 vmHvUpTime) and at a moment */
uint32_t mib_hv_uptime(void);
uint32_t mib_hv_timestamp(uint64_t when_ms);

#endif
