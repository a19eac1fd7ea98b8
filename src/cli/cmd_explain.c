/* cmd_explain.c — `warden explain ACCOUNT --out DIR`: why was this account actioned?
 *
 * Prints, from DIR/cases.db (written by `warden scan --out DIR`), the
 * account's case (action, score, reasons, when it was first actioned), its
 * audit trail, and every finding recorded for it with its evidence (countries
 * with counts, networks, providers, time zone and hour histogram, matched
 * list entries ...), so an analyst can check the action without re-running
 * anything. --json prints the same as one JSON object. Read-only. */
#include "cli/cli.h"
#include "core/jbuf.h"
#include "core/xalloc.h"
#include "store/explain.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct warden_opt explain_opts[] = {
    {"out", 'o', "DIR", "the scan's output directory (reads DIR/cases.db)", false},
    {"db", 0, "FILE", "a cases.db file to read instead of DIR/cases.db", false},
    {"json", 0, NULL, "print one JSON object instead of text", false},
    {NULL, 0, NULL, NULL, false},
};

static int explain_main(int argc, char **argv);

const struct warden_cmd warden_cmd_explain = {
    .name = "explain",
    .fn = explain_main,
    .summary = "print the evidence that led to an account's action (from cases.db)",
    .usage = "ACCOUNT --out DIR",
    .opts = explain_opts,
    .details = "Reads the case, audit trail and findings that `warden scan --out DIR` recorded\n"
               "for ACCOUNT in DIR/cases.db. Exit 0 when something is recorded for the account,\n"
               "3 when nothing is or the database cannot be read.",
};

/* Evidence as one "key: value" line per key, values as compact JSON (as stored if unparsable). */
static void print_evidence(FILE *out, const char *ev)
{
    json_t *j = json_loads(ev ? ev : "{}", 0, NULL);
    if (!json_is_object(j)) {
        fprintf(out, "      %s\n", ev ? ev : "{}");
        json_decref(j);
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v)
    {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER |
                                    JSON_REAL_PRECISION(4));
        fprintf(out, "      %-22s %s\n", key, s ? s : "?");
        free(s);
    }
    json_decref(j);
}

static void print_text(FILE *out, const char *account, const struct warden_explain *x)
{
    if (x->has_case) {
        fprintf(out, "account %s: %s (score %.3f)%s\n", account, x->action, x->score,
                x->allowlisted ? ", allowlisted (never enforced)" : "");
        fprintf(out, "  first actioned at %s, at its request %lld of %lld read\n",
                x->first_action_ts, (long long)x->first_action_event, (long long)x->events);
        fprintf(out, "  reasons: %s\n", x->reasons ? x->reasons : "[]");
        if (x->org_id) fprintf(out, "  organisation: %s\n", x->org_id);
        if (x->cluster_id) fprintf(out, "  cluster: %s\n", x->cluster_id);
        fprintf(out, "  case status: %s\n", x->status ? x->status : "open");
    } else {
        fprintf(out, "account %s: no action (findings below every rule's threshold)\n", account);
    }
    if (x->n_audit) fprintf(out, "\naudit trail:\n");
    for (size_t i = 0; i < x->n_audit; i++) {
        const struct warden_explain_audit *a = &x->audit[i];
        fprintf(out, "  %s  %s -> %s  %s (score %.3f)%s\n", a->event_ts, a->from, a->to, a->reason,
                a->score, a->shadow ? "  [shadow: recorded, not enforced]" : "");
    }
    fprintf(out, "\nfindings (%zu):\n", x->n_findings);
    for (size_t i = 0; i < x->n_findings; i++) {
        const struct warden_explain_finding *f = &x->findings[i];
        fprintf(out, "  %s  %s  %s  score %.3f -> %s\n", f->ts, f->detector, f->code, f->score,
                f->action);
        print_evidence(out, f->evidence);
    }
}

