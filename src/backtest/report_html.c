/* report_html.c — a self-contained HTML backtest report: summary, tables,
 * and three inline-SVG plots (ROC of the score, histogram of requests served
 * before the first action, per-kind bars of recall and false-positive rate).
 * No scripts, fonts or external resources. */
#include "backtest/backtest.h"
#include "core/error.h"

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

static void bars_svg(FILE *f, const struct warden_bt_result *r)
{
    const int W = 420, L = 250, RH = 20;
    int h = (int)r->nkinds * RH + 40;
    fprintf(f, "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"per kind\">", L + W + 60,
            h);
    for (size_t i = 0; i < r->nkinds; i++) {
        const struct warden_bt_group *g = &r->kinds[i];
        double v = g->benign ? g->fpr_actioned : g->recall_actioned;
        if (v < 0) v = 0;
        double y = 10 + (double)i * RH;
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\">", L - 6,
                y + 14);
        esc(f, g->name);
        fputs("</text>", f);
        fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>", L, y + 3,
                v * W, RH - 6, g->benign ? "#e67e22" : "#27ae60");
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%.3f</text>", L + v * W + 4,
                y + 14, v);
    }
    fprintf(f,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\">green: recall (actioned) of attack kinds; "
            "orange: false-positive rate (actioned) of benign kinds</text>",
            10, h - 8);
    fputs("</svg>", f);
}

int warden_bt_report_html(const char *path, const struct warden_bt_result *r)
{
    FILE *f = fopen(path, "w");
    if (!f) return WARDEN_EIO;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Warden "
          "backtest</title>"
          "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
          "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px "
          "8px;text-align:right}"
          "td:first-child,th:first-child{text-align:left}tr.label "
          "td{font-weight:bold;background:#f4f4f4}"
          "h2{margin-top:1.5em}</style></head><body>\n<h1>Warden backtest</h1>\n",
          f);
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
            "<li>attack clusters with &ge; 90 %% of accounts actioned: %zu of %zu</li>"
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
    if (r->auc >= 0) fprintf(f, "<li>ROC AUC of the score: %.4f</li>", r->auc);
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
            fprintf(f, "<tr%s><td>", pass ? "" : " class=\"label\"");
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
          "over those plus every actioned benign account.</p>\n<h2>ROC of the verdict score</h2>\n",
          f);
    roc_svg(f, r);
    fputs("\n<h2>Detection delay</h2>\n", f);
    hist_svg(f, r);
    fputs("\n<h2>Per kind</h2>\n", f);
    bars_svg(f, r);
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
    fputs("</table>\n</body></html>\n", f);
    int rc = ferror(f) ? WARDEN_EIO : 0;
    if (fclose(f) != 0) rc = WARDEN_EIO;
    return rc;
}
