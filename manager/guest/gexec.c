/*
 * gexec.c - commands in guests (gexec.h): the guest agent way (guest-exec,
 * guest-exec-status and a second guest-exec for kill, all through
 * virDomainQemuAgentCommand) and the template way (fork/exec of the
 * user's access command, output into temporary files).  It owns the
 * libvirt connections it opens, one per URI; it never changes a domain.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "gexec.h"
#include "log.h"
#include "mem.h"

#define GEXEC_AGENT_TIMEOUT_S 10

struct gexec_conn {
	char *uri;
	virConnectPtr conn;
};

struct gexec_virt {                  /* the libvirt side of the seam */
	struct gexec_conn *conns;
	size_t n_conns;
};

struct gexec {
	char *tmpl;                      /* NULL: agent */
	struct gexec_agent_ops ops;
	struct gexec_virt *virt;         /* owned when ops are libvirt's */
};

struct gexec_job {
	struct gexec *g;
	char *uri, *vm;                  /* agent */
	long pid;
	pid_t child;                     /* template */
	FILE *out, *err;
	bool done;
	struct gexec_result saved;
};

/* --- the libvirt backend --------------------------------------------------- */

static virConnectPtr gv_conn(struct gexec_virt *v, const char *uri, char *err, size_t errlen)
{
	struct gexec_conn *c;
	size_t i;

	for (i = 0; i < v->n_conns; i++)
		if (strcmp(v->conns[i].uri, uri) == 0)
			return v->conns[i].conn;
	c = MEM_PUSH(v->conns, v->n_conns);
	c->uri = mem_strdup(uri);
	c->conn = virConnectOpen(uri);
	if (!c->conn)
		snprintf(err, errlen, "libvirt %s: cannot connect: %s", uri,
			 virGetLastErrorMessage());
	return c->conn;
}

static char *gv_command(void *opaque, const char *uri, const char *vm, const char *json,
			int timeout_s, char *err, size_t errlen)
{
	virConnectPtr conn = gv_conn(opaque, uri, err, errlen);
	virDomainPtr dom;
	char *reply;

	if (!conn)
		return NULL;
	dom = virDomainLookupByName(conn, vm);
	if (!dom) {
		snprintf(err, errlen, "VM %s on %s: no such domain", vm, uri);
		return NULL;
	}
	reply = virDomainQemuAgentCommand(dom, json, timeout_s, 0);
	if (!reply)
		snprintf(err, errlen, "VM %s: guest agent: %s", vm, virGetLastErrorMessage());
	virDomainFree(dom);
	return reply;
}

static int gv_running(void *opaque, const char *uri, const char *vm, char *err,
		      size_t errlen)
{
	virConnectPtr conn = gv_conn(opaque, uri, err, errlen);
	virDomainPtr dom;
	int active;

	if (!conn)
		return -1;
	dom = virDomainLookupByName(conn, vm);
	if (!dom)
		return 0;
	active = virDomainIsActive(dom);
	virDomainFree(dom);
	return active == 1;
}

static void gv_close(void *opaque)
{
	struct gexec_virt *v = opaque;
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n_conns; i++) {
		if (v->conns[i].conn)
			virConnectClose(v->conns[i].conn);
		free(v->conns[i].uri);
	}
	free(v->conns);
	free(v);
}

/* --- JSON and base64 of the agent's protocol ---------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/*
 * sh -c 'exec setsid /bin/sh -c "$0"' CMD: the command in a session of its
 * own (setsid does not fork: the shell is no group leader), so kill -PID
 * stops all it started; without setsid, the command as it is.
 */
char *gexec_exec_request(const char *cmd)
{
	static const char wrap[] = "if command -v setsid >/dev/null 2>&1; then "
				   "exec setsid /bin/sh -c \"$0\"; fi; exec /bin/sh -c \"$0\"";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fputs("{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/bin/sh\",\"arg\":[\"-c\",", f);
	json_str(f, wrap);
	fputc(',', f);
	json_str(f, cmd);
	fputs("],\"capture-output\":true}}", f);
	fclose(f);
	return buf;
}

