/*
 * config.c - parse vmibd.conf and command-line values into struct
 * vmibd_config.
 *
 * The keys are one static table (name, kind, field offset, limits), so a
 * new setting is one new row.  This file only parses and validates; it
 * applies nothing (the daemon reads the struct).  Values are checked
 * strictly: a number with trailing garbage or out of range is an error,
 * never silently clamped.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "name.h"

enum config_kind {
	CK_STRING,   /* char *, "" or "none" clears */
	CK_UINT,     /* unsigned int within [min, max] */
	CK_BOOL,     /* yes/no/true/false/on/off/1/0 */
	CK_LEVEL,    /* log level name */
	CK_TOKENS,   /* char *, a log token list, validated */
	CK_TARGET,   /* stderr | syslog */
	CK_BRIDGES,  /* appended, comma-separated allowed */
	CK_PEER,     /* "NAME URI", appended */
	CK_DOMTYPE,  /* qemu | kvm | test */
};

struct config_key {
	const char *name;
	enum config_kind kind;
	size_t offset;
	unsigned int min, max;
	const char *help;
};

#define OFF(f) offsetof(struct vmibd_config, f)

static const struct config_key config_keys[] = {
	{"uri", CK_STRING, OFF(libvirt_uri), 0, 0, "libvirt connection URI"},
	{"agentx-socket", CK_STRING, OFF(agentx_socket), 0, 0,
	 "AgentX master socket (Net-SNMP transport address)"},
	{"image-dir", CK_STRING, OFF(image_dir), 0, 0, "directory of VM images"},
	{"state-dir", CK_STRING, OFF(state_dir), 0, 0,
	 "directory of vmibd's own state (the isolation rules)"},
	{"bridge", CK_BRIDGES, OFF(bridges), 0, 0, "host bridge VMs attach to"},
	{"agentx-ping-interval", CK_UINT, OFF(ping_interval_s), 1, 3600,
	 "seconds between AgentX pings / reconnect attempts"},
	{"agentx-timeout-ms", CK_UINT, OFF(agentx_timeout_ms), 50, 10000,
	 "timeout of synchronous AgentX calls (ping, register)"},
	{"agentx-busy-poll-us", CK_UINT, OFF(busy_poll_us), 0, 1000,
	 "after an AgentX request, poll this long before sleeping (0: never)"},
	{"log-level", CK_LEVEL, OFF(log_level), 0, 0, "err|warning|notice|info|debug"},
	{"log-tokens", CK_TOKENS, OFF(log_tokens), 0, 0,
	 "all, or a list of main,snmp,virt,tc,ipt,xml"},
	{"log-target", CK_TARGET, OFF(log_target), 0, 0, "stderr|syslog"},
	{"foreground", CK_BOOL, OFF(foreground), 0, 0, "do not detach"},
	{"pid-file", CK_STRING, OFF(pid_file), 0, 0, "write the pid here"},
	{"stats-max-age-ms", CK_UINT, OFF(stats_max_age_ms), 10, 60000,
	 "oldest counters a request may be answered with"},
	{"stats-wait-ms", CK_UINT, OFF(stats_wait_ms), 0, 900,
	 "longest a request waits for fresh counters"},
	{"reconnect-min-ms", CK_UINT, OFF(reconnect_min_ms), 10, 600000,
	 "first libvirt reconnect delay"},
	{"reconnect-max-ms", CK_UINT, OFF(reconnect_max_ms), 10, 600000,
	 "longest libvirt reconnect delay (back-off cap)"},
	{"rfc7666", CK_BOOL, OFF(rfc7666), 0, 0, "serve VM-MIB (RFC 7666)"},
	{"rfc7666-notifications", CK_BOOL, OFF(rfc7666_notifications), 0, 0,
	 "send RFC 7666 per-VM notifications"},
	{"rfc7666-bulk-notifications", CK_BOOL, OFF(rfc7666_bulk_notifications), 0, 0,
	 "send RFC 7666 bulk notifications (vmBulkRunning...)"},
	{"peer", CK_PEER, OFF(peer_names), 0, 0,
	 "NAME URI: a host VMs migrate to by name (vmibVmMigrateTarget)"},
	{"domain-type", CK_DOMTYPE, OFF(domain_type), 0, 0,
	 "domain type of created VMs: qemu (TCG), kvm or test"},
	{"set-timeout-ms", CK_UINT, OFF(set_timeout_ms), 100, 60000,
	 "longest a SET phase waits for libvirt (keep below agentXTimeout)"},
	{"shutdown-timeout-s", CK_UINT, OFF(shutdown_timeout_s), 0, 86400,
	 "admin state shutoff: power off a guest still running after this"},
	{"console-dir", CK_STRING, OFF(console_dir), 0, 0,
	 "write the serial console of created VMs to DIR/NAME.log"},
};
#define CONFIG_N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

