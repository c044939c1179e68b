/*
 * log.c - the one logger (see log.h for the filtering rules).
 *
 * Owns the logging configuration (threshold, token set, target) and the
 * formatting of a line.  It must not allocate per message beyond a stack
 * buffer and must not call back into Net-SNMP or libvirt (their messages
 * arrive here through log_route.c, so that would loop).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *const log_tokens[] = {"main", "snmp", "virt", "tc",
					 "ipt", "xml"};
#define LOG_N_TOKENS (sizeof(log_tokens) / sizeof(log_tokens[0]))

static const char *const log_level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};

static struct {
	int level;
	unsigned int token_mask; /* bit i = log_tokens[i] enabled */
	enum log_target target;
	const char *ident;
	log_sink_fn sink;
	void *sink_opaque;
} log_cfg = {LOG_INFO, ~0u, LOG_TARGET_STDERR, "vmib", NULL, NULL};

int log_open(const char *ident, enum log_target target)
{
	log_cfg.ident = ident ? ident : "vmib";
	log_cfg.target = target;
	if (target == LOG_TARGET_SYSLOG)
		openlog(log_cfg.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	return 0;
}

void log_close(void)
{
	if (log_cfg.target == LOG_TARGET_SYSLOG)
		closelog();
	log_cfg.target = LOG_TARGET_STDERR;
}

void log_set_level(int level)
{
	if (level < LOG_EMERG)
		level = LOG_EMERG;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	log_cfg.level = level;
}

int log_get_level(void)
{
	return log_cfg.level;
}

int log_level_parse(const char *name)
{
	size_t i;

	if (!name || !*name)
		return -1;
	if (name[0] >= '0' && name[0] <= '7' && name[1] == '\0')
		return name[0] - '0';
	for (i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++)
		if (strcasecmp(name, log_level_names[i]) == 0)
			return (int)i;
	if (strcasecmp(name, "error") == 0)
		return LOG_ERR;
	if (strcasecmp(name, "warn") == 0)
		return LOG_WARNING;
	return -1;
}

const char *log_level_name(int level)
{
	if (level < LOG_EMERG || level > LOG_DEBUG)
		return "?";
	return log_level_names[level];
}

static int log_token_bit(const char *token, size_t len)
{
	size_t i;

	for (i = 0; i < LOG_N_TOKENS; i++)
		if (strlen(log_tokens[i]) == len &&
		    strncmp(log_tokens[i], token, len) == 0)
			return (int)i;
	return -1;
}

static int log_tokens_parse(const char *csv, unsigned int *mask_out)
{
	unsigned int mask = 0;
	const char *p = csv, *end;
	int bit;

	if (!csv || !*csv || strcmp(csv, "all") == 0) {
		*mask_out = ~0u;
		return 0;
	}
	while (*p) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		bit = log_token_bit(p, (size_t)(end - p));
		if (bit < 0)
			return -1;
		mask |= 1u << bit;
		p = *end ? end + 1 : end;
	}
	*mask_out = mask;
	return 0;
}

int log_tokens_check(const char *csv)
{
	unsigned int mask;

	return log_tokens_parse(csv, &mask);
}

int log_set_tokens(const char *csv)
{
	unsigned int mask;

	if (log_tokens_parse(csv, &mask) < 0)
		return -1;
	log_cfg.token_mask = mask;
	return 0;
}

bool log_enabled(int level, const char *token)
{
	int bit;

	if (level > log_cfg.level)
		return false;
	if (level <= LOG_WARNING || log_cfg.token_mask == ~0u)
		return true;
	bit = token ? log_token_bit(token, strlen(token)) : -1;
	/* an unknown token is shown only when every token is enabled */
	return bit >= 0 && (log_cfg.token_mask & (1u << bit));
}

void log_set_sink(log_sink_fn sink, void *opaque)
{
	log_cfg.sink = sink;
	log_cfg.sink_opaque = opaque;
}

static void log_write_stderr(int level, const char *token, const char *msg)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %s[%ld]: %s: %s: %s\n", stamp,
		ts.tv_nsec / 1000000, log_cfg.ident, (long)getpid(), token,
		log_level_name(level), msg);
}

void log_vmsg(int level, const char *token, const char *fmt, va_list ap)
{
	char msg[1024];
	int saved_errno = errno;

	if (!token)
		token = "main";
	if (!log_enabled(level, token))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_cfg.sink)
		log_cfg.sink(level, token, msg, log_cfg.sink_opaque);
	else if (log_cfg.target == LOG_TARGET_SYSLOG)
		syslog(level, "%s: %s", token, msg);
	else
		log_write_stderr(level, token, msg);
	errno = saved_errno;
}

void log_msg(int level, const char *token, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, token, fmt, ap);
	va_end(ap);
}
