/*
 * name.h - the one rule for names that become path components, command
 * options or kernel object names: VM (libvirt domain) names, image names,
 * bridge and interface names, host names.
 *
 * libvirt builds file names from a domain name (/etc/libvirt/qemu/NAME.xml,
 * /var/lib/libvirt/qemu/domain-ID-NAME/, snapshot and channel directories it
 * deletes with the domain), so "." or ".." there is a path traversal; a
 * leading '-' reads as an option to every tool that is handed the name.
 * The rule, stated once in VMIB-MIB (the VmibSafeName convention) and
 * applied by vmibd, vmibctl and the schemas alike:
 *
 *   - only letters, digits, '-', '_' and '.';
 *   - not empty, and not starting with '.' or '-';
 *   - no ".." anywhere.
 *
 * Pure functions, no state; used by vmibd and vmibctl.
 */
#ifndef VMIB_NAME_H
#define VMIB_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* s[0..len) follows the rule (s need not be NUL-terminated) */
bool name_safe(const char *s, size_t len);
/* the same for a NUL-terminated string (NULL is not a name) */
bool name_safe_str(const char *s);
/* the rule in words, for refusals: "only letters, digits, ..." */
extern const char name_rule_text[];

#endif