void config_defaults(struct vmibd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->libvirt_uri = strdup("qemu:///system");
	cfg->image_dir = strdup("/var/lib/vmib/images");
	cfg->state_dir = strdup("/var/lib/vmib/state");
	cfg->ping_interval_s = 15;
	cfg->agentx_timeout_ms = 500;
	cfg->busy_poll_us = 50;
	cfg->log_level = LOG_INFO;
	cfg->log_target = LOG_TARGET_STDERR;
	cfg->stats_max_age_ms = 1000;
	cfg->stats_wait_ms = 300;
	cfg->reconnect_min_ms = 500;
	cfg->reconnect_max_ms = 15000;
	cfg->rfc7666 = true;
	cfg->rfc7666_notifications = true;
	cfg->domain_type = strdup("qemu");
	cfg->set_timeout_ms = 4500;
	cfg->shutdown_timeout_s = 60;
}

void config_free(struct vmibd_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	free(cfg->libvirt_uri);
	free(cfg->agentx_socket);
	free(cfg->image_dir);
	free(cfg->state_dir);
	free(cfg->log_tokens);
	free(cfg->pid_file);
	for (i = 0; i < cfg->n_bridges; i++)
		free(cfg->bridges[i]);
	for (i = 0; i < cfg->n_peers; i++) {
		free(cfg->peer_names[i]);
		free(cfg->peer_uris[i]);
	}
	free(cfg->domain_type);
	free(cfg->console_dir);
	memset(cfg, 0, sizeof(*cfg));
}

static int config_parse_uint(const char *v, unsigned int min, unsigned int max,
			     unsigned int *out)
{
	unsigned long n;
	char *end;

	if (!*v || !isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -1;
	*out = (unsigned int)n;
	return 0;
}

static int config_parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* a bridge name: at most IFNAMSIZ - 1 octets, and the name rule (name.h) */
static int config_valid_ifname(const char *s, size_t len)
{
	return len <= 15 && name_safe(s, len);
}

static int config_add_bridges(struct vmibd_config *cfg, const char *v,
			      char *err, size_t errlen)
{
	const char *p = v, *end;

	while (*p) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if (!config_valid_ifname(p, (size_t)(end - p))) {
			snprintf(err, errlen, "bad bridge name '%.*s'", (int)(end - p), p);
			return -1;
		}
		if (cfg->n_bridges >= CONFIG_MAX_BRIDGES) {
			snprintf(err, errlen, "more than %d bridges", CONFIG_MAX_BRIDGES);
			return -1;
		}
		cfg->bridges[cfg->n_bridges++] = strndup(p, (size_t)(end - p));
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* "NAME URI": NAME as a host name, URI "scheme://..." without blanks */
static int config_add_peer(struct vmibd_config *cfg, const char *v, char *err, size_t errlen)
{
	size_t n = strcspn(v, " \t"), i;
	const char *uri = v + n;

	while (*uri == ' ' || *uri == '\t')
		uri++;
	i = name_safe(v, n) ? n : 0;
	if (n == 0 || i < n || !strstr(uri, "://") || strpbrk(uri, " \t'\"\\<>`")) {
		snprintf(err, errlen, "'%s' is not NAME URI (e.g. h2 qemu+tcp://10.0.0.2/system)", v);
		return -1;
	}
	if (cfg->n_peers >= CONFIG_MAX_PEERS) {
		snprintf(err, errlen, "more than %d peers", CONFIG_MAX_PEERS);
		return -1;
	}
	cfg->peer_names[cfg->n_peers] = strndup(v, n);
	cfg->peer_uris[cfg->n_peers++] = strdup(uri);
	return 0;
}

static int config_set_string(char **field, const char *v)
{
	char *copy = NULL;

	if (*v && strcmp(v, "none") != 0) {
		copy = strdup(v);
		if (!copy)
			return -1;
	}
	free(*field);
	*field = copy;
	return 0;
}

static int config_apply(struct vmibd_config *cfg, const struct config_key *k,
			const char *v, char *err, size_t errlen)
{
	void *field = (char *)cfg + k->offset;
	int level;
	bool b;

	switch (k->kind) {
	case CK_STRING:
		return config_set_string(field, v);
	case CK_TOKENS:
		if (log_tokens_check(v) < 0) {
			snprintf(err, errlen, "unknown log token in '%s'", v);
			return -1;
		}
		return config_set_string(field, v);
	case CK_UINT:
		if (config_parse_uint(v, k->min, k->max, field) < 0) {
			snprintf(err, errlen, "'%s' is not a number in %u..%u", v,
				 k->min, k->max);
			return -1;
		}
		return 0;
	case CK_BOOL:
		if (config_parse_bool(v, &b) < 0) {
			snprintf(err, errlen, "'%s' is not yes or no", v);
			return -1;
		}
		*(bool *)field = b;
		return 0;
	case CK_LEVEL:
		level = log_level_parse(v);
		if (level < 0) {
			snprintf(err, errlen, "unknown log level '%s'", v);
			return -1;
		}
		*(int *)field = level;
		return 0;
	case CK_TARGET:
		if (strcmp(v, "stderr") == 0)
			*(enum log_target *)field = LOG_TARGET_STDERR;
		else if (strcmp(v, "syslog") == 0)
			*(enum log_target *)field = LOG_TARGET_SYSLOG;
		else {
			snprintf(err, errlen, "log target '%s' is not stderr or syslog", v);
			return -1;
		}
		return 0;
	case CK_BRIDGES:
		return config_add_bridges(cfg, v, err, errlen);
	case CK_PEER:
		return config_add_peer(cfg, v, err, errlen);
	case CK_DOMTYPE:
		if (strcmp(v, "qemu") != 0 && strcmp(v, "kvm") != 0 && strcmp(v, "test") != 0) {
			snprintf(err, errlen, "domain type '%s' is not qemu, kvm or test", v);
			return -1;
		}
		return config_set_string(field, v);
	}
	snprintf(err, errlen, "internal: bad key kind");
	return -1;
}

int config_set(struct vmibd_config *cfg, const char *key, const char *value,
	       char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < CONFIG_N_KEYS; i++)
		if (strcmp(config_keys[i].name, key) == 0)
			return config_apply(cfg, &config_keys[i], value, err, errlen);
	snprintf(err, errlen, "unknown key '%s'", key);
	return -1;
}

static char *config_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* split "key value" (value may be quoted with "...") */
static int config_split(char *line, char **key, char **value)
{
	char *p = line, *v;
	size_t len;

	while (*p && !isspace((unsigned char)*p) && *p != '=')
		p++;
	if (*p)
		*p++ = '\0';
	v = config_trim(p);
	if (*v == '=')
		v = config_trim(v + 1);
	len = strlen(v);
	if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
		v[len - 1] = '\0';
		v++;
	}
	*key = line;
	*value = v;
	return **key ? 0 : -1;
}

