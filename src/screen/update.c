/* update.c — `warden lists update`: fetch the configured list sources,
 * verify them, compile them and swap the compiled file atomically.
 *
 * A sources file has the manifest's layout (NAME<TAB>FORMAT<TAB>[role=]URL...,
 * see data/lists/sources.tsv), with URLs where the manifest has files. Each
 * URL is downloaded with libcurl (HTTPS only unless allow_http is set, for
 * loopback tests; failing HTTP status, short transfers and oversize bodies are
 * errors) into DIR/incoming/. The downloaded set is then verified before
 * anything in force changes:
 *   - size: no file is empty, and none shrank below min_ratio of the file it
 *     replaces (DIR/current/);
 *   - parse: the lists load with their normal loaders (a corrupt XML or CSV
 *     fails here);
 *   - counts: every list of the compiled file in force is present and keeps at
 *     least min_ratio of its entities (a truncated or half-empty download
 *     parses but collapses the counts).
 * Only then the new set is compiled: the file in force is kept as OUT.prev
 * (hard link) and the new one renamed over OUT, so readers map the old file or
 * the new one, never half of one; DIR/current becomes DIR/previous and
 * DIR/incoming becomes DIR/current. On any refusal the old lists stay. */
#include "screen/update.h"
#include "screen/internal.h"

#include "core/error.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct dl {
    FILE *f;
    size_t got, max;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct dl *d = ud;
    size_t k = size * n;
    if (d->got + k > d->max) return 0; /* aborts the transfer: too large */
    d->got += k;
    return fwrite(p, 1, k, d->f);
}

static int download(const struct warden_lists_update_opts *o, const char *url, const char *path,
                    char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return WARDEN_EIO;
    }
    struct dl d = {f, 0, o->max_bytes ? o->max_bytes : (size_t)1 << 31};
    CURL *c = curl_easy_init();
    if (!c) {
        fclose(f);
        snprintf(err, errlen, "libcurl: cannot start a transfer");
        return WARDEN_ELIB;
    }
    char cerr[CURL_ERROR_SIZE] = "";
    const char *protos = o->allow_http ? "https,http" : "https";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protos);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protos);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s > 0 ? o->timeout_s : 600L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "warden-lists-update/" WARDEN_VERSION);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &d);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    bool wrote = fclose(f) == 0;
    if (rc == CURLE_WRITE_ERROR && d.got + 1 > d.max) {
        snprintf(err, errlen, "%s: larger than %zu bytes: refused", url, d.max);
        return WARDEN_EFORMAT;
    }
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s: download failed: %s%s%s", url, curl_easy_strerror(rc),
                 cerr[0] ? ": " : "", cerr);
        return rc == CURLE_PARTIAL_FILE ? WARDEN_EFORMAT : WARDEN_EIO;
    }
    if (!wrote) {
        snprintf(err, errlen, "%s: write failed", path);
        return WARDEN_EIO;
    }
    return 0;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int rm_tree(const char *dir)
{
    char *cmd = NULL;
    /* only directories this module made: DIR/previous and DIR/incoming */
    if (access(dir, F_OK) != 0) return 0;
    cmd = warden_xasprintf("%s/lists.tsv", dir);
    FILE *f = fopen(cmd, "r");
    free(cmd);
    if (f) {
        char line[4096];
        while (fgets(line, sizeof line, f)) {
            if (line[0] == '#') continue;
            char *p = line;
            for (int field = 0; p && *p; field++) {
                char *t = strpbrk(p, "\t\n");
                if (t) *t++ = '\0';
                if (field >= 2 && strncmp(p, "as_of=", 6) != 0) {
                    const char *eq = strchr(p, '=');
                    char *fp = warden_xasprintf("%s/%s", dir, eq ? eq + 1 : p);
                    unlink(fp);
                    free(fp);
                }
                p = t;
            }
        }
        fclose(f);
    }
    cmd = warden_xasprintf("%s/lists.tsv", dir);
    unlink(cmd);
    free(cmd);
    return rmdir(dir) == 0 || errno == ENOENT ? 0 : WARDEN_EIO;
}

/* the file name part of a URL, made safe ("sdn.csv"); "file" when none */
static void url_base(const char *url, char *out, size_t cap)
{
    const char *q = url + strcspn(url, "?#");
    const char *b = q;
    while (b > url && b[-1] != '/') b--;
    size_t k = 0;
    for (const char *c = b; c < q && k + 1 < cap; c++)
        out[k++] = (isalnum((unsigned char)*c) || *c == '.' || *c == '-' || *c == '_') ? *c : '_';
    out[k] = '\0';
    if (!k || out[0] == '.') snprintf(out, cap, "file");
}

struct src_line {
    char *name, *format;
    char *urls[14];
    int n;
};

