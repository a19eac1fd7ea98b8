/* snapshots.c — `warden serve` keeps its state across restarts and
 * reloads (serve.h has the rules and the consistency they give): restore
 * at start, the background ticker, a background save whose pause is one
 * fork (every shard lock held for the cut, the child writes the file from
 * its copy-on-write image while the parent goes on deciding), a save in
 * process that holds each shard's lock while that shard is copied (the
 * final one, after draining, and the fallback when fork fails), and the
 * in-memory hand-over of a reload. */
#include "core/error.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "runtime/runtime.h"
#include "serve/serve.h"
#include "serve/stats.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
        size_t raised = 0, lowered = 0, n = warden_runtime_rederived(rt, &raised, &lowered);
        if (n) /* saved under other rules than the policy it starts with */
            fprintf(stderr,
                    "warden serve: %zu account(s) of the snapshot decided again under this "
                    "policy's rules: %zu raised, %zu lowered\n",
                    n, raised, lowered);
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
    struct warden_serve_saver *sv = ctx;
    if (lock)
        warden_serve_lock_shard(sv->stats, &sv->locks[shard]);
    else
        pthread_mutex_unlock(&sv->locks[shard]);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The child: write the file from its copy-on-write image of the parent as
 * it was at the cut, report a failure through the pipe, and exit without
 * running anything of the parent's (no atexit handlers, no stdio flush). */
static _Noreturn void save_child(struct warden_runtime *rt, const char *path, int out, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* a parent killed with -9 takes its snapshot along */
    if (getppid() != parent) _exit(2);
    /* the parent's sockets, files and epoll sets are not the child's to hold */
    if (out > 3) close_range(3, (unsigned)out - 1, 0);
    close_range((unsigned)out + 1, ~0u, 0);
    char err[1024] = "";
    int rc = warden_runtime_save_file_ex(rt, path, NULL, err, sizeof err);
    if (rc) {
        ssize_t n = write(out, err, strlen(err));
        (void)n;
    }
    _exit(rc ? 1 : 0);
}

/* Hold every shard lock (the cut), fork, release: the parent goes on
 * deciding while the child writes the state as it was at the cut. 1 when
 * fork is not possible (the caller copies under the locks instead). */
static int save_forked(struct warden_runtime *rt, struct warden_serve_saver *sv, const char *path,
                       char *err, size_t errlen)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return 1;
    pid_t parent = getpid();
    uint64_t t0 = 0;
    for (size_t i = 0; i < sv->n; i++) {
        warden_serve_lock_shard(sv->stats, &sv->locks[i]);
        if (i == 0) t0 = mono_ns();
    }
    if (sv->at_cut) sv->at_cut(sv->cut_ctx);
    struct timespec c0, c1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    pid_t pid = fork();
    if (pid == 0) save_child(rt, path, p[1], parent);
    int fork_errno = errno;
    uint64_t pause = mono_ns() - t0;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    for (size_t i = sv->n; i-- > 0;) pthread_mutex_unlock(&sv->locks[i]);
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        warden_warn("background snapshot: fork: %s: copying under the shard locks instead",
                    strerror(fork_errno));
        return 1;
    }
    sv->last_pause_ns = pause;
    sv->last_fork_cpu_ns =
        (uint64_t)(c1.tv_sec - c0.tv_sec) * 1000000000u + (uint64_t)(c1.tv_nsec - c0.tv_nsec);
    if (sv->stats) {
        atomic_store(&sv->stats->snap_pause_last_ns, pause);
        warden_serve_stat_max(&sv->stats->snap_pause_max_ns, pause);
    }
    atomic_store(&sv->child, (int)pid);
    if (sv->after_cut) sv->after_cut(sv->cut_ctx);
    size_t got = 0;
    for (;;) {
        ssize_t n = read(p[0], err + got, errlen - 1 - got);
        if (n > 0 && got + (size_t)n < errlen - 1) {
            got += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n > 0) got += (size_t)n;
        break;
    }
    err[got] = 0;
    close(p[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    atomic_store(&sv->child, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (!got) {
        if (WIFSIGNALED(status))
            snprintf(err, errlen, "%s: the snapshot process ended with signal %d", path,
                     WTERMSIG(status));
        else
            snprintf(err, errlen, "%s: the snapshot process ended with status %d", path,
                     WEXITSTATUS(status));
    }
    return WARDEN_EIO;
}

int warden_serve_save(struct warden_runtime *rt, struct warden_serve_saver *sv,
                      const struct warden_serve_conf *c, char *err, size_t errlen)
{
    if (!c->snapshot_path) return 0;
    int rc = sv->fork ? save_forked(rt, sv, c->snapshot_path, err, errlen) : 1;
    if (rc == 1) {
        struct warden_runtime_snapinfo info = {.lock_shard = lock_shard, .lock_ctx = sv};
        rc = warden_runtime_save_file_ex(rt, c->snapshot_path, &info, err, errlen);
    }
    if (sv->stats) atomic_fetch_add(rc ? &sv->stats->snaps_failed : &sv->stats->snaps_ok, 1);
    return rc;
}

void warden_serve_save_cancel(struct warden_serve_saver *sv)
{
    int pid = atomic_load(&sv->child);
    if (pid > 0) kill(pid, SIGKILL);
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
