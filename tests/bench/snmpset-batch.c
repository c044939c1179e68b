/*
 * snmpset-batch.c - send many SET varbinds in as few PDUs as possible, for
 * the shaping benchmark (tests/bench/bench-50-shape-snmp).  Net-SNMP's
 * snmpset takes at most 128 varbinds per request and one process per PDU;
 * a manager (vmibctl apply) fills PDUs up to what the message size allows,
 * and so does this.
 *
 *   snmpset-batch [NET-SNMP FLAGS] AGENT ROWS_PER_PDU < FILE
 *
 * FILE: one varbind a line, "OID TYPE VALUE" as for snmpset (TYPE i, u, a,
 * s); a blank line ends a row, and a row's varbinds always go in one PDU.
 * ROWS_PER_PDU rows make a PDU (the benchmark finds the largest that
 * works).  Prints "pdus N varbinds N ms T" and exits 0, or prints the
 * agent's error (status, varbind index, OID) and exits 1.  Not part of
 * vmibd or vmibctl.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

struct vb {
	oid name[MAX_OID_LEN];
	size_t len;
	char type;
	char value[64];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* rows[r] is the index of row r's first varbind; rows[n_rows] = n_vbs */
static int load(struct vb **vbs, size_t *n_vbs, size_t **rows, size_t *n_rows)
{
	char line[256], o[200], v[64];
	size_t cap = 1024, rcap = 256;
	char t;
	bool open = false;

	*vbs = malloc(cap * sizeof(**vbs));
	*rows = malloc(rcap * sizeof(**rows));
	*n_vbs = *n_rows = 0;
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "%199s %c %63s", o, &t, v) != 3) {
			open = false;
			continue;
		}
		if (*n_vbs == cap)
			*vbs = realloc(*vbs, (cap *= 2) * sizeof(**vbs));
		if (*n_rows + 1 >= rcap)
			*rows = realloc(*rows, (rcap *= 2) * sizeof(**rows));
		if (!open)
			(*rows)[(*n_rows)++] = *n_vbs;
		open = true;
		(*vbs)[*n_vbs].len = MAX_OID_LEN;
		if (!read_objid(o, (*vbs)[*n_vbs].name, &(*vbs)[*n_vbs].len)) {
			fprintf(stderr, "snmpset-batch: bad OID %s\n", o);
			return -1;
		}
		(*vbs)[*n_vbs].type = t;
		snprintf((*vbs)[*n_vbs].value, sizeof((*vbs)[*n_vbs].value), "%s", v);
		(*n_vbs)++;
	}
	(*rows)[*n_rows] = *n_vbs;
	return 0;
}

static int send_pdu(netsnmp_session *ss, const struct vb *vbs, size_t from, size_t to)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_SET), *resp = NULL;
	netsnmp_variable_list *v;
	size_t i;
	int st, k;
	char buf[256];

	for (i = from; i < to; i++)
		if (snmp_add_var(pdu, vbs[i].name, vbs[i].len, vbs[i].type, vbs[i].value)) {
			fprintf(stderr, "snmpset-batch: bad value %s\n", vbs[i].value);
			snmp_free_pdu(pdu);
			return -1;
		}
	st = snmp_synch_response(ss, pdu, &resp);
	if (st != STAT_SUCCESS) {
		snmp_sess_perror("snmpset-batch", ss);
		return -1;
	}
	if (resp->errstat != SNMP_ERR_NOERROR) {
		for (k = 1, v = resp->variables; v && k < resp->errindex; k++)
			v = v->next_variable;
		if (v)
			snprint_objid(buf, sizeof(buf), v->name, v->name_length);
		printf("error %s at varbind %ld %s\n", snmp_errstring((int)resp->errstat),
		       resp->errindex, v ? buf : "?");
		snmp_free_pdu(resp);
		return -1;
	}
	snmp_free_pdu(resp);
	return 0;
}

int main(int argc, char **argv)
{
	netsnmp_session session, *ss;
	struct vb *vbs;
	size_t n_vbs, *rows, n_rows, r, per, pdus = 0;
	double t0;
	int arg;

	putenv("MIBS=");
	arg = snmp_parse_args(argc, argv, &session, "", NULL);
	if (arg < 0 || arg != argc - 1) {
		fprintf(stderr, "usage: snmpset-batch [NET-SNMP FLAGS] AGENT ROWS_PER_PDU < FILE\n");
		return 2;
	}
	per = strtoul(argv[arg], NULL, 10);
	if (!per || load(&vbs, &n_vbs, &rows, &n_rows) < 0)
		return 2;
	ss = snmp_open(&session);
	if (!ss) {
		snmp_sess_perror("snmpset-batch", &session);
		return 1;
	}
	t0 = now_ms();
	for (r = 0; r < n_rows; r += per, pdus++) {
		size_t end = r + per < n_rows ? r + per : n_rows;

		if (send_pdu(ss, vbs, rows[r], rows[end]) < 0) {
			snmp_close(ss);
			return 1;
		}
	}
	printf("pdus %zu varbinds %zu ms %.1f\n", pdus, n_vbs, now_ms() - t0);
	snmp_close(ss);
	free(vbs);
	free(rows);
	return 0;
}
