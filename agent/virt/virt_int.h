/*
 * virt_int.h - what virt.c (the read side of the libvirt backend) and
 * virt_set.c (its mutating calls) share.  Private to those two files.
 */
#ifndef VMIB_VIRT_INT_H
#define VMIB_VIRT_INT_H

#include <libvirt/libvirt.h>

#include "virt.h"

/* the virConnectPtr of a connection returned by virt_libvirt_ops.open */
virConnectPtr virt_conn_ptr(void *conn);

bool virt_set_alive(void *conn);
int virt_set_define(void *conn, const char *xml, unsigned char *uuid, char *err,
		    size_t errlen);
int virt_set_undefine(void *conn, const unsigned char *uuid, char *err, size_t errlen);
int virt_set_get_xml(void *conn, const unsigned char *uuid, bool inactive, char **out,
		     char *err, size_t errlen);
int virt_set_power(void *conn, const unsigned char *uuid, enum virt_power op, char *err,
		   size_t errlen);
int virt_set_sched_get(void *conn, const unsigned char *uuid, struct virt_sched *p,
		       char *err, size_t errlen);
int virt_set_sched_set(void *conn, const unsigned char *uuid, const struct virt_sched *p,
		       char *err, size_t errlen);
int virt_set_attach(void *conn, const unsigned char *uuid, const char *dev_xml,
		    unsigned int where, char *err, size_t errlen);
int virt_set_detach_mac(void *conn, const unsigned char *uuid, const uint8_t mac[6],
			char *err, size_t errlen);
int virt_set_migrate(void *conn, const unsigned char *uuid, const char *dest_uri,
		     bool live, uint64_t *downtime_ms, char *err, size_t errlen);
int virt_set_abort_job(void *conn, const unsigned char *uuid, char *err, size_t errlen);
int virt_set_job_downtime(void *conn, const unsigned char *uuid, uint64_t *ms, char *err,
			  size_t errlen);

#endif
