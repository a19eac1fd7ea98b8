/* report.c — the backtest's text table (for people) and JSON (for machines),
 * both with what was run, kinds never actioned and the wrong accounts. */
#include "backtest/backtest.h"
#include "core/jbuf.h"

#include <math.h>
#include <string.h>

static void pct(FILE *out, double v)
{
    if (v < 0)
        fprintf(out, "  %6s", "-");
    else
        fprintf(out, "  %6.3f", v);
}

static void num(FILE *out, double v)
{
    if (v < 0)
        fprintf(out, "  %7s", "-");
    else
        fprintf(out, "  %7.0f", v);
}

static void ratio_out(FILE *out, double v)
{
    if (v < 0)
        fputs("-", out);
    else
        fprintf(out, "%.3f", v);
}

void warden_bt_anchor(char *buf, size_t n, const struct warden_bt_result *r, size_t i)
{
    const char *id = r->wrong[i].account_id;
    size_t len = (size_t)snprintf(buf, n, "acct-");
    bool changed = false;
    for (const char *p = id; *p && len + 1 < n; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        buf[len++] = ok ? c : '_';
        changed |= !ok;
    }
    buf[len] = 0;
    if (changed && len < n) snprintf(buf + len, n - len, "-%zu", i);
}

static void run_text(FILE *out, const struct warden_bt_result *r)
{
    const struct warden_bt_meta *m = r->meta;
    if (!m) return;
    fprintf(out, "run: policy %s%s%s%s, warden %s, %s", m->policy_sha256 ? m->policy_sha256 : "-",
            m->policy_path ? " (" : "", m->policy_path ? m->policy_path : "",
            m->policy_path ? ")" : "", m->version ? m->version : "-", m->date ? m->date : "-");
    if (m->scenario) fprintf(out, ", scenario %s", m->scenario);
    if (m->seed_known) fprintf(out, ", seed %lld", (long long)m->seed);
    if (m->shadow_known && m->shadow) fputs(", shadow", out);
    fputc('\n', out);
    for (size_t i = 0; i < m->ninputs; i++)
        fprintf(out, "  %-9s %s  %s\n", m->inputs[i].role,
                m->inputs[i].sha256 ? m->inputs[i].sha256 : "(not hashed)", m->inputs[i].path);
    fputc('\n', out);
}

static void wrong_text(FILE *out, const struct warden_bt_result *r)
{
    bool first = true;
    for (size_t i = 0; i < r->nkinds; i++) {
        if (!warden_bt_zero_recall(&r->kinds[i])) continue;
        fprintf(out, "%s%s (%zu)", first ? "\nkinds never actioned (recall 0): " : ", ",
                r->kinds[i].name, r->kinds[i].accounts);
        first = false;
    }
    if (!first) fputc('\n', out);
    fprintf(out, "wrong accounts: %zu false positives, %zu misses", r->false_positives, r->misses);
    if (r->nwrong) fprintf(out, " (listed with their evidence by --json and --report)");
    fputc('\n', out);
}

/* Cross-account lines (clusters.c). */
static void cross_text(FILE *out, const struct warden_bt_cross *x)
{
    fprintf(out, "attack clusters with >= 90 %% of accounts actioned: %zu of %zu\n", x->clusters_90,
            x->attack_clusters);
    fprintf(out,
            "slow-and-low (cluster members of the kinds whose median member sent 15-40 "
            "requests: %s): "
            "recall ",
            x->slow_kinds[0] ? x->slow_kinds : "none");
    ratio_out(out, x->slow_recall);
    fprintf(out, " (%zu/%zu)\n", x->slow_actioned, x->slow_accounts);
    fprintf(out,
            "joiners: %zu, actioned %zu; requests served before first action (never "
            "actioned: all they sent) median ",
            x->joiners, x->joiners_actioned);
    if (x->joiner_p50 < 0)
        fprintf(out, "-, p90 -\n");
    else
        fprintf(out, "%.0f, p90 %.0f\n", x->joiner_p50, x->joiner_p90);
    if (!x->late_known)
        fprintf(out, "late joiners (first request after their cluster's first action): "
                     "unknown without the events\n");
    else if (x->late_joiners == 0)
        fprintf(out, "late joiners (first request after their cluster's first action): 0\n");
    else
        fprintf(out,
                "late joiners (first request after their cluster's first action): %zu, "
                "actioned %zu; served before first action median %.0f, p90 %.0f\n",
                x->late_joiners, x->late_joiners_actioned, x->late_joiner_p50, x->late_joiner_p90);
    fprintf(out,
            "benign clusters formed: %zu benign accounts in verdict clusters; %zu clusters "
            "of benign accounts only, %zu mixed with attackers\n",
            x->benign_clustered, x->benign_only_clusters, x->mixed_clusters);
    for (int look = 1; look >= 0; look--) {
        fprintf(out, "  %s:",
                look ? "look-alikes (share identifiers with strangers)"
                     : "other benign kinds in clusters");
        bool any = false;
        for (size_t i = 0; i < x->nbenign; i++) {
            const struct warden_bt_benign_kind *b = &x->benign[i];
            if (b->lookalike != (look == 1) || (!look && !b->clustered)) continue;
            fprintf(out, "%s %s %zu/%zu in %zu clusters", any ? "," : "", b->kind, b->clustered,
                    b->accounts, b->clusters);
            any = true;
        }
        fprintf(out, "%s\n", any ? "" : " none");
    }
}

