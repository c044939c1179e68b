/*
 * xml_real.h - the real-environment file (schemas/real.xsd) into a
 * struct real_env.
 */
#ifndef VMIB_XML_REAL_H
#define VMIB_XML_REAL_H

#include <libxml/tree.h>

#include "env.h"

struct diag;

/* never NULL; problems with quantities go to d (the schema did the rest) */
struct real_env *xml_real_parse(const char *file, const xmlDoc *doc, struct diag *d);

#endif