static void print_json(FILE *out, const char *account, const struct warden_explain *x)
{
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    warden_jbuf_obj_open(&b);
    warden_jbuf_kv_str(&b, "account_id", account);
    warden_jbuf_kv_str(&b, "action", x->has_case ? x->action : "allow");
    if (x->has_case) {
        warden_jbuf_kv_num(&b, "score", x->score);
        warden_jbuf_key(&b, "reasons");
        warden_jbuf_json(&b, x->reasons ? x->reasons : "[]");
        warden_jbuf_kv_str(&b, "first_action_ts", x->first_action_ts);
        warden_jbuf_kv_int(&b, "first_action_event", x->first_action_event);
        warden_jbuf_kv_int(&b, "events", x->events);
        warden_jbuf_kv_bool(&b, "allowlisted", x->allowlisted);
        warden_jbuf_kv_str(&b, "status", x->status);
    }
    warden_jbuf_key(&b, "audit");
    warden_jbuf_arr_open(&b);
    for (size_t i = 0; i < x->n_audit; i++) {
        const struct warden_explain_audit *a = &x->audit[i];
        warden_jbuf_obj_open(&b);
        warden_jbuf_kv_str(&b, "event_ts", a->event_ts);
        warden_jbuf_kv_str(&b, "from", a->from);
        warden_jbuf_kv_str(&b, "to", a->to);
        warden_jbuf_kv_str(&b, "reason", a->reason);
        warden_jbuf_kv_num(&b, "score", a->score);
        warden_jbuf_kv_bool(&b, "shadow", a->shadow);
        warden_jbuf_obj_close(&b);
    }
    warden_jbuf_arr_close(&b);
    warden_jbuf_key(&b, "findings");
    warden_jbuf_arr_open(&b);
    for (size_t i = 0; i < x->n_findings; i++) {
        const struct warden_explain_finding *f = &x->findings[i];
        warden_jbuf_obj_open(&b);
        warden_jbuf_kv_str(&b, "ts", f->ts);
        warden_jbuf_kv_str(&b, "detector", f->detector);
        warden_jbuf_kv_str(&b, "code", f->code);
        warden_jbuf_kv_num(&b, "score", f->score);
        warden_jbuf_kv_str(&b, "action", f->action);
        warden_jbuf_key(&b, "evidence");
        warden_jbuf_json(&b, f->evidence ? f->evidence : "{}");
        warden_jbuf_obj_close(&b);
    }
    warden_jbuf_arr_close(&b);
    warden_jbuf_obj_close(&b);
    fprintf(out, "%s\n", warden_jbuf_str(&b));
    warden_jbuf_fini(&b);
}

static int explain_main(int argc, char **argv)
{
    struct warden_args a;
    int prc = warden_args_parse(&a, &warden_cmd_explain, argc, argv);
    if (prc) {
        warden_args_free(&a);
        return prc > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    int ret = WARDEN_EXIT_OK;
    char *path = NULL;
    const char *dir = warden_arg(&a, "out"), *db = warden_arg(&a, "db");
    if (a.nrest != 1 || (!dir && !db)) {
        fprintf(stderr, "warden explain: give one ACCOUNT and --out DIR (see 'warden explain "
                        "--help')\n");
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    path = db ? warden_xstrdup(db) : warden_xasprintf("%s/cases.db", dir);
    struct warden_explain x;
    char err[1024];
    if (warden_explain_load(&x, path, a.rest[0], err, sizeof err) < 0) {
        fprintf(stderr, "warden explain: %s\n", err);
        ret = WARDEN_EXIT_CONFIG;
        goto out;
    }
    if (!x.has_case && !x.n_findings) {
        fprintf(stderr, "warden explain: %s: no case and no finding in %s\n", a.rest[0], path);
        ret = WARDEN_EXIT_CONFIG;
    } else if (warden_flag(&a, "json")) {
        print_json(stdout, a.rest[0], &x);
    } else {
        print_text(stdout, a.rest[0], &x);
    }
    warden_explain_fini(&x);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "warden explain: cannot write the output\n");
        ret = WARDEN_EXIT_IO;
    }
out:
    free(path);
    warden_args_free(&a);
    return ret;
}