static void tells_text(FILE *out, const struct warden_bt_result *r)
{
    if (!r->ntells) return;
    fprintf(out, "circumvention by what the account gives away (truth tells): actioned / accounts "
                 "(enforced)\n");
    fprintf(out, "  %-34s", "");
    for (int c = 0; c < WARDEN_BT_TELL_CLASSES; c++)
        fprintf(out, "  %-22s", warden_bt_tell_class_names[c]);
    fputc('\n', out);
    for (size_t i = 0; i < r->ntells; i++) {
        const struct warden_bt_tell_row *t = &r->tells[i];
        fprintf(out, "  %-34s", t->kind);
        for (int c = 0; c < WARDEN_BT_TELL_CLASSES; c++) {
            char cell[64];
            snprintf(cell, sizeof cell, "%zu/%zu (%zu)", t->actioned[c], t->accounts[c],
                     t->enforced[c]);
            fprintf(out, "  %-22s", cell);
        }
        fputc('\n', out);
    }
}

static void group_row(FILE *out, const struct warden_bt_group *g, int indent)
{
    fprintf(out, "%*s%-*s %8zu  %8zu", indent, "", 34 - indent, g->name, g->accounts, g->actioned);
    if (g->benign) {
        fprintf(out, "  %6s  %6s", "-", "-");
        fprintf(out, "  %8zu  %6s  %6s", g->enforced, "-", "-");
        fprintf(out, "  %7s  %7s", "-", "-");
        fprintf(out, "  fpr %.4f / %.4f\n", g->fpr_actioned, g->fpr_enforced);
        return;
    }
    pct(out, g->precision_actioned);
    pct(out, g->recall_actioned);
    fprintf(out, "  %8zu", g->enforced);
    pct(out, g->precision_enforced);
    pct(out, g->recall_enforced);
    num(out, g->served_p50);
    num(out, g->served_p90);
    fprintf(out, "  never %zu\n", g->never_actioned);
}

