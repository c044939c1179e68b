/*
 * loop.h - vmibd's single event loop (poll(2)).
 *
 * One thread runs the loop and dispatches everything: fd watches and
 * timers of vmibd itself, of libvirt (this loop is libvirt's event
 * implementation, see loop_register_libvirt) and of Net-SNMP (its fds and
 * timeout are taken from snmp_select_info2() before every poll, and
 * snmp_read2() / snmp_timeout() + run_alarms() are called from here).
 *
 * The watch and timer functions have exactly libvirt's semantics
 * (virEventRegisterImpl): events are LOOP_EV_* (= VIR_EVENT_HANDLE_*), a
 * timer interval of -1 disables it and 0 fires it on every iteration, a
 * free callback runs after the removal, never inside the remove call.
 * They may be called from any thread (libvirt calls them from the worker
 * thread); the callbacks always run in the loop thread.
 */
#ifndef VMIB_LOOP_H
#define VMIB_LOOP_H

#include <stdbool.h>
#include <stdint.h>

enum {
	LOOP_EV_READABLE = 1,
	LOOP_EV_WRITABLE = 2,
	LOOP_EV_ERROR = 4,
	LOOP_EV_HANGUP = 8,
};

typedef void (*loop_fd_cb)(int watch, int fd, int events, void *opaque);
typedef void (*loop_timer_cb)(int timer, void *opaque);
typedef void (*loop_free_cb)(void *opaque);

int loop_init(void);
void loop_fini(void);

int loop_add_handle(int fd, int events, loop_fd_cb cb, void *opaque,
		    loop_free_cb ff);
void loop_update_handle(int watch, int events);
int loop_remove_handle(int watch);

int loop_add_timeout(int interval_ms, loop_timer_cb cb, void *opaque,
		     loop_free_cb ff);
void loop_update_timeout(int timer, int interval_ms);
int loop_remove_timeout(int timer);

/* Make this loop libvirt's event implementation (before any connection). */
void loop_register_libvirt(void);
/* Include Net-SNMP's sessions in the loop (after init_snmp()). */
void loop_enable_snmp(bool on);

/* After reading SNMP input, poll without blocking for up to us
 * microseconds before sleeping (0: never; the default). */
void loop_set_busy_poll(unsigned int us);

/* One iteration: wait at most max_wait_ms (-1: until something happens). */
int loop_iterate(int max_wait_ms);
/* Iterate until loop_quit(). */
int loop_run(void);
void loop_quit(void);
/* Wake the loop from another thread (or a signal-safe context). */
void loop_wakeup(void);

/* Monotonic clock in milliseconds. */
uint64_t loop_now_ms(void);

#endif
