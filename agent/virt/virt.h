/*
 * virt.h - the hypervisor backend seam: every libvirt call vmibd makes
 * goes through a struct virt_ops, so the tracker and its tests can run on
 * a fake (tests/unit/fake_virt.c) and the daemon on libvirt (virt.c).
 *
 * All functions but the callbacks run in the worker thread and may block;
 * they report a failure once, as text in err ("virDomainGetXMLDesc vm1:
 * ..."), and the caller logs it with its own context.  Results are plain
 * data owned by the caller (struct vm: vm_free; stats: virt_stats_free).
 *
 * The mutating calls (define ... job_downtime) are the SET side's: they
 * run in the control thread (ctl.c) on a connection opened with cb ==
 * NULL (no events, no close callback), or in a migration thread on its
 * own such connection.  Domains are named by UUID.
 */
#ifndef VMIB_VIRT_H
#define VMIB_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm.h"

struct virt_host {
	char hostname[256];
	char hv_type[32];      /* virConnectGetType: "QEMU", "TEST", ... */
	char hv_version[32];   /* "major.minor.micro" */
	char uri[256];         /* virConnectGetURI */
	unsigned int cpus;
	unsigned int cells;    /* NUMA cells */
	uint64_t mem_total_kib;
	uint64_t mem_free_kib;
	bool migration;        /* capabilities advertise live migration */
	unsigned int max_vcpus; /* per domain (virConnectGetMaxVcpus), 0 unknown */
};

struct virt_stat_vif {
	char dev[VM_IFNAME_MAX];
	struct vif_counters c;
};

/* block counters and sizes of one disk (virt_stats.blks) */
struct virt_stat_blk {
	char dev[VM_IFNAME_MAX];     /* target dev, "vda" */
	struct disk_counters c;
	int64_t capacity_bytes;      /* -1 unknown */
	int64_t allocation_bytes;    /* -1 unknown */
};

/* counters of one active domain */
struct virt_stats {
	unsigned char uuid[VM_UUID_LEN];
	int state, reason;
	uint64_t cpu_time_ns;
	uint64_t *vcpu_time_ns;
	unsigned int n_vcpu;
	struct virt_stat_vif *vifs;
	size_t n_vifs;
	struct virt_stat_blk *blks;
	size_t n_blks;
};

/* what the tracker knows of an active domain, for backends that must ask
 * per device (sorted by uuid) */
struct virt_stats_req {
	unsigned char uuid[VM_UUID_LEN];
	char (*devs)[VM_IFNAME_MAX];
	size_t n_devs;
	char (*disks)[VM_IFNAME_MAX]; /* disk target devs */
	size_t n_disks;
};

enum virt_event_kind {
	VIRT_EV_LIFECYCLE, /* event, detail: virDomainEventType and detail */
	VIRT_EV_METADATA,  /* vmib metadata changed */
	VIRT_EV_DEVICE,    /* a device was added or removed */
};

struct virt_callbacks {
	/* loop thread (dispatched by libvirt's event loop = loop.c) */
	void (*event)(void *opaque, const unsigned char *uuid, int kind,
		      int event, int detail);
	/* any thread: the connection is gone (virConnectCloseReason) */
	void (*closed)(void *opaque, int reason);
};

enum virt_power {
	VIRT_POWER_START,        /* virDomainCreateWithFlags */
	VIRT_POWER_START_PAUSED,
	VIRT_POWER_DESTROY,      /* power off at once */
	VIRT_POWER_SHUTDOWN,     /* ACPI power button; the guest decides */
	VIRT_POWER_SUSPEND,
	VIRT_POWER_RESUME,
};

/* Scheduler parameters by libvirt name: "cpu_shares" (ULLONG),
 * "vcpu_period" (ULLONG), "vcpu_quota" (LLONG), Xen "weight"/"cap" (UINT).
 * type is a VIR_TYPED_PARAM_* value; u holds UINT/ULLONG, l holds LLONG. */
#define VIRT_SCHED_MAX 4
struct virt_sched {
	struct {
		char field[32];
		int type;
		uint64_t u;
		int64_t l;
	} p[VIRT_SCHED_MAX];
	size_t n;
};

/* where attach() applies a device */
enum { VIRT_WHERE_LIVE = 1, VIRT_WHERE_CONFIG = 2 };

