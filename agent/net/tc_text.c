/*
 * tc_text.c - the one-line text form of a shape row, for logs, the test
 * data (tests/data/tc/ *.in) and tools:
 *
 *   index=5 src=10.1.0.0/24 rate_kbps=1000 burst_bytes=3000 delay_us=10000
 *   jitter_us=1000 loss_ppm=10000 duplicate_ppm=0 corrupt_ppm=0
 *   reorder_ppm=0 limit_pkts=100
 *
 * Keys are the MIB's column names with their units; a key left out is 0,
 * the MIB's default.  Parsing checks syntax only; tc_row_check() checks
 * meaning.  No side effects.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip4.h"
#include "kvline.h"
#include "tc.h"

static const struct {
	const char *key;
	size_t off;
} tc_row_keys[] = {
	{"rate_kbps", offsetof(struct shape_row, rate_kbps)},
	{"burst_bytes", offsetof(struct shape_row, burst_bytes)},
	{"delay_us", offsetof(struct shape_row, delay_us)},
	{"jitter_us", offsetof(struct shape_row, jitter_us)},
	{"loss_ppm", offsetof(struct shape_row, loss_ppm)},
	{"duplicate_ppm", offsetof(struct shape_row, duplicate_ppm)},
	{"corrupt_ppm", offsetof(struct shape_row, corrupt_ppm)},
	{"reorder_ppm", offsetof(struct shape_row, reorder_ppm)},
	{"limit_pkts", offsetof(struct shape_row, limit_pkts)},
};
#define TC_N_KEYS (sizeof(tc_row_keys) / sizeof(tc_row_keys[0]))

static int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x > 0xffffffffull)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* "a.b.c.d/len" (len 0..32) */
int tc_prefix_parse(const char *s, struct in_addr *addr, uint8_t *len)
{
	return ip4_parse_prefix_net(s, &addr->s_addr, len);
}

static int parse_pair(struct shape_row *row, const char *key, const char *val)
{
	size_t i;

	if (strcmp(key, "index") == 0)
		return parse_u32(val, &row->index);
	if (strcmp(key, "src") == 0)
		return tc_prefix_parse(val, &row->src, &row->src_len);
	for (i = 0; i < TC_N_KEYS; i++)
		if (strcmp(key, tc_row_keys[i].key) == 0)
			return parse_u32(val, (uint32_t *)((char *)row + tc_row_keys[i].off));
	return -1;
}

/* kvline_field_fn over parse_pair */
static int parse_field(void *obj, const char *key, const char *val)
{
	return parse_pair(obj, key, val);
}

int tc_row_parse(const char *line, struct shape_row *row, char *why,
		 size_t why_len)
{
	int rc;

	memset(row, 0, sizeof(*row));
	rc = kvline_parse(line, parse_field, row, "shape", why, why_len);
	if (rc == 0 && row->index == 0) {
		snprintf(why, why_len, "shape row without index=");
		rc = -1;
	}
	return rc;
}

const char *tc_row_format(const struct shape_row *row, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];
	size_t i, used;

	used = (size_t)snprintf(buf, len, "index=%u", row->index);
	if (row->src_len && used < len)
		used += (size_t)snprintf(buf + used, len - used, " src=%s/%u",
					 inet_ntop(AF_INET, &row->src, a, sizeof(a)),
					 row->src_len);
	for (i = 0; i < TC_N_KEYS && used < len; i++) {
		uint32_t v = *(const uint32_t *)((const char *)row + tc_row_keys[i].off);

		if (v)
			used += (size_t)snprintf(buf + used, len - used, " %s=%u",
						 tc_row_keys[i].key, v);
	}
	return buf;
}
