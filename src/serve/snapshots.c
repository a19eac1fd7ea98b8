/* snapshots.c — `warden serve` keeps its state across restarts and
 * reloads (serve.h has the rules and the consistency they give): restore
 * at start, the background ticker, a save that holds each shard's lock only
 * while that shard is copied, and the in-memory hand-over of a reload. */
#include "core/error.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "runtime/runtime.h"
#include "serve/serve.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int warden_serve_restore(struct warden_runtime *rt, const struct warden_serve_conf *c, char *err,
                         size_t errlen)
{
    if (!c->snapshot_path) return 0;
    char why[1024];
    struct warden_runtime_snapinfo info = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = warden_runtime_load_file_ex(rt, c->snapshot_path, &info, why, sizeof why);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == WARDEN_ENOENT) {
        fprintf(stderr, "warden serve: no state snapshot at %s yet: starting empty\n",
                c->snapshot_path);
        return 0;
    }
    if (rc == 0) {
        fprintf(stderr,
                "warden serve: state restored from %s (%llu accounts, saved with %u shards, "
                "%.0f ms)\n",
                c->snapshot_path, (unsigned long long)info.accounts, info.shards,
                (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
        return 0;
    }
    if (c->snapshot_on_corrupt && strcmp(c->snapshot_on_corrupt, "ignore") == 0) {
        warden_warn("snapshot_path %s (snapshot_on_corrupt: ignore): starting empty", why);
        return 1;
    }
    snprintf(err, errlen,
             "snapshot_path %s (not started: move the file away, or set snapshot_on_corrupt: "
             "ignore to start empty)",
             why);
    return WARDEN_ECONFIG;
}

static void lock_shard(void *ctx, size_t shard, bool lock)
{
    pthread_mutex_t *locks = ctx;
    if (lock)
        pthread_mutex_lock(&locks[shard]);
    else
        pthread_mutex_unlock(&locks[shard]);
}

int warden_serve_save(struct warden_runtime *rt, pthread_mutex_t *locks,
                      const struct warden_serve_conf *c, char *err, size_t errlen)
{
    if (!c->snapshot_path) return 0;
    struct warden_runtime_snapinfo info = {.lock_shard = lock_shard, .lock_ctx = locks};
    return warden_runtime_save_file_ex(rt, c->snapshot_path, &info, err, errlen);
}

int warden_serve_carry(struct warden_runtime *from, struct warden_runtime *to, char *err,
                       size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        snprintf(err, errlen, "state hand-over: %s", strerror(errno));
        return WARDEN_EIO;
    }
    int rc = warden_runtime_save(from, f, err, errlen);
    if (fclose(f) != 0 && !rc) rc = WARDEN_EIO;
    if (!rc) {
        f = fmemopen(buf, len, "rb");
        rc = f ? warden_runtime_load(to, f, err, errlen) : WARDEN_EIO;
        if (f) fclose(f);
    }
    free(buf);
    return rc;
}

/* ---- the ticker ---- */

struct warden_serve_ticker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    int64_t interval_s;
    void (*fn)(void *);
    void *ctx;
};

static void *tick(void *arg)
{
    struct warden_serve_ticker *t = arg;
    pthread_mutex_lock(&t->mu);
    for (;;) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += t->interval_s;
        while (!t->stop && pthread_cond_timedwait(&t->cv, &t->mu, &until) != ETIMEDOUT) {
        }
        if (t->stop) break;
        pthread_mutex_unlock(&t->mu);
        t->fn(t->ctx);
        pthread_mutex_lock(&t->mu);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

struct warden_serve_ticker *warden_serve_ticker_start(int64_t interval_s, void (*fn)(void *),
                                                      void *ctx)
{
    struct warden_serve_ticker *t = warden_xcalloc(1, sizeof *t);
    t->interval_s = interval_s;
    t->fn = fn;
    t->ctx = ctx;
    pthread_mutex_init(&t->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&t->thread, NULL, tick, t) != 0) {
        pthread_cond_destroy(&t->cv);
        pthread_mutex_destroy(&t->mu);
        free(t);
        return NULL;
    }
    return t;
}

void warden_serve_ticker_stop(struct warden_serve_ticker *t)
{
    if (!t) return;
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}
