/*
 * mib_time.c - TimeStamp and TimeTicks values (mib_time.h).
 *
 * Every module reports time through here, so all report it the same way:
 * TimeStamp values are this subagent's sysUpTime, which Net-SNMP sets to
 * the master's when the AgentX session opens (from the sysUpTime of the
 * master's response, RFC 2741 6.2.16); RFC 7666 hypervisor times count
 * from the host's boot (for QEMU/KVM the hypervisor is the host kernel).
 * Owns the two time origins; loop thread only.
 */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "mib_time.h"

/*
 * A TimeStamp is the value sysUpTime had at the occurrence (RFC 2579), so
 * it must read the same every time.  Computing it as "uptime now minus
 * time since" mixes two truncated clocks and jitters by one tick from
 * read to read.  Instead each time base is kept as a fixed origin on the
 * monotonic clock, in microseconds, and a timestamp is the whole ticks
 * from that origin.  An origin estimated again differs from the kept one
 * only by the truncation of the clocks it comes from and by preemption between
 * the two clock reads (tens of ms for
 * sysUpTime, a few microseconds for the boot time); a larger difference
 * is a real move (a restarted master set the subagent's sysUpTime when
 * AgentX reconnected; the host was suspended) and replaces it.
 */
struct mib_origin {
	bool have;
	int64_t us; /* on CLOCK_MONOTONIC; may be negative (the boot) */
};

static int64_t mib_clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t mib_keep_origin(struct mib_origin *o, int64_t fresh_us, int64_t slack_us)
{
	int64_t diff = fresh_us > o->us ? fresh_us - o->us : o->us - fresh_us;

	if (!o->have || diff >= slack_us) {
		o->us = fresh_us;
		o->have = true;
	}
	return o->us;
}

/* whole ticks (1/100 s) from origin_us to when_ms; 0 if before it */
static uint32_t mib_ticks_since(int64_t origin_us, uint64_t when_ms)
{
	int64_t when_us = (int64_t)when_ms * 1000;

	return when_us <= origin_us ? 0 : (uint32_t)((when_us - origin_us) / 10000);
}

uint32_t mib_timestamp(uint64_t when_ms)
{
	static struct mib_origin start;
	int64_t now_us = mib_clock_us(CLOCK_MONOTONIC);
	int64_t up_us = (int64_t)netsnmp_get_agent_uptime() * 10000;

	if (!when_ms)
		return 0;
	/* uptime is truncated to ticks, and every AgentX response sets it
	 * again from the master's, itself truncated (Net-SNMP's subagent
	 * synchronises it on each open, registration and ping): estimates
	 * spread over 20 ms, more when this thread is preempted between the
	 * two clock reads on a loaded host; a restarted master moves it by
	 * the old master's lifetime, normally seconds or more */
	return mib_ticks_since(mib_keep_origin(&start, now_us - up_us, 500000), when_ms);
}

uint32_t mib_hv_uptime(void)
{
	return (uint32_t)(mib_clock_us(CLOCK_BOOTTIME) / 10000);
}

uint32_t mib_hv_timestamp(uint64_t when_ms)
{
	static struct mib_origin boot;
	int64_t boot_us = mib_clock_us(CLOCK_BOOTTIME);
	int64_t now_us = mib_clock_us(CLOCK_MONOTONIC);

	if (!when_ms)
		return 0;
	/* CLOCK_BOOTTIME runs ahead of CLOCK_MONOTONIC by the time suspended
	 * (seconds at least); anything smaller is preemption between the two
	 * clock reads, not a move */
	return mib_ticks_since(mib_keep_origin(&boot, now_us - boot_us, 1000000), when_ms);
}
