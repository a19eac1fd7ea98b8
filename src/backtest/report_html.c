/* report_html.c — a self-contained HTML backtest report an analyst can act
 * on: what was run (policy hash, inputs and their SHA-256, version, date,
 * scenario and seed), kinds never actioned at the top, summary and tables,
 * inline-SVG plots (ROC and precision-recall curve of the score, histogram
 * of requests served before the first action, recall of attack kinds and
 * false-positive rate of benign kinds each on its own scale), and every
 * wrong account (false positives, misses) with its reasons and strongest
 * findings, each row linkable by its anchor (#acct-ID). No scripts, fonts or
 * external resources; the markup is well-formed XML, so tools can parse it. */
#include "backtest/backtest.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "io/outputs.h"

#include <libgen.h>
#include <stdlib.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static void cell(FILE *f, double v, int decimals)
{
    if (v < 0)
        fputs("<td>-</td>", f);
    else {
        fputs("<td>", f);
        fprintf(f, "%.*f", decimals, v);
        fputs("</td>", f);
    }
}

static void roc_svg(FILE *f, const struct warden_bt_result *r)
{
    const int W = 360, H = 360, M = 40;
    fprintf(f, "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"ROC\">", W + M + 10,
            H + M + 10);
    fprintf(f, "<rect x=\"%d\" y=\"10\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>",
            M, W, H);
    fprintf(
        f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"10\" stroke=\"#ccc\" stroke-dasharray=\"4\"/>",
        M, H + 10, M + W);
    for (int t = 0; t <= 4; t++) { /* ticks at 0, .25, .5, .75, 1 */
        double v = t / 4.0;
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%.2g</text>",
                M + v * W, H + 24, v);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%.2g</text>",
                M - 4, 10 + (1 - v) * H + 4, v);
    }
    fputs("<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"", f);
    for (size_t i = 0; i < r->nroc; i++)
        fprintf(f, "%.1f,%.1f ", M + r->roc[i].fpr * W, 10 + (1 - r->roc[i].tpr) * H);
    fprintf(f, "%.1f,%.1f\"/>", (double)(M + W), 10.0);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\">false-positive rate</text>",
            M + W / 2 - 50, H + 40);
    fprintf(f,
            "<text x=\"12\" y=\"%d\" font-size=\"12\" transform=\"rotate(-90 12 "
            "%d)\">true-positive rate</text>",
            10 + H / 2 + 40, 10 + H / 2 + 40);
    if (r->auc >= 0)
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\">AUC %.3f</text>", M + W - 90, H - 10,
                r->auc);
    fputs("</svg>", f);
}

static void hist_svg(FILE *f, const struct warden_bt_result *r)
{
    const int W = 480, H = 240, M = 40;
    size_t mx = 1;
    for (int i = 0; i < WARDEN_BT_DELAY_BUCKETS; i++)
        if (r->delay_hist[i] > mx) mx = r->delay_hist[i];
    fprintf(f, "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"detection delay\">",
            W + M + 10, H + 60);
    double bw = (double)W / WARDEN_BT_DELAY_BUCKETS;
    for (int i = 0; i < WARDEN_BT_DELAY_BUCKETS; i++) {
        double h = (double)r->delay_hist[i] / (double)mx * H;
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2e86c1\"/>",
                M + i * bw + 4, 10 + H - h, bw - 8, h);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%zu</text>",
                M + i * bw + bw / 2, 10 + H - h - 3, r->delay_hist[i]);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                M + i * bw + bw / 2, H + 28, warden_bt_delay_bucket_names[i]);
    }
    fprintf(
        f,
        "<text x=\"%d\" y=\"%d\" font-size=\"12\">requests served before the first action</text>",
        M + 100, H + 50);
    fputs("</svg>", f);
}

