/*
 * ctl.c - the control thread, its libvirt connection, and the threads of
 * running migrations (ctl.h explains why they exist).
 *
 * Owns: the control connection (opened lazily in the control thread,
 * reopened when libvirt closed it), the job queue, the list of finished
 * jobs whose done() is due, and a loop timer that the threads kick to get
 * those done() calls made in the loop thread.  Never calls Net-SNMP, never
 * touches the VM cache.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "control_thread.h"
#include "log.h"
#include "loop.h"

enum { CJ_QUEUED, CJ_RUNNING, CJ_FINISHED, CJ_COLLECTED };

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;      /* control thread: a job or stop */
	pthread_cond_t finished;  /* ctl_call waiters, ctl_stop */
	pthread_t thread;
	bool threaded, running, stopping;
	const struct vmibd_config *cfg;
	const struct virt_ops *ops;
	void *conn;               /* control thread only */
	struct ctl_job *queue_head, *queue_tail;
	struct ctl_job *done_head, *done_tail;
	unsigned int pending, spawned;
	int timer;
} C = {.lock = PTHREAD_MUTEX_INITIALIZER,
       .wake = PTHREAD_COND_INITIALIZER,
       .finished = PTHREAD_COND_INITIALIZER,
       .timer = -1};

static void ctl_append(struct ctl_job **head, struct ctl_job **tail, struct ctl_job *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static struct ctl_job *ctl_pop(struct ctl_job **head, struct ctl_job **tail)
{
	struct ctl_job *j = *head;

	if (j) {
		*head = j->next;
		if (!*head)
			*tail = NULL;
		j->next = NULL;
	}
	return j;
}

/* with C.lock held: hand j to the loop thread for done() */
static void ctl_post_locked(struct ctl_job *j)
{
	j->state = CJ_FINISHED;
	ctl_append(&C.done_head, &C.done_tail, j);
	if (C.timer >= 0)
		loop_update_timeout(C.timer, 0);
}

/* control thread: the connection, (re)opened when needed */
static void *ctl_conn(char *err, size_t errlen)
{
	if (C.conn && C.ops->alive && !C.ops->alive(C.conn)) {
		log_msg(LOG_NOTICE, "virt", "control connection to %s lost; reopening",
			C.cfg->libvirt_uri);
		C.ops->close(C.conn);
		C.conn = NULL;
	}
	if (!C.conn) {
		C.conn = C.ops->open(C.cfg->libvirt_uri, NULL, NULL, err, errlen);
		if (!C.conn)
			log_msg(LOG_WARNING, "virt", "control connection: %s", err);
	}
	return C.conn;
}

static void ctl_execute(struct ctl_job *j)
{
	char err[256] = "";
	void *conn = ctl_conn(err, sizeof(err));

	j->run(j, C.ops, conn, err);
}

/* control thread: after run(), an abandoned job is reverted and posted,
 * an awaited one is marked finished for its waiter */
static void ctl_finish(struct ctl_job *j)
{
	char err[256];

	pthread_mutex_lock(&C.lock);
	if (j->waited && !j->abandoned) {
		j->state = CJ_FINISHED;
		C.pending--;
		pthread_cond_broadcast(&C.finished);
		pthread_mutex_unlock(&C.lock);
		return;
	}
	pthread_mutex_unlock(&C.lock);
	if (j->abandoned && j->revert)
		j->revert(j, C.ops, ctl_conn(err, sizeof(err)));
	pthread_mutex_lock(&C.lock);
	C.pending--;
	ctl_post_locked(j);
	pthread_cond_broadcast(&C.finished);
	pthread_mutex_unlock(&C.lock);
}

static void *ctl_main(void *arg)
{
	struct ctl_job *j;

	(void)arg;
	pthread_mutex_lock(&C.lock);
	for (;;) {
		while (!C.queue_head && !C.stopping)
			pthread_cond_wait(&C.wake, &C.lock);
		if (!C.queue_head)
			break;
		j = ctl_pop(&C.queue_head, &C.queue_tail);
		j->state = CJ_RUNNING;
		pthread_mutex_unlock(&C.lock);
		ctl_execute(j);
		ctl_finish(j);
		pthread_mutex_lock(&C.lock);
	}
	pthread_mutex_unlock(&C.lock);
	if (C.conn)
		C.ops->close(C.conn);
	C.conn = NULL;
	return NULL;
}

/* loop thread: done() of every finished job */
static void ctl_collect(int timer, void *opaque)
{
	struct ctl_job *j;

	(void)opaque;
	if (timer >= 0)
		loop_update_timeout(timer, -1);
	for (;;) {
		pthread_mutex_lock(&C.lock);
		j = ctl_pop(&C.done_head, &C.done_tail);
		if (j)
			j->state = CJ_COLLECTED;
		pthread_mutex_unlock(&C.lock);
		if (!j)
			break;
		j->done(j, false);
	}
}

int ctl_start(const struct vmibd_config *cfg, const struct virt_ops *ops, bool threaded)
{
	int rc;

	C.cfg = cfg;
	C.ops = ops;
	C.threaded = threaded;
	C.stopping = false;
	C.pending = C.spawned = 0;
	if (!threaded)
		return 0;
	C.timer = loop_add_timeout(-1, ctl_collect, NULL, NULL);
	if (C.timer < 0)
		return -1;
	rc = pthread_create(&C.thread, NULL, ctl_main, NULL);
	if (rc != 0) {
		log_msg(LOG_ERR, "main", "control thread: %s", strerror(rc));
		loop_remove_timeout(C.timer);
		C.timer = -1;
		return -1;
	}
	C.running = true;
	return 0;
}

void ctl_stop(void)
{
	if (C.running) {
		pthread_mutex_lock(&C.lock);
		C.stopping = true;
		pthread_cond_signal(&C.wake);
		while (C.spawned > 0)
			pthread_cond_wait(&C.finished, &C.lock);
		pthread_mutex_unlock(&C.lock);
		pthread_join(C.thread, NULL);
		C.running = false;
	}
	ctl_collect(-1, NULL);
	if (C.timer >= 0)
		loop_remove_timeout(C.timer);
	C.timer = -1;
	if (!C.threaded && C.conn) {
		C.ops->close(C.conn);
		C.conn = NULL;
	}
}

static void ctl_enqueue(struct ctl_job *j)
{
	j->state = CJ_QUEUED;
	C.pending++;
	ctl_append(&C.queue_head, &C.queue_tail, j);
	pthread_cond_signal(&C.wake);
}

static void ctl_deadline(struct timespec *ts, unsigned int timeout_ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int ctl_call(struct ctl_job *j, unsigned int timeout_ms)
{
	struct timespec deadline;
	int rc = 0;

	j->waited = true;
	j->abandoned = j->spawned = false;
	if (!C.threaded) {
		ctl_execute(j);
		return 0;
	}
	ctl_deadline(&deadline, timeout_ms);
	pthread_mutex_lock(&C.lock);
	if (C.stopping) {
		/* the job is ctl's: it ends, never run */
		pthread_mutex_unlock(&C.lock);
		j->abandoned = true;
		j->done(j, true);
		return -1;
	}
	ctl_enqueue(j);
	while (j->state != CJ_FINISHED && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&C.finished, &C.lock, &deadline);
	if (j->state == CJ_FINISHED) {
		pthread_mutex_unlock(&C.lock);
		return 0;
	}
	j->abandoned = true;
	pthread_mutex_unlock(&C.lock);
	return -1;
}

void ctl_submit(struct ctl_job *j)
{
	j->waited = j->abandoned = j->spawned = false;
	if (!C.threaded) {
		ctl_execute(j);
		j->done(j, false);
		return;
	}
	pthread_mutex_lock(&C.lock);
	if (C.stopping) {
		pthread_mutex_unlock(&C.lock);
		j->done(j, true);
		return;
	}
	ctl_enqueue(j);
	pthread_mutex_unlock(&C.lock);
}

static void *ctl_spawned_main(void *arg)
{
	struct ctl_job *j = arg;
	char err[256] = "";
	void *conn = C.ops->open(C.cfg->libvirt_uri, NULL, NULL, err, sizeof(err));

	j->run(j, C.ops, conn, err);
	if (conn)
		C.ops->close(conn);
	pthread_mutex_lock(&C.lock);
	ctl_post_locked(j);
	C.spawned--;
	pthread_cond_broadcast(&C.finished);
	pthread_mutex_unlock(&C.lock);
	return NULL;
}

int ctl_spawn(struct ctl_job *j)
{
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	j->waited = j->abandoned = false;
	j->spawned = true;
	if (!C.threaded) {
		char err[256] = "";
		void *conn = C.ops->open(C.cfg->libvirt_uri, NULL, NULL, err, sizeof(err));

		j->run(j, C.ops, conn, err);
		if (conn)
			C.ops->close(conn);
		j->done(j, false);
		return 0;
	}
	pthread_mutex_lock(&C.lock);
	if (C.stopping) {
		pthread_mutex_unlock(&C.lock);
		return -1;
	}
	C.spawned++;
	pthread_mutex_unlock(&C.lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, ctl_spawned_main, j);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		log_msg(LOG_ERR, "virt", "cannot start a thread for a libvirt job: %s", strerror(rc));
		pthread_mutex_lock(&C.lock);
		C.spawned--;
		pthread_mutex_unlock(&C.lock);
		return -1;
	}
	return 0;
}

unsigned int ctl_pending(void)
{
	unsigned int n;

	pthread_mutex_lock(&C.lock);
	n = C.pending + C.spawned;
	pthread_mutex_unlock(&C.lock);
	return n;
}
