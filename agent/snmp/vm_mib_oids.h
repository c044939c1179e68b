/*
 * vm_mib_oids.h - OIDs of the VM-MIB, RFC 7666 ("Management Information
 * Base for Virtual Machines Controlled by a Hypervisor", October 2015),
 * the read-only part vmibd serves.  Facts from the RFC, written once here.
 *
 * RFC 7666 section 6.1 (the VM-MIB module):
 *   vmMIB             ::= { mib-2 236 }               -> 1.3.6.1.2.1.236
 *   vmNotifications   ::= { vmMIB 0 }, vmObjects ::= { vmMIB 1 }
 *   vmHypervisor      ::= { vmObjects 1 }: vmHvSoftware(1), vmHvVersion(2),
 *                         vmHvObjectID(3), vmHvUpTime(4)
 *   vmNumber          ::= { vmObjects 2 }
 *   vmTableLastChange ::= { vmObjects 3 }
 *   vmTable           ::= { vmObjects 4 }, vmEntry ::= { vmTable 1 },
 *                         INDEX { vmIndex }, columns 1..17
 *   vmCpuTable        ::= { vmObjects 5 }, INDEX { vmIndex, vmCpuIndex }
 *   vmCpuAffinityTable ::= { vmObjects 6 }, INDEX { vmIndex, vmCpuIndex,
 *                         vmCpuPhysIndex }, columns vmCpuPhysIndex(2),
 *                         vmCpuAffinity(3)
 *   vmStorageTable    ::= { vmObjects 7 }, INDEX { vmStorageVmIndex,
 *                         vmStorageIndex }, columns 1..18
 *   vmNetworkTable    ::= { vmObjects 8 }, INDEX { vmIndex, vmNetworkIndex }
 *   vmPerVMNotificationsEnabled ::= { vmObjects 9 }
 *   vmBulkNotificationsEnabled  ::= { vmObjects 10 }
 *   vmRunning(1) ... vmDeleted(10) ::= { vmNotifications n }
 *   IANAStorageMediaType (IANA-STORAGE-MEDIA-TYPE-MIB, mib-2 237)
 *   vmAffectedVMs     ::= { vmObjects 11 } (accessible-for-notify)
 *   vmBulkRunning(11) ... vmBulkDeleted(20) ::= { vmNotifications n },
 *                         each the per-VM one + 10, OBJECTS { vmAffectedVMs }
 */
#ifndef VMIB_VM_MIB_OIDS_H
#define VMIB_VM_MIB_OIDS_H

#define VMMIB_OID_vmMIB 1, 3, 6, 1, 2, 1, 236
#define VMMIB_OID_vmNotifications VMMIB_OID_vmMIB, 0
#define VMMIB_OID_vmObjects VMMIB_OID_vmMIB, 1
#define VMMIB_OID_vmObjects_LEN 8
#define VMMIB_OID_vmHypervisor VMMIB_OID_vmObjects, 1
#define VMMIB_OID_vmHypervisor_LEN 9
#define VMMIB_OID_vmEntry VMMIB_OID_vmObjects, 4, 1
#define VMMIB_OID_vmEntry_LEN 10
#define VMMIB_OID_vmCpuEntry VMMIB_OID_vmObjects, 5, 1
#define VMMIB_OID_vmCpuAffinityEntry VMMIB_OID_vmObjects, 6, 1
#define VMMIB_OID_vmStorageEntry VMMIB_OID_vmObjects, 7, 1
#define VMMIB_OID_vmNetworkEntry VMMIB_OID_vmObjects, 8, 1
#define VMMIB_OID_vmTable_ROOT VMMIB_OID_vmObjects, 4
#define VMMIB_OID_vmCpuTable_ROOT VMMIB_OID_vmObjects, 5
#define VMMIB_OID_vmCpuAffinityTable_ROOT VMMIB_OID_vmObjects, 6
#define VMMIB_OID_vmStorageTable_ROOT VMMIB_OID_vmObjects, 7
#define VMMIB_OID_vmNetworkTable_ROOT VMMIB_OID_vmObjects, 8
#define VMMIB_OID_TABLE_ROOT_LEN 9

/* vmObjects scalars (each .0) */
#define VMMIB_vmNumber 2
#define VMMIB_vmTableLastChange 3
#define VMMIB_vmPerVMNotificationsEnabled 9
#define VMMIB_vmBulkNotificationsEnabled 10
#define VMMIB_vmAffectedVMs 11

/* vmHypervisor columns */
#define VMMIB_vmHvSoftware 1
#define VMMIB_vmHvVersion 2
#define VMMIB_vmHvObjectID 3
#define VMMIB_vmHvUpTime 4

/* vmEntry columns (vmIndex(1) is not-accessible) */
#define VMMIB_vmName 2
#define VMMIB_vmUUID 3
#define VMMIB_vmOSType 4
#define VMMIB_vmAdminState 5
#define VMMIB_vmOperState 6
#define VMMIB_vmAutoStart 7
#define VMMIB_vmPersistent 8
#define VMMIB_vmCurCpuNumber 9
#define VMMIB_vmMinCpuNumber 10
#define VMMIB_vmMaxCpuNumber 11
#define VMMIB_vmMemUnit 12
#define VMMIB_vmCurMem 13
#define VMMIB_vmMinMem 14
#define VMMIB_vmMaxMem 15
#define VMMIB_vmUpTime 16
#define VMMIB_vmCpuTime 17