void warden_bt_report_text(FILE *out, const struct warden_bt_result *r)
{
    fprintf(out,
            "warden backtest: %zu accounts (%zu benign, %zu attack), %zu with a verdict, "
            "%zu verdicts for accounts not in truth\n\n",
            r->accounts, r->negatives, r->positives, r->with_verdict, r->unknown_verdicts);
    run_text(out, r);
    fprintf(out, "%-34s %8s  %8s  %6s  %6s  %8s  %6s  %6s  %7s  %7s\n", "label / kind", "accounts",
            "actioned", "prec", "recall", "enforced", "prec", "recall", "srv p50", "srv p90");
    for (size_t i = 0; i < r->nlabels; i++) {
        const struct warden_bt_group *l = &r->labels[i];
        group_row(out, l, 0);
        size_t n = strlen(l->name);
        for (size_t k = 0; k < r->nkinds; k++)
            if (strncmp(r->kinds[k].name, l->name, n) == 0 &&
                (r->kinds[k].name[n] == '.' || r->kinds[k].name[n] == '\0') &&
                strcmp(r->kinds[k].name, l->name) != 0)
                group_row(out, &r->kinds[k], 2);
    }
    fprintf(out, "\nall attack labels: actioned precision ");
    ratio_out(out, r->precision_actioned);
    fprintf(out, " recall ");
    ratio_out(out, r->recall_actioned);
    fprintf(out, "; enforced precision ");
    ratio_out(out, r->precision_enforced);
    fprintf(out, " recall ");
    ratio_out(out, r->recall_enforced);
    fputc('\n', out);
    fprintf(out, "benign false-positive rate: actioned %.4f (%zu), enforced %.4f (%zu)\n",
            r->fpr_actioned, r->fp_actioned, r->fpr_enforced, r->fp_enforced);
    fprintf(out, "requests served before first action (actioned attackers): median ");
    if (r->served_p50 < 0)
        fprintf(out, "-, p90 -\n");
    else
        fprintf(out, "%.0f, p90 %.0f\n", r->served_p50, r->served_p90);
    fprintf(out, "clusters: %zu, mean coverage %.3f, fully actioned %zu, untouched %zu\n",
            r->nclusters, r->cluster_mean_coverage < 0 ? 0 : r->cluster_mean_coverage,
            r->clusters_full, r->clusters_untouched);
    /* per cluster, when there are few enough to read */
    if (r->nclusters > 0 && r->nclusters <= 40) {
        for (size_t i = 0; i < r->nclusters; i++) {
            const struct warden_bt_cluster *c = &r->clusters[i];
            fprintf(out, "  %-12s %-34s %zu/%zu actioned (%.0f %%)\n", c->name,
                    c->kind ? c->kind : "", c->actioned, c->accounts, 100.0 * c->coverage);
        }
    }
    cross_text(out, &r->cross);
    tells_text(out, r);
    if (r->auc >= 0) fprintf(out, "score ROC AUC %.4f\n", r->auc);
    if (r->average_precision >= 0)
        fprintf(out, "score average precision %.4f\n", r->average_precision);
    wrong_text(out, r);
    bool header = false;
    for (size_t i = 0; i < r->nkinds; i++) {
        const struct warden_bt_group *g = &r->kinds[i];
        if (!g->nreasons) continue;
        if (!header) fprintf(out, "\nleading reason of actioned accounts, by kind:\n");
        header = true;
        fprintf(out, "  %-34s", g->name);
        for (size_t k = 0; k < g->nreasons; k++)
            fprintf(out, "%s%s %zu", k ? ", " : " ", g->reasons[k].code, g->reasons[k].accounts);
        fputc('\n', out);
    }
    fprintf(out, "\nprec = one-vs-benign precision; recall = share of the group actioned; "
                 "srv = requests served before the first action; fpr = actioned / enforced "
                 "share of a benign kind.\n");
}

static void kv_ratio(struct warden_jbuf *b, const char *k, double v)
{
    if (v < 0 || isnan(v)) {
        warden_jbuf_key(b, k);
        warden_jbuf_null(b);
    } else {
        warden_jbuf_kv_num(b, k, v);
    }
}

static void cross_json(struct warden_jbuf *b, const struct warden_bt_cross *x)
{
    warden_jbuf_key(b, "cross_account");
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_int(b, "attack_clusters", (int64_t)x->attack_clusters);
    warden_jbuf_kv_int(b, "clusters_90", (int64_t)x->clusters_90);
    warden_jbuf_kv_str(b, "slow_low_kinds", x->slow_kinds);
    warden_jbuf_kv_int(b, "slow_low_accounts", (int64_t)x->slow_accounts);
    warden_jbuf_kv_int(b, "slow_low_actioned", (int64_t)x->slow_actioned);
    kv_ratio(b, "slow_low_recall", x->slow_recall);
    warden_jbuf_kv_int(b, "joiners", (int64_t)x->joiners);
    warden_jbuf_kv_int(b, "joiners_actioned", (int64_t)x->joiners_actioned);
    kv_ratio(b, "joiner_served_p50", x->joiner_p50);
    kv_ratio(b, "joiner_served_p90", x->joiner_p90);
    if (x->late_known) {
        warden_jbuf_kv_int(b, "late_joiners", (int64_t)x->late_joiners);
        warden_jbuf_kv_int(b, "late_joiners_actioned", (int64_t)x->late_joiners_actioned);
        kv_ratio(b, "late_joiner_served_p50", x->late_joiner_p50);
        kv_ratio(b, "late_joiner_served_p90", x->late_joiner_p90);
    }
    warden_jbuf_kv_int(b, "benign_clustered", (int64_t)x->benign_clustered);
    warden_jbuf_kv_int(b, "benign_only_clusters", (int64_t)x->benign_only_clusters);
    warden_jbuf_kv_int(b, "mixed_clusters", (int64_t)x->mixed_clusters);
    warden_jbuf_key(b, "benign_kinds");
    warden_jbuf_arr_open(b);
    for (size_t i = 0; i < x->nbenign; i++) {
        const struct warden_bt_benign_kind *k = &x->benign[i];
        warden_jbuf_obj_open(b);
        warden_jbuf_kv_str(b, "kind", k->kind);
        warden_jbuf_kv_bool(b, "lookalike", k->lookalike);
        warden_jbuf_kv_int(b, "accounts", (int64_t)k->accounts);
        warden_jbuf_kv_int(b, "clustered", (int64_t)k->clustered);
        warden_jbuf_kv_int(b, "clusters", (int64_t)k->clusters);
        warden_jbuf_obj_close(b);
    }
    warden_jbuf_arr_close(b);
    warden_jbuf_obj_close(b);
}

