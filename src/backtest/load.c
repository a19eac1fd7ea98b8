/* load.c — reads truth.jsonl and verdicts.jsonl for the backtest (jansson;
 * these files are small next to the event stream), and what identifies the
 * run: the policy hash and run id the verdicts carry, the scenario and seed
 * a truth file may carry, the inputs' SHA-256. */
#include "backtest/backtest.h"
#include "core/error.h"
#include "core/event.h"
#include "core/event_decode.h"
#include "core/jbuf.h"
#include "core/log.h"
#include "core/sha256.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "io/source.h"

#include <fcntl.h>
#include <unistd.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int warden_bt_action_parse(const char *s)
{
    static const char *const names[] = {"allow", "review", "throttle", "block"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

static char *opt_str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? warden_xstrdup(json_string_value(v)) : NULL;
}

typedef int (*line_fn)(struct warden_bt_input *in, json_t *o);

static int load_lines(struct warden_bt_input *in, const char *path, line_fn fn)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        warden_err("backtest: cannot open %s", path);
        return WARDEN_EIO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (n == 1 && line[0] == '\n') continue;
        json_error_t err;
        json_t *o = json_loadb(line, (size_t)n, 0, &err);
        if (!json_is_object(o) || fn(in, o) < 0) {
            if (in->bad_lines++ < 10) warden_warn("%s:%lu: bad line skipped", path, lineno);
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    return 0;
}

static int truth_line(struct warden_bt_input *in, json_t *o)
{
    json_t *id = json_object_get(o, "account_id"), *label = json_object_get(o, "label");
    if ((!json_is_string(id) && !json_is_integer(id)) || !json_is_string(label)) return -1;
    in->truth = warden_xrealloc(in->truth, (in->ntruth + 1) * sizeof *in->truth);
    struct warden_bt_truth *t = &in->truth[in->ntruth++];
    memset(t, 0, sizeof *t);   /* first_ts is filled later, only when events are read */
    if (json_is_integer(id)) { /* a numeric key: its digits, as events read it */
        char buf[32];
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
        t->account_id = warden_xstrdup(buf);
    } else {
        t->account_id = warden_xstrdup(json_string_value(id));
    }
    t->label = warden_xstrdup(json_string_value(label));
    t->kind = opt_str(o, "kind");
    t->cluster = opt_str(o, "cluster");
    t->tells = -1;
    json_t *tells = json_object_get(o, "tells");
    if (json_is_array(tells)) {
        static const char *const names[] = {"tz", "card", "email", "hours", "locale"};
        t->tells = 0;
        for (size_t k = 0; k < json_array_size(tells); k++) {
            const char *v = json_string_value(json_array_get(tells, k));
            for (int b = 0; v && b < 5; b++)
                if (strcmp(v, names[b]) == 0) t->tells |= 1 << b;
        }
    }
    if (!in->meta.scenario) in->meta.scenario = opt_str(o, "scenario");
    json_t *seed = json_object_get(o, "seed");
    if (!in->meta.seed_known && json_is_integer(seed)) {
        in->meta.seed = json_integer_value(seed);
        in->meta.seed_known = true;
    }
    return 0;
}

static int verdict_line(struct warden_bt_input *in, json_t *o)
{
    json_t *id = json_object_get(o, "account_id"), *act = json_object_get(o, "action");
    if (!json_is_string(id) || !json_is_string(act)) return -1;
    int a = warden_bt_action_parse(json_string_value(act));
    if (a < 0) return -1;
    in->verdicts = warden_xrealloc(in->verdicts, (in->nverdicts + 1) * sizeof *in->verdicts);
    struct warden_bt_verdict *v = &in->verdicts[in->nverdicts++];
    memset(v, 0, sizeof *v);
    v->account_id = warden_xstrdup(json_string_value(id));
    v->action = (enum warden_bt_action)a;
    json_t *s = json_object_get(o, "score");
    v->score = json_is_number(s) ? json_number_value(s) : (a > 0 ? 1.0 : 0.0);
    json_t *fe = json_object_get(o, "first_action_event");
    v->first_action_event = json_is_integer(fe) ? json_integer_value(fe) : 0;
    json_t *ft = json_object_get(o, "first_action_ts");
    v->first_action_ts = 0;
    if (json_is_string(ft) && warden_ts_parse(json_string_value(ft), strlen(json_string_value(ft)),
                                              &v->first_action_ts) < 0)
        v->first_action_ts = 0;
    json_t *ev = json_object_get(o, "events");
    v->events = json_is_integer(ev) ? json_integer_value(ev) : -1;
    json_t *rs = json_object_get(o, "reasons");
    json_t *r0 = json_is_array(rs) ? json_array_get(rs, 0) : NULL;
    v->reason = json_is_string(r0) ? warden_xstrdup(json_string_value(r0)) : NULL;
    v->reasons = NULL;
    if (json_is_array(rs) && json_array_size(rs)) {
        struct warden_jbuf b;
        warden_jbuf_init(&b);
        for (size_t i = 0; i < json_array_size(rs); i++) {
            json_t *r = json_array_get(rs, i);
            if (!json_is_string(r)) continue;
            if (b.len) warden_jbuf_raw(&b, ", ", 2);
            warden_jbuf_raw(&b, json_string_value(r), strlen(json_string_value(r)));
        }
        v->reasons = warden_xstrdup(warden_jbuf_str(&b));
        warden_jbuf_fini(&b);
    }
    v->cluster_id = opt_str(o, "cluster_id");
    if (!in->meta.policy_sha256) in->meta.policy_sha256 = opt_str(o, "policy");
    if (!in->meta.run_id) in->meta.run_id = opt_str(o, "run_id");
    json_t *sh = json_object_get(o, "shadow");
    if (!in->meta.shadow_known && json_is_boolean(sh)) {
        in->meta.shadow = json_is_true(sh);
        in->meta.shadow_known = true;
    }
    return 0;
}

int warden_bt_load_truth(struct warden_bt_input *in, const char *path)
{
    return load_lines(in, path, truth_line);
}

int warden_bt_load_verdicts(struct warden_bt_input *in, const char *path)
{
    return load_lines(in, path, verdict_line);
}

void warden_bt_meta_input(struct warden_bt_meta *m, const char *role, const char *path)
{
    if (!path || m->ninputs == WARDEN_BT_MAX_INPUTS) return;
    char hex[65] = "";
    int fd = strcmp(path, "-") == 0 ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (warden_sha256_fd(fd, hex) != 0) hex[0] = 0;
        close(fd);
    }
    m->inputs[m->ninputs].role = warden_xstrdup(role);
    m->inputs[m->ninputs].path = warden_xstrdup(path);
    m->inputs[m->ninputs].sha256 = hex[0] ? warden_xstrdup(hex) : NULL;
    m->ninputs++;
}