/* vmCpuEntry: vmCpuIndex(1) not-accessible, vmCpuCoreTime(2) */
#define VMMIB_vmCpuCoreTime 2

/* vmCpuAffinityEntry: vmCpuPhysIndex(2) not-accessible (there is no
 * column 1), vmCpuAffinity(3) INTEGER { unknown(0), enable(1), disable(2) } */
#define VMMIB_vmCpuAffinity 3
#define VMMIB_AFFINITY_unknown 0
#define VMMIB_AFFINITY_enable 1
#define VMMIB_AFFINITY_disable 2

/* vmStorageEntry: vmStorageVmIndex(1), vmStorageIndex(2) not-accessible */
#define VMMIB_vmStorageParent 3            /* Integer32 (0..2147483647) */
#define VMMIB_vmStorageSourceType 4        /* VirtualMachineStorageSourceType */
#define VMMIB_vmStorageSourceTypeString 5  /* SnmpAdminString (SIZE (0..255)) */
#define VMMIB_vmStorageResourceID 6        /* SnmpAdminString (SIZE (0..255)) */
#define VMMIB_vmStorageAccess 7            /* VirtualMachineStorageAccess */
#define VMMIB_vmStorageMediaType 8         /* IANAStorageMediaType */
#define VMMIB_vmStorageMediaTypeString 9   /* SnmpAdminString (SIZE (0..255)) */
#define VMMIB_vmStorageSizeUnit 10         /* Integer32 (1..2147483647), bytes */
#define VMMIB_vmStorageDefinedSize 11      /* Integer32 (-1 | 0..2147483647) */
#define VMMIB_vmStorageAllocatedSize 12    /* Integer32 (-1 | 0..2147483647) */
#define VMMIB_vmStorageReadIOs 13          /* Counter64 */
#define VMMIB_vmStorageWriteIOs 14         /* Counter64 */
#define VMMIB_vmStorageReadOctets 15       /* Counter64 */
#define VMMIB_vmStorageWriteOctets 16      /* Counter64 */
#define VMMIB_vmStorageReadLatency 17      /* Counter64, microseconds */
#define VMMIB_vmStorageWriteLatency 18     /* Counter64, microseconds */

/* VirtualMachineStorageSourceType */
#define VMMIB_SOURCE_unknown 1
#define VMMIB_SOURCE_other 2
#define VMMIB_SOURCE_block 3
#define VMMIB_SOURCE_raw 4
#define VMMIB_SOURCE_sparse 5
#define VMMIB_SOURCE_network 6

/* VirtualMachineStorageAccess */
#define VMMIB_ACCESS_unknown 1
#define VMMIB_ACCESS_readwrite 2
#define VMMIB_ACCESS_readonly 3

/* IANAStorageMediaType (IANA-STORAGE-MEDIA-TYPE-MIB) */
#define VMMIB_MEDIA_other 1
#define VMMIB_MEDIA_unknown 2
#define VMMIB_MEDIA_hardDisk 3
#define VMMIB_MEDIA_opticalDisk 4
#define VMMIB_MEDIA_floppyDisk 5

/* vmNetworkEntry: vmNetworkIndex(1) not-accessible */
#define VMMIB_vmNetworkIfIndex 2
#define VMMIB_vmNetworkParent 3
#define VMMIB_vmNetworkModel 4
#define VMMIB_vmNetworkPhysAddress 5

/* VirtualMachineAdminState (RFC 7666 section 6.1 TCs) */
#define VMMIB_ADMIN_running 1
#define VMMIB_ADMIN_suspended 2
#define VMMIB_ADMIN_paused 3
#define VMMIB_ADMIN_shutdown 4

/* VirtualMachineOperState */
#define VMMIB_OPER_unknown 1
#define VMMIB_OPER_other 2
#define VMMIB_OPER_preparing 3
#define VMMIB_OPER_running 4
#define VMMIB_OPER_suspending 5
#define VMMIB_OPER_suspended 6
#define VMMIB_OPER_resuming 7
#define VMMIB_OPER_paused 8
#define VMMIB_OPER_migrating 9
#define VMMIB_OPER_shuttingdown 10
#define VMMIB_OPER_shutdown 11
#define VMMIB_OPER_crashed 12

/* VirtualMachineAutoStart, VirtualMachinePersistent */
#define VMMIB_AUTOSTART_enabled 2
#define VMMIB_AUTOSTART_disabled 3
#define VMMIB_PERSISTENT_persistent 2
#define VMMIB_PERSISTENT_transient 3

/* TruthValue (SNMPv2-TC) */
#define VMMIB_TRUE 1
#define VMMIB_FALSE 2

/* per-VM notifications: vmNotifications n */
#define VMMIB_NOTIF_vmRunning 1
#define VMMIB_NOTIF_vmShuttingdown 2
#define VMMIB_NOTIF_vmShutdown 3
#define VMMIB_NOTIF_vmPaused 4
#define VMMIB_NOTIF_vmSuspending 5
#define VMMIB_NOTIF_vmSuspended 6
#define VMMIB_NOTIF_vmResuming 7
#define VMMIB_NOTIF_vmMigrating 8
#define VMMIB_NOTIF_vmCrashed 9
#define VMMIB_NOTIF_vmDeleted 10
/* bulk notifications: vmNotifications (per-VM number + 10) */
#define VMMIB_NOTIF_BULK_OFFSET 10

#endif
