/*
 * xml_doc.c - the manager's only contact with libxml2's parser and schema
 * validator (see xml_doc.h).  It owns the translation of libxml2 messages
 * into problems; it must not interpret the documents (xml_real.c and
 * xml_virtual.c do).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "diag.h"
#include "mem.h"
#include "xml_doc.h"

const struct xml_kind xml_doc_kind_real = {
	"realEnvironment", "urn:vmib:real:1", "real.xsd", "real environment",
};
const struct xml_kind xml_doc_kind_virtual = {
	"virtualEnvironment", "urn:vmib:virtual:1", "virtual.xsd", "virtual environment",
};
const struct xml_kind xml_doc_kind_experiment = {
	"experiment", "urn:vmib:experiment:1", "experiment.xsd", "experiment",
};

#define XML_DOC_MAX_BYTES (64u << 20)

/* where libxml2's structured errors go while one file is handled */
struct sink {
	struct diag *d;
	const char *file;
	int count;
};

/*
 * "Element '{urn:vmib:virtual:1}vm', attribute 'x': msg\n" ->
 * "attribute 'x': msg": the element is reported in its own field, and the
 * namespace in braces is noise in a file that has only one.
 */
static char *clean_message(const char *msg)
{
	char *s = mem_strdup(msg ? msg : "unknown error"), *p, *q, *end;

	if (strncmp(s, "Element '", 9) == 0 && (p = strchr(s + 9, '\'')) != NULL) {
		p++;
		if (*p == ':' || *p == ',')
			p++;
		while (*p == ' ')
			p++;
		memmove(s, p, strlen(p) + 1);
	}
	/* "{urn:vmib:virtual:1}vm" -> "vm"; other braces (regexes) stay */
	p = s;
	while ((p = strchr(p, '{')) != NULL) {
		q = strchr(p, '}');
		if (q && memchr(p, ':', (size_t)(q - p)) && !memchr(p, ' ', (size_t)(q - p)))
			memmove(p, q + 1, strlen(q + 1) + 1);
		else
			p++;
	}
	/* "[facet 'minInclusive'] The value" -> "The value" */
	if ((p = strstr(s, "[facet '")) != NULL && (q = strstr(p, "'] ")) != NULL &&
	    strncmp(q + 3, "The value ", 10) == 0 && strncmp(p, "[facet 'pattern']", 17) != 0)
		memmove(p, q + 3, strlen(q + 3) + 1);
	/* a facet's regex is no help to the reader: name the schema instead */
	if ((p = strstr(s, "[facet 'pattern'] The value ")) != NULL &&
	    (q = strstr(p, " is not accepted by the pattern")) != NULL) {
		memmove(p, p + 28, (size_t)(q - (p + 28)));
		strcpy(p + (q - (p + 28)), " does not match the pattern of its type in the schema");
	}
	end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	return s;
}

#if LIBXML_VERSION >= 21200
static void route_error(void *ctx, const xmlError *e)
#else
static void route_error(void *ctx, xmlErrorPtr e)
#endif
{
	struct sink *s = ctx;
	const xmlNode *n = e->node;
	const char *element = "xml";
	unsigned line = e->line > 0 ? (unsigned)e->line : 0;
	char *msg;

	if (e->level == XML_ERR_WARNING)
		return;
	if (n && n->type == XML_ATTRIBUTE_NODE)
		n = n->parent;
	if (n && n->type == XML_ELEMENT_NODE) {
		element = (const char *)n->name;
		if (xml_doc_line(n) > 0)
			line = xml_doc_line(n);
	}
	msg = clean_message(e->message);
	diag_add(s->d, s->file, line, element, "%s", msg);
	free(msg);
	s->count++;
}

/* where `make install` puts the schemas (the Makefile defines it) */
#ifndef VMIB_SCHEMA_DEFAULT
#define VMIB_SCHEMA_DEFAULT "/usr/share/vmib/schemas"
#endif

char *xml_doc_schema_dir(const char *dir)
{
	static const char *const beside_exe[] = { "../../schemas", "../share/vmib/schemas" };
	char exe[PATH_MAX], *cand, *slash;
	const char *env = getenv("VMIB_SCHEMA_DIR");
	ssize_t n;
	size_t i;

	if (dir)
		return mem_strdup(dir);
	if (env && *env)
		return mem_strdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (i = 0; i < sizeof(beside_exe) / sizeof(beside_exe[0]); i++) {
			cand = mem_printf("%s/%s", exe, beside_exe[i]);
			if (access(cand, R_OK) == 0) {
				char *probe = mem_printf("%s/real.xsd", cand);
				int ok = access(probe, R_OK) == 0;

				free(probe);
				if (ok)
					return cand;
			}
			free(cand);
		}
	}
	if (access(VMIB_SCHEMA_DEFAULT "/real.xsd", R_OK) == 0)
		return mem_strdup(VMIB_SCHEMA_DEFAULT);
	return NULL;
}

