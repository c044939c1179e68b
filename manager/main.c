/*
 * main.c - vmibctl's entry point: global options, the subcommand table,
 * usage.  Everything else is in libvmibctl.a (cmd_*.c and below), which
 * the unit tests link; adding a subcommand is one handler and one line in
 * the table.  Exit statuses are those of enum cmd_status (cmd.h).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "mem.h"
#include "out.h"

#ifndef VMIB_VERSION
#define VMIB_VERSION "0.1"
#endif

struct command {
	const char *name;
	const char *operands;
	int n_operands;          /* -1: the handler parses ctx.argv (SNMP commands) */
	bool json;               /* --json applies */
	cmd_handler run;
	const char *help;
};

static const struct command commands[] = {
	{ "check", "REAL.xml VIRTUAL.xml", 2, true, cmd_check,
	  "validate and check both files; list every problem" },
	{ "show", "REAL.xml VIRTUAL.xml", 2, true, cmd_show,
	  "print the desired state of every host" },
	{ "graph", "REAL.xml VIRTUAL.xml", 2, false, cmd_graph,
	  "print the virtual topology over the hosts as Graphviz DOT" },
	{ "plan", "REAL.xml VIRTUAL.xml", -1, true, cmd_plan,
	  "read every host over SNMP; print what apply would change" },
	{ "apply", "REAL.xml VIRTUAL.xml", -1, true, cmd_apply,
	  "make every host what the scenario says (SNMP SETs), verify" },
	{ "destroy", "REAL.xml VIRTUAL.xml", -1, true, cmd_destroy,
	  "remove what the scenario made, and nothing else" },
	{ "status", "REAL.xml VIRTUAL.xml", -1, true, cmd_status,
	  "hosts, VMs, vifs, links with rates, errors, as read now" },
	{ "watch", "REAL.xml VIRTUAL.xml", -1, false, cmd_watch,
	  "status, refreshed every --interval seconds" },
	{ "migrate", "REAL VIRTUAL VM HOST", -1, true, cmd_migrate,
	  "live-migrate VM to HOST; wait, report the downtime" },
	{ "validate", "REAL.xml VIRTUAL.xml", -1, true, cmd_validate,
	  "measure each shaped link in the guests; CSV and plot" },
	{ "exec", "VM -- CMD...", -1, true, cmd_exec,
	  "run CMD in the guest (guest agent); exit with its status" },
	{ "console", "VM", -1, false, cmd_console,
	  "the VM's serial console (virsh console at its host)" },
	{ "run", "REAL VIRTUAL EXPERIMENT", -1, true, cmd_run,
	  "play an experiment; results/NAME/TIMESTAMP/" },
	{ "results", "DIR", 1, true, cmd_results,
	  "min, median, max of a run's measures over repetitions" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *fp, int status)
{
	struct out *o = out_new(OUT_TEXT, fp);
	size_t i;

	out_text(o, "usage: vmibctl [--json] [--schema-dir DIR] COMMAND ARGS...\n"
		    "       vmibctl --help | --version\n\ncommands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		out_text(o, "  %-8s %-21s %s\n", commands[i].name, commands[i].operands,
			 commands[i].help);
	out_text(o, "\noptions:\n"
		    "  -j, --json            JSON output (all but graph and watch)\n"
		    "  -s, --schema-dir DIR  where real.xsd and virtual.xsd are\n"
		    "\nSNMP commands: vmibctl CMD [OPTIONS] [NET-SNMP FLAGS] OPERANDS\n"
		    "  NET-SNMP FLAGS are snmpwalk's (-v3 -u -l -a -A -x -X, -v2c -c, -t -r ...);\n"
		    "  defaults come from snmp.conf.  OPTIONS: --all (plan), --dry-run,\n"
		    "  --verbose, --wait S, --max-varbinds N (apply, destroy), --interval S\n"
		    "  (status, watch), --count N (watch), --timeout S, --cold (migrate)\n"
		    "validate: --exec TEMPLATE --duration S --pings N --csv FILE --plot FILE\n"
		    "exec, console: --real REAL.xml (or $VMIB_REAL) | --connect URI,\n"
		    "  --exec TEMPLATE --addr ADDR (no guest agent), --timeout S (exec)\n"
		    "run: --no-apply --wait S --results DIR --exec TEMPLATE\n"
		    "\nexit status: 0 ok, 1 problems in the files, 2 usage, 3 failure,\n"
		    "  4 a host could not be read, a change failed or did not take\n"
		    "see vmibctl(1)\n");
	out_free(o);
	return status;
}

static int version(void)
{
	struct out *o = out_new(OUT_TEXT, stdout);

	out_text(o, "vmibctl %s\n", VMIB_VERSION);
	return out_free(o) < 0 ? CMD_FAILED : CMD_OK;
}

/* one line on stderr, then the usage status; msg is freed */
static int fail(char *msg)
{
	struct out *o = out_new(OUT_TEXT, stderr);

	out_text(o, "vmibctl: %s (see vmibctl --help)\n", msg);
	out_free(o);
	free(msg);
	return CMD_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "schema-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_ctx ctx = { .json = false, .out = stdout, .err = stderr,
			       .in = isatty(0) && isatty(2) ? stdin : NULL };
	const struct command *cmd = NULL;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "+js:hV", options, NULL)) != -1) {
		switch (c) {
		case 'j': ctx.json = true; break;
		case 's': ctx.schema_dir = optarg; break;
		case 'h': return usage(stdout, CMD_OK);
		case 'V': return version();
		default: return usage(stderr, CMD_USAGE);
		}
	}
	if (optind >= argc)
		return usage(stderr, CMD_USAGE);
	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd)
		return fail(mem_printf("unknown command '%s'", argv[optind]));
	if (ctx.json && !cmd->json)
		return fail(mem_printf("--json does not apply to %s", cmd->name));
	if (cmd->n_operands < 0) {
		ctx.argc = argc - optind - 1;
		ctx.argv = argv + optind + 1;
		return cmd->run(&ctx, NULL);
	}
	if (argc - optind - 1 != cmd->n_operands)
		return fail(mem_printf("usage: vmibctl %s %s", cmd->name, cmd->operands));
	return cmd->run(&ctx, argv + optind + 1);
}
