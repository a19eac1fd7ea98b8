/* report.c — JSON and table output of a sweep (see report.h). */
#include "sweep/report.h"
#include "core/day.h"
#include "core/jbuf.h"
#include "core/xalloc.h"
#include "sweep/pathenc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void iso_time(int64_t t, char *buf, size_t n)
{
    struct tm tm;
    time_t tt = (time_t)t;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *type_name(enum warden_walk_type t)
{
    switch (t) {
    case WARDEN_WALK_FILE:
        return "file";
    case WARDEN_WALK_DIR:
        return "dir";
    case WARDEN_WALK_LINK:
        return "symlink";
    default:
        return "other";
    }
}

/* "/rel" made printable; *exact as in warden_sweep_path_show. */
static char *show_path(const char *rel, bool *exact)
{
    char *abs = warden_xasprintf("/%s", rel);
    char *s = warden_sweep_path_show(abs, strlen(abs), exact);
    free(abs);
    return s;
}

static void owner_text(const struct warden_sweep_result *r, long uid, char *buf, size_t n)
{
    const char *nm = warden_sweep_users_name(&r->users, uid);
    if (nm)
        snprintf(buf, n, "%s", nm);
    else
        snprintf(buf, n, "%ld", uid);
}

/* Group [i, j) of items with the same user and tool. */
static size_t group_end(const struct warden_sweep_result *r, size_t i)
{
    size_t j = i + 1;
    while (j < r->n_items && r->items[j].user == r->items[i].user &&
           r->items[j].tool == r->items[i].tool)
        j++;
    return j;
}

struct group_sum {
    uint64_t size;
    int64_t last;
    const char *version;
};

static struct group_sum summarize(const struct warden_sweep_result *r, size_t i, size_t j)
{
    struct group_sum g = {0, 0, NULL};
    for (size_t k = i; k < j; k++) {
        const struct warden_sweep_item *it = &r->items[k];
        if (!it->nested) g.size += it->size;
        int64_t t = it->atime > it->mtime ? it->atime : it->mtime;
        if (t > g.last) g.last = t;
    }
    /* version: from the earliest footprint in catalogue order that gave one */
    int best = 1 << 30;
    for (size_t k = i; k < j; k++) {
        const struct warden_sweep_item *it = &r->items[k];
        if (it->version && it->fp >= 0 && it->fp < best) {
            best = it->fp;
            g.version = it->version;
        }
    }
    return g;
}

size_t warden_sweep_banned_found(const struct warden_sweep_result *r,
                                 const struct warden_sweep_catalogue *c,
                                 const struct warden_sweep_policy *p)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_items; i = group_end(r, i))
        if (warden_sweep_policy_status(p, c->tools[r->items[i].tool].id) == WARDEN_SWEEP_BANNED)
            n++;
    return n;
}

static void json_path(struct warden_jbuf *b, const char *key, const char *rel)
{
    bool exact;
    char *s = show_path(rel, &exact);
    warden_jbuf_kv_str(b, key, s);
    free(s);
    if (!exact) {
        char *abs = warden_xasprintf("/%s", rel);
        char *h = warden_sweep_hex(abs, strlen(abs));
        char *k = warden_xasprintf("%s_hex", key);
        warden_jbuf_kv_str(b, k, h);
        free(k);
        free(h);
        free(abs);
    }
}

