/*
 * load.c - runs the stages named in load.h in order; the only place that
 * knows their sequence.  It owns the intermediate results; it prints
 * nothing (the subcommands print through out.h).
 */
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "check_limits.h"
#include "load.h"
#include "merge.h"
#include "xml_doc.h"
#include "xml_real.h"
#include "xml_virtual.h"

void load_release(struct load *l)
{
	if (!l)
		return;
	env_real_free(l->real);
	env_virt_free(l->virt);
	place_release(&l->placement);
	state_release(&l->desired);
	diag_release(&l->diag);
	memset(l, 0, sizeof(*l));
}

static void finish(struct load *l, xmlDoc *real_doc, const char *real_file,
		   xmlDoc *virt_doc, const char *virt_file)
{
	if (real_doc) {
		l->real = xml_real_parse(real_file, real_doc, &l->diag);
		check_real(l->real, &l->diag);
	}
	if (virt_doc) {
		l->virt = xml_virtual_parse(virt_file, virt_doc, &l->diag);
		check_virtual(l->virt, &l->diag);
	}
	if (l->real && l->virt) {
		place_vms(l->real, l->virt, &l->placement, &l->diag);
		merge_build(l->real, l->virt, &l->placement, &l->desired, &l->diag);
		check_limits_state(l->virt, &l->desired, &l->diag);
	}
	diag_sort(&l->diag);
}

static int start(struct load *l, const char *real_file, const char *virt_file,
		 const char *schema_dir, char **dir)
{
	memset(l, 0, sizeof(*l));
	diag_file(&l->diag, real_file);
	diag_file(&l->diag, virt_file);
	*dir = xml_doc_schema_dir(schema_dir);
	if (!*dir) {
		diag_add(&l->diag, "schemas", 0, "schema",
			 "cannot find the schema directory (use --schema-dir or VMIB_SCHEMA_DIR)");
		return -1;
	}
	return 0;
}

int load_files(const char *real_file, const char *virt_file, const char *schema_dir,
	       struct load *l)
{
	xmlDoc *rd = NULL, *vd = NULL;
	char *dir;
	int rc = -1;

	if (start(l, real_file, virt_file, schema_dir, &dir) < 0)
		return -1;
	if (xml_doc_load(real_file, &xml_doc_kind_real, dir, &l->diag, &rd) == 0 &&
	    xml_doc_load(virt_file, &xml_doc_kind_virtual, dir, &l->diag, &vd) == 0) {
		finish(l, rd, real_file, vd, virt_file);
		rc = 0;
	}
	xmlFreeDoc(rd);
	xmlFreeDoc(vd);
	free(dir);
	return rc;
}

int load_buffers(const char *real_name, const char *real_buf, const char *virt_name,
		 const char *virt_buf, const char *schema_dir, struct load *l)
{
	xmlDoc *rd = NULL, *vd = NULL;
	char *dir;
	int rc = -1;

	if (start(l, real_name, virt_name, schema_dir, &dir) < 0)
		return -1;
	if (xml_doc_parse(real_name, real_buf, strlen(real_buf), &xml_doc_kind_real, dir,
			  &l->diag, &rd) == 0 &&
	    xml_doc_parse(virt_name, virt_buf, strlen(virt_buf), &xml_doc_kind_virtual, dir,
			  &l->diag, &vd) == 0) {
		finish(l, rd, real_name, vd, virt_name);
		rc = 0;
	}
	xmlFreeDoc(rd);
	xmlFreeDoc(vd);
	free(dir);
	return rc;
}

int load_real(const char *real_file, const char *schema_dir, struct load *l)
{
	xmlDoc *rd = NULL;
	char *dir;
	int rc = -1;

	memset(l, 0, sizeof(*l));
	diag_file(&l->diag, real_file);
	dir = xml_doc_schema_dir(schema_dir);
	if (!dir) {
		diag_add(&l->diag, "schemas", 0, "schema",
			 "cannot find the schema directory (use --schema-dir or VMIB_SCHEMA_DIR)");
		return -1;
	}
	if (xml_doc_load(real_file, &xml_doc_kind_real, dir, &l->diag, &rd) == 0) {
		finish(l, rd, real_file, NULL, NULL);
		rc = 0;
	}
	xmlFreeDoc(rd);
	free(dir);
	return rc;
}
