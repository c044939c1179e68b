/*
 * gexec.h - runs shell commands in guests, by one of two ways:
 *
 *   - the QEMU guest agent, through the hypervisor: libvirt's
 *     virDomainQemuAgentCommand with guest-exec and guest-exec-status on
 *     the domain's org.qemu.guest_agent.0 channel, at the libvirt URI of
 *     the host the VM runs on.  It needs no guest address, route or
 *     isolation hole (the out-of-band access of the VNet paper).
 *   - a command template (--exec, e.g. "ssh root@{addr}") for images
 *     without the agent: its words, with {vm}, {addr} and {host}
 *     replaced, are run with the command appended as one more word; its
 *     stdout, stderr and exit status are the command's.
 *
 * A command is a /bin/sh -c string.  Through the agent it runs in a
 * session of its own (setsid, when the guest has it), so that stopping
 * it stops what it started.  Exit status: 0-255, 128+N when killed by
 * signal N.
 *
 * All libvirt calls go through struct gexec_agent_ops (the seam: the unit
 * tests put a recorder there).  Not thread-safe: one struct gexec per
 * thread.
 *
 * Ownership: struct gexec owns its libvirt connections (closed by
 * gexec_free, which accepts NULL); a gexec_job belongs to the gexec that
 * started it and is freed by gexec_job_free (accepts NULL); a
 * gexec_result owns out and err (gexec_result_release).
 */
#ifndef VMIB_GEXEC_H
#define VMIB_GEXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gexec_target {
	const char *vm;          /* domain name */
	const char *uri;         /* libvirt URI of its host (agent) */
	const char *host;        /* host name ({host}) */
	const char *addr;        /* guest address ({addr}), may be NULL */
};

struct gexec_result {
	bool exited;             /* false: stopped or timed out */
	int status;
	char *out, *err;         /* NUL-terminated; lengths without it */
	size_t out_len, err_len;
};

/*
 * The agent seam: send one guest agent command (JSON) to domain vm at
 * uri, return the reply (malloc'd) or NULL with a message in err.
 */
struct gexec_agent_ops {
	char *(*command)(void *opaque, const char *uri, const char *vm, const char *json,
			 int timeout_s, char *err, size_t errlen);
	/* 1: a running domain vm is at uri, 0: not there, -1: uri unreachable */
	int (*running)(void *opaque, const char *uri, const char *vm, char *err, size_t errlen);
	void (*close)(void *opaque);
	void *opaque;
};

struct gexec;
struct gexec_job;

/* tmpl NULL: the guest agent through libvirt (ops NULL) or through ops */
struct gexec *gexec_new(const char *tmpl, const struct gexec_agent_ops *ops);
void gexec_free(struct gexec *g);
/*
 * Which of the n URIs runs domain vm (agent seam's running()): its index,
 * or -1 with the reason in err (not found anywhere, or hosts unreachable).
 */
int gexec_locate(struct gexec *g, const char *const *uris, size_t n, const char *vm,
		 char *err, size_t errlen);
bool gexec_uses_agent(const struct gexec *g);
/* libvirt's and the hypervisor's versions at uri ("10.0.0"), malloc'd; -1 */
int gexec_versions(struct gexec *g, const char *uri, char **libvirt, char **hypervisor);

struct gexec_job *gexec_start(struct gexec *g, const struct gexec_target *t, const char *cmd,
			      char *err, size_t errlen);
/* 1: done (r filled), 0: still running, -1: error (message in err) */
int gexec_poll(struct gexec_job *j, struct gexec_result *r, char *err, size_t errlen);
/* stop the command (SIGTERM to its session); poll it afterwards */
int gexec_kill(struct gexec_job *j, char *err, size_t errlen);
void gexec_job_free(struct gexec_job *j);
/* the VM moved (a migration): poll it at uri from now on (agent only) */
void gexec_job_retarget(struct gexec_job *j, const char *uri);

/*
 * Start, poll every 50 ms up to timeout_s (0: no limit); on time out the
 * command is killed and r->exited is false.  0 when r is filled, -1 on
 * error (err).
 */
int gexec_run(struct gexec *g, const struct gexec_target *t, const char *cmd,
	      double timeout_s, struct gexec_result *r, char *err, size_t errlen);
void gexec_result_release(struct gexec_result *r);

/* exposed for the tests */
int gexec_parse_pid(const char *json, long *pid);
int gexec_parse_status(const char *json, struct gexec_result *r);
char *gexec_base64_decode(const char *s, size_t n, size_t *len);
char *gexec_exec_request(const char *cmd);
/* several words as one sh -c string, each quoted ('a b' -> "'a b'") */
char *gexec_join_words(char **words, int n);

#endif
