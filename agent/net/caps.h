/*
 * caps.h - what this host's kernel can really do for shaping and isolation,
 * probed at start-up (vmibHostCapabilities).
 *
 * The probe tries each qdisc kind and the u32 classifier through netlink
 * (libnl, as the shaping code itself does) on the loopback device of a
 * private, throw-away network namespace: a short-lived thread unshares its
 * network namespace, so nothing the host or vmibd's other threads can see
 * is created or changed.  In that namespace it also runs iptables-restore
 * with the matches the isolation chain uses (physdev, comment).
 * br_netfilter is looked for in the caller's own namespace.  The
 * hypervisor's migration bit is libvirt's business and never set here.
 * Safe to call at any time, threads or not; needs CAP_SYS_ADMIN and
 * CAP_NET_ADMIN (root).
 */
#ifndef VMIB_CAPS_H
#define VMIB_CAPS_H

#include <stddef.h>
#include <stdint.h>

/* Bit numbers of vmibHostCapabilities; caps.c checks them against the
 * generated VMIB_BIT_vmibHostCapabilities_* at compile time. */
enum caps_bit {
	CAPS_TBF = 0,
	CAPS_HTB = 1,
	CAPS_NETEM = 2,
	CAPS_U32 = 3,
	CAPS_IPTABLES = 4,
	CAPS_BR_NETFILTER = 5,
	CAPS_MIGRATION = 6,
};

#define CAPS_HAS(mask, bit) (((mask) >> (bit)) & 1u)
#define CAPS_MASK(bit) (1u << (bit))

/* Every bit the shaping and isolation code can use (tests, recorder). */
#define CAPS_ALL_KERNEL                                                     \
	(CAPS_MASK(CAPS_TBF) | CAPS_MASK(CAPS_HTB) | CAPS_MASK(CAPS_NETEM) |    \
	 CAPS_MASK(CAPS_U32) | CAPS_MASK(CAPS_IPTABLES) |                        \
	 CAPS_MASK(CAPS_BR_NETFILTER))

/* Probe and return the bits (1u << VMIB_BIT_vmibHostCapabilities_*); what
 * is missing, and why, is logged. */
uint32_t caps_probe(void);

/*
 * The same, with the reasons: why (may be NULL) gets one line per missing
 * feature with the kernel's own answer ("netem: Specified qdisc kind is
 * unknown. (No such file or directory)").  Returns -1 only if the probe
 * could not run at all (no private namespace: not root); *caps is then 0.
 */
int caps_probe_report(uint32_t *caps, char *why, size_t why_len);

/* The BITS octet of vmibHostCapabilities (RFC 2578 7.1.4: bit 0 is the
 * most significant bit of the first octet). */
void caps_to_octets(uint32_t caps, uint8_t out[1]);

/* "tbf,htb,u32,..." (the MIB's bit names) for logs and tools; buf always
 * terminated.  caps_from_string reads the same (commas or spaces), -1 on
 * an unknown name. */
const char *caps_to_string(uint32_t caps, char *buf, size_t len);
int caps_from_string(const char *csv, uint32_t *caps);

#endif