/* the raw value after "key": in json (start, length), or NULL */
static const char *json_field(const char *json, const char *key, size_t *len)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(json, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != ':')
		return NULL;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '"') {
		e = strchr(p + 1, '"');
		if (!e)
			return NULL;
		*len = (size_t)(e - p - 1);
		return p + 1;
	}
	for (e = p; *e && *e != ',' && *e != '}' && !isspace((unsigned char)*e); e++)
		;
	*len = (size_t)(e - p);
	return p;
}

static int json_long(const char *json, const char *key, long *v)
{
	size_t n;
	const char *p = json_field(json, key, &n);
	char *end;

	if (!p || n == 0)
		return -1;
	*v = strtol(p, &end, 10);
	return end == p + n ? 0 : -1;
}

int gexec_parse_pid(const char *json, long *pid)
{
	if (!strstr(json, "\"return\""))
		return -1;
	return json_long(json, "pid", pid);
}

static int b64_val(int c)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(tab, c) : NULL;

	return p ? (int)(p - tab) : -1;
}

char *gexec_base64_decode(const char *s, size_t n, size_t *len)
{
	char *out = mem_alloc(n / 4 * 3 + 4);
	unsigned acc = 0;
	int bits = 0, v;
	size_t i, o = 0;

	for (i = 0; i < n && s[i] != '='; i++) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == '/')
			continue;        /* JSON may escape '/' */
		v = b64_val(s[i]);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(acc >> bits & 0xff);
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

static int status_data(const char *json, const char *key, char **data, size_t *len)
{
	size_t n;
	const char *p = json_field(json, key, &n);

	if (!p) {
		*data = mem_strdup("");
		*len = 0;
		return 0;
	}
	*data = gexec_base64_decode(p, n, len);
	return *data ? 0 : -1;
}

/* 1: exited (r filled), 0: running, -1: not a guest-exec-status reply */
int gexec_parse_status(const char *json, struct gexec_result *r)
{
	size_t n;
	const char *ex = json_field(json, "exited", &n);
	long code = 0, sig = 0;

	memset(r, 0, sizeof(*r));
	if (!strstr(json, "\"return\"") || !ex)
		return -1;
	if (n == 5 && strncmp(ex, "false", 5) == 0)
		return 0;
	if (n != 4 || strncmp(ex, "true", 4) != 0)
		return -1;
	if (json_long(json, "exitcode", &code) == 0)
		r->status = (int)code;
	else if (json_long(json, "signal", &sig) == 0)
		r->status = 128 + (int)sig;
	else
		return -1;
	r->exited = true;
	if (status_data(json, "out-data", &r->out, &r->out_len) < 0 ||
	    status_data(json, "err-data", &r->err, &r->err_len) < 0) {
		gexec_result_release(r);
		return -1;
	}
	return 1;
}

char *gexec_join_words(char **words, int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *p;
	int i;

	for (i = 0; i < n; i++) {
		fputs(i ? " '" : "'", f);
		for (p = words[i]; *p; p++)
			if (*p == '\'')
				fputs("'\\''", f);
			else
				fputc(*p, f);
		fputc('\'', f);
	}
	fclose(f);
	return buf;
}

/* --- the agent way -------------------------------------------------------------- */

static int agent_start(struct gexec_job *j, const char *cmd, char *err, size_t errlen)
{
	char *req = gexec_exec_request(cmd);
	char *reply = j->g->ops.command(j->g->ops.opaque, j->uri, j->vm, req,
					GEXEC_AGENT_TIMEOUT_S, err, errlen);
	int rc = -1;

	free(req);
	if (reply && gexec_parse_pid(reply, &j->pid) == 0)
		rc = 0;
	else if (reply)
		snprintf(err, errlen, "VM %s: guest-exec: unexpected reply %.200s", j->vm, reply);
	free(reply);
	return rc;
}

static int agent_poll(struct gexec_job *j, struct gexec_result *r, char *err, size_t errlen)
{
	char req[128], *reply;
	int rc;

	snprintf(req, sizeof(req),
		 "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":%ld}}", j->pid);
	reply = j->g->ops.command(j->g->ops.opaque, j->uri, j->vm, req, GEXEC_AGENT_TIMEOUT_S,
				  err, errlen);
	if (!reply)
		return -1;
	rc = gexec_parse_status(reply, r);
	if (rc < 0)
		snprintf(err, errlen, "VM %s: guest-exec-status %ld: unexpected reply %.200s",
			 j->vm, j->pid, reply);
	free(reply);
	return rc;
}

