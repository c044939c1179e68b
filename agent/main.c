/*
 * main.c - vmibd(8): parse the command line, read the configuration file,
 * and run the daemon (daemon.c).  Every flag is a configuration key
 * (config.c), so the file and the command line accept the same values;
 * flags win.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "daemon.h"

struct override {
	const char *key;
	const char *value;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmibd [options]\n"
		"  -c, --config FILE          configuration file (default %s)\n"
		"  -u, --uri URI              libvirt connection URI\n"
		"  -x, --agentx-socket ADDR   AgentX master socket\n"
		"  -i, --image-dir DIR        directory of VM images\n"
		"  -b, --bridge NAME          host bridge for VMs (repeatable)\n"
		"  -p, --ping-interval SEC    AgentX ping / reconnect interval\n"
		"  -l, --log-level LEVEL      err|warning|notice|info|debug\n"
		"  -t, --log-tokens LIST      all, or main,snmp,virt,tc,ipt,xml\n"
		"  -s, --syslog               log to syslog (default stderr)\n"
		"  -f, --foreground           do not detach\n"
		"  -P, --pid-file FILE        write the process id to FILE\n"
		"  -o, --set KEY=VALUE        set any vmibd.conf key\n"
		"  -n, --print-config         print the effective configuration, exit\n"
		"  -V, --version              print the version, exit\n"
		"  -h, --help                 this text\n",
		CONFIG_DEFAULT_PATH);
}

static int add_override(struct override *ov, size_t *n, size_t max, const char *key,
			const char *value)
{
	if (*n >= max) {
		fprintf(stderr, "vmibd: too many options\n");
		return -1;
	}
	ov[*n].key = key;
	ov[(*n)++].value = value;
	return 0;
}

static int split_set(char *arg, struct override *ov, size_t *n, size_t max)
{
	char *eq = strchr(arg, '=');

	if (!eq) {
		fprintf(stderr, "vmibd: --set wants KEY=VALUE, not '%s'\n", arg);
		return -1;
	}
	*eq = '\0';
	return add_override(ov, n, max, arg, eq + 1);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"uri", required_argument, NULL, 'u'},
		{"agentx-socket", required_argument, NULL, 'x'},
		{"image-dir", required_argument, NULL, 'i'},
		{"bridge", required_argument, NULL, 'b'},
		{"ping-interval", required_argument, NULL, 'p'},
		{"log-level", required_argument, NULL, 'l'},
		{"log-tokens", required_argument, NULL, 't'},
		{"syslog", no_argument, NULL, 's'},
		{"foreground", no_argument, NULL, 'f'},
		{"pid-file", required_argument, NULL, 'P'},
		{"set", required_argument, NULL, 'o'},
		{"print-config", no_argument, NULL, 'n'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct override ov[64];
	size_t n_ov = 0, i;
	const char *path = NULL;
	struct vmibd_config cfg;
	char err[256];
	bool print = false;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "c:u:x:i:b:p:l:t:sfP:o:nVh", opts, NULL)) != -1) {
		const char *key = NULL, *value = optarg;

		switch (c) {
		case 'c': path = optarg; continue;
		case 'u': key = "uri"; break;
		case 'x': key = "agentx-socket"; break;
		case 'i': key = "image-dir"; break;
		case 'b': key = "bridge"; break;
		case 'p': key = "agentx-ping-interval"; break;
		case 'l': key = "log-level"; break;
		case 't': key = "log-tokens"; break;
		case 's': key = "log-target"; value = "syslog"; break;
		case 'f': key = "foreground"; value = "yes"; break;
		case 'P': key = "pid-file"; break;
		case 'o':
			if (split_set(optarg, ov, &n_ov, 64) < 0)
				return 2;
			continue;
		case 'n': print = true; continue;
		case 'V': printf("vmibd %s\n", VMIBD_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (add_override(ov, &n_ov, 64, key, value) < 0)
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "vmibd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	config_defaults(&cfg);
	/* the default file may be absent; a file named with -c may not */
	if (config_load(&cfg, path ? path : CONFIG_DEFAULT_PATH, path == NULL) < 0)
		rc = 2;
	for (i = 0; i < n_ov; i++) {
		if (config_set(&cfg, ov[i].key, ov[i].value, err, sizeof(err)) < 0) {
			fprintf(stderr, "vmibd: %s\n", err);
			rc = 2;
		}
	}
	if (rc == 0 && print)
		config_dump(&cfg, stdout);
	else if (rc == 0)
		rc = daemon_run(&cfg, path ? path : CONFIG_DEFAULT_PATH);
	config_free(&cfg);
	return rc;
}
