/*
 * config.h - vmibd's configuration: vmibd.conf plus command-line flags.
 *
 * One struct holds every setting; config_set() is the only way a value
 * enters it, used alike for lines of the file ("key value") and for the
 * command-line flags, so both accept the same keys and values.  Flags
 * override the file because main.c applies them after config_load().
 */
#ifndef VMIB_CONFIG_H
#define VMIB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

#define CONFIG_DEFAULT_PATH "/etc/vmib/vmibd.conf"
#define CONFIG_MAX_BRIDGES 16
#define CONFIG_MAX_PEERS 64

struct vmibd_config {
	char *libvirt_uri;        /* "uri"; default qemu:///system */
	char *agentx_socket;      /* "agentx-socket"; NULL = Net-SNMP default */
	char *image_dir;          /* "image-dir" */
	char *state_dir;          /* "state-dir": isolation state (isolstore.h) */
	char *bridges[CONFIG_MAX_BRIDGES]; /* "bridge" (repeatable, or a,b) */
	size_t n_bridges;
	unsigned int ping_interval_s; /* "agentx-ping-interval" */
	unsigned int agentx_timeout_ms; /* "agentx-timeout-ms": sync AgentX calls */
	unsigned int busy_poll_us;    /* "agentx-busy-poll-us" (loop_set_busy_poll) */
	int log_level;            /* "log-level" */
	char *log_tokens;         /* "log-tokens" */
	enum log_target log_target; /* "log-target": stderr | syslog */
	bool foreground;          /* "foreground" */
	char *pid_file;           /* "pid-file"; NULL = none */
	unsigned int stats_max_age_ms; /* "stats-max-age-ms" */
	unsigned int stats_wait_ms;    /* "stats-wait-ms": how long a request may
					* wait for fresh counters */
	unsigned int reconnect_min_ms; /* "reconnect-min-ms" */
	unsigned int reconnect_max_ms; /* "reconnect-max-ms" */
	bool rfc7666;             /* "rfc7666": serve VM-MIB (mib-2 236) */
	bool rfc7666_notifications; /* "rfc7666-notifications" */
	bool rfc7666_bulk_notifications; /* "rfc7666-bulk-notifications" */
	/* the SET side (vmset.c, migrate.c) */
	char *peer_names[CONFIG_MAX_PEERS]; /* "peer NAME URI" (repeatable): */
	char *peer_uris[CONFIG_MAX_PEERS];  /* migration targets by name */
	size_t n_peers;
	char *domain_type;        /* "domain-type": qemu (TCG) | kvm | test */
	unsigned int set_timeout_ms;   /* "set-timeout-ms": longest libvirt wait
					* of one SET phase */
	unsigned int shutdown_timeout_s; /* "shutdown-timeout-s": admin shutoff
					  * powers off after this */
	char *console_dir;        /* "console-dir": guests' serial consoles */
};

void config_defaults(struct vmibd_config *cfg);
void config_free(struct vmibd_config *cfg);

/* Set one key; errors are written to err ("unknown key", "bad value"). */
int config_set(struct vmibd_config *cfg, const char *key, const char *value,
	       char *err, size_t errlen);

/* Read a file of "key value" lines ('#' comments).  missing_ok: a file
 * that does not exist is not an error.  Every bad line is logged with
 * file:line; returns -1 if there was any. */
int config_load(struct vmibd_config *cfg, const char *path, bool missing_ok);

/* Write the effective configuration as a file (for -n / docs). */
void config_dump(const struct vmibd_config *cfg, void *stdio_file);

#endif
