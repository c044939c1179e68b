/*
 * test_common_xmlelem.c - the element helpers of common/xmlelem.c: the
 * first child element of a name (text and comments skipped), NULL in and
 * NULL out.
 */
#include <string.h>

#include <libxml/parser.h>

#include "unit.h"
#include "xmlelem.h"

static void xmlelem_child_finds_the_first_of_a_name(void)
{
	static const char doc[] = "<a>text<!-- b --><c/><b n='1'/><b n='2'/></a>";
	xmlDoc *d = xmlReadMemory(doc, (int)strlen(doc), "t.xml", NULL, XML_PARSE_NONET);
	xmlNode *root = xmlDocGetRootElement(d), *b;
	xmlChar *n;

	CU_ASSERT_TRUE(xmlelem_is(root, "a"));
	CU_ASSERT_FALSE(xmlelem_is(root, "b"));
	CU_ASSERT_FALSE(xmlelem_is(root->children, "text"));   /* a text node */
	b = xmlelem_child(root, "b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	n = xmlGetProp(b, (const xmlChar *)"n");
	CU_ASSERT_STRING_EQUAL((const char *)n, "1");
	xmlFree(n);
	CU_ASSERT_PTR_NULL(xmlelem_child(root, "d"));
	CU_ASSERT_PTR_NULL(xmlelem_child(NULL, "b"));
	CU_ASSERT_FALSE(xmlelem_is(NULL, "a"));
	xmlFreeDoc(d);
}

static const struct unit_test tests[] = {
	UNIT_TEST(xmlelem_child_finds_the_first_of_a_name),
	{ NULL, NULL },
};

UNIT_SUITE(common_xmlelem, NULL, NULL, tests)
