/*
 * cmd_exec.c - `vmibctl exec [OPTIONS] VM -- CMD...` (run CMD in the guest,
 * through the hypervisor's guest agent or an --exec template, gexec.h)
 * and `vmibctl console [OPTIONS] VM` (virsh console at the VM's host).
 * The VM's host is the one of the real environment (--real FILE, or
 * $VMIB_REAL) whose libvirt runs the domain, or --connect URI.  exec
 * exits with CMD's status, 255 when CMD could not be run (like ssh).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "env.h"
#include "gexec.h"
#include "load.h"
#include "mem.h"
#include "out.h"

#define EXEC_NOT_RUN 255

struct exec_opts {
	const char *real, *connect, *tmpl, *addr;
	double timeout_s;
	int first;               /* index in argv of VM */
};

static int exec_usage(const struct cmd_ctx *ctx, const char *cmd, const char *why)
{
	struct out *o = out_new(OUT_TEXT, ctx->err);

	out_text(o, "vmibctl %s: %s\nusage: vmibctl %s [--real REAL.xml | --connect URI] "
		    "[--exec TEMPLATE] [--addr ADDR] [--timeout S] VM%s\n", cmd, why, cmd,
		 strcmp(cmd, "exec") == 0 ? " -- CMD..." : "");
	out_free(o);
	return CMD_USAGE;
}

static int exec_parse(const struct cmd_ctx *ctx, const char *cmd, struct exec_opts *eo)
{
	static const struct option options[] = {
		{ "real", required_argument, NULL, 'r' },
		{ "connect", required_argument, NULL, 'c' },
		{ "exec", required_argument, NULL, 'e' },
		{ "addr", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(eo, 0, sizeof(*eo));
	eo->real = getenv("VMIB_REAL");
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(ctx->argc + 1, ctx->argv - 1, "+", options, NULL)) != -1) {
		switch (c) {
		case 'r': eo->real = optarg; break;
		case 'c': eo->connect = optarg; break;
		case 'e': eo->tmpl = optarg; break;
		case 'a': eo->addr = optarg; break;
		case 't':
			eo->timeout_s = strtod(optarg, &end);
			if (*end || eo->timeout_s < 0)
				return exec_usage(ctx, cmd, "--timeout: a number of seconds");
			break;
		default: return exec_usage(ctx, cmd, "unknown option");
		}
	}
	eo->first = optind - 1;
	if (eo->first >= ctx->argc)
		return exec_usage(ctx, cmd, "no VM given");
	if (!eo->real && !eo->connect)
		return exec_usage(ctx, cmd, "where is the VM? give --real REAL.xml (or $VMIB_REAL) "
				  "or --connect URI");
	return CMD_OK;
}

/* the URI and host name of the VM's host, into *uri / *host (malloc'd) */
static int exec_find(const struct cmd_ctx *ctx, const struct exec_opts *eo, struct gexec *g,
		     const char *vm, char **uri, char **host)
{
	const char **uris = NULL;
	struct load l;
	char err[1024];
	size_t i;
	int rc, at = -1;

	if (eo->connect) {
		*uri = mem_strdup(eo->connect);
		*host = mem_strdup(eo->connect);
		return CMD_OK;
	}
	rc = cmd_problems(ctx, load_real(eo->real, ctx->schema_dir, &l), &l.diag);
	if (rc == CMD_OK) {
		uris = mem_alloc((l.real->n_hosts + 1) * sizeof(*uris));
		for (i = 0; i < l.real->n_hosts; i++)
			uris[i] = l.real->hosts[i].libvirt;
		at = gexec_locate(g, uris, l.real->n_hosts, vm, err, sizeof(err));
		if (at < 0) {
			struct out *o = out_new(OUT_TEXT, ctx->err);

			out_text(o, "vmibctl: %s\n", err);
			out_free(o);
			rc = EXEC_NOT_RUN;
		} else {
			*uri = mem_strdup(uris[at]);
			*host = mem_strdup(l.real->hosts[at].name);
		}
	}
	free(uris);
	load_release(&l);
	return rc;
}

