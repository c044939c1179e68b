/*
 * xml_virtual.h - the virtual-environment file (schemas/virtual.xsd) into
 * a struct virt_env.
 */
#ifndef VMIB_XML_VIRTUAL_H
#define VMIB_XML_VIRTUAL_H

#include <libxml/tree.h>

#include "env.h"

struct diag;

/* never NULL; problems with quantities go to d (the schema did the rest) */
struct virt_env *xml_virtual_parse(const char *file, const xmlDoc *doc, struct diag *d);

#endif
