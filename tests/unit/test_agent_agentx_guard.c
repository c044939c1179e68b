/*
 * test_agent_agentx_guard.c - the AgentX size guard's stream filter
 * (agent/agentx_guard.h): a PDU over Net-SNMP's 65536 bytes is taken out
 * of the stream and answered, whatever the chunks the bytes arrive in;
 * everything else passes byte for byte, in both byte orders.
 */
#include <stdlib.h>
#include <string.h>

#include "agentx_guard.h"
#include "unit.h"

struct answers {
	size_t n;
	uint8_t type;
	uint32_t packet_id_byte;
	uint64_t bytes;
};

static void record(void *opaque, const uint8_t head[20], uint64_t bytes)
{
	struct answers *a = opaque;

	a->n++;
	a->type = head[1];
	a->packet_id_byte = head[12];
	a->bytes = bytes;
}

/* an AgentX header and payload of type, packet id and payload length */
static size_t put_pdu(uint8_t *p, uint8_t type, uint8_t id, uint32_t payload, int network)
{
	uint32_t i;

	memset(p, 0, 20);
	p[0] = 1;
	p[1] = type;
	p[2] = network ? 0x10 : 0;
	p[12] = id;
	for (i = 0; i < 4; i++)
		p[16 + (network ? 3 - i : i)] = (uint8_t)(payload >> (8 * i));
	for (i = 0; i < payload; i++)
		p[20 + i] = (uint8_t)(i * 7 + id);
	return 20 + payload;
}

static void run_chunks(size_t chunk, int network)
{
	size_t big = 72800, len = 0, small1, small2, at, got = 0, n;
	uint8_t *in = malloc(3 * 20 + 40 + big + 16), *out = malloc(3 * 20 + 40 + big + 16 + 20);
	struct agentx_guard_stream st = { 0 };
	struct answers a = { 0 };

	small1 = put_pdu(in, 8, 1, 40, network);                  /* TestSet */
	len = small1 + put_pdu(in + small1, 8, 2, (uint32_t)big, network);
	small2 = put_pdu(in + len, 11, 3, 16, network);           /* CleanupSet */
	for (at = 0; at < len + small2; at += n) {
		n = chunk < len + small2 - at ? chunk : len + small2 - at;
		got += agentx_guard_filter(&st, in + at, n, out + got, record, &a);
	}
	CU_ASSERT_EQUAL(got, small1 + small2);
	CU_ASSERT(memcmp(out, in, small1) == 0);
	CU_ASSERT(memcmp(out + small1, in + len, small2) == 0);
	CU_ASSERT_EQUAL(a.n, 1);
	CU_ASSERT_EQUAL(a.type, 8);
	CU_ASSERT_EQUAL(a.packet_id_byte, 2);
	CU_ASSERT_EQUAL(a.bytes, 20 + big);
	free(in);
	free(out);
}

static void agentx_guard_removes_an_oversized_pdu_and_answers_it(void)
{
	static const size_t chunks[] = { 65516, 65536, 4096, 20, 19, 7, 1 };
	size_t i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		run_chunks(chunks[i], 1);
		run_chunks(chunks[i], 0);
	}
}

static void agentx_guard_passes_a_pdu_of_exactly_the_limit(void)
{
	uint32_t payload = AGENTX_GUARD_MAX_BYTES - 20;
	uint8_t *in = malloc(AGENTX_GUARD_MAX_BYTES), *out = malloc(AGENTX_GUARD_MAX_BYTES + 20);
	struct agentx_guard_stream st = { 0 };
	struct answers a = { 0 };
	size_t len = put_pdu(in, 8, 4, payload, 1);

	CU_ASSERT_EQUAL(agentx_guard_filter(&st, in, len, out, record, &a), len);
	CU_ASSERT(memcmp(in, out, len) == 0);
	CU_ASSERT_EQUAL(a.n, 0);
	free(in);
	free(out);
}

static void agentx_guard_holds_back_a_partial_header(void)
{
	uint8_t in[28], out[48];
	struct agentx_guard_stream st = { 0 };
	struct answers a = { 0 };
	size_t len = put_pdu(in, 18, 5, 8, 1);

	CU_ASSERT_EQUAL(agentx_guard_filter(&st, in, 12, out, record, &a), 0);
	CU_ASSERT_EQUAL(agentx_guard_filter(&st, in + 12, len - 12, out, record, &a), len);
	CU_ASSERT(memcmp(in, out, len) == 0);
	CU_ASSERT_EQUAL(a.n, 0);
}

static const struct unit_test tests[] = {
	UNIT_TEST(agentx_guard_removes_an_oversized_pdu_and_answers_it),
	UNIT_TEST(agentx_guard_passes_a_pdu_of_exactly_the_limit),
	UNIT_TEST(agentx_guard_holds_back_a_partial_header),
	{ NULL, NULL },
};

UNIT_SUITE(agent_agentx_guard, NULL, NULL, tests)
