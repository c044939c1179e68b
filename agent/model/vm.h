/*
 * vm.h - what vmibd knows about one VM (libvirt domain) and its vifs.
 *
 * A struct vm is a plain snapshot: the libvirt backend fills one from a
 * domain (virt.c, domxml.c), the tracker keeps the current one per domain
 * in the VM cache (vmcache.c), and the MIB handlers only read it.  It holds
 * no libvirt object.  Ownership: a struct vm owns all its strings and
 * arrays; vm_free() releases everything (and accepts NULL).
 *
 * State values are libvirt's virDomainState numbers; the MIB modules map
 * them to their own enumerations (vm_oper_vmib(), rfc7666.c).
 */
#ifndef VMIB_VM_H
#define VMIB_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmib_oids.h"

#define VM_UUID_LEN 16
#define VM_UUID_STR_LEN 36
#define VM_IFNAME_MAX 16 /* IFNAMSIZ */

/* The vMIB metadata element kept in every domain (virDomainSetMetadata,
 * VIR_DOMAIN_METADATA_ELEMENT):
 *   <vmib:vm xmlns:vmib="urn:vmib:domain:1" index="N" image="NAME"
 *            admin="running|paused|shutoff|destroyed"
 *            migrate-live="true|false">
 *     <vmib:vif index="N" mac="52:54:00:..:..:.."
 *               addr="10.1.0.5" prefix="24"
 *               routes="10.2.0.0/24,10.1.0.1;..."/>
 *   </vmib:vm>
 * Only index is required; vmibd writes index for domains that lack it and
 * keeps everything else it finds. */
#define VM_META_URI "urn:vmib:domain:1"
#define VM_META_PREFIX "vmib"

/* vmibVmAdminState values as stored in the metadata (0: not recorded) */
enum vm_admin {
	VM_ADMIN_NONE = 0,
	VM_ADMIN_RUNNING = VMIB_ENUM_vmibVmAdminState_running,
	VM_ADMIN_PAUSED = VMIB_ENUM_vmibVmAdminState_paused,
	VM_ADMIN_SHUTOFF = VMIB_ENUM_vmibVmAdminState_shutoff,
	VM_ADMIN_DESTROYED = VMIB_ENUM_vmibVmAdminState_destroyed,
};

struct vif_counters {
	uint64_t rx_bytes, rx_pkts, rx_errs, rx_drops;
	uint64_t tx_bytes, tx_pkts, tx_errs, tx_drops;
};

struct vm_vif {
	uint32_t index;              /* vmibVifIndex, 1.. */
	char dev[VM_IFNAME_MAX];     /* host device, "" if none */
	uint8_t mac[6];
	bool has_mac;
	char bridge[VM_IFNAME_MAX];
	char model[32];
	uint8_t addr[4];             /* guest IPv4, network order; 0.0.0.0 none */
	uint8_t prefix_len;
	char routes[256];            /* "P/L,GW;P/L,GW" */
	uint32_t ifindex;            /* IF-MIB ifIndex of dev, 0 if absent */
	uint32_t parent_ifindex;     /* ifIndex of the bridge, 0 if absent */
	struct vif_counters c;       /* the VM's point of view */
};

/* block device counters of one disk, the VM's point of view
 * (virDomainBlockStats; times: libvirt's rd.times/wr.times) */
struct disk_counters {
	uint64_t rd_reqs, rd_bytes, rd_time_ns;
	uint64_t wr_reqs, wr_bytes, wr_time_ns;
};

/* one <disk> of the domain (RFC 7666 vmStorageTable), in XML order; the
 * strings are libvirt's attribute values, truncated */
struct vm_disk {
	char dev[VM_IFNAME_MAX];     /* <target dev>, "vda"; the stats key */
	char type[12];               /* <disk type>: file, block, network... */
	char device[8];              /* <disk device>: disk, cdrom, floppy, lun */
	char format[12];             /* <driver type>: raw, qcow2..., "" */
	char bus[12];                /* <target bus>: virtio, ide..., "" */
	bool readonly;               /* <readonly/> */
	char *source;                /* file, dev, name or pool/volume; NULL none */
	int64_t capacity_bytes;      /* virDomainGetBlockInfo; -1 unknown */
	int64_t allocation_bytes;    /* -1 unknown */
	struct disk_counters c;
};

