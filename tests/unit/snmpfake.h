/*
 * snmpfake.h - an in-memory vMIB agent per host behind the seam of
 * snmpc.h, for the unit tests (and anyone who wants to see what vmibctl
 * would send without a testbed).  It answers GET, GETNEXT and GETBULK
 * from a sorted store of varbinds loaded as text (pdu.h's form), applies
 * SETs with the MIB's RowStatus rules in their simplest form, and records
 * every SET PDU as text:
 *
 *   h1 SET
 *     vmibVmRowStatus.1 = INTEGER createAndGo(4)
 *     vmibVmName.1 = STRING "east1"
 *
 * SET checks (each gives the MIB's error and changes nothing): a column of
 * a row that does not exist and is not created by the PDU
 * (inconsistentName), createAndGo of an existing row (inconsistentValue),
 * a vif created or destroyed without its VM in the same PDU
 * (inconsistentValue), a shape row of a vif that does not exist
 * (inconsistentName).  Scripted failures make chosen SETs fail like a real
 * host would, with a LastError text; a host can be made unreachable.
 *
 * Ownership: the struct snmpc returned by snmpfake_open() owns the fake;
 * snmpc_free() releases both.
 */
#ifndef VMIB_SNMPFAKE_H
#define VMIB_SNMPFAKE_H

#include <stddef.h>
#include <stdint.h>

#include "snmpc.h"

struct snmpfake;

/* host names are used in the SET log only; copied */
struct snmpc *snmpfake_open(const char *const *host_names, size_t n, struct snmpfake **fake);

/*
 * Load varbinds into host's store, one per line in pdu.h's text form;
 * blank lines and lines starting with '#' are skipped.  Returns 0, or -1
 * with "line N: reason" in why (160 bytes).
 */
int snmpfake_load(struct snmpfake *f, size_t host, const char *text, char *why);

/*
 * Every later SET on host with a varbind of object `object` (a vMIB name
 * such as "vmibVmRowStatus") fails with error-status `status` at that
 * varbind, writing last_error into the row's LastError column (or
 * vmibHostLastError).
 */
void snmpfake_fail(struct snmpfake *f, size_t host, const char *object, long status,
		   const char *last_error);
/* the same for the next `times` such SETs only */
void snmpfake_fail_times(struct snmpfake *f, size_t host, const char *object, long status,
			 const char *last_error, unsigned times);
/* SETs of more than n varbinds to host fail with tooBig (0: no limit) */
void snmpfake_max_varbinds(struct snmpfake *f, size_t host, size_t n);
/*
 * A SET of vmibVmMigrateTarget to `target` on any host moves the VM's rows
 * (VM, vifs, shape rows) to host `to` at once, as a finished migration:
 * vmibVmMigrateStatus succeeded(3), vmibVmMigrateDowntimeMs downtime_ms,
 * shape rows applied(1).
 */
void snmpfake_peer(struct snmpfake *f, const char *target, size_t to, uint32_t downtime_ms);
/*
 * A VM destroyed on host stays in its tables (vmibVmOperState
 * shuttingDown) for the next `requests` requests to host, as vmibd shows
 * a VM it powers off until libvirt reports the domain gone; meanwhile a
 * createAndGo of its index fails with inconsistentValue (index in use).
 */
void snmpfake_linger(struct snmpfake *f, size_t host, unsigned requests);
/* every request to host fails with why (as a timeout would) */
void snmpfake_unreachable(struct snmpfake *f, size_t host, const char *why);

/* the SETs received since the last call, as text (malloc'd; "" if none) */
char *snmpfake_take_log(struct snmpfake *f);
/* host's store as text, sorted by OID (malloc'd) */
char *snmpfake_dump(struct snmpfake *f, size_t host);

#endif