static void exec_print(const struct cmd_ctx *ctx, const char *vm, const struct gexec_result *r)
{
	struct out *o;

	if (!ctx->json) {
		/* the command's own bytes, as they came: not formatted output */
		fwrite(r->out, 1, r->out_len, ctx->out);
		fwrite(r->err, 1, r->err_len, ctx->err);
		return;
	}
	o = out_new(OUT_JSON, ctx->out);
	out_obj_open(o, NULL);
	out_str(o, "vm", NULL, vm);
	out_bool(o, "exited", NULL, r->exited);
	out_u64(o, "status", NULL, (uint64_t)r->status);
	out_str(o, "stdout", NULL, r->out);
	out_str(o, "stderr", NULL, r->err);
	out_obj_close(o);
	out_free(o);
}

int cmd_exec(const struct cmd_ctx *ctx, char **operands)
{
	struct exec_opts eo;
	struct gexec_result r;
	struct gexec *g;
	struct gexec_target t;
	char err[1024], *uri = NULL, *host = NULL, *cmd;
	int rc = exec_parse(ctx, "exec", &eo), words;

	(void)operands;
	if (rc != CMD_OK)
		return rc;
	words = ctx->argc - eo.first - 1;
	if (words > 0 && strcmp(ctx->argv[eo.first + 1], "--") == 0)
		words--;
	if (words <= 0)
		return exec_usage(ctx, "exec", "no command given");
	cmd = words == 1 ? mem_strdup(ctx->argv[ctx->argc - 1]) :
	      gexec_join_words(ctx->argv + ctx->argc - words, words);
	g = gexec_new(eo.tmpl, NULL);
	rc = exec_find(ctx, &eo, g, ctx->argv[eo.first], &uri, &host);
	if (rc == CMD_OK) {
		t = (struct gexec_target){ ctx->argv[eo.first], uri, host, eo.addr };
		if (gexec_run(g, &t, cmd, eo.timeout_s, &r, err, sizeof(err)) < 0) {
			struct out *o = out_new(OUT_TEXT, ctx->err);

			out_text(o, "vmibctl exec: %s\n", err);
			out_free(o);
			rc = EXEC_NOT_RUN;
		} else {
			exec_print(ctx, t.vm, &r);
			rc = r.exited ? r.status : EXEC_NOT_RUN;
			if (!r.exited) {
				struct out *o = out_new(OUT_TEXT, ctx->err);

				out_text(o, "vmibctl exec: VM %s: timed out after %g s; "
					    "command stopped\n", t.vm, eo.timeout_s);
				out_free(o);
			}
			gexec_result_release(&r);
		}
	}
	gexec_free(g);
	free(cmd);
	free(uri);
	free(host);
	return rc;
}

int cmd_console(const struct cmd_ctx *ctx, char **operands)
{
	struct exec_opts eo;
	struct gexec *g;
	char *uri = NULL, *host = NULL;
	int rc = exec_parse(ctx, "console", &eo);

	(void)operands;
	if (rc != CMD_OK)
		return rc;
	if (eo.first + 1 != ctx->argc)
		return exec_usage(ctx, "console", "one VM only");
	g = gexec_new(NULL, NULL);
	rc = exec_find(ctx, &eo, g, ctx->argv[eo.first], &uri, &host);
	gexec_free(g);
	if (rc == CMD_OK) {
		char *argv[] = { (char *)"virsh", (char *)"-c", uri, (char *)"console",
				 ctx->argv[eo.first], NULL };
		struct out *o;

		execvp(argv[0], argv);
		o = out_new(OUT_TEXT, ctx->err);
		out_text(o, "vmibctl console: cannot run virsh: %m\n");
		out_free(o);
		rc = CMD_FAILED;
	}
	free(uri);
	free(host);
	return rc;
}
