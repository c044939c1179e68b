/*
 * xmlelem.c - the element helpers of xmlelem.h.
 */
#include <string.h>

#include "xmlelem.h"

bool xmlelem_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

xmlNode *xmlelem_child(const xmlNode *parent, const char *name)
{
	xmlNode *c;

	for (c = parent ? parent->children : NULL; c; c = c->next)
		if (xmlelem_is(c, name))
			return c;
	return NULL;
}
