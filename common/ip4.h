/*
 * ip4.h - IPv4 addresses and prefixes as the vMIB carries them (an IpAddress
 * plus a prefix length, VMIB-MIB; IPv6 is planned for a later MIB revision).
 *
 * Addresses are kept in host byte order so that masks and comparisons are
 * plain integer arithmetic.  Parsing is strict: four decimal octets without
 * leading zeros (inet_aton's "010" would be octal), nothing before or after.
 */
#ifndef VMIB_IP4_H
#define VMIB_IP4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ip4_prefix {
	uint32_t addr;       /* host byte order */
	uint8_t len;         /* 0..32 */
};

#define IP4_STRLEN 16        /* "255.255.255.255" + NUL */
#define IP4_PREFIX_STRLEN 20 /* ... + "/255" (a uint8_t) */

int ip4_parse_addr(const char *s, uint32_t *addr);
/* "a.b.c.d/len"; the address part may have host bits set (see ip4_is_network) */
int ip4_parse_prefix(const char *s, struct ip4_prefix *p);
/* the same, into a network-byte-order address (struct in_addr's s_addr) */
int ip4_parse_prefix_net(const char *s, uint32_t *addr_net, uint8_t *len);
uint32_t ip4_mask(uint8_t len);
bool ip4_is_network(const struct ip4_prefix *p);   /* no host bits set */
bool ip4_contains(const struct ip4_prefix *p, uint32_t addr);
bool ip4_overlap(const struct ip4_prefix *a, const struct ip4_prefix *b);
bool ip4_equal(const struct ip4_prefix *a, const struct ip4_prefix *b);
struct ip4_prefix ip4_network(const struct ip4_prefix *p);
/* write into buf (IP4_STRLEN / IP4_PREFIX_STRLEN bytes) and return it */
char *ip4_format(uint32_t addr, char *buf);
char *ip4_format_prefix(const struct ip4_prefix *p, char *buf);

#endif