static void meta_fini(struct warden_bt_meta *m)
{
    free(m->policy_sha256);
    free(m->run_id);
    free(m->policy_path);
    free(m->version);
    free(m->date);
    free(m->scenario);
    for (size_t i = 0; i < m->ninputs; i++) {
        free(m->inputs[i].role);
        free(m->inputs[i].path);
        free(m->inputs[i].sha256);
    }
}

void warden_bt_input_fini(struct warden_bt_input *in)
{
    for (size_t i = 0; i < in->ntruth; i++) {
        free(in->truth[i].account_id);
        free(in->truth[i].label);
        free(in->truth[i].kind);
        free(in->truth[i].cluster);
    }
    for (size_t i = 0; i < in->nverdicts; i++) {
        free(in->verdicts[i].account_id);
        free(in->verdicts[i].reason);
        free(in->verdicts[i].reasons);
        free(in->verdicts[i].cluster_id);
    }
    free(in->truth);
    free(in->verdicts);
    meta_fini(&in->meta);
    memset(in, 0, sizeof *in);
}

/* Truth rows of clustered accounts, sorted by account id, for the lookup below. */
static int cmp_truth_ptr(const void *a, const void *b)
{
    const struct warden_bt_truth *x = *(const struct warden_bt_truth *const *)a;
    const struct warden_bt_truth *y = *(const struct warden_bt_truth *const *)b;
    return strcmp(x->account_id, y->account_id);
}

static struct warden_bt_truth *find_truth(struct warden_bt_truth **idx, size_t n,
                                          struct warden_str id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = idx[mid]->account_id;
        int c = strncmp(k, id.p, id.n);
        if (c == 0) c = k[id.n] ? 1 : 0;
        if (c == 0) return idx[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int warden_bt_first_seen(struct warden_bt_input *in, char *const *files, int nfiles)
{
    struct warden_bt_truth **idx = warden_xcalloc(in->ntruth + 1, sizeof *idx);
    size_t n = 0;
    for (size_t i = 0; i < in->ntruth; i++)
        if (in->truth[i].cluster) idx[n++] = &in->truth[i];
    int rc = 0;
    if (n == 0) goto out;
    qsort(idx, n, sizeof *idx, cmp_truth_ptr);
    for (int f = 0; f < nfiles && rc == 0; f++) {
        char err[256], why[128];
        void *src = NULL;
        if (warden_source_jsonl.open(&src, files[f], 0, err, sizeof err) < 0) {
            warden_err("backtest: %s", err);
            rc = WARDEN_EIO;
            break;
        }
        struct warden_raw_line raw;
        int r;
        while ((r = warden_source_jsonl.next(src, &raw, err, sizeof err)) == 1) {
            struct warden_event ev;
            if (!raw.line || warden_event_decode(raw.line, raw.len, &ev, why, sizeof why) < 0 ||
                !ev.account_id.p)
                continue;
            struct warden_bt_truth *t = find_truth(idx, n, ev.account_id);
            if (t && (t->first_ts == 0 || ev.ts_ms < t->first_ts)) t->first_ts = ev.ts_ms;
        }
        if (r < 0) {
            warden_err("backtest: %s", err);
            rc = WARDEN_EIO;
        }
        warden_source_jsonl.close(src);
    }
out:
    free(idx);
    if (rc == 0) in->first_seen = true;
    return rc;
}