static int agent_kill(struct gexec_job *j, char *err, size_t errlen)
{
	char cmd[96], *req, *reply;

	snprintf(cmd, sizeof(cmd), "kill -TERM -%ld 2>/dev/null || kill -TERM %ld", j->pid,
		 j->pid);
	req = gexec_exec_request(cmd);
	reply = j->g->ops.command(j->g->ops.opaque, j->uri, j->vm, req, GEXEC_AGENT_TIMEOUT_S,
				  err, errlen);
	free(req);
	free(reply);
	return reply ? 0 : -1;
}

/* --- the template way ------------------------------------------------------------- */

static char **tmpl_argv(const char *tmpl, const struct gexec_target *t, const char *cmd)
{
	char *copy = mem_strdup(tmpl), *w, *save = NULL;
	char **argv = NULL;
	size_t n = 0;

	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		const char *val = strcmp(w, "{addr}") == 0 ? t->addr : strcmp(w, "{vm}") == 0 ?
				  t->vm : strcmp(w, "{host}") == 0 ? t->host : w;

		*MEM_PUSH(argv, n) = mem_strdup(val ? val : "");
	}
	*MEM_PUSH(argv, n) = mem_strdup(cmd);
	*MEM_PUSH(argv, n) = NULL;
	free(copy);
	return argv;
}

