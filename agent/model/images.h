/*
 * images.h - the VM images this host can boot (vmibImageTable).
 *
 * An image is a directory <image-dir>/<name>/ holding the kernel
 * (vmlinuz), the initial RAM disk (initrd.img) and a descriptor
 * image.xml:
 *   <image name="vmib-test">            (any namespace, e.g. urn:vmib:image:1)
 *     <os>linux</os> <arch>x86_64</arch>
 *     <kernelVersion>6.1.0-26-amd64</kernelVersion>
 *     <description>...</description>
 *     <kernel>vmlinuz</kernel> <initrd>initrd.img</initrd>
 *     <cmdline>console=ttyS0 quiet</cmdline>   (base kernel command line)
 *     <memoryMiB>128</memoryMiB>   (the least memory it boots with)
 *   </image>
 * Each field may also be given as an attribute of <image>; kernel-version
 * is accepted for kernelVersion; kernel and initrd are file names in the
 * image's directory (defaults vmlinuz, initrd.img); other elements are
 * ignored here.  A missing name is the directory's name.  Images are
 * numbered 1, 2, ... in the order of their names (VMIB-MIB
 * vmibImageIndex).
 */
#ifndef VMIB_IMAGES_H
#define VMIB_IMAGES_H

#include <stddef.h>
#include <stdint.h>

struct image {
	char name[65];
	char os[65];
	char arch[33];
	char kernel_version[65];
	char description[256];
	char cmdline[512];         /* base kernel command line, "" if none */
	uint32_t min_memory_mib;   /* memoryMiB: least memory it boots with, 0 = not said */
	char memory_text[16];      /* memoryMiB as written (parsing only) */
	char kernel_file[256];     /* file names inside dir */
	char initrd_file[256];
	char dir[4096];            /* absolute directory of the image */
};

struct images {
	char *root;                /* the image directory */
	struct image *list;        /* sorted by name; index = position + 1 */
	size_t n;
};

void images_init(struct images *im, const char *root);
void images_clear(struct images *im);
/* Re-read the directory; errors in one image are logged and the image
 * skipped.  Returns the number of images. */
size_t images_scan(struct images *im);

/* 1-based index -> image, NULL if none */
const struct image *images_get(const struct images *im, size_t index);
/* the image whose directory holds this kernel path, NULL if none */
const struct image *images_by_kernel(const struct images *im, const char *kernel);
const struct image *images_by_name(const struct images *im, const char *name);

/* Parse one descriptor (exported for the tests). */
int images_parse(const char *xml, const char *dirname, struct image *out,
		 char *err, size_t errlen);

/* vmibVmImage: the image the VM's metadata names, else the image whose
 * kernel it boots, else ""; imgs may be NULL */
struct vm;
const char *images_of_vm(const struct images *imgs, const struct vm *vm);

#endif