struct virt_ops {
	const char *name;
	void *(*open)(const char *uri, const struct virt_callbacks *cb,
		      void *opaque, char *err, size_t errlen);
	void (*close)(void *conn);
	int (*host)(void *conn, struct virt_host *out, char *err, size_t errlen);
	/* every domain, active or not */
	int (*list)(void *conn, struct vm ***out, size_t *n, char *err,
		    size_t errlen);
	/* one domain: 0 found (*out set), 1 it no longer exists, -1 error */
	int (*lookup)(void *conn, const unsigned char *uuid, struct vm **out,
		      char *err, size_t errlen);
	/* counters of the active domains; req lists the devices known */
	int (*stats)(void *conn, const struct virt_stats_req *req, size_t n_req,
		     struct virt_stats **out, size_t *n, uint64_t *mem_free_kib,
		     char *err, size_t errlen);
	/* record index in the domain's vmib metadata, keeping the rest */
	int (*set_index)(void *conn, const unsigned char *uuid, int32_t index,
			 char *err, size_t errlen);
	/* the metadata element of namespace uri that another module keeps
	 * in the domain (shaping: urn:vmib:shape:1): 0 with *xml (malloc'd,
	 * NULL if the domain has none), 1 the domain no longer exists, -1
	 * error.  May be NULL in backends without metadata. */
	int (*get_meta)(void *conn, const unsigned char *uuid, const char *uri,
			char **xml, char *err, size_t errlen);
	/* replace that element (xml NULL: remove it) in the live and the
	 * persistent definition, whichever the domain has; 0, 1, -1 as above */
	int (*set_meta)(void *conn, const unsigned char *uuid, const char *uri,
			const char *prefix, const char *xml, char *err,
			size_t errlen);

	/* --- mutating calls of the SET side (see the head of this file);
	 * the vmib element itself is read and written with get_meta /
	 * set_meta (VM_META_URI) --- */
	/* is the connection still usable (virConnectIsAlive)? */
	bool (*alive)(void *conn);
	/* define a persistent domain (or redefine one: same UUID); its UUID */
	int (*define)(void *conn, const char *xml, unsigned char *uuid, char *err,
		      size_t errlen);
	int (*undefine)(void *conn, const unsigned char *uuid, char *err, size_t errlen);
	/* the domain's XML (inactive: its persistent definition); caller frees */
	int (*get_xml)(void *conn, const unsigned char *uuid, bool inactive, char **out,
		       char *err, size_t errlen);
	int (*power)(void *conn, const unsigned char *uuid, enum virt_power op, char *err,
		     size_t errlen);
	/* read the current values of the fields named in *p (names and types
	 * set by the caller) */
	int (*sched_get)(void *conn, const unsigned char *uuid, struct virt_sched *p,
			 char *err, size_t errlen);
	/* set them, live if the domain runs and in its persistent definition */
	int (*sched_set)(void *conn, const unsigned char *uuid, const struct virt_sched *p,
			 char *err, size_t errlen);
	/* hot-plug a device (VIRT_WHERE_* bits) */
	int (*attach)(void *conn, const unsigned char *uuid, const char *dev_xml,
		      unsigned int where, char *err, size_t errlen);
	/* ask the running guest to release the interface with this MAC; it
	 * completes asynchronously (libvirt's device-removed event) */
	int (*detach_mac)(void *conn, const unsigned char *uuid, const uint8_t mac[6],
			  char *err, size_t errlen);
	/* peer-to-peer migration to dest_uri (persistent there, undefined
	 * here); blocks until it ends.  *downtime_ms: the downtime the
	 * destination measured, 0 if it cannot be read */
	int (*migrate)(void *conn, const unsigned char *uuid, const char *dest_uri, bool live,
		       uint64_t *downtime_ms, char *err, size_t errlen);
	int (*abort_job)(void *conn, const unsigned char *uuid, char *err, size_t errlen);
	/* downtime of the domain's last completed job (an incoming
	 * migration on a destination), 0 if none */
	int (*job_downtime)(void *conn, const unsigned char *uuid, uint64_t *ms, char *err,
			    size_t errlen);
};

extern const struct virt_ops virt_libvirt_ops;

void virt_stats_free(struct virt_stats *s, size_t n);
void virt_vms_free(struct vm **vms, size_t n);

#endif