static bool root_ok(const xmlNode *root, const struct xml_kind *kind)
{
	return root && root->ns && root->ns->href &&
	       strcmp((const char *)root->name, kind->root) == 0 &&
	       strcmp((const char *)root->ns->href, kind->ns) == 0;
}

static void wrong_root(const char *file, const xmlNode *root, const struct xml_kind *kind,
		       struct diag *d)
{
	const struct xml_kind *other =
		kind == &xml_doc_kind_real ? &xml_doc_kind_virtual : &xml_doc_kind_real;

	if (!root) {
		diag_add(d, file, 0, "xml", "no root element");
		return;
	}
	if (root_ok(root, other)) {
		xml_doc_problem(d, file, root, "this is a %s, where a %s was expected "
				"(are the two files swapped?)", other->what, kind->what);
		return;
	}
	xml_doc_problem(d, file, root, "expected <%s xmlns=\"%s\"> (a %s)", kind->root,
			kind->ns, kind->what);
}

/* validate doc against kind's schema; -1 only when the schema cannot load */
static int validate(const char *file, xmlDoc *doc, const struct xml_kind *kind,
		    const char *schema_dir, struct diag *d)
{
	char *path = mem_printf("%s/%s", schema_dir ? schema_dir : ".", kind->schema);
	struct sink schema_sink = { d, path, 0 }, doc_sink = { d, file, 0 };
	xmlSchemaParserCtxt *pc;
	xmlSchemaValidCtxt *vc;
	xmlSchema *schema = NULL;
	int rc = 0;

	diag_file(d, path);
	if (access(path, R_OK) < 0) {
		diag_add(d, path, 0, "schema", "cannot read the schema: %s", strerror(errno));
		free(path);
		return -1;
	}
	/* the loader reports through the global handler, the parser through pc's */
	xmlSetStructuredErrorFunc(&schema_sink, route_error);
	pc = xmlSchemaNewParserCtxt(path);
	if (pc) {
		xmlSchemaSetParserStructuredErrors(pc, route_error, &schema_sink);
		schema = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!schema) {
		if (schema_sink.count == 0)
			diag_add(d, path, 0, "schema", "cannot load the schema");
		free(path);
		return -1;
	}
	vc = xmlSchemaNewValidCtxt(schema);
	if (vc) {
		xmlSchemaSetValidStructuredErrors(vc, route_error, &doc_sink);
		if (xmlSchemaValidateDoc(vc, doc) < 0 && doc_sink.count == 0)
			diag_add(d, file, 0, "schema", "validation failed internally");
		xmlSchemaFreeValidCtxt(vc);
	} else {
		rc = -1;
		diag_add(d, path, 0, "schema", "cannot create a validation context");
	}
	xmlSchemaFree(schema);
	free(path);
	return rc;
}

/* --- line numbers past 65535 ------------------------------------------------------ */

/*
 * libxml2 keeps an element's line in an unsigned short: past 65535 it
 * stores 65535, and XML_PARSE_BIG_LINES only helps text nodes (their line
 * goes into psvi), so an element without text around it reads 65535.  The
 * start-element callback below keeps the true line in the element's psvi,
 * which nothing else uses in a tree that is not an XSLT or xmlReader one
 * (the schema validator keeps its own state); xml_doc_line() reads it.
 */
static void start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
			  const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
			  int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxt *c = ctx;

	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces,
			      nb_attributes, nb_defaulted, attributes);
	if (c->node && c->input && c->input->line > 0)
		c->node->psvi = (void *)(intptr_t)c->input->line;
}

static xmlDoc *read_memory(const char *buf, size_t len, const char *file, int options)
{
	xmlParserCtxt *c = xmlNewParserCtxt();
	xmlDoc *x = NULL;

	if (!c)
		return NULL;
	c->sax->startElementNs = start_element;
	x = xmlCtxtReadMemory(c, buf, (int)len, file, NULL, options);
	xmlFreeParserCtxt(c);
	return x;
}

/* --- what a scenario file may not hold: a DTD, entity references --------------- */

/* the line of the first "<!DOCTYPE" of buf (libxml2 keeps none for a DTD) */
static unsigned doctype_line(const char *buf, size_t len)
{
	const char *p = memmem(buf, len, "<!DOCTYPE", 9);
	unsigned line = 1;

	if (!p)
		return 0;
	for (; buf < p; buf++)
		line += *buf == '\n';
	return line;
}

/* the line of an entity reference: its own, else its neighbours', else the element's */
static unsigned ref_line(const xmlNode *ref, const xmlNode *element)
{
	long line = xmlGetLineNo(ref);

	if (line <= 0 && ref->prev)
		line = (long)xml_doc_line(ref->prev);
	if (line <= 0 || line == 65535)
		line = (long)xml_doc_line(element);
	return line > 0 ? (unsigned)line : 0;
}

