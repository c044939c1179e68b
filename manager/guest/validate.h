/*
 * validate.h - measures, inside the guests, what the scenario's shaped
 * links really do: for every shape row (a directed link A->B, on B's vif,
 * for traffic from A's address or prefix), an iperf3 run from a sender A
 * to B (TCP, B runs the test image's iperf3 server) and a ping from A to
 * B; then compares with what is configured.
 *
 * The guests are reached through a command template given by the user
 * (vmibctl has no guest access of its own): its words, with {addr}, {vm}
 * and {host} replaced by the guest's address, name and host, are run
 * with the command for the guest appended as one more word, and must
 * print the command's output and exit with its status.  On the local
 * testbed: tests/image/guest-exec -n vmib-sw {addr}.
 *
 * Rates: iperf3 reports TCP goodput; the MIB's rates are at layer 2, so
 * the goodput is scaled by 1514/1448 (full frames with the TCP timestamp
 * option) before it is compared, within 3% (DESIGN 7).  Delay: the ping
 * round trip is compared with the configured delay A->B plus the delay
 * B->A (the reverse row, if any), within 0.5 ms + 5%; the unshaped round
 * trip of the path is part of the measurement.
 *
 * Ownership: struct validate owns its rows' texts; the rows borrow the
 * state they were made from.
 */
#ifndef VMIB_VALIDATE_H
#define VMIB_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "state.h"

struct out;

struct validate_row {
	const char *link;            /* the shape row's name */
	const struct state_vm *from, *to;
	const char *from_host, *to_host;
	uint32_t from_addr, to_addr;
	const struct shape_params *p;        /* configured A->B */
	uint32_t reverse_delay_us;           /* configured B->A, 0 if none */
	bool measured_rate, measured_rtt;
	double l4_bps, l2_bps;               /* iperf3 goodput, at layer 2 */
	double rtt_us, loss_pct;
	bool rate_ok, rtt_ok;
	char *error;                         /* why a measurement failed */
};

struct validate {
	struct validate_row *rows;
	size_t n;
	size_t failed;               /* rows out of tolerance or not measured */
};

struct validate_opts {
	const char *exec;            /* the guest access command template */
	unsigned duration_s;         /* iperf3 -t (default 5) */
	unsigned pings;              /* ping -c (default 20) */
	struct out *progress;        /* a line per measurement, or NULL */
};

/* the rows of every shape row of s whose sender and receiver are VMs */
void validate_rows(const struct state *s, struct validate *v);
void validate_measure(struct validate *v, const struct validate_opts *o);
void validate_release(struct validate *v);

void validate_print(const struct validate *v, struct out *o);
int validate_csv(const struct validate *v, FILE *fp);
/* a gnuplot script drawing configured vs measured rate and RTT into plot */
int validate_gnuplot(const char *csv, const char *plot, FILE *fp);

/* the parsers of the guests' output, exposed for the tests */
int validate_parse_iperf3(const char *json, double *bps);
int validate_parse_ping(const char *text, double *avg_us, double *loss_pct);

#endif