static int parse_sources(const char *path, struct src_line **out, size_t *n_out, char *err,
                         size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return WARDEN_EIO;
    }
    struct src_line *v = NULL;
    size_t n = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t k;
    long ln = 0;
    int rc = 0;
    while ((k = getline(&line, &cap, f)) >= 0) {
        ln++;
        while (k > 0 && (line[k - 1] == '\n' || line[k - 1] == '\r')) line[--k] = '\0';
        if (!k || line[0] == '#') continue;
        struct src_line s = {0};
        char *fields[16];
        int nf = 0;
        for (char *p = line, *t; p && nf < 16; p = t) {
            t = strchr(p, '\t');
            if (t) *t++ = '\0';
            if (*p) fields[nf++] = p;
        }
        if (nf < 3) {
            snprintf(err, errlen, "%s:%ld: expected NAME<TAB>FORMAT<TAB>URL...", path, ln);
            rc = WARDEN_EPARSE;
            break;
        }
        s.name = warden_xstrdup(fields[0]);
        s.format = warden_xstrdup(fields[1]);
        for (int i = 2; i < nf && s.n < 14; i++) s.urls[s.n++] = warden_xstrdup(fields[i]);
        v = warden_xrealloc(v, (n + 1) * sizeof *v);
        v[n++] = s;
    }
    free(line);
    fclose(f);
    *out = v;
    *n_out = n;
    return rc;
}

static void free_sources(struct src_line *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].format);
        for (int j = 0; j < v[i].n; j++) free(v[i].urls[j]);
    }
    free(v);
}

/* Download every source into inc/ and write inc/lists.tsv naming the files. */
static int fetch_all(const struct warden_lists_update_opts *o, const struct src_line *src, size_t n,
                     const char *inc, const char *cur, char *err, size_t errlen)
{
    char *mpath = warden_xasprintf("%s/lists.tsv", inc);
    FILE *m = fopen(mpath, "w");
    free(mpath);
    if (!m) {
        snprintf(err, errlen, "%s/lists.tsv: %s", inc, strerror(errno));
        return WARDEN_EIO;
    }
    fprintf(m, "# written by warden lists update from %s\n", o->sources);
    char today[WARDEN_TS_STRLEN];
    warden_ts_format(warden_screen_today() * 86400000, today);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        fprintf(m, "%s\t%s", src[i].name, src[i].format);
        for (int j = 0; j < src[i].n && !rc; j++) {
            const char *u = src[i].urls[j];
            const char *eq = strchr(u, '=');
            bool role = eq && strstr(u, "://") > eq;
            char base[128], fname[300];
            url_base(role ? eq + 1 : u, base, sizeof base);
            snprintf(fname, sizeof fname, "%s.%d.%s", src[i].name, j, base);
            char *path = warden_xasprintf("%s/%s", inc, fname);
            rc = download(o, role ? eq + 1 : u, path, err, errlen);
            long sz = rc ? -1 : file_size(path);
            if (!rc && sz <= 0) {
                snprintf(err, errlen, "%s: empty download: refused", role ? eq + 1 : u);
                rc = WARDEN_EFORMAT;
            }
            char *old = warden_xasprintf("%s/%s", cur, fname);
            long osz = file_size(old);
            if (!rc && osz > 0 && (double)sz < o->min_ratio * (double)osz) {
                snprintf(err, errlen,
                         "%s: %ld bytes, the version in force has %ld (below %.0f %%): refused "
                         "(truncated?)",
                         role ? eq + 1 : u, sz, osz, 100 * o->min_ratio);
                rc = WARDEN_EFORMAT;
            }
            free(old);
            free(path);
            fprintf(m, "\t%.*s%s", role ? (int)(eq - u + 1) : 0, u, fname);
        }
        fprintf(m, "\tas_of=%.10s\n", today); /* fetched now: current as of today */
    }
    if (fclose(m) != 0 && !rc) {
        snprintf(err, errlen, "%s/lists.tsv: write failed", inc);
        rc = WARDEN_EIO;
    }
    return rc;
}

/* every list of the set in force is present and keeps min_ratio of its entities */
static size_t entities_of(const struct warden_screen *s, const char *list)
{
    for (size_t j = 0; j < warden_screen_n_lists(s); j++) {
        struct warden_screen_list_stats st;
        warden_screen_list_stats(s, j, &st);
        if (strcmp(st.list, list) == 0) return st.entities;
    }
    return 0;
}

