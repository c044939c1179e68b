/*
 * validate.c - the measurements of validate.h: which guest sends to which
 * for each shape row, running iperf3 and ping in the guests through the
 * user's access command (fork/exec, output through a pipe, bounded in
 * time), parsing their output, and the CSV and gnuplot outputs.  The only
 * side effects are the commands it runs and the files it is given.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "out.h"
#include "validate.h"

#define L2_PER_L4 (1514.0 / 1448.0)
#define RATE_TOLERANCE 0.03
#define DELAY_TOLERANCE_US 500.0
#define DELAY_TOLERANCE 0.05

/* --- which VMs --------------------------------------------------------------- */

struct vm_at {
	const struct state_vm *vm;
	const char *host;
};

/* the VM (and host) with a vif address in prefix, other than not */
static struct vm_at vm_in(const struct state *s, const struct ip4_prefix *pfx,
			  const struct state_vm *not, uint32_t *addr)
{
	struct vm_at r = { NULL, NULL };
	size_t h, i, f;

	for (h = 0; h < s->n_hosts; h++) {
		for (i = 0; i < s->hosts[h].n_vms; i++) {
			const struct state_vm *vm = &s->hosts[h].vms[i];

			for (f = 0; vm != not && f < vm->n_vifs; f++) {
				if (vm->vifs[f].addr && ip4_contains(pfx, vm->vifs[f].addr)) {
					r.vm = vm;
					r.host = s->hosts[h].name;
					*addr = vm->vifs[f].addr;
					return r;
				}
			}
		}
	}
	return r;
}

/* the delay configured on `at` for traffic from addr (longest prefix) */
static uint32_t delay_towards(const struct state_vm *at, uint32_t addr)
{
	const struct state_shape *best = NULL;
	size_t f, k;

	for (f = 0; f < at->n_vifs; f++) {
		for (k = 0; k < at->vifs[f].n_shapes; k++) {
			const struct state_shape *s = &at->vifs[f].shapes[k];

			if (ip4_contains(&s->src, addr) && (!best || s->src.len > best->src.len))
				best = s;
		}
	}
	return best && shape_has(&best->p, SHAPE_DELAY) ? best->p.delay_us : 0;
}

static void add_row(struct validate *v, const struct state *s, const char *host,
		    const struct state_vm *vm, const struct state_vif *vif,
		    const struct state_shape *sh)
{
	struct validate_row *r;
	uint32_t from_addr = 0;
	struct vm_at from = vm_in(s, &sh->src, vm, &from_addr);

	if (!from.vm || !vif->addr)
		return;          /* nobody sends on this row: nothing to measure */
	r = MEM_PUSH(v->rows, v->n);
	r->link = sh->name;
	r->from = from.vm;
	r->from_host = from.host;
	r->from_addr = from_addr;
	r->to = vm;
	r->to_host = host;
	r->to_addr = vif->addr;
	r->p = &sh->p;
	r->reverse_delay_us = delay_towards(from.vm, vif->addr);
}

void validate_rows(const struct state *s, struct validate *v)
{
	size_t h, i, f, k;

	memset(v, 0, sizeof(*v));
	for (h = 0; h < s->n_hosts; h++)
		for (i = 0; i < s->hosts[h].n_vms; i++)
			for (f = 0; f < s->hosts[h].vms[i].n_vifs; f++)
				for (k = 0; k < s->hosts[h].vms[i].vifs[f].n_shapes; k++)
					add_row(v, s, s->hosts[h].name, &s->hosts[h].vms[i],
						&s->hosts[h].vms[i].vifs[f],
						&s->hosts[h].vms[i].vifs[f].shapes[k]);
}

void validate_release(struct validate *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++)
		free(v->rows[i].error);
	free(v->rows);
	memset(v, 0, sizeof(*v));
}

/* --- running commands in guests ------------------------------------------------ */

