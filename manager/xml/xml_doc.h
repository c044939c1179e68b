/*
 * xml_doc.h - loading a scenario file with libxml2: well-formedness, the
 * expected root element, validation against schemas/, and typed attribute
 * access for the parsers (xml_real.c, xml_virtual.c).
 *
 * Every libxml2 message (parser, schema) is routed into the diag as
 * "file:line: element: message"; nothing reaches stderr.  The split of
 * work with the schema: attributes the schema types (names, integers,
 * addresses, keywords) are read here without complaint when malformed (the
 * schema has already said so, once); quantities with units are the
 * parsers' to check, with xml_doc_quantity(), which reports precisely.
 *
 * Ownership: the caller frees the returned xmlDoc with xmlFreeDoc(); strings
 * from xml_doc_attr() are malloc'd and freed with free().
 */
#ifndef VMIB_XML_DOC_H
#define VMIB_XML_DOC_H

#include <stdbool.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "units.h"

struct diag;

struct xml_kind {
	const char *root;        /* "realEnvironment" */
	const char *ns;          /* "urn:vmib:real:1" */
	const char *schema;      /* "real.xsd", in the schema directory */
	const char *what;        /* "real environment", for messages */
};

extern const struct xml_kind xml_doc_kind_real, xml_doc_kind_virtual, xml_doc_kind_experiment;

/*
 * The schema directory: dir if not NULL, else $VMIB_SCHEMA_DIR, else
 * ../../schemas and ../share/vmib/schemas beside the running executable,
 * else /usr/share/vmib/schemas; the first holding real.xsd.  Returns a
 * malloc'd path, or NULL (nothing found).
 */
char *xml_doc_schema_dir(const char *dir);

/*
 * Parse `len` bytes of `buf` (named `file` in problems) as a document of
 * `kind` and validate it.  A DOCTYPE is a problem, and is removed with every
 * entity reference (each one a problem) before the schema sees the rest:
 * no DTD default, entity or network access reaches the model.  Returns 0 with *doc set (possibly schema-invalid:
 * the problems are in d) or NULL (not well-formed, or the wrong root; in
 * d), or -1 when the schema itself could not be loaded (a broken install,
 * reported in d against the schema file).
 */
int xml_doc_parse(const char *file, const char *buf, size_t len,
		  const struct xml_kind *kind, const char *schema_dir,
		  struct diag *d, xmlDoc **doc);
/* the same, reading the file first (a read error is a problem in d) */
int xml_doc_load(const char *file, const struct xml_kind *kind,
		 const char *schema_dir, struct diag *d, xmlDoc **doc);

/* the next element sibling (or first child) in the document's namespace */
xmlNode *xml_doc_first(const xmlNode *parent);
xmlNode *xml_doc_next(const xmlNode *node);
bool xml_doc_is(const xmlNode *node, const char *name);

unsigned xml_doc_line(const xmlNode *node);
/* the attribute in no namespace as the file has it (never another
 * namespace's, never a DTD default); NULL when absent */
char *xml_doc_attr(const xmlNode *node, const char *name);
bool xml_doc_has(const xmlNode *node, const char *name);
/* true when present and a valid unsigned 32-bit decimal */
bool xml_doc_u32(const xmlNode *node, const char *name, uint32_t *out);
/* xs:boolean; absent or invalid gives dflt */
bool xml_doc_bool(const xmlNode *node, const char *name, bool dflt);
/*
 * A quantity attribute: 1 when present and valid (*out set), 0 when absent,
 * -1 when invalid (reported: "element: name 'value': reason").
 */
int xml_doc_quantity(const xmlNode *node, const char *name, enum units_kind kind,
		     uint32_t *out, const char *file, struct diag *d);
/* a problem at node: "file:line: <node name>: message" */
void xml_doc_problem(struct diag *d, const char *file, const xmlNode *node,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
