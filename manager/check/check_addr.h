/*
 * check_addr.h - addresses that are well formed but cannot work:
 *  - a VM address in 0.0.0.0/8, loopback (127/8), multicast (224/4), or
 *    255.255.255.255 (RFC 6890);
 *  - a subnet of prefix length 0 (vmibSubnetPrefixLen is 1..32);
 *  - a subnet's gateway, or a route's via, that is the network or
 *    broadcast address of the subnet (prefixes up to /30);
 *  - two hosts of the real environment with one SNMP endpoint (compared
 *    as Net-SNMP reads it: udp and port 161 by default, case folded) or
 *    one libvirt URI (scheme and server case folded, trailing '/'
 *    ignored).
 * check_addr_virtual() needs the interfaces' subnets resolved (check.c).
 */
#ifndef VMIB_CHECK_ADDR_H
#define VMIB_CHECK_ADDR_H

#include "env.h"

struct diag;

void check_addr_real(const struct real_env *r, struct diag *d);
void check_addr_virtual(const struct virt_env *v, struct diag *d);

#endif