static void pr_svg(FILE *f, const struct warden_bt_result *r)
{
    const int W = 360, H = 360, M = 40;
    fprintf(f,
            "<svg id=\"pr-curve\" width=\"%d\" height=\"%d\" role=\"img\" "
            "aria-label=\"precision-recall\">",
            W + M + 10, H + M + 10);
    fprintf(f, "<rect x=\"%d\" y=\"10\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>",
            M, W, H);
    for (int t = 0; t <= 4; t++) {
        double v = t / 4.0;
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%.2g</text>",
                M + v * W, H + 24, v);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%.2g</text>",
                M - 4, 10 + (1 - v) * H + 4, v);
    }
    fputs("<polyline class=\"pr\" fill=\"none\" stroke=\"#8e44ad\" stroke-width=\"2\" points=\"",
          f);
    for (size_t i = 0; i < r->npr; i++)
        fprintf(f, "%.1f,%.1f ", M + r->pr[i].recall * W, 10 + (1 - r->pr[i].precision) * H);
    fputs("\"/>", f);
    /* the policy's operating points: actioned and enforced */
    const double op[2][2] = {{r->recall_actioned, r->precision_actioned},
                             {r->recall_enforced, r->precision_enforced}};
    for (int k = 0; k < 2; k++) {
        if (op[k][0] < 0 || op[k][1] < 0) continue;
        fprintf(f,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"><title>%s: precision %.3f, "
                "recall %.3f</title></circle>",
                M + op[k][0] * W, 10 + (1 - op[k][1]) * H, k ? "#c0392b" : "#2e86c1",
                k ? "enforced" : "actioned", op[k][1], op[k][0]);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\">recall</text>", M + W / 2 - 20, H + 40);
    fprintf(
        f,
        "<text x=\"12\" y=\"%d\" font-size=\"12\" transform=\"rotate(-90 12 %d)\">precision</text>",
        10 + H / 2 + 30, 10 + H / 2 + 30);
    if (r->average_precision >= 0)
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\">AP %.3f</text>", M + 10, H - 10,
                r->average_precision);
    fputs("</svg>", f);
}

/* A round upper end for a scale holding v (0.0123 -> 0.02). */
static double nice_max(double v)
{
    if (v <= 0) return 1;
    double p = pow(10, floor(log10(v)));
    for (int m = 1; m <= 10; m++)
        if (m * p >= v) return m * p;
    return 10 * p;
}

/* One bar per kind of one side: recall of attack kinds (0-1) or the
 * false-positive rate of benign kinds, on a scale fitted to them. */
static void kind_bars_svg(FILE *f, const struct warden_bt_result *r, bool benign)
{
    const int W = 420, L = 250, RH = 20;
    size_t n = 0;
    double mx = 0;
    for (size_t i = 0; i < r->nkinds; i++) {
        const struct warden_bt_group *g = &r->kinds[i];
        if (g->benign != benign) continue;
        n++;
        double v = benign ? g->fpr_actioned : g->recall_actioned;
        if (v > mx) mx = v;
    }
    double scale = benign ? nice_max(mx) : 1.0;
    int h = (int)n * RH + 50;
    fprintf(f, "<svg id=\"%s\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
            benign ? "kind-fpr" : "kind-recall", L + W + 70, h,
            benign ? "false-positive rate of benign kinds" : "recall of attack kinds");
    size_t row = 0;
    for (size_t i = 0; i < r->nkinds; i++) {
        const struct warden_bt_group *g = &r->kinds[i];
        if (g->benign != benign) continue;
        double v = benign ? g->fpr_actioned : g->recall_actioned;
        if (v < 0) v = 0;
        double y = 10 + (double)row++ * RH;
        bool zero = warden_bt_zero_recall(g);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\"%s>", L - 6,
                y + 14, zero ? " fill=\"#c0392b\" font-weight=\"bold\"" : "");
        esc(f, g->name);
        fputs("</text>", f);
        fprintf(f, "<rect class=\"bar\" data-kind=\"");
        esc(f, g->name);
        fprintf(
            f,
            "\" data-value=\"%.6f\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
            v, L, y + 3, v / scale * W, RH - 6, benign ? "#e67e22" : "#27ae60");
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%.*f%s</text>",
                L + v / scale * W + 4, y + 14, benign ? 4 : 3, v, zero ? " never actioned" : "");
    }
    double y = 10 + (double)n * RH;
    fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#999\"/>", L, y + 2,
            L + W, y + 2);
    for (int t = 0; t <= 4; t++)
        fprintf(f,
                "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
                "text-anchor=\"middle\">%g</text>",
                L + t / 4.0 * W, y + 16, scale * t / 4.0);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>", L, h - 6,
            benign ? "false-positive rate (actioned share) of each benign kind"
                   : "recall (actioned share) of each attack kind");
    fputs("</svg>", f);
}

