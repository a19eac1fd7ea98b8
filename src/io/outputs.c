/* outputs.c — JSON lines for verdicts, findings and rejects; atomic output files. */
#include "io/outputs.h"
#include "core/error.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Remove ".NAME.tmp.PID" files left in dir by runs that were killed (their
 * process no longer exists); a live concurrent run's files are left alone. */
static void remove_stale_tmp(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    if (!d) return;
    char *prefix = warden_xasprintf(".%s.tmp.", name);
    size_t pl = strlen(prefix);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, prefix, pl) != 0) continue;
        char *end;
        long pid = strtol(de->d_name + pl, &end, 10);
        if (*end || pid <= 0) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        char *path = warden_xasprintf("%s/%s", dir, de->d_name);
        unlink(path);
        free(path);
    }
    free(prefix);
    closedir(d);
}

int warden_outfile_open(struct warden_outfile *o, const char *dir, const char *name, char *err,
                        size_t errlen)
{
    remove_stale_tmp(dir, name);
    o->path = warden_xasprintf("%s/%s", dir, name);
    o->tmp = warden_xasprintf("%s/.%s.tmp.%ld", dir, name, (long)getpid());
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        snprintf(err, errlen, "%s: %s", o->tmp, strerror(errno));
        free(o->path);
        free(o->tmp);
        o->path = o->tmp = NULL;
        return WARDEN_EIO;
    }
    setvbuf(o->f, NULL, _IOFBF, 1 << 20);
    return 0;
}

int warden_outfile_commit(struct warden_outfile *o, char *err, size_t errlen)
{
    int rc = 0;
    if (!o->f) return 0;
    if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0) {
        snprintf(err, errlen, "%s: %s", o->tmp, strerror(errno));
        rc = WARDEN_EIO;
    }
    if (fclose(o->f) != 0 && !rc) {
        snprintf(err, errlen, "%s: %s", o->tmp, strerror(errno));
        rc = WARDEN_EIO;
    }
    o->f = NULL;
    if (!rc && rename(o->tmp, o->path) != 0) {
        snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
        rc = WARDEN_EIO;
    }
    if (rc) unlink(o->tmp);
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    return rc;
}

void warden_outfile_abort(struct warden_outfile *o)
{
    if (o->f) fclose(o->f);
    if (o->tmp) unlink(o->tmp);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}

static void line_out(struct warden_jbuf *b, FILE *f)
{
    warden_jbuf_raw(b, "\n", 1);
    fwrite(b->p, 1, b->len, f);
}

static void run_fields(struct warden_jbuf *b, const struct warden_run_info *ri)
{
    if (!ri) return;
    warden_jbuf_kv_bool(b, "shadow", ri->shadow);
    warden_jbuf_kv_str(b, "policy", ri->policy_sha256);
    warden_jbuf_kv_str(b, "run_id", ri->run_id);
}

void warden_write_finding(struct warden_jbuf *b, FILE *f, const struct warden_finding *fd,
                          const struct warden_run_info *ri)
{
    char ts[WARDEN_TS_STRLEN];
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_str(b, "ts", warden_ts_format(fd->ts_ms, ts));
    warden_jbuf_key(b, "account_id");
    warden_jbuf_str_val(b, fd->account_id, fd->account_id_len);
    warden_jbuf_kv_str(b, "detector", fd->detector);
    warden_jbuf_kv_str(b, "code", fd->code);
    warden_jbuf_kv_num(b, "score", fd->score);
    warden_jbuf_kv_str(b, "action", warden_action_name(fd->action));
    warden_jbuf_kv_str(b, "cluster_id", fd->cluster_id);
    warden_jbuf_key(b, "evidence");
    warden_jbuf_json(b, fd->evidence_json);
    run_fields(b, ri);
    warden_jbuf_obj_close(b);
    line_out(b, f);
}

