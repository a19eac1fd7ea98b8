/* case_writer.c — warden serve's own actions into cases.db (case_writer.h). */
#include "serve/case_writer.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "store/cases.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum item_kind { IT_FINDING, IT_CHANGE, IT_CASE, IT_CLUSTER, IT_CLUSTER_GONE };

/* A copy of what a callback was given: strings owned, reason codes
 * included (a policy's codes go away with a reloaded runtime). */
struct item {
    enum item_kind kind;
    struct warden_finding f;        /* IT_FINDING */
    struct warden_action_change c;  /* IT_CHANGE (c.verdict = &v) */
    struct warden_verdict v;        /* IT_CHANGE, IT_CASE */
    struct warden_cluster_record r; /* IT_CLUSTER; IT_CLUSTER_GONE: its cluster_id only */
};

struct queue {
    struct item *it;
    size_t n, cap;
};

struct warden_case_writer {
    struct warden_store *store;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct queue q; /* filled by the callbacks */
    size_t max_queue;
    bool stop;
    struct warden_case_writer_stats st; /* under mu */
    time_t warned;                      /* last merge failure logged */
};

static char *dup_n(const char *s, size_t n)
{
    if (!s) return NULL;
    char *d = warden_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *dup(const char *s)
{
    return s ? dup_n(s, strlen(s)) : NULL;
}

static void copy_verdict(struct warden_verdict *d, const struct warden_verdict *v)
{
    *d = *v;
    d->account_id = dup(v->account_id);
    d->org_id = dup(v->org_id);
    d->cluster_id = dup(v->cluster_id);
    for (size_t i = 0; i < v->n_reasons; i++) d->reasons[i].code = dup(v->reasons[i].code);
}

static void free_item(struct item *it)
{
    if (it->kind == IT_CLUSTER || it->kind == IT_CLUSTER_GONE) {
        free((char *)it->r.cluster_id);
        for (size_t i = 0; i < it->r.n_ids; i++) free((char *)it->r.ids[i]);
        free((void *)it->r.ids);
        for (size_t i = 0; i < it->r.n_kinds; i++) free((char *)it->r.kinds[i]);
        free((void *)it->r.kinds);
        free((void *)it->r.kind_edges);
        return;
    }
    if (it->kind == IT_FINDING) {
        free((char *)it->f.account_id);
        free((char *)it->f.detector);
        free((char *)it->f.code);
        free((char *)it->f.cluster_id);
        free((char *)it->f.evidence_json);
        return;
    }
    if (it->kind == IT_CHANGE) free((char *)it->c.code);
    free(it->v.account_id);
    free(it->v.org_id);
    free(it->v.cluster_id);
    for (size_t i = 0; i < it->v.n_reasons; i++) free((char *)it->v.reasons[i].code);
}

/* A slot at the queue's end, or NULL (dropped, counted) when it is full. */
static struct item *slot(struct warden_case_writer *w)
{
    if (w->q.n >= w->max_queue) {
        w->st.dropped++;
        return NULL;
    }
    if (w->q.n == w->q.cap) {
        w->q.cap = w->q.cap ? 2 * w->q.cap : 256;
        w->q.it = warden_xrealloc(w->q.it, w->q.cap * sizeof *w->q.it);
    }
    struct item *it = &w->q.it[w->q.n++];
    memset(it, 0, sizeof *it);
    return it;
}

static void on_finding(void *self, const struct warden_finding *f)
{
    if (f->action == WARDEN_ALLOW) return; /* as scan: a case keeps what actioned it */
    struct warden_case_writer *w = self;
    pthread_mutex_lock(&w->mu);
    struct item *it = slot(w);
    if (it) {
        it->kind = IT_FINDING;
        it->f = *f;
        it->f.account_id = dup_n(f->account_id, f->account_id_len);
        it->f.detector = dup(f->detector);
        it->f.code = dup(f->code);
        it->f.cluster_id = dup(f->cluster_id);
        it->f.evidence_json = dup(f->evidence_json ? f->evidence_json : "{}");
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
}

static void on_action(void *self, const struct warden_action_change *c)
{
    struct warden_case_writer *w = self;
    pthread_mutex_lock(&w->mu);
    struct item *it = slot(w);
    if (it) {
        it->kind = IT_CHANGE;
        it->c = *c;
        it->c.code = dup(c->code);
        copy_verdict(&it->v, c->verdict);
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
}

void warden_case_writer_verdict(struct warden_case_writer *w, const struct warden_verdict *v)
{
    if (v->action == WARDEN_ALLOW) return;
    pthread_mutex_lock(&w->mu);
    struct item *it = slot(w);
    if (it) {
        it->kind = IT_CASE;
        copy_verdict(&it->v, v);
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
}

void warden_case_writer_cluster(struct warden_case_writer *w, const struct warden_cluster_record *r)
{
    pthread_mutex_lock(&w->mu);
    struct item *it = slot(w);
    if (it) {
        it->kind = IT_CLUSTER;
        it->r = *r;
        it->r.cluster_id = dup(r->cluster_id);
        const char **ids = warden_xcalloc(r->n_ids ? r->n_ids : 1, sizeof *ids);
        for (size_t i = 0; i < r->n_ids; i++) ids[i] = dup(r->ids[i]);
        it->r.ids = ids;
        const char **kinds = warden_xcalloc(r->n_kinds ? r->n_kinds : 1, sizeof *kinds);
        uint64_t *edges = warden_xcalloc(r->n_kinds ? r->n_kinds : 1, sizeof *edges);
        for (size_t i = 0; i < r->n_kinds; i++) {
            kinds[i] = dup(r->kinds[i]);
            edges[i] = r->kind_edges[i];
        }
        it->r.kinds = kinds;
        it->r.kind_edges = edges;
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
}

void warden_case_writer_cluster_gone(struct warden_case_writer *w, const char *cluster_id)
{
    pthread_mutex_lock(&w->mu);
    struct item *it = slot(w);
    if (it) {
        it->kind = IT_CLUSTER_GONE;
        it->r.cluster_id = dup(cluster_id);
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
}

const struct warden_sink_type warden_case_writer_sink = {
    .name = "cases (serve)",
    .finding = on_finding,
    .action = on_action,
};

/* Stage a batch and merge what is staged. Rows whose staging fails are
 * dropped (counted); a merge that fails (the database locked longer than
 * the busy timeout, or full) leaves them staged for the next one. */
static void write_batch(struct warden_case_writer *w, struct queue *b)
{
    uint64_t n[4] = {0, 0, 0, 0}, lost = 0;
    int rc = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct item *it = &b->it[i];
        if (rc) {
            lost++;
        } else if (it->kind == IT_FINDING) {
            rc = warden_store_finding(w->store, &it->f);
            n[0]++;
        } else if (it->kind == IT_CLUSTER) {
            rc = warden_store_cluster(w->store, &it->r);
            n[3]++;
        } else if (it->kind == IT_CLUSTER_GONE) {
            rc = warden_store_cluster_gone(w->store, it->r.cluster_id);
            n[3]++;
        } else {
            if (it->kind == IT_CHANGE) {
                it->c.verdict = &it->v;
                rc = warden_store_audit(w->store, &it->c);
                n[1]++;
            }
            if (!rc) rc = warden_store_case(w->store, &it->v);
            n[2]++;
        }
        free_item(it);
    }
    b->n = 0;
    int mrc = warden_store_merge(w->store);
    pthread_mutex_lock(&w->mu);
    w->st.findings += n[0];
    w->st.audits += n[1];
    w->st.cases += n[2];
    w->st.clusters += n[3];
    w->st.dropped += lost + (rc ? 1 : 0);
    if (mrc)
        w->st.merge_failures++;
    else
        w->st.merges++;
    pthread_mutex_unlock(&w->mu);
    time_t now = time(NULL);
    if ((rc || mrc) && now - w->warned >= 60) { /* at most once a minute */
        w->warned = now;
        warden_warn("cases: %s the case database (locked or full?); "
                    "warden_case_merges_total{result=\"failed\"} and "
                    "warden_case_rows_dropped_total count it",
                    rc ? "rows could not be staged for" : "rows could not be merged into");
    }
}

static void *writer(void *arg)
{
    struct warden_case_writer *w = arg;
    struct queue b = {0};
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stop && w->q.n == 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 1;
            pthread_cond_timedwait(&w->cv, &w->mu, &ts);
        }
        if (w->q.n == 0 && w->stop) break;
        struct queue t = w->q; /* take the queue, leave an empty one */
        w->q = b;
        b = t;
        bool stopping = w->stop;
        pthread_mutex_unlock(&w->mu);
        write_batch(w, &b);
        /* a few merges a second at most: let rows gather while decisions go on */
        struct timespec pause = {0, 200 * 1000 * 1000};
        if (!stopping) nanosleep(&pause, NULL);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    free(b.it);
    return NULL;
}

int warden_case_writer_start(struct warden_case_writer **out, const char *path,
                             const char *policy_path, const char *policy_sha256, bool shadow,
                             const char *origin, size_t max_queue, char *err, size_t errlen)
{
    struct warden_case_writer *w = warden_xcalloc(1, sizeof *w);
    int rc = warden_store_open(&w->store, path, err, errlen);
    if (rc) {
        free(w);
        return rc;
    }
    char *inputs =
        warden_xasprintf("[{\"role\":\"serve\",\"path\":\"%s\",\"sha256\":null}]", origin);
    struct warden_store_run run = {
        .policy_path = policy_path,
        .policy_sha256 = policy_sha256,
        .inputs_json = inputs,
        .key = NULL, /* never a repeat */
        .shadow = shadow,
    };
    rc = warden_store_run_begin(w->store, &run);
    free(inputs);
    if (rc) {
        snprintf(err, errlen, "%s: cannot record the run", path);
        warden_store_close(w->store);
        free(w);
        return rc;
    }
    w->max_queue = max_queue ? max_queue : 100000;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, writer, w) != 0) {
        snprintf(err, errlen, "cases: cannot start the writer thread");
        warden_store_close(w->store);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        return WARDEN_ELIB;
    }
    w->started = true;
    *out = w;
    return 0;
}

void warden_case_writer_stats(struct warden_case_writer *w, struct warden_case_writer_stats *st)
{
    pthread_mutex_lock(&w->mu);
    *st = w->st;
    pthread_mutex_unlock(&w->mu);
}

void warden_case_writer_stop(struct warden_case_writer *w, const struct warden_run_totals *t)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (w->started) pthread_join(w->thread, NULL);
    if (warden_store_run_end(w->store, t ? t->events : 0, t ? t->rejects : 0, t ? t->accounts : 0,
                             t ? t->actioned : 0) != 0)
        warden_warn("cases: the run could not be ended in the case database");
    warden_store_close(w->store);
    for (size_t i = 0; i < w->q.n; i++) free_item(&w->q.it[i]);
    free(w->q.it);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}
