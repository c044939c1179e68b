/*
 * images.c - scan the image directory into a sorted list (images.h).
 *
 * Owns the list; reads only <image-dir>/<name>/image.xml files.  A bad
 * descriptor is logged (token "xml") and skipped, never fatal.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "images.h"
#include "log.h"
#include "name.h"
#include "vm.h"

void images_init(struct images *im, const char *root)
{
	size_t len;

	memset(im, 0, sizeof(*im));
	im->root = strdup(root ? root : "");
	/* no trailing slash, so prefix tests are exact */
	len = im->root ? strlen(im->root) : 0;
	while (len > 1 && im->root[len - 1] == '/')
		im->root[--len] = '\0';
}

void images_clear(struct images *im)
{
	free(im->root);
	free(im->list);
	memset(im, 0, sizeof(*im));
}

static void images_set(char *dst, size_t len, const xmlChar *v)
{
	const char *s = (const char *)v;
	size_t n;

	while (*s == ' ' || *s == '\n' || *s == '\t')
		s++;
	n = strnlen(s, len - 1);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
		n--;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* field name -> where it goes */
static char *images_field(struct image *img, const char *name, size_t *len)
{
	if (strcmp(name, "name") == 0)
		return *len = sizeof(img->name), img->name;
	if (strcmp(name, "os") == 0)
		return *len = sizeof(img->os), img->os;
	if (strcmp(name, "arch") == 0)
		return *len = sizeof(img->arch), img->arch;
	if (strcmp(name, "kernel-version") == 0 || strcmp(name, "kernelVersion") == 0)
		return *len = sizeof(img->kernel_version), img->kernel_version;
	if (strcmp(name, "kernel") == 0)
		return *len = sizeof(img->kernel_file), img->kernel_file;
	if (strcmp(name, "initrd") == 0)
		return *len = sizeof(img->initrd_file), img->initrd_file;
	if (strcmp(name, "cmdline") == 0)
		return *len = sizeof(img->cmdline), img->cmdline;
	if (strcmp(name, "description") == 0)
		return *len = sizeof(img->description), img->description;
	if (strcmp(name, "memoryMiB") == 0 || strcmp(name, "minMemoryMiB") == 0)
		return *len = sizeof(img->memory_text), img->memory_text;
	return NULL;
}

/* the name is a vmibVmImage value, the files are names in the image's
 * directory: none may be a path or an option (name.h) */
static int images_names_safe(const struct image *img, char *err, size_t errlen)
{
	const char *bad = !name_safe_str(img->name) ? img->name :
			  !name_safe_str(img->kernel_file) ? img->kernel_file :
			  !name_safe_str(img->initrd_file) ? img->initrd_file : NULL;

	if (!bad)
		return 0;
	snprintf(err, errlen, "'%.64s' is not a safe name (%s)", bad, name_rule_text);
	return -1;
}

/* memoryMiB: digits only, 1..4194303 (vmibVmMemoryKBytes in KiB fits) */
static int images_min_memory(struct image *img, char *err, size_t errlen)
{
	const char *p = img->memory_text;
	unsigned long v = 0;

	if (!*p)
		return 0;
	for (; *p >= '0' && *p <= '9' && v <= 4194303; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (*p || v == 0 || v > 4194303) {
		snprintf(err, errlen, "memoryMiB '%.15s' is not a number of MiB (1..4194303)",
			 img->memory_text);
		return -1;
	}
	img->min_memory_mib = (uint32_t)v;
	return 0;
}

int images_parse(const char *xml, const char *dirname, struct image *out,
		 char *err, size_t errlen)
{
	xmlDocPtr doc;
	xmlNodePtr root, c;
	xmlAttrPtr a;
	xmlChar *v;
	size_t len;
	char *dst;

	memset(out, 0, sizeof(*out));
	doc = xmlReadMemory(xml, (int)strlen(xml), "image.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		snprintf(err, errlen, "not well-formed XML");
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || strcmp((const char *)root->name, "image") != 0) {
		snprintf(err, errlen, "root element is not <image>");
		xmlFreeDoc(doc);
		return -1;
	}
	for (a = root->properties; a; a = a->next) {
		dst = images_field(out, (const char *)a->name, &len);
		v = dst ? xmlGetProp(root, a->name) : NULL;
		if (v)
			images_set(dst, len, v);
		xmlFree(v);
	}
	for (c = root->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		dst = images_field(out, (const char *)c->name, &len);
		v = dst ? xmlNodeGetContent(c) : NULL;
		if (v)
			images_set(dst, len, v);
		xmlFree(v);
	}
	xmlFreeDoc(doc);
	if (!out->name[0])
		snprintf(out->name, sizeof(out->name), "%.64s", dirname);
	if (!out->kernel_file[0])
		snprintf(out->kernel_file, sizeof(out->kernel_file), "vmlinuz");
	if (!out->initrd_file[0])
		snprintf(out->initrd_file, sizeof(out->initrd_file), "initrd.img");
	if (images_names_safe(out, err, errlen) < 0)
		return -1;
	return images_min_memory(out, err, errlen);
}

static char *images_slurp(const char *path)
{
	struct stat st;
	char *buf;
	FILE *f;
	size_t n;

	f = fopen(path, "re");
	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) < 0 || st.st_size > 65536) {
		fclose(f);
		errno = EFBIG;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

static int images_cmp(const void *a, const void *b)
{
	return strcmp(((const struct image *)a)->name, ((const struct image *)b)->name);
}

static int images_load_one(struct images *im, const char *entry, struct image *img)
{
	char path[4200], err[256], *xml;

	snprintf(path, sizeof(path), "%s/%s/image.xml", im->root, entry);
	xml = images_slurp(path);
	if (!xml) {
		if (errno != ENOENT)
			log_msg(LOG_WARNING, "xml", "image %s: %s", path, strerror(errno));
		return -1;
	}
	if (images_parse(xml, entry, img, err, sizeof(err)) < 0) {
		log_msg(LOG_WARNING, "xml", "image %s: %s (skipped)", path, err);
		free(xml);
		return -1;
	}
	free(xml);
	snprintf(img->dir, sizeof(img->dir), "%s/%s", im->root, entry);
	return 0;
}

size_t images_scan(struct images *im)
{
	struct image *list = NULL, *nl;
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;

	d = opendir(im->root);
	if (!d) {
		if (errno != ENOENT)
			log_msg(LOG_WARNING, "xml", "image directory %s: %s", im->root,
				strerror(errno));
	}
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		nl = realloc(list, (n + 1) * sizeof(*list));
		if (!nl)
			break;
		list = nl;
		if (images_load_one(im, de->d_name, &list[n]) == 0)
			n++;
	}
	if (d)
		closedir(d);
	if (n > 1)
		qsort(list, n, sizeof(*list), images_cmp);
	/* names are unique keys: drop later duplicates */
	for (i = 1; i < n;) {
		if (strcmp(list[i].name, list[i - 1].name) == 0) {
			log_msg(LOG_WARNING, "xml", "image name %s used twice; keeping %s",
				list[i].name, list[i - 1].dir);
			memmove(&list[i], &list[i + 1], (n - i - 1) * sizeof(*list));
			n--;
		} else {
			i++;
		}
	}
	free(im->list);
	im->list = list;
	im->n = n;
	return n;
}

const struct image *images_get(const struct images *im, size_t index)
{
	return index >= 1 && index <= im->n ? &im->list[index - 1] : NULL;
}

const struct image *images_by_name(const struct images *im, const char *name)
{
	size_t i;

	for (i = 0; name && i < im->n; i++)
		if (strcmp(im->list[i].name, name) == 0)
			return &im->list[i];
	return NULL;
}

const struct image *images_by_kernel(const struct images *im, const char *kernel)
{
	size_t i, len;

	for (i = 0; kernel && *kernel && i < im->n; i++) {
		len = strlen(im->list[i].dir);
		if (strncmp(kernel, im->list[i].dir, len) == 0 && kernel[len] == '/')
			return &im->list[i];
	}
	return NULL;
}

const char *images_of_vm(const struct images *imgs, const struct vm *vm)
{
	const struct image *img;

	if (vm->image && *vm->image)
		return vm->image;
	img = imgs ? images_by_kernel(imgs, vm->kernel) : NULL;
	return img ? img->name : "";
}