static void kv_row(FILE *f, const char *k, const char *v)
{
    fputs("<tr><th>", f);
    esc(f, k);
    fputs("</th><td>", f);
    esc(f, v ? v : "-");
    fputs("</td></tr>", f);
}

static void run_html(FILE *f, const struct warden_bt_meta *m)
{
    if (!m) return;
    fputs("<h2 id=\"run\">Run</h2>\n<table class=\"run\">", f);
    kv_row(f, "policy SHA-256", m->policy_sha256);
    kv_row(f, "policy file", m->policy_path);
    kv_row(f, "run id", m->run_id);
    kv_row(f, "shadow", m->shadow_known ? (m->shadow ? "yes" : "no") : NULL);
    kv_row(f, "Warden version", m->version);
    kv_row(f, "date", m->date);
    kv_row(f, "scenario", m->scenario);
    char seed[32];
    snprintf(seed, sizeof seed, "%lld", (long long)m->seed);
    kv_row(f, "seed", m->seed_known ? seed : NULL);
    fputs("</table>\n<table class=\"inputs\"><tr><th>input</th><th>file</th><th>SHA-256</th></tr>",
          f);
    for (size_t i = 0; i < m->ninputs; i++) {
        fputs("<tr><td>", f);
        esc(f, m->inputs[i].role);
        fputs("</td><td>", f);
        esc(f, m->inputs[i].path);
        fputs("</td><td><code>", f);
        esc(f, m->inputs[i].sha256 ? m->inputs[i].sha256 : "(not hashed)");
        fputs("</code></td></tr>", f);
    }
    fputs("</table>\n", f);
}

/* The first listed miss of a kind, or SIZE_MAX. */
static size_t first_miss(const struct warden_bt_result *r, const char *kind)
{
    for (size_t i = 0; i < r->nwrong; i++)
        if (!r->wrong[i].false_positive && strcmp(r->wrong[i].kind, kind) == 0) return i;
    return (size_t)-1;
}

static void highlights_html(FILE *f, const struct warden_bt_result *r)
{
    bool any = false;
    for (size_t i = 0; i < r->nkinds; i++) {
        const struct warden_bt_group *g = &r->kinds[i];
        if (!warden_bt_zero_recall(g)) continue;
        if (!any)
            fputs("<div class=\"alert\" id=\"zero-recall\"><strong>Kinds never actioned (recall "
                  "0):</strong><ul>",
                  f);
        any = true;
        fputs("<li class=\"zero-kind\">", f);
        size_t m = first_miss(r, g->name);
        if (m != (size_t)-1) {
            char a[160];
            warden_bt_anchor(a, sizeof a, r, m);
            fprintf(f, "<a href=\"#%s\">", a);
        }
        esc(f, g->name);
        if (m != (size_t)-1) fputs("</a>", f);
        fprintf(f, " &#8212; %zu accounts, none actioned</li>", g->accounts);
    }
    if (any) fputs("</ul></div>\n", f);
}

