/*
 * agentx_guard.c - the AgentX PDU size guard of agentx_guard.h: a
 * stream filter over the AgentX header (RFC 2741 section 6.1: 20 bytes,
 * h.payload_length last, in the byte order h.flags says) and the
 * transport wrapper that applies it and answers what it removes.
 *
 * It owns the wrapped transport's original f_recv (restored never: the
 * transport dies with its session, and a new one is wrapped anew).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "agentx_guard.h"
#include "log.h"

#define AX_HEADER 20
#define AX_FLAG_NETWORK_BYTE_ORDER 0x10   /* RFC 2741 6.1, h.flags bit 4 */
#define AX_RESPONSE 18                    /* agentx-Response-PDU */
#define AX_ERR_TOO_BIG 1                  /* res.error, as SNMP's tooBig */

/* the library's subagent session (agent/mibgroup/agentx/subagent.c) */
extern netsnmp_session *main_session;

static uint32_t ax_u32(const uint8_t *p, int network)
{
	return network ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		       : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void ax_put(uint8_t *p, uint32_t v, size_t n, int network)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[network ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* the header is complete: start the PDU's body */
static void guard_header_done(struct agentx_guard_stream *st)
{
	uint64_t total = AX_HEADER + (uint64_t)ax_u32(st->head + 16,
						       st->head[2] & AX_FLAG_NETWORK_BYTE_ORDER);

	st->left = total - AX_HEADER;
	st->dropping = total > AGENTX_GUARD_MAX_BYTES;
}

size_t agentx_guard_filter(struct agentx_guard_stream *st, const uint8_t *in, size_t len,
			   uint8_t *out, agentx_guard_answer_fn answer, void *opaque)
{
	size_t i = 0, o = 0, n;

	while (i < len) {
		if (st->head_len < AX_HEADER) {
			n = AX_HEADER - st->head_len < len - i ? AX_HEADER - st->head_len : len - i;
			memcpy(st->head + st->head_len, in + i, n);
			st->head_len += n;
			i += n;
			if (st->head_len < AX_HEADER)
				break;   /* held back until the header is whole */
			guard_header_done(st);
			if (!st->dropping) {
				memcpy(out + o, st->head, AX_HEADER);
				o += AX_HEADER;
			}
		} else {
			n = st->left < len - i ? (size_t)st->left : len - i;
			if (!st->dropping) {
				memcpy(out + o, in + i, n);
				o += n;
			}
			i += n;
			st->left -= n;
		}
		if (st->head_len == AX_HEADER && st->left == 0) {
			if (st->dropping)
				answer(opaque, st->head,
				       AX_HEADER + (uint64_t)ax_u32(st->head + 16, st->head[2] &
								   AX_FLAG_NETWORK_BYTE_ORDER));
			st->head_len = 0;
			st->dropping = 0;
		}
	}
	return o;
}

/* --- the transport wrapper ----------------------------------------------------- */

static struct {
	netsnmp_transport *t;    /* the wrapped transport */
	int (*orig_recv)(netsnmp_transport *, void *, int, void **, int *);
	struct agentx_guard_stream st;
	uint8_t buf[AGENTX_GUARD_MAX_BYTES];
} G;

static const char *const ax_types[] = {
	[1] = "Open", [5] = "Get", [6] = "GetNext", [7] = "GetBulk", [8] = "TestSet",
	[9] = "CommitSet", [10] = "UndoSet", [11] = "CleanupSet", [12] = "Notify",
	[18] = "Response",
};

/* answer a removed PDU: agentx-Response-PDU, res.error tooBig, res.index 1
 * (Net-SNMP's master turns index 0 into genErr; 1 gives the manager tooBig) */
static void guard_answer(void *opaque, const uint8_t head[20], uint64_t bytes)
{
	netsnmp_transport *t = opaque;
	int network = head[2] & AX_FLAG_NETWORK_BYTE_ORDER;
	uint8_t r[AX_HEADER + 8] = { 1, AX_RESPONSE, (uint8_t)network, 0 };
	const char *type = head[1] < sizeof(ax_types) / sizeof(ax_types[0]) && ax_types[head[1]]
				   ? ax_types[head[1]] : "PDU";

	memcpy(r + 4, head + 4, 12);   /* sessionID, transactionID, packetID */
	ax_put(r + 16, 8, 4, network);
	ax_put(r + 20, (uint32_t)netsnmp_get_agent_uptime(), 4, network);
	ax_put(r + 24, AX_ERR_TOO_BIG, 2, network);
	ax_put(r + 26, 1, 2, network);
	if (send(t->sock, r, sizeof(r), MSG_NOSIGNAL) != (ssize_t)sizeof(r))
		log_msg(LOG_ERR, "snmp", "AgentX %s of %llu bytes: cannot answer tooBig: %s",
			type, (unsigned long long)bytes, strerror(errno));
	else
		log_msg(LOG_NOTICE, "snmp",
			"refused an AgentX %s of %llu bytes with tooBig: over the %d bytes "
			"Net-SNMP takes (send fewer varbinds per request)",
			type, (unsigned long long)bytes, AGENTX_GUARD_MAX_BYTES);
}

static int guard_recv(netsnmp_transport *t, void *buf, int size, void **opaque, int *olength)
{
	int room = size - AX_HEADER, n;
	size_t out;

	if (t != G.t || room <= 0)
		return G.orig_recv(t, buf, size, opaque, olength);
	n = G.orig_recv(t, G.buf, room < (int)sizeof(G.buf) ? room : (int)sizeof(G.buf), opaque,
			olength);
	if (n <= 0)
		return n;
	out = agentx_guard_filter(&G.st, G.buf, (size_t)n, buf, guard_answer, t);
	if (out == 0) {
		/* all of it was held back or removed: not the peer closing */
		t->flags |= NETSNMP_TRANSPORT_FLAG_EMPTY_PKT;
		SNMP_FREE(*opaque);
		*olength = 0;
	}
	return (int)out;
}

void agentx_guard_attach(void)
{
	void *slp = main_session ? snmp_sess_pointer(main_session) : NULL;
	netsnmp_transport *t = slp ? snmp_sess_transport(slp) : NULL;

	/* by its f_recv, not its address: a new transport may reuse the old's */
	if (!t || t->f_recv == guard_recv || !(t->flags & NETSNMP_TRANSPORT_FLAG_STREAM))
		return;
	G.t = t;
	G.orig_recv = t->f_recv;
	memset(&G.st, 0, sizeof(G.st));
	t->f_recv = guard_recv;
}
