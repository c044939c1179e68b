/*
 * cmd_snmp.c - the command line, file loading and session opening shared
 * by the SNMP subcommands (cmd_snmp.h).  Net-SNMP's flags are handed to
 * snmp_parse_args() untouched, so they mean what they mean for snmpwalk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_snmp.h"
#include "mem.h"
#include "out.h"

static const struct {
	const char *name;
	unsigned opt;
	bool value;
} options[] = {
	{ "--dry-run", OPT_DRY_RUN, false },
	{ "--all", OPT_ALL, false },
	{ "--verbose", OPT_VERBOSE, false },
	{ "--cold", OPT_COLD, false },
	{ "--max-varbinds", OPT_MAX_VARBINDS, true },
	{ "--wait", OPT_WAIT, true },
	{ "--interval", OPT_INTERVAL, true },
	{ "--count", OPT_COUNT, true },
	{ "--timeout", OPT_TIMEOUT, true },
	{ "--repetitions", OPT_REPETITIONS, true },
	{ "--exec", OPT_EXEC, true },
	{ "--csv", OPT_CSV, true },
	{ "--plot", OPT_PLOT, true },
	{ "--duration", OPT_DURATION, true },
	{ "--pings", OPT_PINGS, true },
	{ "--yes", OPT_YES, false },
	{ "--keep-moved", OPT_KEEP_MOVED, false },
	{ "--save", OPT_SAVE, true },
	{ "--reviewed", OPT_REVIEWED, true },
	{ "--results", OPT_RESULTS, true },
	{ "--no-apply", OPT_NO_APPLY, false },
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static int usage(const struct cmd_snmp *s, const char *command, const char *text,
		 const char *why)
{
	struct out *o = out_new(OUT_TEXT, s->ctx.err);

	if (why)
		out_text(o, "vmibctl %s: %s\n", command, why);
	out_text(o, "usage: vmibctl [--json] %s %s\n(see vmibctl --help and vmibctl(1))\n", command,
		 text);
	out_free(o);
	return CMD_USAGE;
}

static int number(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return end != s && *end == '\0' && !errno && *out >= min && *out <= max ? 0 : -1;
}

static int set_option(struct cmd_snmp *s, unsigned opt, const char *value)
{
	double v = 0;

	switch (opt) {   /* the options whose value is a string */
	case OPT_EXEC: s->exec = value; return *value ? 0 : -1;
	case OPT_CSV: s->csv = value; return *value ? 0 : -1;
	case OPT_PLOT: s->plot = value; return *value ? 0 : -1;
	case OPT_SAVE: s->save = value; return *value ? 0 : -1;
	case OPT_REVIEWED: s->reviewed = value; return *value ? 0 : -1;
	case OPT_RESULTS: s->results = value; return *value ? 0 : -1;
	default: break;
	}
	if (value && number(value, 0, 1e9, &v) < 0)
		return -1;
	switch (opt) {
	case OPT_DRY_RUN: s->dry_run = true; break;
	case OPT_ALL: s->all = true; break;
	case OPT_VERBOSE: s->verbose = true; break;
	case OPT_COLD: s->cold = true; break;
	case OPT_YES: s->yes = true; break;
	case OPT_KEEP_MOVED: s->keep_moved = true; break;
	case OPT_NO_APPLY: s->no_apply = true; break;
	case OPT_MAX_VARBINDS: s->max_varbinds = (size_t)v; return v >= 1 ? 0 : -1;
	case OPT_WAIT: s->wait_s = v; break;
	case OPT_INTERVAL: s->interval_s = v; break;
	case OPT_COUNT: s->count = (long)v; break;
	case OPT_TIMEOUT: s->timeout_s = v; return v > 0 ? 0 : -1;
	case OPT_REPETITIONS: s->repetitions = (long)v; return v >= 1 ? 0 : -1;
	case OPT_DURATION: s->duration_s = (unsigned)v; return v >= 1 && v <= 3600 ? 0 : -1;
	case OPT_PINGS: s->pings = (unsigned)v; return v >= 1 && v <= 10000 ? 0 : -1;
	}
	return 0;
}

/* take vmibctl's options out of argv; rest gets the others, in order */
static int take_options(struct cmd_snmp *s, const char *command, unsigned opts,
			char **rest, int *n_rest, const char *text)
{
	int i, k;

	*n_rest = 0;
	for (i = 0; i < s->ctx.argc; i++) {
		const char *a = s->ctx.argv[i], *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		char *why;

		if (strcmp(a, "--") == 0) {
			while (i < s->ctx.argc)
				rest[(*n_rest)++] = s->ctx.argv[i++];
			break;
		}
		if (strcmp(a, "--json") == 0) {
			s->ctx.json = true;
			continue;
		}
		for (k = 0; k < (int)N_OPTIONS; k++)
			if (strlen(options[k].name) == len && strncmp(a, options[k].name, len) == 0)
				break;
		if (k == (int)N_OPTIONS || a[0] != '-' || a[1] != '-') {
			rest[(*n_rest)++] = s->ctx.argv[i];
			continue;
		}
		if (!(opts & options[k].opt)) {
			why = mem_printf("%s does not apply to %s", options[k].name, command);
			usage(s, command, text, why);
			free(why);
			return -1;
		}
		if (options[k].value && !eq && i + 1 >= s->ctx.argc)
			return usage(s, command, text, "an option needs a value"), -1;
		if (set_option(s, options[k].opt, !options[k].value ? NULL :
			       eq ? eq + 1 : s->ctx.argv[++i]) < 0) {
			why = mem_printf("bad value for %s", options[k].name);
			usage(s, command, text, why);
			free(why);
			return -1;
		}
	}
	return 0;
}

