/*
 * vmcheck.h - syntax checks of the values a SET writes into the VM and vif
 * tables.  A SET is hostile input (the root subagent executes what an
 * unprivileged master forwards, netsnmp.md §4.6): every string is checked
 * character by character before it goes near libvirt, a shell-free XML
 * document or a kernel command line.  Pure functions, no state.
 */
#ifndef VMIB_VMCHECK_H
#define VMIB_VMCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMCHECK_MAX_ROUTES 32

/* vmibVmName, vmibVmImage: the name rule of name.h (VmibSafeName): letters,
 * digits, '-', '_', '.', not starting with '.' or '-', no ".." */
bool vmcheck_vm_name(const unsigned char *s, size_t len);
/* DisplayString (RFC 2579): printable ASCII, no control characters */
bool vmcheck_display(const unsigned char *s, size_t len);
/* vmibVifBridge: an interface name, 1..15 octets, following the name rule */
bool vmcheck_ifname(const unsigned char *s, size_t len);
/* vmibVifMac: unicast and not all-zero */
bool vmcheck_mac_unicast(const uint8_t mac[6]);
/* vmibVifAddr: not multicast, limited broadcast, 127/8 or 240/4 (0.0.0.0,
 * "no address", is accepted) */
bool vmcheck_guest_addr(const uint8_t a[4]);
bool vmcheck_in_subnet(const uint8_t net[4], unsigned int prefix_len, const uint8_t ip[4]);

struct vmcheck_route {
	uint8_t prefix[4];
	unsigned int len;
	bool has_gw;
	uint8_t gw[4];
};
/* vmibVifRoutes: "P/L[,GW]" items separated by ';'; the empty string is no
 * route.  -1 with the reason in why on bad syntax (dotted quads only,
 * length 0..32, no host bits in the prefix, unicast gateway). */
int vmcheck_routes(const char *s, struct vmcheck_route *out, size_t *n, char *why,
		   size_t whylen);

/* vmibVmMigrateTarget: a peer host name following the name rule
 * (VMCHECK_TARGET_NAME) or a libvirt
 * URI "scheme://..." (VMCHECK_TARGET_URI); -1 neither */
enum { VMCHECK_TARGET_NAME = 0, VMCHECK_TARGET_URI = 1 };
int vmcheck_target(const unsigned char *s, size_t len);
/* the host part of a libvirt URI ("" for qemu:///system) */
void vmcheck_uri_host(const char *uri, char *out, size_t len);

#endif
