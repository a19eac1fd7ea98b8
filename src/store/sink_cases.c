/* sink_cases.c — the case database (cases.h) as a sink: findings that led
 * to an action and every action change as they happen, the clusters and the
 * cases of the final verdicts and the run's totals at the end. */
#include "store/cases.h"
#include "io/sink.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>

struct sink_cases {
    struct warden_store *store;
    int err;
};

int warden_sink_cases_open(void **self, const char *path, struct warden_store_run *run, char *err,
                           size_t errlen)
{
    struct sink_cases *s = warden_xcalloc(1, sizeof *s);
    int rc = warden_store_open(&s->store, path, err, errlen);
    if (rc) {
        free(s);
        return rc;
    }
    if (warden_store_run_begin(s->store, run) != 0) {
        snprintf(err, errlen, "%s: cannot record the run", path);
        warden_store_close(s->store);
        free(s);
        return WARDEN_EIO;
    }
    *self = s;
    return 0;
}

static void cases_finding(void *self, const struct warden_finding *f)
{
    struct sink_cases *s = self;
    if (f->action != WARDEN_ALLOW && !s->err) s->err = warden_store_finding(s->store, f);
}

static void cases_action(void *self, const struct warden_action_change *c)
{
    struct sink_cases *s = self;
    if (!s->err) s->err = warden_store_audit(s->store, c);
}

static void cases_verdict(void *self, const struct warden_verdict *v)
{
    struct sink_cases *s = self;
    if (v->action != WARDEN_ALLOW && !s->err) s->err = warden_store_case(s->store, v);
}

static void cases_cluster(void *self, const struct warden_cluster_record *c)
{
    struct sink_cases *s = self;
    if (!s->err) s->err = warden_store_cluster(s->store, c);
}

static int cases_commit(void *self, const struct warden_run_totals *t, char *err, size_t errlen)
{
    struct sink_cases *s = self;
    if (!s->err)
        s->err = warden_store_run_end(s->store, t->events, t->rejects, t->accounts, t->actioned);
    if (s->err) snprintf(err, errlen, "writing cases.db failed");
    return s->err;
}

static void cases_free(void *self)
{
    struct sink_cases *s = self;
    if (!s) return;
    warden_store_close(s->store);
    free(s);
}

const struct warden_sink_type warden_sink_cases = {
    .name = "cases",
    .finding = cases_finding,
    .action = cases_action,
    .verdict = cases_verdict,
    .commit = cases_commit,
    .free = cases_free,
    .cluster = cases_cluster,
};