static void wrong_table(FILE *f, const struct warden_bt_result *r, bool fp)
{
    size_t total = fp ? r->false_positives : r->misses, listed = 0;
    for (size_t i = 0; i < r->nwrong; i++) listed += r->wrong[i].false_positive == fp;
    fprintf(f, "<h3 id=\"%s\">%s: %zu</h3>\n", fp ? "false-positives" : "misses",
            fp ? "False positives (benign accounts actioned)"
               : "Misses (attack accounts not actioned)",
            total);
    if (listed < total) fprintf(f, "<p>The first %zu are listed.</p>\n", listed);
    if (!listed) return;
    fprintf(f,
            "<table class=\"wrong\" data-wrong=\"%s\"><tr><th>account</th><th>kind</th>"
            "<th>action</th><th>score</th><th>reasons</th><th>findings</th>"
            "<th>strongest findings (evidence)</th></tr>\n",
            fp ? "false_positive" : "miss");
    static const char *const act[] = {"allow", "review", "throttle", "block"};
    for (size_t i = 0; i < r->nwrong; i++) {
        const struct warden_bt_wrong *w = &r->wrong[i];
        if (w->false_positive != fp) continue;
        char a[160];
        warden_bt_anchor(a, sizeof a, r, i);
        fprintf(f, "<tr id=\"%s\" class=\"wrong-account\"><td class=\"account\"><a href=\"#%s\">",
                a, a);
        esc(f, w->account_id);
        fputs("</a></td><td class=\"kind\">", f);
        esc(f, w->kind);
        fprintf(f, "</td><td class=\"action\">%s</td><td>%.3f</td><td class=\"reasons\">",
                act[w->action], w->score);
        esc(f, w->reasons ? w->reasons : "");
        fprintf(f, "</td><td>%zu</td><td class=\"evidence\">", w->nfindings);
        if (!w->ntop) fputs(r->evidence_loaded ? "no finding" : "(findings not read)", f);
        for (size_t k = 0; k < w->ntop; k++) {
            if (k) fputs("<br/>", f);
            fputs("<span class=\"finding\">", f);
            esc(f, w->top[k].code);
            fprintf(f, " %.3f: <code>", w->top[k].score);
            esc(f, w->top[k].evidence);
            fputs("</code></span>", f);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

int warden_bt_report_html(const char *path, const struct warden_bt_result *r)
{
    /* written beside path under a temporary name and renamed over it: a
     * reader never sees half a report, a failed run leaves the last one */
    char *dcopy = warden_xstrdup(path), *bcopy = warden_xstrdup(path), err[512];
    struct warden_outfile out;
    int orc = warden_outfile_open(&out, dirname(dcopy), basename(bcopy), err, sizeof err);
    free(dcopy);
    free(bcopy);
    if (orc) return WARDEN_EIO;
    FILE *f = out.f;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>Warden "
          "backtest</title>"
          "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
          "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px "
          "8px;text-align:right}"
          "td:first-child,th:first-child{text-align:left}tr.label "
          "td{font-weight:bold;background:#f4f4f4}"
          "h2{margin-top:1.5em}.alert{background:#fdecea;border:1px solid #c0392b;padding:.5em "
          "1em}tr.zero td{background:#fdecea}td.evidence,td.reasons{text-align:left;"
          "font-size:12px}:target{outline:2px solid #2e86c1}</style></head><body>\n"
          "<h1>Warden backtest</h1>\n<p><a href=\"#run\">run</a> &#183; <a "
          "href=\"#false-positives\">false positives</a> &#183; <a href=\"#misses\">misses</a> "
          "&#183; <a href=\"#curves\">curves</a> &#183; <a href=\"#per-kind\">per kind</a></p>\n",
          f);
    highlights_html(f, r);
    run_html(f, r->meta);
    fprintf(f,
            "<p>%zu accounts: %zu benign, %zu attack; %zu with a verdict. Actioned = review or "
            "stronger; enforced = throttle or block.</p>\n<ul><li>all attack labels: actioned "
            "precision %.3f, recall %.3f; enforced precision %.3f, recall %.3f</li>"
            "<li>benign false-positive rate: actioned %.4f, enforced %.4f</li>",
            r->accounts, r->negatives, r->positives, r->with_verdict, r->precision_actioned,
            r->recall_actioned, r->precision_enforced, r->recall_enforced, r->fpr_actioned,
            r->fpr_enforced);
    if (r->served_p50 >= 0)
        fprintf(f, "<li>requests served before the first action: median %.0f, p90 %.0f</li>",
                r->served_p50, r->served_p90);
    fprintf(f, "<li>clusters: %zu, mean coverage %.3f, fully actioned %zu, untouched %zu</li>",
            r->nclusters, r->cluster_mean_coverage < 0 ? 0 : r->cluster_mean_coverage,
            r->clusters_full, r->clusters_untouched);
    const struct warden_bt_cross *x = &r->cross;
    fprintf(f,
            "<li>attack clusters with &#8805; 90 %% of accounts actioned: %zu of %zu</li>"
            "<li>slow-and-low (cluster members of the kinds whose median member sent 15-40 "
            "requests: ",
            x->clusters_90, x->attack_clusters);
    esc(f, x->slow_kinds[0] ? x->slow_kinds : "none");
    fprintf(f,
            "): recall %.3f (%zu/%zu)</li><li>joiners: %zu, actioned %zu; served before "
            "the first action (never actioned: all they sent) median %.0f, p90 %.0f</li>"
            "<li>benign clusters formed: %zu benign accounts in clusters; %zu benign-only "
            "clusters, %zu mixed with attackers</li>",
            x->slow_recall < 0 ? 0 : x->slow_recall, x->slow_actioned, x->slow_accounts, x->joiners,
            x->joiners_actioned, x->joiner_p50 < 0 ? 0 : x->joiner_p50,
            x->joiner_p90 < 0 ? 0 : x->joiner_p90, x->benign_clustered, x->benign_only_clusters,
            x->mixed_clusters);
    if (x->late_known)
        fprintf(f,
                "<li>late joiners (first request after their cluster's first action): %zu, "
                "actioned %zu; served before the first action median %.0f, p90 %.0f</li>",
                x->late_joiners, x->late_joiners_actioned,
                x->late_joiner_p50 < 0 ? 0 : x->late_joiner_p50,
                x->late_joiner_p90 < 0 ? 0 : x->late_joiner_p90);
    if (r->auc >= 0) fprintf(f, "<li>ROC AUC of the score: %.4f</li>", r->auc);
    if (r->average_precision >= 0)
        fprintf(f, "<li>average precision of the score: %.4f</li>", r->average_precision);
    fprintf(f,
            "<li>wrong accounts: <a href=\"#false-positives\">%zu false positives</a>, <a "
            "href=\"#misses\">%zu misses</a></li>",
            r->false_positives, r->misses);
    fputs("</ul>\n<h2>Per label and kind</h2>\n<table><tr><th>label / kind</th><th>accounts</th>"
          "<th>actioned</th><th>precision</th><th>recall</th><th>enforced</th><th>precision</th>"
          "<th>recall</th><th>FPR actioned</th><th>FPR enforced</th><th>served p50</th>"
          "<th>served p90</th><th>leading reasons</th></tr>\n",
          f);
    for (int pass = 0; pass < 2; pass++) {
        const struct warden_bt_group *v = pass ? r->kinds : r->labels;
        size_t n = pass ? r->nkinds : r->nlabels;
        for (size_t i = 0; i < n; i++) {
            const struct warden_bt_group *g = &v[i];
            fprintf(f, "<tr%s><td>",
                    !pass                      ? " class=\"label\""
                    : warden_bt_zero_recall(g) ? " class=\"zero\""
                                               : "");
            esc(f, g->name);
            fprintf(f, "</td><td>%zu</td><td>%zu</td>", g->accounts, g->actioned);
            cell(f, g->precision_actioned, 3);
            cell(f, g->recall_actioned, 3);
            fprintf(f, "<td>%zu</td>", g->enforced);
            cell(f, g->precision_enforced, 3);
            cell(f, g->recall_enforced, 3);
            cell(f, g->fpr_actioned, 4);
            cell(f, g->fpr_enforced, 4);
            cell(f, g->served_p50, 0);
            cell(f, g->served_p90, 0);
            fputs("<td style=\"text-align:left\">", f);
            for (size_t k = 0; k < g->nreasons; k++) {
                if (k) fputs(", ", f);
                esc(f, g->reasons[k].code);
                fprintf(f, " %zu", g->reasons[k].accounts);
            }
            fputs("</td></tr>\n", f);
        }
    }
    fputs("</table>\n<p>Precision of a label or kind is one-vs-benign: its actioned accounts "
          "over those plus every actioned benign account.</p>\n<h2 id=\"wrong\">Wrong "
          "accounts</h2>\n",
          f);
    wrong_table(f, r, true);
    wrong_table(f, r, false);
    fputs("<h2 id=\"curves\">ROC and precision-recall of the verdict score</h2>\n", f);
    roc_svg(f, r);
    pr_svg(f, r);
    fputs("<p>Precision-recall: one point per distinct verdict score (accounts without a verdict "
          "score 0); dots: the policy's actioned (blue) and enforced (red) operating points.</p>\n",
          f);
    fputs("\n<h2>Detection delay</h2>\n", f);
    hist_svg(f, r);
    fputs("\n<h2 id=\"per-kind\">Per kind</h2>\n<h3>Recall of attack kinds</h3>\n", f);
    kind_bars_svg(f, r, false);
    fputs("\n<h3>False-positive rate of benign kinds (its own scale)</h3>\n", f);
    kind_bars_svg(f, r, true);
    fputs("\n<h2>Clusters</h2>\n<table><tr><th>cluster</th><th>kind</th><th>accounts</th>"
          "<th>actioned</th><th>coverage</th></tr>\n",
          f);
    for (size_t i = 0; i < r->nclusters; i++) {
        const struct warden_bt_cluster *c = &r->clusters[i];
        fputs("<tr><td>", f);
        esc(f, c->name);
        fputs("</td><td>", f);
        esc(f, c->kind ? c->kind : "");
        fprintf(f, "</td><td>%zu</td><td>%zu</td><td>%.3f</td></tr>\n", c->accounts, c->actioned,
                c->coverage);
    }
    fputs("</table>\n<h2>Benign accounts in clusters</h2>\n<table><tr><th>benign kind</th>"
          "<th>look-alike</th><th>accounts</th><th>in clusters</th><th>clusters</th></tr>\n",
          f);
    for (size_t i = 0; i < x->nbenign; i++) {
        const struct warden_bt_benign_kind *b = &x->benign[i];
        fputs("<tr><td>", f);
        esc(f, b->kind);
        fprintf(f, "</td><td>%s</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>\n",
                b->lookalike ? "yes" : "", b->accounts, b->clustered, b->clusters);
    }
    fputs("</table>\n", f);
    if (r->ntells) {
        fputs("<h2>Circumvention by what the account gives away</h2>\n<p>From the truth's "
              "<code>tells</code>: actioned / accounts (enforced).</p>\n<table><tr><th>kind</th>",
              f);
        for (int c = 0; c < WARDEN_BT_TELL_CLASSES; c++)
            fprintf(f, "<th>%s</th>", warden_bt_tell_class_names[c]);
        fputs("</tr>\n", f);
        for (size_t i = 0; i < r->ntells; i++) {
            const struct warden_bt_tell_row *t = &r->tells[i];
            fputs("<tr><td>", f);
            esc(f, t->kind);
            fputs("</td>", f);
            for (int c = 0; c < WARDEN_BT_TELL_CLASSES; c++)
                fprintf(f, "<td>%zu / %zu (%zu)</td>", t->actioned[c], t->accounts[c],
                        t->enforced[c]);
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    fputs("</body></html>\n", f);
    if (ferror(f)) {
        warden_outfile_abort(&out);
        return WARDEN_EIO;
    }
    return warden_outfile_commit(&out, err, sizeof err) ? WARDEN_EIO : 0;
}