void warden_write_verdict(struct warden_jbuf *b, FILE *f, const struct warden_verdict *v,
                          const struct warden_run_info *ri)
{
    char ts[WARDEN_TS_STRLEN];
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_str(b, "account_id", v->account_id);
    warden_jbuf_kv_str(b, "action", warden_action_name(v->action));
    warden_jbuf_kv_num(b, "score", v->score);
    warden_jbuf_key(b, "reasons");
    warden_jbuf_arr_open(b);
    for (size_t i = 0; i < v->n_reasons; i++) warden_jbuf_cstr(b, v->reasons[i].code);
    warden_jbuf_arr_close(b);
    warden_jbuf_kv_str(b, "cluster_id", v->cluster_id);
    if (v->action == WARDEN_ALLOW) {
        warden_jbuf_key(b, "first_action_ts");
        warden_jbuf_null(b);
        warden_jbuf_key(b, "first_action_event");
        warden_jbuf_null(b);
    } else {
        warden_jbuf_kv_str(b, "first_action_ts", warden_ts_format(v->first_action_ts, ts));
        warden_jbuf_kv_int(b, "first_action_event", (int64_t)v->first_action_event);
    }
    warden_jbuf_kv_int(b, "events", (int64_t)v->events);
    run_fields(b, ri);
    warden_jbuf_obj_close(b);
    line_out(b, f);
}

void warden_write_action_change(struct warden_jbuf *b, FILE *f,
                                const struct warden_action_change *c,
                                const struct warden_run_info *ri)
{
    char ts[WARDEN_TS_STRLEN];
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_str(b, "ts", warden_ts_format(c->ts_ms, ts));
    warden_jbuf_kv_str(b, "account_id", c->verdict->account_id);
    warden_jbuf_kv_str(b, "from", warden_action_name(c->from));
    warden_jbuf_kv_str(b, "to", warden_action_name(c->to));
    warden_jbuf_kv_str(b, "reason", c->code);
    warden_jbuf_kv_num(b, "score", c->score);
    warden_jbuf_kv_bool(b, "shadow", c->shadow);
    if (ri) {
        warden_jbuf_kv_str(b, "policy", ri->policy_sha256);
        warden_jbuf_kv_str(b, "run_id", ri->run_id);
    }
    warden_jbuf_obj_close(b);
    line_out(b, f);
}

void warden_write_reject(struct warden_jbuf *b, FILE *f, const char *file, uint64_t line,
                         const char *reason)
{
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_str(b, "file", file);
    warden_jbuf_kv_int(b, "line", (int64_t)line);
    warden_jbuf_kv_str(b, "reason", reason);
    warden_jbuf_obj_close(b);
    line_out(b, f);
}

void warden_write_cluster_kinds(struct warden_jbuf *b, const struct warden_cluster_record *c)
{
    warden_jbuf_obj_open(b);
    for (size_t i = 0; i < c->n_kinds; i++)
        if (c->kind_edges[i]) warden_jbuf_kv_int(b, c->kinds[i], (int64_t)c->kind_edges[i]);
    warden_jbuf_obj_close(b);
}

void warden_write_cluster_ids(struct warden_jbuf *b, const struct warden_cluster_record *c)
{
    warden_jbuf_arr_open(b);
    for (size_t i = 0; i < c->n_ids; i++) warden_jbuf_cstr(b, c->ids[i]);
    warden_jbuf_arr_close(b);
}

void warden_write_cluster(struct warden_jbuf *b, FILE *f, const struct warden_cluster_record *c,
                          const struct warden_run_info *ri)
{
    warden_jbuf_reset(b);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_str(b, "cluster_id", c->cluster_id);
    warden_jbuf_kv_int(b, "members", (int64_t)c->members);
    warden_jbuf_key(b, "member_ids");
    warden_write_cluster_ids(b, c);
    warden_jbuf_kv_bool(b, "member_ids_truncated", c->n_ids < c->members);
    warden_jbuf_key(b, "edge_kinds");
    warden_write_cluster_kinds(b, c);
    warden_jbuf_kv_int(b, "edges", (int64_t)c->edges);
    warden_jbuf_kv_num(b, "score", c->score);
    warden_jbuf_kv_int(b, "actioned_members", (int64_t)c->actioned);
    warden_jbuf_kv_int(b, "enforced_members", (int64_t)c->enforced);
    warden_jbuf_kv_int(b, "harvest_members", (int64_t)c->harvest);
    warden_jbuf_kv_str(b, "action", warden_action_name(c->action));
    run_fields(b, ri);
    warden_jbuf_obj_close(b);
    line_out(b, f);
}
