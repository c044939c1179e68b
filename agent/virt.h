/*
 * virt.h - the hypervisor backend seam: every libvirt call vmibd makes
 * goes through a struct virt_ops, so the tracker and its tests can run on
 * a fake (tests/unit/fake_virt.c) and the daemon on libvirt (virt.c).
 *
 * All functions but the callbacks run in the worker thread and may block;
 * they report a failure once, as text in err ("virDomainGetXMLDesc vm1:
 * ..."), and the caller logs it with its own context.  Results are plain
 * data owned by the caller (struct vm: vm_free; stats: virt_stats_free).
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
};

struct virt_stat_vif {
	char dev[VM_IFNAME_MAX];
	struct vif_counters c;
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
};

/* what the tracker knows of an active domain, for backends that must ask
 * per device (sorted by uuid) */
struct virt_stats_req {
	unsigned char uuid[VM_UUID_LEN];
	char (*devs)[VM_IFNAME_MAX];
	size_t n_devs;
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
};

extern const struct virt_ops virt_libvirt_ops;

void virt_stats_free(struct virt_stats *s, size_t n);
void virt_vms_free(struct vm **vms, size_t n);

#endif