static int tmpl_start(struct gexec_job *j, const struct gexec_target *t, const char *cmd,
		      char *err, size_t errlen)
{
	char **argv = tmpl_argv(j->g->tmpl, t, cmd);
	size_t i;

	j->out = tmpfile();
	j->err = tmpfile();
	j->child = (j->out && j->err) ? fork() : -1;
	if (j->child == 0) {
		setpgid(0, 0);
		dup2(fileno(j->out), 1);
		dup2(fileno(j->err), 2);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (j->child < 0)
		snprintf(err, errlen, "VM %s: cannot run %s: %s", t->vm, argv[0], strerror(errno));
	else
		setpgid(j->child, j->child);
	for (i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
	return j->child < 0 ? -1 : 0;
}

static char *slurp(FILE *f, size_t *len)
{
	long n;
	char *buf;

	fflush(f);
	n = lseek(fileno(f), 0, SEEK_END);
	buf = mem_alloc(n > 0 ? (size_t)n + 1 : 1);
	*len = 0;
	if (n > 0 && pread(fileno(f), buf, (size_t)n, 0) == n)
		*len = (size_t)n;
	buf[*len] = '\0';
	return buf;
}

static int tmpl_poll(struct gexec_job *j, struct gexec_result *r)
{
	int status = 0;
	pid_t p = waitpid(j->child, &status, WNOHANG);

	memset(r, 0, sizeof(*r));
	if (p == 0)
		return 0;
	r->exited = true;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
		    WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
	r->out = slurp(j->out, &r->out_len);
	r->err = slurp(j->err, &r->err_len);
	j->child = -1;
	return 1;
}

/* --- the interface ------------------------------------------------------------------ */

struct gexec *gexec_new(const char *tmpl, const struct gexec_agent_ops *ops)
{
	struct gexec *g = mem_alloc(sizeof(*g));

	g->tmpl = mem_strdup(tmpl);
	if (ops) {
		g->ops = *ops;
	} else {
		log_route_libvirt();     /* libvirt's own copy of errors: debug only */
		g->virt = mem_alloc(sizeof(*g->virt));
		g->ops = (struct gexec_agent_ops){ gv_command, gv_running, gv_close, g->virt };
	}
	return g;
}

void gexec_free(struct gexec *g)
{
	if (!g)
		return;
	if (g->ops.close)
		g->ops.close(g->ops.opaque);
	free(g->tmpl);
	free(g);
}

int gexec_locate(struct gexec *g, const char *const *uris, size_t n, const char *vm,
		 char *err, size_t errlen)
{
	char why[512] = "";
	size_t i, unreachable = 0;
	int rc;

	for (i = 0; i < n; i++) {
		if (!uris[i])
			continue;
		rc = g->ops.running(g->ops.opaque, uris[i], vm, why, sizeof(why));
		if (rc == 1)
			return (int)i;
		if (rc < 0)
			unreachable++;
	}
	if (unreachable)
		snprintf(err, errlen, "VM %s: not running on any host that answered (%zu "
			 "unreachable; last: %s)", vm, unreachable, why);
	else
		snprintf(err, errlen, "VM %s: not running on any host", vm);
	return -1;
}

static char *gv_version(unsigned long v)
{
	return mem_printf("%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
}

int gexec_versions(struct gexec *g, const char *uri, char **libvirt, char **hypervisor)
{
	char err[512];
	virConnectPtr conn = g->virt && uri ? gv_conn(g->virt, uri, err, sizeof(err)) : NULL;
	unsigned long lib = 0, hv = 0;

	*libvirt = *hypervisor = NULL;
	if (!conn || virConnectGetLibVersion(conn, &lib) < 0 || virConnectGetVersion(conn, &hv) < 0)
		return -1;
	*libvirt = gv_version(lib);
	*hypervisor = gv_version(hv);
	return 0;
}

bool gexec_uses_agent(const struct gexec *g)
{
	return !g->tmpl;
}

struct gexec_job *gexec_start(struct gexec *g, const struct gexec_target *t, const char *cmd,
			      char *err, size_t errlen)
{
	struct gexec_job *j = mem_alloc(sizeof(*j));
	int rc;

	j->g = g;
	j->child = -1;
	j->vm = mem_strdup(t->vm);
	j->uri = mem_strdup(t->uri);
	if (g->tmpl) {
		rc = tmpl_start(j, t, cmd, err, errlen);
	} else if (!t->uri) {
		snprintf(err, errlen, "VM %s: no libvirt URI for its host", t->vm);
		rc = -1;
	} else {
		rc = agent_start(j, cmd, err, errlen);
	}
	if (rc < 0) {
		gexec_job_free(j);
		return NULL;
	}
	return j;
}

int gexec_poll(struct gexec_job *j, struct gexec_result *r, char *err, size_t errlen)
{
	int rc;

	if (j->done) {
		*r = j->saved;
		memset(&j->saved, 0, sizeof(j->saved));
		return 1;
	}
	rc = j->g->tmpl ? tmpl_poll(j, r) : agent_poll(j, r, err, errlen);
	if (rc == 1)
		j->done = true;
	return rc;
}

int gexec_kill(struct gexec_job *j, char *err, size_t errlen)
{
	if (j->done)
		return 0;
	if (j->g->tmpl) {
		if (j->child > 0)
			kill(-j->child, SIGTERM);
		return 0;
	}
	return agent_kill(j, err, errlen);
}

void gexec_job_retarget(struct gexec_job *j, const char *uri)
{
	if (!uri || (j->uri && strcmp(j->uri, uri) == 0))
		return;
	free(j->uri);
	j->uri = mem_strdup(uri);
}

void gexec_job_free(struct gexec_job *j)
{
	int status;

	if (!j)
		return;
	if (j->child > 0) {              /* never leave a zombie or a runaway */
		kill(-j->child, SIGKILL);
		waitpid(j->child, &status, 0);
	}
	if (j->out)
		fclose(j->out);
	if (j->err)
		fclose(j->err);
	gexec_result_release(&j->saved);
	free(j->vm);
	free(j->uri);
	free(j);
}

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int gexec_run(struct gexec *g, const struct gexec_target *t, const char *cmd,
	      double timeout_s, struct gexec_result *r, char *err, size_t errlen)
{
	struct gexec_job *j = gexec_start(g, t, cmd, err, errlen);
	double deadline = mono_s() + timeout_s;
	bool killed = false;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	while (j && (rc = gexec_poll(j, r, err, errlen)) == 0) {
		if (timeout_s > 0 && !killed && mono_s() > deadline) {
			gexec_kill(j, err, errlen);
			killed = true;
		} else if (killed && mono_s() > deadline + 5) {
			snprintf(err, errlen, "VM %s: command still runs %.0f s after its time-out",
				 t->vm, timeout_s);
			rc = -1;
			break;
		}
		usleep(50000);
	}
	if (rc == 1 && killed)
		r->exited = false;
	gexec_job_free(j);
	return rc == 1 ? 0 : -1;
}

void gexec_result_release(struct gexec_result *r)
{
	if (!r)
		return;
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
	r->out_len = r->err_len = 0;
}
