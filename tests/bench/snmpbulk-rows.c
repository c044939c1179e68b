/*
 * snmpbulk-rows.c - walk a conceptual table row by row, one GETBULK
 * carrying every column at once, the way NMS pollers fetch a table
 * (pysnmp's bulkCmd with several varbinds, Zabbix's walk[] of several
 * columns, the Cacti/LibreNMS table pollers), for the walk benchmark
 * (tests/bench/vmibd-walk).  Net-SNMP's snmpbulkwalk and snmptable (5.9)
 * ask for one column per request: the master agent then turns every
 * repetition into one AgentX round trip per varbind, whereas here one
 * repetition is one AgentX round trip for the whole row.
 *
 *   snmpbulk-rows [NET-SNMP FLAGS] AGENT MAX_REPETITIONS ENTRY_OID FIRST_COL LAST_COL
 *
 * Prints every varbind of the table as "OID = value" (numeric OIDs; the
 * same instances snmpbulkwalk -On prints), column by column, and on
 * stderr "requests N varbinds N ms T".  A column stops at the first OID
 * outside it (or endOfMibView); the others go on.  Exits 1 on a
 * protocol error.  Not part of vmibd or vmibctl.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#define ROWS_MAX_COLS 64

struct rows_col {
	oid name[MAX_OID_LEN];
	size_t len;
	bool done;
	/* the column's varbinds, kept to print them column by column */
	netsnmp_variable_list *head, *tail;
};

static double rows_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool rows_in_col(const netsnmp_variable_list *v, const oid *entry, size_t elen,
			unsigned long col)
{
	return v->type != SNMP_ENDOFMIBVIEW && v->type != SNMP_NOSUCHOBJECT &&
	       v->type != SNMP_NOSUCHINSTANCE && v->name_length > elen + 1 &&
	       snmp_oid_compare(v->name, elen, entry, elen) == 0 && v->name[elen] == col;
}

int main(int argc, char **argv)
{
	netsnmp_session session, *ss;
	struct rows_col cols[ROWS_MAX_COLS];
	oid entry[MAX_OID_LEN];
	size_t elen = MAX_OID_LEN, n_cols, i, k, live[ROWS_MAX_COLS], n_live;
	unsigned long first, last, reqs = 0, vbs = 0;
	long reps;
	netsnmp_variable_list *v, *next, *discard;
	netsnmp_pdu *pdu, *resp;
	double t0;
	int arg;

	putenv("MIBS=");
	arg = snmp_parse_args(argc, argv, &session, "", NULL);
	if (arg < 0 || arg != argc - 4) {
		fprintf(stderr, "usage: snmpbulk-rows [NET-SNMP FLAGS] AGENT MAX_REPETITIONS"
				" ENTRY_OID FIRST_COL LAST_COL\n");
		return 2;
	}
	reps = strtol(argv[arg], NULL, 10);
	first = strtoul(argv[arg + 2], NULL, 10);
	last = strtoul(argv[arg + 3], NULL, 10);
	if (reps < 1 || !read_objid(argv[arg + 1], entry, &elen) || elen + 1 >= MAX_OID_LEN ||
	    first < 1 || last < first || last - first + 1 > ROWS_MAX_COLS) {
		fprintf(stderr, "snmpbulk-rows: bad arguments\n");
		return 2;
	}
	n_cols = last - first + 1;
	for (i = 0; i < n_cols; i++) {
		memcpy(cols[i].name, entry, elen * sizeof(oid));
		cols[i].name[elen] = first + i;
		cols[i].len = elen + 1;
		cols[i].done = false;
		cols[i].head = cols[i].tail = NULL;
	}
	ss = snmp_open(&session);
	if (!ss) {
		snmp_sess_perror("snmpbulk-rows", &session);
		return 1;
	}
	t0 = rows_now_ms();
	for (;;) {
		for (n_live = i = 0; i < n_cols; i++)
			if (!cols[i].done)
				live[n_live++] = i;
		if (!n_live)
			break;
		pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
		pdu->non_repeaters = 0;
		pdu->max_repetitions = reps;
		for (i = 0; i < n_live; i++)
			snmp_add_null_var(pdu, cols[live[i]].name, cols[live[i]].len);
		resp = NULL;
		reqs++;
		if (snmp_synch_response(ss, pdu, &resp) != STAT_SUCCESS || !resp ||
		    resp->errstat != SNMP_ERR_NOERROR || !resp->variables) {
			if (resp && resp->errstat != SNMP_ERR_NOERROR)
				fprintf(stderr, "snmpbulk-rows: %s\n", snmp_errstring((int)resp->errstat));
			else
				snmp_sess_perror("snmpbulk-rows", ss);
			snmp_free_pdu(resp);
			snmp_close(ss);
			return 1;
		}
		/* the answer is row-major: repetition r, column k at r * n_live + k;
		 * the agent may send fewer repetitions than asked.  Varbinds are
		 * moved to their column's list or to the discard list. */
		discard = NULL;
		v = resp->variables;
		resp->variables = NULL;
		for (k = 0; v; v = next, k = (k + 1) % n_live) {
			struct rows_col *c = &cols[live[k]];

			next = v->next_variable;
			v->next_variable = NULL;
			if (c->done || !rows_in_col(v, entry, elen, first + live[k])) {
				c->done = true;
				v->next_variable = discard;
				discard = v;
				continue;
			}
			memcpy(c->name, v->name, v->name_length * sizeof(oid));
			c->len = v->name_length;
			if (c->tail)
				c->tail->next_variable = v;
			else
				c->head = v;
			c->tail = v;
			vbs++;
		}
		snmp_free_varbind(discard);
		snmp_free_pdu(resp);
	}
	fprintf(stderr, "requests %lu varbinds %lu ms %.1f\n", reqs, vbs, rows_now_ms() - t0);
	for (i = 0; i < n_cols; i++) {
		for (v = cols[i].head; v; v = v->next_variable)
			fprint_variable(stdout, v->name, v->name_length, v);
		snmp_free_varbind(cols[i].head);
	}
	snmp_close(ss);
	return 0;
}
