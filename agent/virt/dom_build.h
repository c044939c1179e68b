/*
 * domgen.h - the domain XML vmibd writes: the definition of a VM created
 * through vmibVmTable, its guest kernel command line, hot-plugged
 * interfaces, edits of an existing definition, and edits of the vmib
 * metadata element (vm.h).
 *
 * Pure functions of their arguments (libxml2 only, safe in any thread once
 * xmlInitParser() ran): every string that comes from a SET is already
 * validated (vmcheck.h), and everything is escaped by libxml2 anyway.
 * Strings returned are malloc'd; the caller frees them.
 */
#ifndef VMIB_DOMGEN_H
#define VMIB_DOMGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "images.h"
#include "vm.h"

/* the x86 kernel's COMMAND_LINE_SIZE, with its terminating NUL */
#define DOMGEN_CMDLINE_MAX 2048

struct domgen_vif {
	uint32_t index;              /* vmibVifIndex */
	char bridge[VM_IFNAME_MAX];
	uint8_t mac[6];
	uint8_t addr[4];             /* 0.0.0.0: none */
	uint8_t prefix_len;
	char routes[256];            /* "P/L,GW;P/L" (validated) */
};

struct domgen_spec {
	const char *name;
	unsigned char uuid[VM_UUID_LEN];
	const char *domain_type;     /* "qemu", "kvm" or "test" */
	const struct image *image;
	uint64_t mem_kib;
	unsigned int vcpus;
	int32_t index;
	int admin;                   /* enum vm_admin */
	int live;                    /* vmibVmMigrateLive true(1)/false(2); 0 none */
	bool has_shares;             /* cputune (QEMU/KVM) */
	uint64_t shares;
	bool has_quota;
	int64_t quota_us;
	uint64_t period_us;
	const char *console_dir;     /* serial console to DIR/NAME.log; NULL pty */
	const struct domgen_vif *vifs; /* ascending index = eth0, eth1, ... */
	size_t n_vifs;
};

/* The guest's kernel command line: the image's base line, then
 * vmib.hostname= and, per vif in the order given (ethN = position),
 * vmib.ip=ethN:A/L and one vmib.route= per route (PREFIX,GATEWAY, or
 * PREFIX,dev:ethN for an on-link route).  -1 if it does not fit in len. */
int domgen_cmdline(const char *base, const char *name, const struct domgen_vif *vifs,
		   size_t n_vifs, char *out, size_t len);

/* the whole definition of a new domain, metadata included */
char *domgen_domain(const struct domgen_spec *s, char *err, size_t errlen);

/* one <interface> (bridge, MAC, virtio, no ROM); pci_slot > 0 pins its
 * slot on PCI bus 0 so the guest enumerates it after the existing ones */
char *domgen_iface(const struct domgen_vif *v, int pci_slot);

/* changes to a persistent definition (domgen_edit) */
struct domgen_edit {
	bool has_mem;
	uint64_t mem_kib;
	bool has_vcpus;
	unsigned int vcpus;
	const char *cmdline;         /* replaces <os><cmdline>, NULL: kept */
	const char *add_iface;       /* <interface> XML appended to <devices> */
	bool has_remove_mac;         /* the <interface> with this MAC goes */
	uint8_t remove_mac[6];
};
char *domgen_edit(const char *xml, const struct domgen_edit *e, char *err, size_t errlen);

/* the alias of the interface with this MAC (libvirt names it netN): 0 or -1 */
int domgen_iface_alias(const char *xml, const uint8_t mac[6], char *out, size_t len);
/* highest slot used on PCI bus 0 of domain 0, 0 if none, -1 bad XML */
int domgen_max_pci_slot(const char *xml);

/* changes to the vmib metadata element */
struct domgen_meta_edit {
	int admin;                       /* enum vm_admin; VM_ADMIN_NONE: kept */
	int live;                        /* vmibVmMigrateLive value; 0: kept */
	const struct domgen_vif *add_vif;  /* a <vmib:vif> added (or replaced) */
	uint32_t remove_vif;             /* vif index whose element goes, 0 none */
};
/* meta_xml: the element as virDomainGetMetadata returns it, NULL if the
 * domain has none (then one is made with index) */
char *domgen_meta_edit(const char *meta_xml, int32_t index, const struct domgen_meta_edit *e,
		       char *err, size_t errlen);

#endif
