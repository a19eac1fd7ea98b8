/* wrong.c — the accounts an analyst should look at after a backtest: benign
 * accounts that were actioned (false positives) and attack accounts that
 * were not (misses), each with its kind, action, score and reasons, and,
 * from the scan's findings.jsonl, its strongest findings with a short
 * evidence summary, so a miss shows what was seen and stayed below the
 * policy, and a false positive what fired. At most WARDEN_BT_WRONG_MAX of
 * each are listed (the counts are of all); findings are kept only for
 * listed accounts, a few per account. */
#include "backtest/backtest.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_wrong(const void *a, const void *b)
{
    const struct warden_bt_wrong *x = a, *y = b;
    if (x->false_positive != y->false_positive) return x->false_positive ? -1 : 1;
    if (x->false_positive && x->score != y->score) return x->score > y->score ? -1 : 1;
    int k = strcmp(x->kind, y->kind);
    if (k) return k;
    if (x->score != y->score) return x->score > y->score ? -1 : 1; /* nearest misses first */
    return strcmp(x->account_id, y->account_id);
}

void warden_bt_wrong_accounts(const struct warden_bt_input *in,
                              const struct warden_bt_verdict *const *v, struct warden_bt_result *r)
{
    r->wrong = warden_xcalloc(1, sizeof *r->wrong);
    size_t cap = 1;
    for (size_t i = 0; i < in->ntruth; i++) {
        const struct warden_bt_truth *t = &in->truth[i];
        bool benign = strcmp(t->label, "benign") == 0;
        bool act = v[i] && v[i]->action >= WARDEN_BT_REVIEW;
        if (benign == !act) continue; /* right */
        size_t *count = benign ? &r->false_positives : &r->misses;
        if ((*count)++ >= WARDEN_BT_WRONG_MAX) continue;
        if (r->nwrong == cap) {
            cap *= 2;
            r->wrong = warden_xrealloc(r->wrong, cap * sizeof *r->wrong);
        }
        struct warden_bt_wrong *w = &r->wrong[r->nwrong++];
        memset(w, 0, sizeof *w);
        w->account_id = t->account_id;
        w->label = t->label;
        w->kind = t->kind ? t->kind : t->label;
        w->false_positive = benign;
        w->action = v[i] ? v[i]->action : WARDEN_BT_ALLOW;
        w->score = v[i] ? v[i]->score : 0;
        w->reasons = v[i] ? v[i]->reasons : NULL;
    }
    qsort(r->wrong, r->nwrong, sizeof *r->wrong, cmp_wrong);
}

struct wref {
    const char *id;
    struct warden_bt_wrong *w;
};

static int cmp_wref(const void *a, const void *b)
{
    return strcmp(((const struct wref *)a)->id, ((const struct wref *)b)->id);
}

/* Keep f among w's strongest findings. */
static void keep(struct warden_bt_wrong *w, const char *code, double score, json_t *evidence)
{
    w->nfindings++;
    size_t at = w->ntop;
    while (at > 0 && w->top[at - 1].score < score) at--;
    if (at >= WARDEN_BT_WRONG_FINDINGS) return;
    if (w->ntop == WARDEN_BT_WRONG_FINDINGS) {
        free(w->top[w->ntop - 1].code);
        free(w->top[w->ntop - 1].evidence);
        w->ntop--;
    }
    memmove(&w->top[at + 1], &w->top[at], (w->ntop - at) * sizeof w->top[0]);
    w->ntop++;
    w->top[at].code = warden_xstrdup(code);
    w->top[at].score = score;
    char *ev = evidence ? json_dumps(evidence, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (ev && strlen(ev) > 240) strcpy(ev + 236, "...");
    w->top[at].evidence = warden_xstrdup(ev ? ev : "{}");
    free(ev);
}

int warden_bt_wrong_evidence(struct warden_bt_result *r, const char *findings_path)
{
    FILE *f = fopen(findings_path, "r");
    if (!f) return WARDEN_EIO;
    struct wref *idx = warden_xcalloc(r->nwrong + 1, sizeof *idx);
    for (size_t i = 0; i < r->nwrong; i++)
        idx[i] = (struct wref){r->wrong[i].account_id, &r->wrong[i]};
    qsort(idx, r->nwrong, sizeof *idx, cmp_wref);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (r->nwrong && (n = getline(&line, &cap, f)) > 0) {
        json_t *o = json_loadb(line, (size_t)n, 0, NULL);
        json_t *id = json_object_get(o, "account_id"), *code = json_object_get(o, "code");
        if (json_is_string(id) && json_is_string(code)) {
            struct wref key = {json_string_value(id), NULL};
            struct wref *hit = bsearch(&key, idx, r->nwrong, sizeof *idx, cmp_wref);
            json_t *sc = json_object_get(o, "score");
            if (hit)
                keep(hit->w, json_string_value(code),
                     json_is_number(sc) ? json_number_value(sc) : 0,
                     json_object_get(o, "evidence"));
        }
        json_decref(o);
    }
    free(line);
    free(idx);
    fclose(f);
    r->evidence_loaded = true;
    return 0;
}

void warden_bt_wrong_fini(struct warden_bt_result *r)
{
    for (size_t i = 0; i < r->nwrong; i++)
        for (size_t k = 0; k < r->wrong[i].ntop; k++) {
            free(r->wrong[i].top[k].code);
            free(r->wrong[i].top[k].evidence);
        }
    free(r->wrong);
    r->wrong = NULL;
    r->nwrong = 0;
}