static bool has_entity_ref(const xmlAttr *a)
{
	const xmlNode *c;

	for (c = a->children; c; c = c->next)
		if (c->type == XML_ENTITY_REF_NODE)
			return true;
	return false;
}

/*
 * Report and remove every entity reference under element: an attribute
 * holding one is removed whole (its value is not what the file says), a
 * reference in content is removed.  Nothing is expanded.  The parser's
 * depth limit (256) bounds the recursion.
 */
static void drop_entity_refs(const char *file, xmlNode *element, struct diag *d)
{
	xmlAttr *a, *next_a;
	xmlNode *c, *next_c;

	for (a = element->properties; a; a = next_a) {
		next_a = a->next;
		if (!has_entity_ref(a))
			continue;
		xml_doc_problem(d, file, element, "attribute '%s': an entity reference is not "
				"accepted (a scenario file has no DTD)", (const char *)a->name);
		xmlRemoveProp(a);
	}
	for (c = element->children; c; c = next_c) {
		next_c = c->next;
		if (c->type == XML_ELEMENT_NODE) {
			drop_entity_refs(file, c, d);
		} else if (c->type == XML_ENTITY_REF_NODE) {
			diag_add(d, file, ref_line(c, element), (const char *)element->name,
				 "entity reference '&%s;' is not accepted (a scenario file has no "
				 "DTD)", (const char *)c->name);
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
}

/*
 * A DTD could inject attribute defaults and entities that the schema never
 * sees: it is refused (a problem), and removed with every reference to its
 * entities, so that nothing of it reaches the schema validator or the model
 * and the rest of the file is still validated.
 */
static void refuse_dtd(const char *file, const char *buf, size_t len, xmlDoc *doc,
		       struct diag *d)
{
	xmlDtd *dtd;

	if (doc->intSubset || doc->extSubset)
		diag_add(d, file, doctype_line(buf, len), "xml", "a DOCTYPE is not accepted: a "
			 "scenario file has no DTD, internal subset, entity or attribute default");
	if (xmlDocGetRootElement(doc))
		drop_entity_refs(file, xmlDocGetRootElement(doc), d);
	while ((dtd = doc->intSubset ? doc->intSubset : doc->extSubset) != NULL) {
		xmlUnlinkNode((xmlNode *)dtd);
		if (doc->intSubset == dtd)
			doc->intSubset = NULL;
		if (doc->extSubset == dtd)
			doc->extSubset = NULL;
		xmlFreeDtd(dtd);
	}
}

int xml_doc_parse(const char *file, const char *buf, size_t len,
		  const struct xml_kind *kind, const char *schema_dir,
		  struct diag *d, xmlDoc **doc)
{
	struct sink sink = { d, file, 0 };
	xmlDoc *x;

	*doc = NULL;
	diag_file(d, file);
	if (len > XML_DOC_MAX_BYTES) {
		diag_add(d, file, 0, "xml", "larger than %u MiB", XML_DOC_MAX_BYTES >> 20);
		return 0;
	}
	/*
	 * No network, line numbers past 65535; and on purpose neither
	 * XML_PARSE_NOENT (entity substitution) nor XML_PARSE_DTDATTR (DTD
	 * attribute defaults) nor XML_PARSE_DTDLOAD: refuse_dtd() reports and
	 * removes what a DTD brought before anything reads the tree.
	 */
	xmlSetStructuredErrorFunc(&sink, route_error);
	x = read_memory(buf, len, file, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!x) {
		if (sink.count == 0)
			diag_add(d, file, 0, "xml", "not an XML document");
		return 0;
	}
	refuse_dtd(file, buf, len, x, d);
	if (!root_ok(xmlDocGetRootElement(x), kind)) {
		wrong_root(file, xmlDocGetRootElement(x), kind, d);
		xmlFreeDoc(x);
		return 0;
	}
	if (validate(file, x, kind, schema_dir, d) < 0) {
		xmlFreeDoc(x);
		return -1;
	}
	*doc = x;
	return 0;
}

static char *read_file(const char *file, size_t *len, struct diag *d)
{
	FILE *fp = fopen(file, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!fp) {
		diag_add(d, file, 0, "file", "cannot open: %s", strerror(errno));
		return NULL;
	}
	do {
		if (n == cap)
			buf = mem_array(buf, cap = cap ? cap * 2 : 65536, 1);
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
	} while (got > 0 && n <= XML_DOC_MAX_BYTES);
	if (ferror(fp)) {
		diag_add(d, file, 0, "file", "cannot read: %s", strerror(errno));
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	*len = n;
	return buf;
}

int xml_doc_load(const char *file, const struct xml_kind *kind,
		 const char *schema_dir, struct diag *d, xmlDoc **doc)
{
	size_t len = 0;
	char *buf;
	int rc;

	*doc = NULL;
	diag_file(d, file);
	buf = read_file(file, &len, d);
	if (!buf)
		return 0;
	rc = xml_doc_parse(file, buf, len, kind, schema_dir, d, doc);
	free(buf);
	return rc;
}

static bool same_ns(const xmlNode *a, const xmlNode *b)
{
	if (!a->ns || !b->ns)
		return a->ns == b->ns;
	return xmlStrEqual(a->ns->href, b->ns->href);
}

static xmlNode *next_element(xmlNode *n, const xmlNode *parent)
{
	for (; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && same_ns(n, parent))
			return n;
	return NULL;
}

xmlNode *xml_doc_first(const xmlNode *parent)
{
	return next_element(parent->children, parent);
}

xmlNode *xml_doc_next(const xmlNode *node)
{
	return node->parent ? next_element(node->next, node->parent) : NULL;
}

bool xml_doc_is(const xmlNode *node, const char *name)
{
	return strcmp((const char *)node->name, name) == 0;
}

unsigned xml_doc_line(const xmlNode *node)
{
	long line;

	if (node->type == XML_ELEMENT_NODE && node->psvi)
		return (unsigned)(intptr_t)node->psvi;
	line = xmlGetLineNo(node);
	return line > 0 ? (unsigned)line : 0;
}

/*
 * The attribute in no namespace, as written in the file: never one of
 * another namespace with the same local name, never a DTD default
 * (xmlGetProp(), xmlGetNoNsProp() and xmlHasProp() look in the DTD, and
 * xmlHasProp() ignores namespaces).
 */
static const xmlAttr *own_attr(const xmlNode *node, const char *name)
{
	const xmlAttr *a;

	for (a = node->properties; a; a = a->next)
		if (!a->ns && a->type == XML_ATTRIBUTE_NODE &&
		    strcmp((const char *)a->name, name) == 0)
			return a;
	return NULL;
}

bool xml_doc_has(const xmlNode *node, const char *name)
{
	return own_attr(node, name) != NULL;
}

char *xml_doc_attr(const xmlNode *node, const char *name)
{
	const xmlAttr *a = own_attr(node, name);
	xmlChar *v;
	char *s;

	if (!a)
		return NULL;
	/* refuse_dtd() left no entity reference: this is the text itself */
	v = xmlNodeListGetString(node->doc, a->children, 1);
	s = mem_strdup(v ? (const char *)v : "");
	xmlFree(v);
	return s;
}

/* the XSD lexical space of xs:unsignedInt: blanks, optional '+', digits */
bool xml_doc_u32(const xmlNode *node, const char *name, uint32_t *out)
{
	char *s = xml_doc_attr(node, name), *p;
	unsigned long long v = 0;
	bool ok = false;

	if (!s)
		return false;
	p = s + strspn(s, " \t\r\n");
	if (*p == '+')
		p++;
	if (*p >= '0' && *p <= '9') {
		for (; *p >= '0' && *p <= '9' && v <= UINT32_MAX; p++)
			v = v * 10 + (unsigned long long)(*p - '0');
		p += strspn(p, " \t\r\n");
		ok = *p == '\0' && v <= UINT32_MAX;
	}
	if (ok)
		*out = (uint32_t)v;
	free(s);
	return ok;
}

bool xml_doc_bool(const xmlNode *node, const char *name, bool dflt)
{
	char *s = xml_doc_attr(node, name), *p, *e;
	bool v = dflt;

	if (!s)
		return dflt;
	p = s + strspn(s, " \t\r\n");
	e = p + strcspn(p, " \t\r\n");
	*e = '\0';
	if (strcmp(p, "true") == 0 || strcmp(p, "1") == 0)
		v = true;
	else if (strcmp(p, "false") == 0 || strcmp(p, "0") == 0)
		v = false;
	free(s);
	return v;
}

int xml_doc_quantity(const xmlNode *node, const char *name, enum units_kind kind,
		     uint32_t *out, const char *file, struct diag *d)
{
	char why[UNITS_WHY_LEN], *s = xml_doc_attr(node, name);
	int rc = 1;

	if (!s)
		return 0;
	if (units_parse(kind, s, out, why) < 0) {
		xml_doc_problem(d, file, node, "%s '%s': %s", name, s, why);
		rc = -1;
	}
	free(s);
	return rc;
}

void xml_doc_problem(struct diag *d, const char *file, const xmlNode *node,
		     const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	diag_add(d, file, xml_doc_line(node), (const char *)node->name, "%s",
		 msg ? msg : "(out of memory)");
	free(msg);
}