static void group_json(struct warden_jbuf *b, const struct warden_bt_group *g)
{
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_str(b, "name", g->name);
    warden_jbuf_kv_bool(b, "benign", g->benign);
    warden_jbuf_kv_int(b, "accounts", (int64_t)g->accounts);
    warden_jbuf_kv_int(b, "actioned", (int64_t)g->actioned);
    warden_jbuf_kv_int(b, "enforced", (int64_t)g->enforced);
    kv_ratio(b, "precision_actioned", g->precision_actioned);
    kv_ratio(b, "recall_actioned", g->recall_actioned);
    kv_ratio(b, "precision_enforced", g->precision_enforced);
    kv_ratio(b, "recall_enforced", g->recall_enforced);
    kv_ratio(b, "fpr_actioned", g->fpr_actioned);
    kv_ratio(b, "fpr_enforced", g->fpr_enforced);
    if (!g->benign) warden_jbuf_kv_int(b, "never_actioned", (int64_t)g->never_actioned);
    kv_ratio(b, "served_before_action_p50", g->served_p50);
    kv_ratio(b, "served_before_action_p90", g->served_p90);
    warden_jbuf_key(b, "reasons");
    warden_jbuf_obj_open(b);
    for (size_t i = 0; i < g->nreasons; i++)
        warden_jbuf_kv_int(b, g->reasons[i].code, (int64_t)g->reasons[i].accounts);
    warden_jbuf_obj_close(b);
    warden_jbuf_obj_close(b);
}

static void run_json(struct warden_jbuf *b, const struct warden_bt_meta *m)
{
    warden_jbuf_key(b, "run");
    if (!m) {
        warden_jbuf_null(b);
        return;
    }
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_str(b, "policy_sha256", m->policy_sha256);
    warden_jbuf_kv_str(b, "policy_path", m->policy_path);
    warden_jbuf_kv_str(b, "run_id", m->run_id);
    warden_jbuf_key(b, "shadow");
    if (m->shadow_known)
        warden_jbuf_bool(b, m->shadow);
    else
        warden_jbuf_null(b);
    warden_jbuf_kv_str(b, "version", m->version);
    warden_jbuf_kv_str(b, "date", m->date);
    warden_jbuf_kv_str(b, "scenario", m->scenario);
    warden_jbuf_key(b, "seed");
    if (m->seed_known)
        warden_jbuf_int(b, m->seed);
    else
        warden_jbuf_null(b);
    warden_jbuf_key(b, "inputs");
    warden_jbuf_arr_open(b);
    for (size_t i = 0; i < m->ninputs; i++) {
        warden_jbuf_obj_open(b);
        warden_jbuf_kv_str(b, "role", m->inputs[i].role);
        warden_jbuf_kv_str(b, "path", m->inputs[i].path);
        warden_jbuf_kv_str(b, "sha256", m->inputs[i].sha256);
        warden_jbuf_obj_close(b);
    }
    warden_jbuf_arr_close(b);
    warden_jbuf_obj_close(b);
}

