/*
 * guestready.h - whether a guest is up, from its serial console log: the
 * vmib guest images print one line "vmib-guest: ready ..." once they are
 * configured and their services listen (doc/guest-image.md).  vmibd
 * writes the console of the VMs it creates to <console-dir>/<name>.log
 * (domgen.c), which QEMU starts afresh at every start of the VM.
 * Serves vmibVmGuestState (VMIB-MIB).
 */
#ifndef VMIB_GUESTREADY_H
#define VMIB_GUESTREADY_H

#include <stdbool.h>

#define GUESTREADY_LINE "vmib-guest: ready"
#define GUESTREADY_SCAN_BYTES 65536   /* the line comes within the first kB */

/* VMIB_ENUM_vmibVmGuestState_*: unknown without console_dir or log,
 * booting while the log lacks the ready line, ready once it has it */
int guestready_state(const char *console_dir, const char *name, bool running);

#endif
