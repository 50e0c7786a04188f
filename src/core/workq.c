/* workq.c -- the one work queue: jobs 0..n-1 handed out in order to a few threads. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "metcn/metcn.h"
#include "metcn/util.h"

typedef struct {
    metcn_job_fn fn;
    void *ctx;
    size_t n, next;
    size_t failed; /* lowest failed job, SIZE_MAX when none */
    int rc;
    char msg[1024];
    pthread_mutex_t lock;
} queue_t;

static void *worker(void *arg)
{
    queue_t *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        size_t i = q->failed == SIZE_MAX && q->next < q->n ? q->next++ : SIZE_MAX;
        pthread_mutex_unlock(&q->lock);
        if (i == SIZE_MAX)
            return NULL;
        int rc = q->fn(q->ctx, i);
        if (rc < 0) {
            /* The message is thread-local: keep a copy for the caller's thread. */
            pthread_mutex_lock(&q->lock);
            if (i < q->failed) {
                q->failed = i;
                q->rc = rc;
                snprintf(q->msg, sizeof q->msg, "%s", metcn_last_error());
            }
            pthread_mutex_unlock(&q->lock);
        }
    }
}

int metcn_workq_run(size_t n, int threads, metcn_job_fn fn, void *ctx)
{
    queue_t q = {.fn = fn, .ctx = ctx, .n = n, .failed = SIZE_MAX};
    if (pthread_mutex_init(&q.lock, NULL) != 0)
        return metcn_set_error(METCN_E_NOMEM, "cannot create a lock");
    size_t extra = threads > 1 ? (size_t)threads - 1 : 0;
    if (extra > (n ? n - 1 : 0))
        extra = n ? n - 1 : 0;
    pthread_t *tid = extra ? calloc(extra, sizeof *tid) : NULL;
    size_t started = 0;
    for (size_t t = 0; tid && t < extra; t++) {
        if (pthread_create(&tid[t], NULL, worker, &q) != 0)
            break; /* fewer threads: the jobs still all run */
        started++;
    }
    worker(&q);
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    free(tid);
    pthread_mutex_destroy(&q.lock);
    if (q.failed != SIZE_MAX)
        return metcn_set_error(q.rc, "%s", q.msg);
    return 0;
}