int config_load(struct vmibd_config *cfg, const char *path, bool missing_ok)
{
	char buf[1024], err[256], *line, *key, *value, *hash;
	unsigned int lineno = 0;
	int bad = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		if (missing_ok && errno == ENOENT)
			return 0;
		log_msg(LOG_ERR, "main", "config %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		lineno++;
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		line = config_trim(buf);
		if (!*line)
			continue;
		if (config_split(line, &key, &value) < 0 ||
		    config_set(cfg, key, value, err, sizeof(err)) < 0) {
			log_msg(LOG_ERR, "main", "config %s:%u: %s", path, lineno,
				*line ? err : "empty key");
			bad = 1;
		}
	}
	fclose(f);
	return bad ? -1 : 0;
}

void config_dump(const struct vmibd_config *cfg, void *stdio_file)
{
	FILE *f = stdio_file;
	size_t i;

	fprintf(f, "uri %s\n", cfg->libvirt_uri ? cfg->libvirt_uri : "none");
	fprintf(f, "agentx-socket %s\n", cfg->agentx_socket ? cfg->agentx_socket : "none");
	fprintf(f, "image-dir %s\n", cfg->image_dir ? cfg->image_dir : "none");
	fprintf(f, "state-dir %s\n", cfg->state_dir ? cfg->state_dir : "none");
	for (i = 0; i < cfg->n_bridges; i++)
		fprintf(f, "bridge %s\n", cfg->bridges[i]);
	fprintf(f, "agentx-ping-interval %u\n", cfg->ping_interval_s);
	fprintf(f, "agentx-timeout-ms %u\n", cfg->agentx_timeout_ms);
	fprintf(f, "agentx-busy-poll-us %u\n", cfg->busy_poll_us);
	fprintf(f, "log-level %s\n", log_level_name(cfg->log_level));
	fprintf(f, "log-tokens %s\n", cfg->log_tokens ? cfg->log_tokens : "all");
	fprintf(f, "log-target %s\n",
		cfg->log_target == LOG_TARGET_SYSLOG ? "syslog" : "stderr");
	fprintf(f, "foreground %s\n", cfg->foreground ? "yes" : "no");
	fprintf(f, "pid-file %s\n", cfg->pid_file ? cfg->pid_file : "none");
	fprintf(f, "stats-max-age-ms %u\n", cfg->stats_max_age_ms);
	fprintf(f, "stats-wait-ms %u\n", cfg->stats_wait_ms);
	fprintf(f, "reconnect-min-ms %u\n", cfg->reconnect_min_ms);
	fprintf(f, "reconnect-max-ms %u\n", cfg->reconnect_max_ms);
	fprintf(f, "rfc7666 %s\n", cfg->rfc7666 ? "yes" : "no");
	fprintf(f, "rfc7666-notifications %s\n", cfg->rfc7666_notifications ? "yes" : "no");
	fprintf(f, "rfc7666-bulk-notifications %s\n",
		cfg->rfc7666_bulk_notifications ? "yes" : "no");
	for (i = 0; i < cfg->n_peers; i++)
		fprintf(f, "peer %s %s\n", cfg->peer_names[i], cfg->peer_uris[i]);
	fprintf(f, "domain-type %s\n", cfg->domain_type ? cfg->domain_type : "qemu");
	fprintf(f, "set-timeout-ms %u\n", cfg->set_timeout_ms);
	fprintf(f, "shutdown-timeout-s %u\n", cfg->shutdown_timeout_s);
	fprintf(f, "console-dir %s\n", cfg->console_dir ? cfg->console_dir : "none");
}