void warden_sweep_report_json(FILE *out, const struct warden_sweep_result *r,
                              const struct warden_sweep_catalogue *c,
                              const struct warden_sweep_policy *p)
{
    struct warden_jbuf b;
    char tbuf[32], obuf[64];
    warden_jbuf_init(&b);
    warden_jbuf_obj_open(&b);
    warden_jbuf_kv_str(&b, "report", "warden.sweep");
    warden_jbuf_kv_int(&b, "version", 1);
    json_path(&b, "root", r->root[1] ? r->root + 1 : "");
    iso_time((int64_t)time(NULL), tbuf, sizeof tbuf);
    warden_jbuf_kv_str(&b, "scanned_at", tbuf);
    warden_jbuf_kv_num(&b, "seconds", r->seconds);
    warden_jbuf_kv_str(&b, "catalogue", c->path);
    char day[WARDEN_DAY_STRLEN];
    int64_t today = warden_day_today(), age = warden_day_age(c->as_of_day, today);
    warden_jbuf_kv_str(&b, "catalogue_as_of",
                       age >= 0 ? warden_day_format(c->as_of_day, day) : NULL);
    warden_jbuf_key(&b, "catalogue_age_days");
    if (age >= 0)
        warden_jbuf_int(&b, age);
    else
        warden_jbuf_null(&b);
    warden_jbuf_kv_bool(&b, "catalogue_stale",
                        warden_day_stale(c->as_of_day, today, p->max_age_days));
    warden_jbuf_kv_str(&b, "policy", p->path);
    warden_jbuf_kv_int(&b, "banned_found", (int64_t)warden_sweep_banned_found(r, c, p));
    warden_jbuf_key(&b, "walk");
    warden_jbuf_obj_open(&b);
    warden_jbuf_kv_int(&b, "files", (int64_t)r->walk.files);
    warden_jbuf_kv_int(&b, "dirs", (int64_t)r->walk.dirs);
    warden_jbuf_kv_int(&b, "symlinks", (int64_t)r->walk.links);
    warden_jbuf_kv_int(&b, "other", (int64_t)r->walk.other);
    warden_jbuf_kv_int(&b, "vanished", (int64_t)r->walk.vanished);
    warden_jbuf_kv_int(&b, "skipped_pseudo_fs", (int64_t)r->walk.skipped_fs);
    warden_jbuf_kv_int(&b, "errors", (int64_t)r->walk.errors);
    warden_jbuf_obj_close(&b);
    warden_jbuf_key(&b, "errors");
    warden_jbuf_arr_open(&b);
    for (size_t i = 0; i < r->walk.n_errv; i++) {
        warden_jbuf_obj_open(&b);
        json_path(&b, "path", r->walk.errv[i].rel);
        warden_jbuf_kv_str(&b, "error", strerror(r->walk.errv[i].err));
        warden_jbuf_obj_close(&b);
    }
    warden_jbuf_arr_close(&b);
    warden_jbuf_key(&b, "users");
    warden_jbuf_arr_open(&b);
    for (size_t i = 0; i < r->n_items;) {
        int user = r->items[i].user;
        warden_jbuf_obj_open(&b);
        if (user >= 0) {
            warden_jbuf_kv_str(&b, "user", r->users.v[user].name);
            json_path(&b, "home", r->users.v[user].home);
        } else {
            warden_jbuf_kv_str(&b, "user", "(system)");
            warden_jbuf_kv_str(&b, "home", NULL);
        }
        warden_jbuf_key(&b, "tools");
        warden_jbuf_arr_open(&b);
        while (i < r->n_items && r->items[i].user == user) {
            size_t j = group_end(r, i);
            const struct warden_sweep_tool *t = &c->tools[r->items[i].tool];
            struct group_sum g = summarize(r, i, j);
            warden_jbuf_obj_open(&b);
            warden_jbuf_kv_str(&b, "tool", t->id);
            warden_jbuf_kv_str(&b, "name", t->name);
            warden_jbuf_kv_str(&b, "status",
                               warden_sweep_status_name(warden_sweep_policy_status(p, t->id)));
            warden_jbuf_kv_str(&b, "version", g.version);
            warden_jbuf_kv_int(&b, "size", (int64_t)g.size);
            iso_time(g.last, tbuf, sizeof tbuf);
            warden_jbuf_kv_str(&b, "last_used", tbuf);
            warden_jbuf_key(&b, "items");
            warden_jbuf_arr_open(&b);
            for (size_t k = i; k < j; k++) {
                const struct warden_sweep_item *it = &r->items[k];
                warden_jbuf_obj_open(&b);
                warden_jbuf_kv_str(&b, "kind", warden_sweep_kind_name(it->kind));
                json_path(&b, "path", it->rel);
                warden_jbuf_kv_str(&b, "type", type_name(it->type));
                warden_jbuf_kv_int(&b, "size", (int64_t)it->size);
                if (it->type == WARDEN_WALK_DIR)
                    warden_jbuf_kv_int(&b, "files", (int64_t)it->nfiles);
                iso_time(it->mtime, tbuf, sizeof tbuf);
                warden_jbuf_kv_str(&b, "mtime", tbuf);
                iso_time(it->atime, tbuf, sizeof tbuf);
                warden_jbuf_kv_str(&b, "atime", tbuf);
                owner_text(r, it->uid, obuf, sizeof obuf);
                warden_jbuf_kv_str(&b, "owner", obuf);
                snprintf(obuf, sizeof obuf, "%04o", it->mode & 07777);
                warden_jbuf_kv_str(&b, "mode", obuf);
                if (it->version) warden_jbuf_kv_str(&b, "version", it->version);
                if (it->link_target) {
                    bool ex;
                    char *s = warden_sweep_path_show(it->link_target, strlen(it->link_target), &ex);
                    warden_jbuf_kv_str(&b, "link_target", s);
                    free(s);
                }
                if (it->nested) warden_jbuf_kv_bool(&b, "nested", true);
                if (it->kind == WARDEN_SWEEP_CREDENTIAL) {
                    warden_jbuf_kv_bool(&b, "content_read", false);
                    warden_jbuf_kv_bool(&b, "group_or_world_readable", (it->mode & 044) != 0);
                }
                if (it->n_env) {
                    warden_jbuf_key(&b, "sets");
                    warden_jbuf_arr_open(&b);
                    for (size_t e = 0; e < it->n_env; e++) {
                        warden_jbuf_obj_open(&b);
                        warden_jbuf_kv_str(&b, "variable", it->env[e].var);
                        warden_jbuf_kv_int(&b, "line", it->env[e].line);
                        warden_jbuf_obj_close(&b);
                    }
                    warden_jbuf_arr_close(&b);
                }
                warden_jbuf_obj_close(&b);
            }
            warden_jbuf_arr_close(&b);
            warden_jbuf_obj_close(&b);
            i = j;
        }
        warden_jbuf_arr_close(&b);
        warden_jbuf_obj_close(&b);
    }
    warden_jbuf_arr_close(&b);
    warden_jbuf_obj_close(&b);
    fputs(warden_jbuf_str(&b), out);
    fputc('\n', out);
    warden_jbuf_fini(&b);
}

