/*
 * domxml.h - read a libvirt domain XML description into a struct vm, and
 * edit vmibd's metadata element.
 *
 * Pure functions of their input strings (libxml2 only): no libvirt calls,
 * so every case is unit-tested with literal XML.  Safe to call from the
 * worker thread (libxml2 is initialised by the daemon with xmlInitParser).
 */
#ifndef VMIB_DOMXML_H
#define VMIB_DOMXML_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"

/* Parse a domain's XML (virDomainGetXMLDesc).  Fills identity, memory,
 * vCPUs, OS, vifs (with addresses from the vmib metadata, else from the
 * kernel command line's vmib.ip=/vmib.route=), and the metadata's index,
 * image and admin state.  Returns NULL with a reason in err on failure. */
struct vm *domxml_parse(const char *xml, char *err, size_t errlen);

/* Given the current metadata element as virDomainGetMetadata returns it
 * (NULL if the domain has none), return the element to store with its
 * index attribute set to index, everything else kept.  Caller frees. */
char *domxml_meta_set_index(const char *meta_xml, int32_t index, char *err,
			    size_t errlen);

/* Apply one kernel command line's vmib.ip=/vmib.route= words to vifs that
 * have no address yet (exported for the tests). */
void domxml_apply_cmdline(struct vm *vm, const char *cmdline);

#endif
