/*
 * mib_tables.h - the MIB modules vmibd serves, and what they share.
 *
 * Each module (mib_host.c, mib_image.c, mib_vm.c, mib_vif.c, rfc7666.c)
 * fills struct mibtab descriptions from the struct agent_ctx (agent_ctx.h)
 * and reads only through it: the tracker's cache and host state, the image
 * list and the configuration.  *_setup() only describes (the unit tests
 * use it without snmpd); mib_register_all() (mib.h) registers everything
 * with Net-SNMP.
 */
#ifndef VMIB_MIB_TABLES_H
#define VMIB_MIB_TABLES_H

#include <stdint.h>

#include "agent_ctx.h"
#include "mibtab.h"

/* a sub-row of a VM: (VM, position) */
struct mib_row2 {
	const struct vm *vm;
	size_t pos;
};


void mib_host_setup(struct mibtab *t, struct agent_ctx *ctx);
/* the registrations of that table: MIB_HOST_N, one per scalar */
#define MIB_HOST_N 12
size_t mib_host_split(const struct mibtab *whole, struct mibtab *out);
void mib_image_setup(struct mibtab *t, struct agent_ctx *ctx);
void mib_vm_setup(struct mibtab *t, struct agent_ctx *ctx);
void mib_vif_setup(struct mibtab *t, struct agent_ctx *ctx);
/* read-write registration of the VM and vif tables (SETs: vmset.h) */
int mib_vm_register(struct mibtab *t);
int mib_vif_register(struct mibtab *t);

/* vmibShapeTable (mib_shape.c): read-write, registered with
 * mib_shape_register; vmibShapeFailure is sent once enabled (failures
 * found before are queued) */
void mib_shape_setup(struct mibtab *t, struct agent_ctx *ctx);
int mib_shape_register(struct mibtab *t);
void mib_shape_notify_enable(bool on);
unsigned long mib_shape_notifications(void);
Netsnmp_Node_Handler *mib_shape_set_handler(void);

/* Isolation (mib_isol.c): vmibIsolationTable, vmibSubnetTable and the
 * scalars vmibIsolationDefault, vmibIsolationOperStatus, over the host's
 * isolation state (struct isolation, kept in state_dir). */
enum { MIB_ISOL_RULES, MIB_ISOL_SUBNETS, MIB_ISOL_DEFAULT, MIB_ISOL_OPER, MIB_ISOL_N };
struct isolate_backend;
struct isolation *mib_isol_new(const char *state_dir, struct isolate_backend *b,
			       uint32_t caps, struct tracker *tracker);
void mib_isol_free(struct isolation *is);
/* read the state file and install it again: 0, or -1 (logged, reported in
 * vmibHostLastError and the statuses, notifications queued) */
int mib_isol_start(struct isolation *is);
int mib_isol_oper(const struct isolation *is);
void mib_isol_setup(struct mibtab t[MIB_ISOL_N], struct agent_ctx *ctx);
int mib_isol_register(struct mibtab t[MIB_ISOL_N]);
void mib_isol_notify_enable(bool on);
unsigned long mib_isol_notifications(void);
Netsnmp_Node_Handler *mib_isol_set_handler(void);

enum {
	RFC7666_HYPERVISOR,
	RFC7666_NUMBER,
	RFC7666_LAST_CHANGE,
	RFC7666_PERVM_ENABLED,
	RFC7666_BULK_ENABLED,
	RFC7666_VM_TABLE,
	RFC7666_CPU_TABLE,
	RFC7666_CPU_AFFINITY_TABLE,
	RFC7666_STORAGE_TABLE,
	RFC7666_NETWORK_TABLE,
	RFC7666_N_TABLES
};
void rfc7666_setup(struct mibtab t[RFC7666_N_TABLES], struct agent_ctx *ctx);
/* RFC 7666 mappings from libvirt's virDomainState (+ reason) */
int rfc7666_oper_state(int state, int reason);
int rfc7666_admin_state(int state);
/* vmStorageTable values of a disk (RFC 7666 6.1, IANAStorageMediaType) */
struct vm_disk;
int rfc7666_storage_source_type(const struct vm_disk *d);
int rfc7666_storage_media_type(const struct vm_disk *d);
/* vmStorageSizeUnit: the smallest power of 1024 bytes in which both sizes
 * fit an Integer32 */
long rfc7666_storage_size_unit(const struct vm_disk *d);

#endif