/* the operands among rest, after Net-SNMP took its flags */
static int split_snmp_flags(struct cmd_snmp *s, char **rest, int n_rest)
{
	char **argv = mem_array(NULL, (size_t)n_rest + 2, sizeof(*argv));
	int first, i;

	if (s->borrowed || s->no_snmp) {  /* every word an operand */
		free(argv);
		s->operands = rest;
		s->n_operands = n_rest;
		return 0;
	}
	argv[0] = (char *)"vmibctl";
	for (i = 0; i < n_rest; i++)
		argv[i + 1] = rest[i];
	argv[n_rest + 1] = NULL;
	first = snmpc_args_parse(n_rest + 1, argv, &s->args);
	free(argv);
	if (first < 0)
		return first;
	s->operands = rest + first - 1;
	s->n_operands = n_rest + 1 - first;
	return 0;
}

static int open_sessions(struct cmd_snmp *s)
{
	const struct state *d = &s->load.desired;
	const char **peers;
	size_t i;

	if (s->borrowed) {
		s->c = s->ctx.snmp;
	} else {
		if (strcmp(snmpc_args_version(s->args), "1") == 0)
			return -1;
		peers = mem_array(NULL, d->n_hosts + 1, sizeof(*peers));
		for (i = 0; i < d->n_hosts; i++)
			peers[i] = d->hosts[i].snmp ? d->hosts[i].snmp : d->hosts[i].address;
		s->c = snmpc_netsnmp_open(s->args, peers, d->n_hosts);
		free(peers);
	}
	if (s->repetitions)
		s->c->max_repetitions = s->repetitions;
	return 0;
}

int cmd_snmp_start(const struct cmd_ctx *ctx, const char *command, const char *text,
		   unsigned opts, int n_operands, struct cmd_snmp *s)
{
	char **rest = mem_array(NULL, (size_t)ctx->argc + 1, sizeof(*rest));
	int n_rest, rc;

	memset(s, 0, sizeof(*s));
	s->ctx = *ctx;
	s->borrowed = ctx->snmp != NULL;
	s->no_snmp = (opts & OPT_NO_SNMP) != 0;
	s->duration_s = 5;
	s->pings = 20;
	s->interval_s = -1;      /* unset: each command has its default */
	s->timeout_s = 120;
	if (take_options(s, command, opts, rest, &n_rest, text) < 0) {
		free(rest);
		return CMD_USAGE;
	}
	/* rest is kept: operands point into it */
	s->ctx.argv = rest;
	rc = split_snmp_flags(s, rest, n_rest);
	if (rc == -2)
		return CMD_OK;
	if (rc < 0)
		return usage(s, command, text, NULL);
	if (s->n_operands != n_operands)
		return usage(s, command, text, "wrong number of operands");
	rc = cmd_load(&s->ctx, s->operands[0], s->operands[1], &s->load);
	if (rc != CMD_OK)
		return rc;
	if (s->no_snmp)
		return CMD_OK;
	if (open_sessions(s) < 0)
		return usage(s, command, text, "SNMPv1 cannot carry the vMIB's Counter64 "
					       "columns: use -v2c or -v3");
	return CMD_OK;
}

void cmd_snmp_end(struct cmd_snmp *s)
{
	if (s->c && !s->borrowed)
		snmpc_free(s->c);
	snmpc_args_free(s->args);
	load_release(&s->load);
	free(s->ctx.argv);
	memset(s, 0, sizeof(*s));
}

bool cmd_snmp_tty(const struct cmd_snmp *s)
{
	return isatty(fileno(s->ctx.err)) == 1;
}

char *cmd_snmp_confirm_destroys(const struct cmd_snmp *s, const char *command,
				size_t n_destroying, bool ask, const char *how)
{
	char line[16];

	if (n_destroying == 0 || s->yes)
		return NULL;
	if (ask && s->ctx.in && !s->ctx.json) {
		fprintf(s->ctx.err, "%s: %zu item(s) of this plan DESTROY A RUNNING VM (its guest "
			"and everything in it are lost). Type yes to go on: ", command, n_destroying);
		fflush(s->ctx.err);
		if (fgets(line, sizeof(line), s->ctx.in) && strcmp(line, "yes\n") == 0)
			return NULL;
	}
	return mem_printf("%zu item(s) of the plan destroy a running VM (marked [DESTROYS RUNNING "
			  "VM]) and nobody confirmed it: %s", n_destroying, how);
}
