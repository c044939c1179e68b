/*
 * xmlelem.h - the element helpers every libxml2 tree walk of the project
 * shares (the domain XML parser and builder, the shape store's metadata):
 * "is this node the element NAME" and "the first child element NAME".
 * Names compare exactly; namespaces are the caller's business.  Both take
 * NULL (a missing parent has no children) and own nothing.
 */
#ifndef VMIB_XMLELEM_H
#define VMIB_XMLELEM_H

#include <stdbool.h>

#include <libxml/tree.h>

bool xmlelem_is(const xmlNode *n, const char *name);
xmlNode *xmlelem_child(const xmlNode *parent, const char *name);

#endif
