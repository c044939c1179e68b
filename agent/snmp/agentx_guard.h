/*
 * agentx_guard.h - refuses AgentX PDUs too big for Net-SNMP's subagent.
 *
 * Net-SNMP's session code (5.9) drops, without an answer, any received
 * PDU of more than AGENTX_GUARD_MAX_BYTES bytes ("parse fail"); for a
 * TestSet the master then waits, retries, sends a CommitSet the subagent
 * cannot match ("restore_set_vars() failed") and closes the session: the
 * vMIB is gone until vmibd reconnects (measured: a 1400-varbind snmpset,
 * 72820 bytes over AgentX, answered genErr after 15 s, the vMIB absent
 * meanwhile).  The guard sits in the AgentX session's transport (its
 * f_recv): it takes such a PDU out of the byte stream before the library
 * sees it and answers it itself with a Response of error tooBig (RFC 2741
 * section 6.2.16; res.index 1), so snmpd answers the request tooBig at
 * once and the session stays up.  Everything else passes unchanged.
 *
 * agentx_guard_attach() is called by the loop before every read of
 * Net-SNMP's sockets; it wraps the transport of the current AgentX
 * session (after a reconnect, the new one) and does nothing otherwise.
 * Loop thread only.
 */
#ifndef VMIB_AGENTX_GUARD_H
#define VMIB_AGENTX_GUARD_H

#include <stddef.h>
#include <stdint.h>

/* SNMP_MAX_RCV_MSG_SIZE: the largest PDU (header included) the library takes */
#define AGENTX_GUARD_MAX_BYTES 65536

void agentx_guard_attach(void);

/*
 * The filter itself, on bytes just received from the stream (for the
 * tests): copies in[0..len) to out but the bytes of oversized PDUs, and
 * an incomplete header, which it holds back until it is whole (so out
 * needs len + 19 bytes); returns the bytes written.  answer() is called
 * for each oversized PDU once its last byte has gone by, with its
 * header.  The state carries partial headers and PDUs across calls.
 */
struct agentx_guard_stream {
	uint8_t head[20];        /* the header of the PDU being read */
	size_t head_len;
	uint64_t left;           /* bytes of that PDU still to come after head */
	int dropping;            /* that PDU is oversized */
};

typedef void (*agentx_guard_answer_fn)(void *opaque, const uint8_t head[20], uint64_t bytes);

size_t agentx_guard_filter(struct agentx_guard_stream *st, const uint8_t *in, size_t len,
			   uint8_t *out, agentx_guard_answer_fn answer, void *opaque);

#endif
