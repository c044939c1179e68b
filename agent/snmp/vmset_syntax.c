/*
 * vmcheck.c - syntax checks of SET values (vmcheck.h).
 *
 * Strict by construction: a value is accepted only if every character
 * belongs to the documented set; IPv4 addresses are dotted quads as
 * inet_pton(3) reads them (no octal, no shortened forms).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip4.h"
#include "name.h"
#include "vmset_syntax.h"

bool vmcheck_vm_name(const unsigned char *s, size_t len)
{
	return name_safe((const char *)s, len);
}

bool vmcheck_display(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

bool vmcheck_ifname(const unsigned char *s, size_t len)
{
	return len <= 15 && name_safe((const char *)s, len);
}

bool vmcheck_mac_unicast(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

bool vmcheck_guest_addr(const uint8_t a[4])
{
	if (a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0)
		return true;
	if (a[0] == 127 || a[0] >= 224 || a[0] == 0)
		return false;
	return true;
}

static uint32_t vmcheck_mask(unsigned int len)
{
	return len == 0 ? 0 : len >= 32 ? 0xffffffffu : ~(0xffffffffu >> len);
}

static uint32_t vmcheck_u32(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

bool vmcheck_in_subnet(const uint8_t net[4], unsigned int prefix_len, const uint8_t ip[4])
{
	uint32_t m = vmcheck_mask(prefix_len);

	return (vmcheck_u32(net) & m) == (vmcheck_u32(ip) & m);
}

/* "A.B.C.D" exactly */
static int vmcheck_quad(const char *s, size_t n, uint8_t out[4])
{
	char buf[16];

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, out) == 1 ? 0 : -1;
}

/* one "P/L[,GW]" item */
static int vmcheck_route(const char *s, size_t n, struct vmcheck_route *r, char *why,
			 size_t whylen)
{
	const char *comma = memchr(s, ',', n), *end = s + n;
	size_t pn = (size_t)((comma ? comma : end) - s);
	char buf[IP4_PREFIX_STRLEN];
	struct ip4_prefix p;

	memset(r, 0, sizeof(*r));
	if (pn < sizeof(buf)) {
		memcpy(buf, s, pn);
		buf[pn] = '\0';
	}
	if (pn >= sizeof(buf) || ip4_parse_prefix(buf, &p) < 0 || !ip4_is_network(&p)) {
		snprintf(why, whylen, "route '%.*s': expected A.B.C.D/LEN (0..32, no host bits)",
			 (int)n, s);
		return -1;
	}
	for (pn = 0; pn < 4; pn++)
		r->prefix[pn] = (uint8_t)(p.addr >> (24 - 8 * pn));
	r->len = p.len;
	if (!comma)
		return 0;
	if (vmcheck_quad(comma + 1, (size_t)(end - comma - 1), r->gw) < 0 ||
	    !vmcheck_guest_addr(r->gw) || vmcheck_u32(r->gw) == 0) {
		snprintf(why, whylen, "route '%.*s': bad gateway", (int)n, s);
		return -1;
	}
	r->has_gw = true;
	return 0;
}

int vmcheck_routes(const char *s, struct vmcheck_route *out, size_t *n, char *why,
		   size_t whylen)
{
	const char *p = s, *semi;
	size_t len;

	*n = 0;
	if (!*s)
		return 0;
	for (;;) {
		semi = strchr(p, ';');
		len = semi ? (size_t)(semi - p) : strlen(p);
		if (*n >= VMCHECK_MAX_ROUTES) {
			snprintf(why, whylen, "more than %d routes", VMCHECK_MAX_ROUTES);
			return -1;
		}
		if (vmcheck_route(p, len, &out[*n], why, whylen) < 0)
			return -1;
		(*n)++;
		if (!semi)
			return 0;
		p = semi + 1;
	}
}

static bool vmcheck_host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

int vmcheck_target(const unsigned char *s, size_t len)
{
	size_t i, colon = 0;

	if (len == 0)
		return -1;
	for (i = 0; i < len && vmcheck_host_char(s[i]); i++)
		;
	if (i == len)
		return name_safe((const char *)s, len) ? VMCHECK_TARGET_NAME : -1;
	/* scheme: letters, digits, '+', '-', '.', starting with a letter */
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return -1;
	for (i = 1; i < len && s[i] != ':'; i++)
		if (!vmcheck_host_char(s[i]) && s[i] != '+')
			return -1;
	colon = i;
	if (colon + 3 > len || s[colon + 1] != '/' || s[colon + 2] != '/')
		return -1;
	for (i = colon + 3; i < len; i++)
		if (s[i] <= 0x20 || s[i] > 0x7e || s[i] == '\'' || s[i] == '"' || s[i] == '\\' ||
		    s[i] == '<' || s[i] == '>' || s[i] == '`')
			return -1;
	return VMCHECK_TARGET_URI;
}

void vmcheck_uri_host(const char *uri, char *out, size_t len)
{
	const char *p = strstr(uri, "://"), *end;
	size_t n;

	out[0] = '\0';
	if (!p)
		return;
	p += 3;
	if (strchr(p, '@') && strchr(p, '@') < p + strcspn(p, "/?"))
		p = strchr(p, '@') + 1;
	if (*p == '[') {
		end = strchr(p, ']');
		p++;
	} else {
		end = p + strcspn(p, ":/?");
	}
	if (!end)
		return;
	n = (size_t)(end - p);
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}