/* the template's words with {addr} {vm} {host} replaced, then cmd */
static char **guest_argv(const char *tmpl, const struct state_vm *vm, const char *host,
			 uint32_t addr, const char *cmd)
{
	char ip[IP4_STRLEN], *copy = mem_strdup(tmpl), *w, *save = NULL;
	char **argv = NULL;
	size_t n = 0;

	ip4_format(addr, ip);
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		const char *val = strcmp(w, "{addr}") == 0 ? ip : strcmp(w, "{vm}") == 0 ?
				  vm->name : strcmp(w, "{host}") == 0 ? host : w;

		*MEM_PUSH(argv, n) = mem_strdup(val);
	}
	*MEM_PUSH(argv, n) = mem_strdup(cmd);
	*MEM_PUSH(argv, n) = NULL;
	free(copy);
	return argv;
}

static void free_argv(char **argv)
{
	size_t i;

	for (i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* read the child's output until EOF or the deadline; 0, or -1 on timeout */
static int drain(int fd, FILE *out, double deadline)
{
	char buf[4096];
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	for (;;) {
		int ms = (int)((deadline - now_s()) * 1000);

		if (ms <= 0 || poll(&p, 1, ms) == 0)
			return -1;
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return 0;
		if (n > 0)
			fwrite(buf, 1, (size_t)n, out);
	}
}

/* run argv; *output gets stdout and stderr; returns the exit status, -1 */
static int run_guest(char **argv, unsigned timeout_s, char **output)
{
	size_t len = 0;
	FILE *out = open_memstream(output, &len);
	int fds[2], status = 0, rc;
	pid_t pid;

	if (pipe(fds) < 0) {
		fclose(out);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	rc = pid < 0 ? -1 : drain(fds[0], out, now_s() + timeout_s);
	close(fds[0]);
	if (rc < 0 && pid > 0)
		kill(pid, SIGKILL);
	if (pid > 0)
		waitpid(pid, &status, 0);
	fclose(out);
	if (pid < 0 || rc < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* --- parsing -------------------------------------------------------------------- */

int validate_parse_iperf3(const char *json, double *bps)
{
	const char *p = json ? strstr(json, "\"sum_received\"") : NULL;
	char *end;

	if (!p || !(p = strstr(p, "\"bits_per_second\"")) || !(p = strchr(p, ':')))
		return -1;
	*bps = strtod(p + 1, &end);
	return end == p + 1 ? -1 : 0;
}

int validate_parse_ping(const char *text, double *avg_us, double *loss_pct)
{
	const char *p = text ? strstr(text, "% packet loss") : NULL;
	const char *q;
	double min, avg;

	if (!p)
		return -1;
	for (q = p; q > text && (q[-1] == '.' || (q[-1] >= '0' && q[-1] <= '9')); q--)
		;
	*loss_pct = strtod(q, NULL);
	/* iputils "rtt min/avg/max/mdev = a/b/c/d ms", busybox "round-trip min/avg/max = a/b/c ms" */
	p = strstr(text, "min/avg/max");
	if (!p || !(p = strchr(p, '=')) || sscanf(p + 1, " %lf/%lf", &min, &avg) != 2) {
		*avg_us = 0;
		return *loss_pct >= 100 ? 0 : -1;
	}
	*avg_us = avg * 1000;
	return 0;
}

/* --- measuring -------------------------------------------------------------------- */

static void note_error(struct validate_row *r, char *msg)
{
	if (!r->error)
		r->error = msg;
	else
		free(msg);
}

static void measure_rate(struct validate_row *r, const struct validate_opts *o)
{
	char to[IP4_STRLEN], *cmd, *output = NULL, **argv;
	int st;

	cmd = mem_printf("iperf3 -c %s -t %u -J", ip4_format(r->to_addr, to), o->duration_s);
	argv = guest_argv(o->exec, r->from, r->from_host, r->from_addr, cmd);
	st = run_guest(argv, o->duration_s + 30, &output);
	if (st == 0 && validate_parse_iperf3(output, &r->l4_bps) == 0) {
		r->measured_rate = true;
		r->l2_bps = r->l4_bps * L2_PER_L4;
	} else {
		note_error(r, mem_printf("iperf3 %s -> %s: %s", r->from->name, r->to->name,
					 st < 0 ? "no result in time" : "no result"));
	}
	free(output);
	free_argv(argv);
	free(cmd);
}

static void measure_rtt(struct validate_row *r, const struct validate_opts *o)
{
	char to[IP4_STRLEN], *cmd, *output = NULL, **argv;
	int st;

	cmd = mem_printf("ping -c %u -i 0.2 -q %s", o->pings, ip4_format(r->to_addr, to));
	argv = guest_argv(o->exec, r->from, r->from_host, r->from_addr, cmd);
	st = run_guest(argv, o->pings / 5 + 30, &output);
	if (st >= 0 && validate_parse_ping(output, &r->rtt_us, &r->loss_pct) == 0)
		r->measured_rtt = r->loss_pct < 100;
	if (!r->measured_rtt)
		note_error(r, mem_printf("ping %s -> %s: %s", r->from->name, r->to->name,
					 st < 0 ? "no result in time" : "no answer"));
	free(output);
	free_argv(argv);
	free(cmd);
}

static void judge(struct validate_row *r)
{
	double rate = shape_has(r->p, SHAPE_RATE) ? r->p->rate_kbps * 1000.0 : 0;
	double want = (shape_has(r->p, SHAPE_DELAY) ? r->p->delay_us : 0) + r->reverse_delay_us;

	r->rate_ok = !rate || (r->measured_rate && r->l2_bps <= rate * (1 + RATE_TOLERANCE) &&
			       r->l2_bps >= rate * (1 - RATE_TOLERANCE));
	r->rtt_ok = r->measured_rtt && r->rtt_us >= want - DELAY_TOLERANCE_US - want * DELAY_TOLERANCE &&
		    r->rtt_us <= want + DELAY_TOLERANCE_US + want * DELAY_TOLERANCE;
	if (!want && r->measured_rtt)
		r->rtt_ok = true;        /* no delay configured: nothing to judge */
}

void validate_measure(struct validate *v, const struct validate_opts *o)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		struct validate_row *r = &v->rows[i];

		if (o->progress)
			out_text(o->progress, "validate: %zu/%zu %s (%s -> %s)\n", i + 1, v->n, r->link,
				 r->from->name, r->to->name);
		if (shape_has(r->p, SHAPE_RATE))
			measure_rate(r, o);
		measure_rtt(r, o);
		judge(r);
		v->failed += !r->rate_ok || !r->rtt_ok || r->error;
	}
}

/* --- output ---------------------------------------------------------------------- */

void validate_print(const struct validate *v, struct out *o)
{
	size_t i;

	out_arr_open(o, "links");
	for (i = 0; i < v->n; i++) {
		const struct validate_row *r = &v->rows[i];
		uint32_t delay = shape_has(r->p, SHAPE_DELAY) ? r->p->delay_us : 0;

		out_obj_open(o, NULL);
		out_str(o, "link", "%s", r->link);
		out_str(o, "from", " (%s", r->from->name);
		out_str(o, "to", " -> %s)", r->to->name);
		if (shape_has(r->p, SHAPE_RATE)) {
			out_u64(o, "rateKbps", ": rate %llu kbit/s", r->p->rate_kbps);
			if (r->measured_rate) {
				out_u64(o, "measuredL2Kbps", ", measured %llu kbit/s at L2",
					(uint64_t)(r->l2_bps / 1000 + 0.5));
				out_u64(o, "measuredL4Kbps", " (%llu TCP)", (uint64_t)(r->l4_bps / 1000 + 0.5));
			}
			out_bool(o, "rateOk", NULL, r->rate_ok);
			out_text(o, "%s", r->rate_ok ? "" : " OUT OF TOLERANCE");
		}
		out_u64(o, "expectedRttUs", "; rtt expected %llu us", delay + r->reverse_delay_us);
		if (r->measured_rtt) {
			out_u64(o, "measuredRttUs", ", measured %llu us", (uint64_t)(r->rtt_us + 0.5));
			out_u64(o, "lossPermille", ", loss %llu per mille",
				(uint64_t)(r->loss_pct * 10 + 0.5));
		}
		out_bool(o, "rttOk", NULL, r->rtt_ok);
		out_text(o, "%s", r->rtt_ok ? "" : " OUT OF TOLERANCE");
		out_str(o, "error", "; %s", r->error);
		out_text(o, "\n");
		out_obj_close(o);
	}
	out_arr_close(o);
	out_u64(o, "links", "validate: %llu link(s)", v->n);
	out_u64(o, "failed", ", %llu out of tolerance or not measured\n", v->failed);
}

int validate_csv(const struct validate *v, FILE *fp)
{
	size_t i;

	fprintf(fp, "link,from,to,from_host,to_host,rate_kbps,measured_l4_kbps,measured_l2_kbps,"
		    "rate_ok,delay_us,reverse_delay_us,expected_rtt_us,measured_rtt_us,rtt_ok,"
		    "loss_ppm,measured_loss_ppm,error\n");
	for (i = 0; i < v->n; i++) {
		const struct validate_row *r = &v->rows[i];
		uint32_t delay = shape_has(r->p, SHAPE_DELAY) ? r->p->delay_us : 0;

		fprintf(fp, "\"%s\",%s,%s,%s,%s,", r->link, r->from->name, r->to->name, r->from_host,
			r->to_host);
		if (shape_has(r->p, SHAPE_RATE))
			fprintf(fp, "%u,", r->p->rate_kbps);
		else
			fputs(",", fp);
		if (r->measured_rate)
			fprintf(fp, "%.0f,%.0f,", r->l4_bps / 1000, r->l2_bps / 1000);
		else
			fputs(",,", fp);
		fprintf(fp, "%d,%u,%u,%u,", r->rate_ok, delay, r->reverse_delay_us,
			delay + r->reverse_delay_us);
		if (r->measured_rtt)
			fprintf(fp, "%.0f,", r->rtt_us);
		else
			fputs(",", fp);
		fprintf(fp, "%d,%u,", r->rtt_ok, shape_has(r->p, SHAPE_LOSS) ? r->p->loss_ppm : 0);
		if (r->measured_rtt)
			fprintf(fp, "%.0f,", r->loss_pct * 10000);
		else
			fputs(",", fp);
		fprintf(fp, "\"%s\"\n", r->error ? r->error : "");
	}
	return ferror(fp) ? -1 : 0;
}

int validate_gnuplot(const char *csv, const char *plot, FILE *fp)
{
	const char *dot = strrchr(plot, '.');
	bool svg = dot && strcmp(dot, ".svg") == 0;

	fprintf(fp, "# configured vs measured, from %s (vmibctl validate)\n"
		    "set terminal %s size 1000,700\n"
		    "set output '%s'\n"
		    "set datafile separator ','\n"
		    "set key outside right top\n"
		    "set yrange [0:*]\n"
		    "set style data histograms\n"
		    "set style histogram clustered gap 1\n"
		    "set style fill solid 0.8 border -1\n"
		    "set xtics rotate by -45 noenhanced font ',8'\n"
		    "set multiplot layout 2,1\n"
		    "set title 'rate (kbit/s, layer 2)'\n"
		    "plot '%s' every ::1 using 6:xticlabels(1) title 'configured', '' every ::1 using 8 title 'measured'\n"
		    "set title 'round trip (us)'\n"
		    "plot '%s' every ::1 using 12:xticlabels(1) title 'expected', '' every ::1 using 13 title 'measured'\n"
		    "unset multiplot\n",
		csv, svg ? "svg" : "pngcairo", plot, csv, csv);
	return ferror(fp) ? -1 : 0;
}
