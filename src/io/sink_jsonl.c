/* sink_jsonl.c — findings.jsonl, verdicts.jsonl, rejects.jsonl and
 * clusters.jsonl in one output directory, through the atomic output files of outputs.h. */
#include "io/outputs.h"
#include "io/sink.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <stdlib.h>

struct sink_jsonl {
    struct warden_outfile findings, verdicts, rejects, clusters;
    struct warden_jbuf jb;
    struct warden_run_info ri;
    char *run_id, *policy;
};

int warden_sink_jsonl_open(void **self, const char *dir, const struct warden_run_info *ri,
                           char *err, size_t errlen)
{
    struct sink_jsonl *s = warden_xcalloc(1, sizeof *s);
    s->run_id = warden_xstrdup(ri->run_id);
    s->policy = warden_xstrdup(ri->policy_sha256);
    s->ri = (struct warden_run_info){s->run_id, s->policy, ri->shadow};
    warden_jbuf_init(&s->jb);
    int rc = warden_outfile_open(&s->findings, dir, "findings.jsonl", err, errlen);
    if (!rc) rc = warden_outfile_open(&s->verdicts, dir, "verdicts.jsonl", err, errlen);
    if (!rc) rc = warden_outfile_open(&s->rejects, dir, "rejects.jsonl", err, errlen);
    if (!rc) rc = warden_outfile_open(&s->clusters, dir, "clusters.jsonl", err, errlen);
    if (rc) {
        warden_sink_jsonl.free(s);
        return rc;
    }
    *self = s;
    return 0;
}

static void jsonl_finding(void *self, const struct warden_finding *f)
{
    struct sink_jsonl *s = self;
    warden_write_finding(&s->jb, s->findings.f, f, &s->ri);
}

static void jsonl_reject(void *self, const char *origin, uint64_t line, const char *reason)
{
    struct sink_jsonl *s = self;
    warden_write_reject(&s->jb, s->rejects.f, origin, line, reason);
}

static void jsonl_verdict(void *self, const struct warden_verdict *v)
{
    struct sink_jsonl *s = self;
    warden_write_verdict(&s->jb, s->verdicts.f, v, &s->ri);
}

static void jsonl_cluster(void *self, const struct warden_cluster_record *c)
{
    struct sink_jsonl *s = self;
    warden_write_cluster(&s->jb, s->clusters.f, c, &s->ri);
}

static int jsonl_commit(void *self, const struct warden_run_totals *t, char *err, size_t errlen)
{
    (void)t;
    struct sink_jsonl *s = self;
    if (warden_outfile_commit(&s->findings, err, errlen) ||
        warden_outfile_commit(&s->verdicts, err, errlen) ||
        warden_outfile_commit(&s->rejects, err, errlen) ||
        warden_outfile_commit(&s->clusters, err, errlen))
        return WARDEN_EIO;
    return 0;
}

static void jsonl_free(void *self)
{
    struct sink_jsonl *s = self;
    if (!s) return;
    warden_outfile_abort(&s->findings);
    warden_outfile_abort(&s->verdicts);
    warden_outfile_abort(&s->rejects);
    warden_outfile_abort(&s->clusters);
    warden_jbuf_fini(&s->jb);
    free(s->run_id);
    free(s->policy);
    free(s);
}

const struct warden_sink_type warden_sink_jsonl = {
    .name = "jsonl",
    .finding = jsonl_finding,
    .reject = jsonl_reject,
    .verdict = jsonl_verdict,
    .commit = jsonl_commit,
    .free = jsonl_free,
    .cluster = jsonl_cluster,
};