static void human_size(uint64_t n, char *buf, size_t len)
{
    static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    int k = 0;
    while (v >= 1024 && k < 4) {
        v /= 1024;
        k++;
    }
    if (k == 0)
        snprintf(buf, len, "%llu B", (unsigned long long)n);
    else
        snprintf(buf, len, "%.1f %s", v, u[k]);
}

void warden_sweep_report_table(FILE *out, const struct warden_sweep_result *r,
                               const struct warden_sweep_catalogue *c,
                               const struct warden_sweep_policy *p)
{
    char sz[32], tbuf[32], obuf[64];
    bool ex;
    char *rootshow = warden_sweep_path_show(r->root, strlen(r->root), &ex);
    fprintf(out, "warden sweep of %s\n", rootshow);
    free(rootshow);
    char age[128];
    fprintf(out, "catalogue %s, %s\n", c->path,
            warden_sweep_catalogue_age_text(c, p->max_age_days, age, sizeof age));
    if (!r->n_items) fprintf(out, "\nno catalogued AI tool found\n");
    for (size_t i = 0; i < r->n_items;) {
        int user = r->items[i].user;
        if (user >= 0) {
            char *h = show_path(r->users.v[user].home, &ex);
            fprintf(out, "\n%s (%s)\n", r->users.v[user].name, h);
            free(h);
        } else {
            fprintf(out, "\n(system)\n");
        }
        while (i < r->n_items && r->items[i].user == user) {
            size_t j = group_end(r, i);
            const struct warden_sweep_tool *t = &c->tools[r->items[i].tool];
            struct group_sum g = summarize(r, i, j);
            enum warden_sweep_status st = warden_sweep_policy_status(p, t->id);
            human_size(g.size, sz, sizeof sz);
            iso_time(g.last, tbuf, sizeof tbuf);
            fprintf(out, "  %-28s %-8s version %-12s %10s  last used %s\n", t->name,
                    st == WARDEN_SWEEP_BANNED    ? "BANNED"
                    : st == WARDEN_SWEEP_ALLOWED ? "allowed"
                                                 : "reported",
                    g.version ? g.version : "?", sz, tbuf);
            for (size_t k = i; k < j; k++) {
                const struct warden_sweep_item *it = &r->items[k];
                char *ps = show_path(it->rel, &ex);
                fprintf(out, "    %-10s %s", warden_sweep_kind_name(it->kind), ps);
                free(ps);
                owner_text(r, it->uid, obuf, sizeof obuf);
                if (it->kind == WARDEN_SWEEP_CREDENTIAL) {
                    fprintf(out, "  (exists; owner %s, mode %04o%s; not read)", obuf,
                            it->mode & 07777, (it->mode & 044) ? ", READABLE BY OTHERS" : "");
                } else if (it->kind == WARDEN_SWEEP_ENV) {
                    fprintf(out, "  sets");
                    for (size_t e = 0; e < it->n_env; e++)
                        fprintf(out, "%s %s (line %d)", e ? "," : "", it->env[e].var,
                                it->env[e].line);
                } else {
                    human_size(it->size, sz, sizeof sz);
                    fprintf(out, "  (%s", sz);
                    if (it->type == WARDEN_WALK_DIR)
                        fprintf(out, ", %llu files", (unsigned long long)it->nfiles);
                    if (it->version) fprintf(out, ", %s", it->version);
                    fprintf(out, ")");
                }
                fputc('\n', out);
            }
            i = j;
        }
    }
    size_t banned = warden_sweep_banned_found(r, c, p);
    fprintf(out,
            "\n%zu banned tool installation(s) found; walked %llu files, %llu directories in "
            "%.2f s (%llu unreadable, %llu vanished)\n",
            banned, (unsigned long long)r->walk.files, (unsigned long long)r->walk.dirs, r->seconds,
            (unsigned long long)r->walk.errors, (unsigned long long)r->walk.vanished);
    for (size_t i = 0; i < r->walk.n_errv && i < 20; i++) {
        char *ps = show_path(r->walk.errv[i].rel, &ex);
        fprintf(out, "  unreadable: %s: %s\n", ps, strerror(r->walk.errv[i].err));
        free(ps);
    }
}
