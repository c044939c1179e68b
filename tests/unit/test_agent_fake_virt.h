/*
 * test_agent_fake_virt.h - an in-memory hypervisor behind struct virt_ops,
 * for the tracker and MIB tests (no libvirt, no daemon).
 *
 * Domains are kept as struct vm templates; the "persisted" metadata index
 * of each survives close/open unless fake_virt.lose_metadata is set (which
 * mimics libvirt's test driver, that rereads its file on every open).
 * Every mutating call is recorded as one line of text in fake_virt.log.
 * stats() gives fixed counters; for the disks the tracker asks for, block
 * counters derived from each disk's position (the first one 3 TiB big, the
 * others of unknown size).
 *
 * The SET side's calls (define ... job_downtime) work on the same
 * domains: a domain made by define() keeps its persistent XML (and, while
 * it runs, a live copy that hot-plug edits), and lookup() parses it like
 * libvirt's would be; the vmib metadata element is kept apart and spliced
 * into both.  Each call is logged ("define vm1", "start vm1", "sched vm1
 * cpu_shares=256", ...); one whose line starts with fake_virt.fail_on
 * fails instead (logged with " -> refused").  A guest ignores the power
 * button unless fake_virt.acpi_works.
 */
#ifndef TEST_AGENT_FAKE_VIRT_H
#define TEST_AGENT_FAKE_VIRT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "virt.h"

#define FAKE_MAX_DOMS 64

struct fake_dom {
	struct vm tmpl;           /* name, uuid, state, vifs... (shallow) */
	char name_buf[64];
	struct vm_vif vifs[4];
	int32_t meta_index;       /* what set_index stored ("persisted") */
	int32_t file_meta_index;  /* metadata present in the "file" */
	uint64_t rx_bytes;        /* counter returned by stats */
	bool present;
	/* the SET side (see above) */
	char xml[8192];           /* persistent definition, "" for templates */
	char live[8192];          /* the running domain's, "" if none */
	char meta[2048];          /* the vmib metadata element, "" none */
	struct virt_sched sched;  /* cpu_shares, vcpu_period, vcpu_quota */
};

struct fake_virt {
	struct fake_dom doms[FAKE_MAX_DOMS];
	int n;
	bool fail_open;
	bool lose_metadata;       /* open() forgets what set_index stored */
	int opens, closes, stats_calls;
	atomic_bool stats_block;  /* stats() waits while set (a hung libvirtd) */
	char log[4096];
	const struct virt_callbacks *cb;
	void *opaque;
	bool open_now;
	/* the SET side */
	char fail_on[128];        /* a call whose log line starts so fails */
	bool acpi_works;          /* guests obey the power button */
	const char *hv_type;      /* host(): instead of "FAKE" */
	bool migration;           /* host(): migration advertised */
	unsigned int max_vcpus;   /* host(): 0 = 64 */
	uint64_t mem_free_kib;    /* host() and stats(): instead of theirs */
	int ctl_opens, ctl_closes; /* connections opened without callbacks */
	int next_n;               /* uuid numbers of defined domains */
	atomic_bool calls_block;  /* SET-side calls wait while set (a slow
				   * libvirtd; the control thread's tests) */
	char block_on[128];       /* only calls whose log line starts so wait
				   * ("" all) */
};

extern struct fake_virt fake_virt;
extern const struct virt_ops fake_virt_ops;

void fake_virt_reset(void);
/* add a domain; uuid is built from n; meta_index 0 = no metadata */
struct fake_dom *fake_virt_add(int n, const char *name, int state, int nvifs,
			       int32_t meta_index);
struct fake_dom *fake_virt_find(const char *name);
/* deliver a lifecycle event like libvirt would (loop thread) */
void fake_virt_event(struct fake_dom *d, int event, int new_state);
/* the connection drops (libvirtd died) */
void fake_virt_close_now(void);
void fake_virt_uuid(int n, unsigned char uuid[16]);
/* the XML lookup() would parse for d now (template or defined) */
const char *fake_virt_xml(struct fake_dom *d, bool inactive);

#endif