static void wrong_json(struct warden_jbuf *b, const struct warden_bt_result *r)
{
    warden_jbuf_key(b, "zero_recall_kinds");
    warden_jbuf_arr_open(b);
    for (size_t i = 0; i < r->nkinds; i++)
        if (warden_bt_zero_recall(&r->kinds[i])) warden_jbuf_cstr(b, r->kinds[i].name);
    warden_jbuf_arr_close(b);
    warden_jbuf_key(b, "wrong_accounts");
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_int(b, "false_positives", (int64_t)r->false_positives);
    warden_jbuf_kv_int(b, "misses", (int64_t)r->misses);
    warden_jbuf_kv_int(b, "listed", (int64_t)r->nwrong);
    warden_jbuf_kv_bool(b, "evidence", r->evidence_loaded);
    warden_jbuf_key(b, "list");
    warden_jbuf_arr_open(b);
    for (size_t i = 0; i < r->nwrong; i++) {
        const struct warden_bt_wrong *w = &r->wrong[i];
        char anchor[160];
        warden_bt_anchor(anchor, sizeof anchor, r, i);
        warden_jbuf_obj_open(b);
        warden_jbuf_kv_str(b, "account_id", w->account_id);
        warden_jbuf_kv_str(b, "anchor", anchor);
        warden_jbuf_kv_str(b, "wrong", w->false_positive ? "false_positive" : "miss");
        warden_jbuf_kv_str(b, "label", w->label);
        warden_jbuf_kv_str(b, "kind", w->kind);
        static const char *const act[] = {"allow", "review", "throttle", "block"};
        warden_jbuf_kv_str(b, "action", act[w->action]);
        warden_jbuf_kv_num(b, "score", w->score);
        warden_jbuf_key(b, "reasons"); /* the verdict's codes, most important first */
        warden_jbuf_arr_open(b);
        for (const char *p = w->reasons; p && *p;) {
            const char *e = strstr(p, ", ");
            size_t n = e ? (size_t)(e - p) : strlen(p);
            warden_jbuf_str_val(b, p, n);
            p = e ? e + 2 : p + n;
        }
        warden_jbuf_arr_close(b);
        warden_jbuf_kv_int(b, "findings", (int64_t)w->nfindings);
        warden_jbuf_key(b, "top_findings");
        warden_jbuf_arr_open(b);
        for (size_t k = 0; k < w->ntop; k++) {
            warden_jbuf_obj_open(b);
            warden_jbuf_kv_str(b, "code", w->top[k].code);
            warden_jbuf_kv_num(b, "score", w->top[k].score);
            warden_jbuf_kv_str(b, "evidence_summary", w->top[k].evidence);
            warden_jbuf_obj_close(b);
        }
        warden_jbuf_arr_close(b);
        warden_jbuf_obj_close(b);
    }
    warden_jbuf_arr_close(b);
    warden_jbuf_obj_close(b);
}

static void pr_json(struct warden_jbuf *b, const struct warden_bt_result *r)
{
    kv_ratio(b, "average_precision", r->average_precision);
    warden_jbuf_key(b, "pr");
    warden_jbuf_arr_open(b);
    for (size_t i = 0; i < r->npr; i++) {
        warden_jbuf_obj_open(b);
        warden_jbuf_kv_num(b, "threshold", r->pr[i].threshold);
        warden_jbuf_kv_num(b, "precision", r->pr[i].precision);
        warden_jbuf_kv_num(b, "recall", r->pr[i].recall);
        warden_jbuf_obj_close(b);
    }
    warden_jbuf_arr_close(b);
}

