/*
 * ip4.c - strict IPv4 address and prefix parsing, prefix arithmetic and
 * formatting, for the manager's model and the agent's text formats (shape
 * and isolation rows, iptables output, vmibVmRoutes).  Pure functions, no
 * allocation: the one IPv4 parser of the project.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "ip4.h"

/* one decimal octet: 0..255, no sign, no leading zero; advances *s */
static int parse_octet(const char **s, uint32_t *out)
{
	const char *p = *s;
	uint32_t v = 0;
	int digits = 0;

	while (*p >= '0' && *p <= '9' && digits < 4) {
		v = v * 10 + (uint32_t)(*p - '0');
		p++;
		digits++;
	}
	if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && **s == '0'))
		return -1;
	*out = v;
	*s = p;
	return 0;
}

static int parse_addr_prefix(const char **s, uint32_t *addr)
{
	uint32_t v = 0, octet;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0 && *(*s)++ != '.')
			return -1;
		if (parse_octet(s, &octet) < 0)
			return -1;
		v = v << 8 | octet;
	}
	*addr = v;
	return 0;
}

int ip4_parse_addr(const char *s, uint32_t *addr)
{
	if (!s || parse_addr_prefix(&s, addr) < 0 || *s != '\0')
		return -1;
	return 0;
}

int ip4_parse_prefix(const char *s, struct ip4_prefix *p)
{
	uint32_t addr, len = 0;
	const char *digits;

	if (!s || parse_addr_prefix(&s, &addr) < 0 || *s++ != '/')
		return -1;
	for (digits = s; *s >= '0' && *s <= '9' && s - digits < 3; s++)
		len = len * 10 + (uint32_t)(*s - '0');
	/* like the octets: no leading zero, nothing after */
	if (s == digits || *s != '\0' || len > 32 || (s - digits > 1 && *digits == '0'))
		return -1;
	p->addr = addr;
	p->len = (uint8_t)len;
	return 0;
}

int ip4_parse_prefix_net(const char *s, uint32_t *addr_net, uint8_t *len)
{
	struct ip4_prefix p;

	if (ip4_parse_prefix(s, &p) < 0)
		return -1;
	*addr_net = htonl(p.addr);
	*len = p.len;
	return 0;
}

uint32_t ip4_mask(uint8_t len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - (len > 32 ? 32 : len));
}

bool ip4_is_network(const struct ip4_prefix *p)
{
	return (p->addr & ~ip4_mask(p->len)) == 0;
}

bool ip4_contains(const struct ip4_prefix *p, uint32_t addr)
{
	return ((addr ^ p->addr) & ip4_mask(p->len)) == 0;
}

bool ip4_overlap(const struct ip4_prefix *a, const struct ip4_prefix *b)
{
	uint8_t len = a->len < b->len ? a->len : b->len;

	return ((a->addr ^ b->addr) & ip4_mask(len)) == 0;
}

bool ip4_equal(const struct ip4_prefix *a, const struct ip4_prefix *b)
{
	return a->len == b->len && a->addr == b->addr;
}

struct ip4_prefix ip4_network(const struct ip4_prefix *p)
{
	struct ip4_prefix n = { p->addr & ip4_mask(p->len), p->len };

	return n;
}

char *ip4_format(uint32_t addr, char *buf)
{
	snprintf(buf, IP4_STRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}

char *ip4_format_prefix(const struct ip4_prefix *p, char *buf)
{
	char a[IP4_STRLEN];

	snprintf(buf, IP4_PREFIX_STRLEN, "%s/%u", ip4_format(p->addr, a), (unsigned)p->len);
	return buf;
}
