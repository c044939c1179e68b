/*
 * log.h - the one logger of vmib's programs.
 *
 * Every message has a syslog level (LOG_ERR ... LOG_DEBUG from <syslog.h>)
 * and a subsystem token ("main", "snmp", "virt", "tc", "ipt", "xml").  A
 * message is written when its level is at or above the threshold
 * (log_set_level) and, for levels below LOG_WARNING, when its token is in
 * the enabled set (log_set_tokens; all tokens by default).  Errors and
 * warnings are never filtered by token.  Output goes to stderr (with a
 * time stamp) or to syslog.  Net-SNMP's and libvirt's own messages are
 * routed here by log_route.c.
 *
 * Not thread-safe for reconfiguration (log_set_*): configure before
 * starting threads.  log_msg() itself may be called from any thread.
 */
#ifndef VMIB_LOG_H
#define VMIB_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

enum log_target {
	LOG_TARGET_STDERR,
	LOG_TARGET_SYSLOG,
};

/* A test hook: when set, every message that passes the filter goes to the
 * sink instead of stderr/syslog. */
typedef void (*log_sink_fn)(int level, const char *token, const char *msg,
			    void *opaque);

int log_open(const char *ident, enum log_target target);
void log_close(void);

void log_set_level(int level);
int log_get_level(void);
/* "err", "warning", "notice", "info", "debug" (or a digit 0-7); -1 if unknown */
int log_level_parse(const char *name);
const char *log_level_name(int level);

/* Comma-separated token list, or "all" / "" for every token.  Returns -1
 * (and changes nothing) if a token is unknown. */
int log_set_tokens(const char *csv);
/* Validate a token list without applying it: 0 or -1. */
int log_tokens_check(const char *csv);

bool log_enabled(int level, const char *token);
void log_msg(int level, const char *token, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(int level, const char *token, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

void log_set_sink(log_sink_fn sink, void *opaque);

/* log_route.c: send Net-SNMP's and libvirt's messages through log_msg() */
void log_route_netsnmp(void);
void log_route_libvirt(void);

#endif