/* every source yields entities; every list in force keeps min_ratio of its own */
static int check_counts(const struct warden_screen *old, const struct warden_screen *neu,
                        const struct src_line *src, size_t n, double min_ratio, char *err,
                        size_t errlen)
{
    for (size_t i = 0; i < n; i++)
        if (entities_of(neu, src[i].name) == 0) {
            snprintf(err, errlen, "list %s: no entities parsed: refused (corrupt download?)",
                     src[i].name);
            return WARDEN_EFORMAT;
        }
    if (!old) return 0;
    for (size_t i = 0; i < warden_screen_n_lists(old); i++) {
        struct warden_screen_list_stats os;
        warden_screen_list_stats(old, i, &os);
        size_t ne = entities_of(neu, os.list);
        if (ne == 0) {
            snprintf(err, errlen, "list %s is in force but missing from the update: refused",
                     os.list);
            return WARDEN_EFORMAT;
        }
        if ((double)ne < min_ratio * (double)os.entities) {
            snprintf(err, errlen,
                     "list %s: %zu entities, %zu in force (below %.0f %%): refused (truncated or "
                     "corrupt download?)",
                     os.list, ne, os.entities, 100 * min_ratio);
            return WARDEN_EFORMAT;
        }
    }
    return 0;
}

int warden_lists_update(const struct warden_lists_update_opts *o, struct warden_screen **old_out,
                        struct warden_screen **new_out, char *err, size_t errlen)
{
    *new_out = NULL;
    if (old_out) *old_out = NULL;
    struct src_line *src = NULL;
    size_t n = 0;
    int rc = parse_sources(o->sources, &src, &n, err, errlen);
    if (rc) {
        free_sources(src, n);
        return rc;
    }
    if (!n) {
        free_sources(src, n);
        snprintf(err, errlen, "%s: no sources", o->sources);
        return WARDEN_EPARSE;
    }
    char *inc = warden_xasprintf("%s/incoming", o->dir);
    char *cur = warden_xasprintf("%s/current", o->dir);
    char *prev = warden_xasprintf("%s/previous", o->dir);
    char *manifest = warden_xasprintf("%s/lists.tsv", inc);
    char *prev_out = warden_xasprintf("%s.prev", o->out);
    struct warden_screen *old = NULL, *neu = NULL;
    if (mkdir(o->dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", o->dir, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    rm_tree(inc);
    if (mkdir(inc, 0755) != 0) {
        snprintf(err, errlen, "%s: %s", inc, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    if ((rc = fetch_all(o, src, n, inc, cur, err, errlen))) goto out;
    /* the set in force, if any: its counts are the floor */
    char why[512];
    int mr = warden_screen_map(&old, o->out, o->conf, why, sizeof why);
    if (mr < 0 && mr != WARDEN_ENOENT) {
        fprintf(stderr,
                "warden lists update: the compiled file in force cannot be read (%s); "
                "counts are checked against nothing\n",
                why);
        old = NULL;
    }
    if ((rc = warden_screen_load(&neu, manifest, o->norm_dir, o->conf, err, errlen))) goto out;
    if ((rc = check_counts(old, neu, src, n, o->min_ratio, err, errlen))) goto out;
    /* swap: keep the file in force as OUT.prev, then rename the new one over OUT */
    if (access(o->out, F_OK) == 0) {
        unlink(prev_out);
        if (link(o->out, prev_out) != 0) {
            snprintf(err, errlen, "%s: %s", prev_out, strerror(errno));
            rc = WARDEN_EIO;
            goto out;
        }
    }
    if ((rc = warden_screen_save(neu, o->out, err, errlen))) goto out;
    rm_tree(prev);
    if (access(cur, F_OK) == 0 && rename(cur, prev) != 0) {
        snprintf(err, errlen, "%s: %s", cur, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    if (rename(inc, cur) != 0) {
        snprintf(err, errlen, "%s: %s", inc, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
out:
    if (rc) rm_tree(inc);
    if (rc || !old_out)
        warden_screen_free(old);
    else
        *old_out = old;
    if (rc)
        warden_screen_free(neu);
    else
        *new_out = neu;
    free_sources(src, n);
    free(inc);
    free(cur);
    free(prev);
    free(manifest);
    free(prev_out);
    return rc;
}

int warden_lists_newly_restricted(const struct warden_screen *old, const struct warden_screen *neu,
                                  const struct warden_org *orgs, size_t n, size_t *idx, size_t max,
                                  size_t *n_out)
{
    *n_out = 0;
    struct warden_screen_ownership *oa = NULL, *ob = NULL;
    struct warden_screen_scratch *wa = old ? warden_screen_scratch_new(old) : NULL;
    struct warden_screen_scratch *wb = warden_screen_scratch_new(neu);
    int rc = old ? warden_screen_orgs(old, wa, orgs, n, &oa) : 0;
    if (rc == 0) rc = warden_screen_orgs(neu, wb, orgs, n, &ob);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool was = oa && warden_screen_ownership_at(oa, i)->restricted;
        bool now = warden_screen_ownership_at(ob, i)->restricted;
        if (now && !was && *n_out < max) idx[(*n_out)++] = i;
    }
    warden_screen_ownership_free(oa);
    warden_screen_ownership_free(ob);
    warden_screen_scratch_free(wa);
    warden_screen_scratch_free(wb);
    return rc;
}
