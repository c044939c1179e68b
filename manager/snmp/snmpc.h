/*
 * snmpc.h - vmibctl's SNMP client: one asynchronous session per host, all
 * hosts served by one loop, behind a seam (struct snmpc_ops) so that the
 * unit tests put an in-memory agent (snmpfake.c) where Net-SNMP would be.
 *
 * The seam is one request at a time: send() queues a PDU for a host and
 * its callback runs exactly once, from snmpc_run(), with the answer or the
 * reason there is none (timeout, unreachable host, SNMPv3 report).  Walks
 * (GETBULK until the subtree ends) are built above the seam, so the fake
 * only answers single PDUs and the walk logic is tested with it.
 *
 * The Net-SNMP transport (snmpc_netsnmp_open) takes its session settings
 * from Net-SNMP's own command-line flags and client configuration, exactly
 * as snmpwalk does (snmp_parse_args: -v -c -u -l -a -A -x -X -n -t -r -e,
 * snmp.conf / SNMPCONFPATH defaults such as defSecurityName); every host
 * gets a session with those settings and its own peer name (the snmp=
 * attribute of the real environment).  Credentials never come from the
 * scenario files.
 *
 * Ownership: struct snmpc is freed with snmpc_free(); responses handed to
 * callbacks belong to the client and are valid during the call only.
 */
#ifndef VMIB_SNMPC_H
#define VMIB_SNMPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdu.h"

struct snmpc;

typedef void (*snmpc_cb)(void *arg, struct pdu_resp *r);

struct snmpc_ops {
	void (*send)(struct snmpc *c, size_t host, const struct pdu *p, snmpc_cb cb, void *arg);
	void (*run)(struct snmpc *c);        /* until nothing is outstanding */
	void (*free)(struct snmpc *c);
};

struct snmpc_stats {
	unsigned long requests;      /* PDUs sent */
	unsigned long sets;          /* of which SET */
	unsigned long set_varbinds;
};

struct snmpc {
	const struct snmpc_ops *ops;
	size_t n_hosts;
	long max_repetitions;        /* for walks */
	size_t outstanding;          /* requests whose callback has not run */
	struct snmpc_stats *stats;   /* one per host */
	void *impl;
};

/* the transports call these to set up and tear down the common part */
void snmpc_init(struct snmpc *c, const struct snmpc_ops *ops, size_t n_hosts, void *impl);
void snmpc_release(struct snmpc *c);

void snmpc_send(struct snmpc *c, size_t host, const struct pdu *p, snmpc_cb cb, void *arg);
void snmpc_run(struct snmpc *c);
void snmpc_free(struct snmpc *c);

/*
 * Walk the subtree under root on host with GETBULK; cb runs once with
 * every varbind found, in order (NULL err) or with the reason it failed.
 * The varbinds belong to the walk and are valid during the call.
 */
typedef void (*snmpc_walk_cb)(void *arg, const char *err, const struct pdu_vb *vb, size_t n);
void snmpc_walk(struct snmpc *c, size_t host, const uint32_t *root, size_t root_len,
		snmpc_walk_cb cb, void *arg);

/*
 * Walk the columns of a table at once, as snmptable does: each GETBULK
 * carries one varbind per column not yet finished, so a row costs one
 * repetition however many columns it has (behind an AgentX master that is
 * one subagent round trip per row instead of one per value).  cols are
 * the columns' OIDs (each cols_len[i] long); cb gets every instance found,
 * sorted by OID, as snmpc_walk gives them.
 */
void snmpc_walk_columns(struct snmpc *c, size_t host, const uint32_t *const *cols,
			const size_t *cols_len, size_t n_cols, snmpc_walk_cb cb, void *arg);

/* send p to host and run the loop until it is answered; release *r after */
void snmpc_request(struct snmpc *c, size_t host, const struct pdu *p, struct pdu_resp *r);

/* "timeout", or "inconsistentValue (vmibVmImage.3)" for an error-status */
char *snmpc_error_text(const struct pdu_resp *r, const struct pdu *sent);

/* --- the Net-SNMP transport ------------------------------------------------ */

struct snmpc_args;

/*
 * Parse Net-SNMP's flags at the front of argv (argv[0] is the program
 * name) into a session template, reading snmp.conf as snmpwalk does.
 * Returns the index of the first operand (argc when there is none), -1 on
 * a usage error (Net-SNMP printed why), -2 when Net-SNMP printed what was
 * asked (-V, -H) and the program should exit 0.
 */
int snmpc_args_parse(int argc, char **argv, struct snmpc_args **out);
void snmpc_args_free(struct snmpc_args *a);
/* "3", "2c" or "1" */
const char *snmpc_args_version(const struct snmpc_args *a);

/*
 * One session per peer, opened in order (SNMPv3 engine discovery happens
 * here, synchronously, as in every Net-SNMP 5.9 application).  A peer
 * that cannot be opened is not fatal: every request to it fails with the
 * reason.
 */
struct snmpc *snmpc_netsnmp_open(const struct snmpc_args *a, const char *const *peers,
				 size_t n);

#endif
