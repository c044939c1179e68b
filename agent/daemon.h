/*
 * daemon.h - run vmibd: the process around the event loop.
 */
#ifndef VMIB_DAEMON_H
#define VMIB_DAEMON_H

#include "config.h"

#define VMIBD_VERSION "0.1"

/* Run until SIGTERM/SIGINT; returns the process exit status.  config_path
 * is re-read on SIGHUP (log settings) and may be NULL. */
int daemon_run(struct vmibd_config *cfg, const char *config_path);

#endif