void warden_bt_report_json(FILE *out, const struct warden_bt_result *r)
{
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    warden_jbuf_obj_open(&b);
    run_json(&b, r->meta);
    warden_jbuf_kv_int(&b, "accounts", (int64_t)r->accounts);
    warden_jbuf_kv_int(&b, "benign", (int64_t)r->negatives);
    warden_jbuf_kv_int(&b, "attack", (int64_t)r->positives);
    warden_jbuf_kv_int(&b, "with_verdict", (int64_t)r->with_verdict);
    warden_jbuf_kv_int(&b, "verdicts_not_in_truth", (int64_t)r->unknown_verdicts);
    kv_ratio(&b, "precision_actioned", r->precision_actioned);
    kv_ratio(&b, "recall_actioned", r->recall_actioned);
    kv_ratio(&b, "precision_enforced", r->precision_enforced);
    kv_ratio(&b, "recall_enforced", r->recall_enforced);
    kv_ratio(&b, "fpr_actioned", r->fpr_actioned);
    kv_ratio(&b, "fpr_enforced", r->fpr_enforced);
    kv_ratio(&b, "served_before_action_p50", r->served_p50);
    kv_ratio(&b, "served_before_action_p90", r->served_p90);
    kv_ratio(&b, "roc_auc", r->auc);
    warden_jbuf_key(&b, "labels");
    warden_jbuf_arr_open(&b);
    for (size_t i = 0; i < r->nlabels; i++) group_json(&b, &r->labels[i]);
    warden_jbuf_arr_close(&b);
    warden_jbuf_key(&b, "kinds");
    warden_jbuf_arr_open(&b);
    for (size_t i = 0; i < r->nkinds; i++) group_json(&b, &r->kinds[i]);
    warden_jbuf_arr_close(&b);
    warden_jbuf_key(&b, "clusters");
    warden_jbuf_obj_open(&b);
    warden_jbuf_kv_int(&b, "count", (int64_t)r->nclusters);
    kv_ratio(&b, "mean_coverage", r->cluster_mean_coverage);
    warden_jbuf_kv_int(&b, "fully_actioned", (int64_t)r->clusters_full);
    warden_jbuf_kv_int(&b, "untouched", (int64_t)r->clusters_untouched);
    warden_jbuf_key(&b, "list");
    warden_jbuf_arr_open(&b);
    for (size_t i = 0; i < r->nclusters; i++) {
        const struct warden_bt_cluster *c = &r->clusters[i];
        warden_jbuf_obj_open(&b);
        warden_jbuf_kv_str(&b, "cluster", c->name);
        warden_jbuf_kv_str(&b, "kind", c->kind);
        warden_jbuf_kv_int(&b, "accounts", (int64_t)c->accounts);
        warden_jbuf_kv_int(&b, "actioned", (int64_t)c->actioned);
        kv_ratio(&b, "coverage", c->coverage);
        warden_jbuf_obj_close(&b);
    }
    warden_jbuf_arr_close(&b);
    warden_jbuf_obj_close(&b);
    cross_json(&b, &r->cross);
    if (r->ntells) {
        warden_jbuf_key(&b, "by_tells");
        warden_jbuf_arr_open(&b);
        for (size_t i = 0; i < r->ntells; i++) {
            const struct warden_bt_tell_row *t = &r->tells[i];
            for (int c = 0; c < WARDEN_BT_TELL_CLASSES; c++) {
                warden_jbuf_obj_open(&b);
                warden_jbuf_kv_str(&b, "kind", t->kind);
                warden_jbuf_kv_str(&b, "tells", warden_bt_tell_class_names[c]);
                warden_jbuf_kv_int(&b, "accounts", (int64_t)t->accounts[c]);
                warden_jbuf_kv_int(&b, "actioned", (int64_t)t->actioned[c]);
                warden_jbuf_kv_int(&b, "enforced", (int64_t)t->enforced[c]);
                warden_jbuf_obj_close(&b);
            }
        }
        warden_jbuf_arr_close(&b);
    }
    warden_jbuf_key(&b, "served_before_action_histogram");
    warden_jbuf_obj_open(&b);
    for (int i = 0; i < WARDEN_BT_DELAY_BUCKETS; i++)
        warden_jbuf_kv_int(&b, warden_bt_delay_bucket_names[i], (int64_t)r->delay_hist[i]);
    warden_jbuf_obj_close(&b);
    warden_jbuf_key(&b, "roc");
    warden_jbuf_arr_open(&b);
    for (size_t i = 0; i < r->nroc; i++) {
        warden_jbuf_obj_open(&b);
        if (isinf(r->roc[i].threshold)) {
            warden_jbuf_key(&b, "threshold");
            warden_jbuf_null(&b);
        } else {
            warden_jbuf_kv_num(&b, "threshold", r->roc[i].threshold);
        }
        warden_jbuf_kv_num(&b, "fpr", r->roc[i].fpr);
        warden_jbuf_kv_num(&b, "tpr", r->roc[i].tpr);
        warden_jbuf_obj_close(&b);
    }
    warden_jbuf_arr_close(&b);
    pr_json(&b, r);
    wrong_json(&b, r);
    warden_jbuf_obj_close(&b);
    fputs(warden_jbuf_str(&b), out);
    fputc('\n', out);
    warden_jbuf_fini(&b);
}