/* vCPU pinning (<vcpu cpuset>, <cputune><vcpupin>): row v of cpu_pin is
 * VM_PIN_ROW(vm) bytes, a VM_PIN_* kind then a bitmap of physical CPU
 * numbers (bit n: byte 1 + n / 8, bit n % 8); NULL: no restriction */
enum { VM_PIN_BITMAP = 0, VM_PIN_ANY = 1, VM_PIN_UNKNOWN = 2 };
#define VM_PIN_ROW(vm) (1u + (vm)->pin_bytes)

struct vm {
	int32_t index;               /* vmibVmIndex = vmIndex; 0 = unassigned */
	int32_t meta_index;          /* index found in the metadata, 0 none */
	unsigned char uuid[VM_UUID_LEN];
	char *name;
	char *image;                 /* "" if unknown */
	char *kernel;                /* <os><kernel>, "" if none */
	char *os_type;               /* <os><type>, e.g. "hvm" */
	int admin;                   /* enum vm_admin from the metadata */
	int state, reason;           /* virDomainState and its reason */
	bool persistent, autostart;
	uint64_t mem_kib, max_mem_kib;
	unsigned int vcpus, max_vcpus;
	bool has_sched;
	uint32_t sched_weight, sched_cap_pct;
	uint64_t cpu_time_ns;
	uint64_t *vcpu_time_ns;      /* n_vcpu_time entries */
	unsigned int n_vcpu_time;
	struct vm_vif *vifs;         /* sorted by index */
	size_t n_vifs;
	struct vm_disk *disks;       /* XML order; vmStorageIndex = position + 1 */
	size_t n_disks;
	uint8_t *cpu_pin;            /* n_pin_vcpus rows, see VM_PIN_ROW */
	unsigned int n_pin_vcpus, pin_bytes;
	/* migration and errors: written by the SET side (issue #4) */
	char *migrate_target;
	bool migrate_live;
	bool migrate_live_meta;      /* migrate_live was read from the metadata */
	int migrate_status;          /* vmibVmMigrateStatus, 1 = none */
	uint32_t migrate_downtime_ms;
	char *last_error;
	/* tracker bookkeeping, not from libvirt */
	uint64_t stats_ms;           /* when the counters were read */
	uint64_t up_since_ms;        /* monotonic ms it was seen starting, 0 */
	uint64_t event_seq;          /* last lifecycle event applied */
};

struct vm *vm_new(void);
void vm_free(struct vm *vm);
/* Copy the fields the tracker owns (index, counters, timestamps) from old
 * into a fresh snapshot of the same domain. */
void vm_carry_over(struct vm *fresh, const struct vm *old);

bool vm_is_active(const struct vm *vm);
/* vmibVmOperState from virDomainState */
int vm_oper_vmib(const struct vm *vm);
/* vmibVmAdminState: the recorded value, or derived from the state */
int vm_admin_vmib(const struct vm *vm);

void vm_uuid_format(const unsigned char uuid[VM_UUID_LEN],
		    char out[VM_UUID_STR_LEN + 1]);
int vm_uuid_parse(const char *s, unsigned char uuid[VM_UUID_LEN]);
int vm_uuid_cmp(const unsigned char *a, const unsigned char *b);

const struct vm_vif *vm_vif_find(const struct vm *vm, uint32_t vif_index);
struct vm_vif *vm_vif_by_dev(struct vm *vm, const char *dev);
void vm_sort_vifs(struct vm *vm);
struct vm_disk *vm_disk_by_dev(struct vm *vm, const char *dev);
/* RFC 7666 vmCpuAffinity of vCPU vcpu (0-based) on physical CPU pcpu:
 * VM_PIN_ANY allowed, VM_PIN_BITMAP not allowed, VM_PIN_UNKNOWN */
int vm_cpu_allowed(const struct vm *vm, unsigned int vcpu, unsigned int pcpu);

#endif
