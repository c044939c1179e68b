/*
 * test_agent_fake_virt.h - an in-memory hypervisor behind struct virt_ops,
 * for the tracker and MIB tests (no libvirt, no daemon).
 *
 * Domains are kept as struct vm templates; the "persisted" metadata index
 * of each survives close/open unless fake_virt.lose_metadata is set (which
 * mimics libvirt's test driver, that rereads its file on every open).
 * Every mutating call is recorded as one line of text in fake_virt.log.
 */
#ifndef TEST_AGENT_FAKE_VIRT_H
#define TEST_AGENT_FAKE_VIRT_H

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
};

struct fake_virt {
	struct fake_dom doms[FAKE_MAX_DOMS];
	int n;
	bool fail_open;
	bool lose_metadata;       /* open() forgets what set_index stored */
	int opens, closes, stats_calls;
	char log[4096];
	const struct virt_callbacks *cb;
	void *opaque;
	bool open_now;
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

#endif
