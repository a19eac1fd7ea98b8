/* cmd_config.c — `warden config`: the policy reference and a policy checker.
 *
 * --dump prints every policy key with its type, default and meaning, from the
 * same declared tables the loader validates against (detectors included), so
 * the reference cannot drift from the code. --check loads a policy exactly as
 * `warden scan` would, starts every enabled detector (so the data files they
 * name are read), and reports the first problem as FILE:LINE:COLUMN:
 * key.path: reason, or FILE: detectors.NAME after the detector's own error
 * (exit 3), or a one-line summary of what it restricts (exit 0). With
 * --state, also what the policy would do to the accounts a state file holds
 * (a server's snapshot_path, a scan's --state): every actioned account
 * decided again under its rules, as a reload or a later scan would, and the
 * accounts whose action would change listed (nothing is written). */
#include "cli/cli.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "detect/detector.h"
#include "engine/engine.h"
#include "kafka/kafka.h"
#include "policy/policy.h"
#include "policy/review_allow.h"
#include "runtime/runtime.h"
#include "serve/serve.h"

#include <stdlib.h>
#include <string.h>

static const struct warden_opt config_opts[] = {
    {"dump", 0, NULL,
     "print every policy key (and serve.* server config key) with its type, default and meaning",
     false},
    {"check", 'c', "FILE",
     "validate a policy file and start its detectors: exit 0, or 3 with FILE:LINE:COLUMN: "
     "key: reason (or FILE: detectors.NAME after the detector's own error about its data file)",
     false},
    {"codes", 0, NULL, "print every reason code, by detector (what rules can match)", false},
    {"lenient", 0, NULL,
     "with --check: a rule whose code matches no reason code is a warning, not an error", false},
    {"state", 0, "FILE",
     "with --check: what the policy would do to the accounts of this state file (a server's "
     "snapshot_path, a scan's --state): the accounts whose action its rules would change, "
     "as a reload would change them; nothing is written",
     false},
    {"cases", 0, "DB",
     "with --state: the case database whose dismissals (allowlisted reasons) the server or "
     "scan honours",
     false},
    {NULL, 0, NULL, NULL, false},
};

/* ---- --state: what a policy change would do to held accounts ---- */

struct change {
    char *account;
    enum warden_action from, to;
    char *reason;
};

struct changes {
    struct change *v;
    size_t n, cap;
};

static void on_change(void *self, const struct warden_action_change *c)
{
    struct changes *x = self;
    if (x->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 64;
        x->v = warden_xrealloc(x->v, x->cap * sizeof *x->v);
    }
    x->v[x->n++] = (struct change){warden_xstrdup(c->verdict->account_id), c->from, c->to,
                                   warden_xstrdup(c->code)};
}

static const struct warden_sink_type change_sink = {.name = "changes", .action = on_change};

static int by_account(const void *a, const void *b)
{
    return strcmp(((const struct change *)a)->account, ((const struct change *)b)->account);
}

static int state_effect(const char *policy, const char *state, const char *cases, bool lenient)
{
    int rc = 0;
    struct warden_review_allow *allow =
        cases ? warden_cli_review_allowlist(cases, "config", false, &rc) : NULL;
    if (rc) return WARDEN_EXIT_IO;
    if (cases && !allow) {
        fprintf(stderr, "warden config: %s: no such case database\n", cases);
        return WARDEN_EXIT_CONFIG;
    }
    struct warden_runtime_conf rc_ = {
        .policy_path = policy, .quiet = true, .lenient_codes = lenient, .review_allow = allow};
    struct warden_runtime *rt = NULL;
    char err[1024];
    if (warden_runtime_new(&rt, &rc_, err, sizeof err)) {
        fprintf(stderr, "warden config: %s\n", err);
        warden_review_allow_free(allow);
        return WARDEN_EXIT_CONFIG;
    }
    struct changes x = {0};
    warden_runtime_add_sink(rt, &change_sink, &x);
    struct warden_runtime_snapinfo si = {0};
    int ret = WARDEN_EXIT_OK;
    if (warden_runtime_load_file_ex(rt, state, &si, err, sizeof err)) {
        fprintf(stderr, "warden config: %s\n", err);
        ret = WARDEN_EXIT_CONFIG;
    } else {
        size_t actioned = 0;
        for (size_t i = 0; i < warden_runtime_n_shards(rt); i++) {
            const struct warden_engine *e = warden_runtime_shard(rt, i);
            for (size_t k = 0; k < warden_engine_n_verdicts(e); k++)
                actioned += warden_engine_verdict_at(e, k)->action != WARDEN_ALLOW;
        }
        size_t raised = 0, lowered = 0;
        warden_runtime_rederived(rt, &raised, &lowered);
        if (x.n > 1) qsort(x.v, x.n, sizeof *x.v, by_account);
        for (size_t i = 0; i < x.n; i++)
            printf("  %-40s %-8s -> %-8s %s\n", x.v[i].account, warden_action_name(x.v[i].from),
                   warden_action_name(x.v[i].to), x.v[i].reason);
        printf("%s: %llu accounts held; under %s: %zu decided again (%zu raised, %zu lowered), "
               "%zu actioned after\n",
               state, (unsigned long long)si.accounts, policy, x.n, raised, lowered, actioned);
    }
    for (size_t i = 0; i < x.n; i++) {
        free(x.v[i].account);
        free(x.v[i].reason);
    }
    free(x.v);
    warden_runtime_free(rt);
    warden_review_allow_free(allow);
    return ret;
}

static int config_main(int argc, char **argv);

const struct warden_cmd warden_cmd_config = {
    .name = "config",
    .fn = config_main,
    .summary = "print the policy reference (--dump) or validate a policy file (--check)",
    .usage = "--dump | --codes | --check FILE [--lenient] [--state FILE [--cases DB]]",
    .opts = config_opts,
    .details = "A policy is one YAML file (see examples/policy.yaml). Unknown keys, duplicate\n"
               "keys, values of the wrong kind or out of bounds, malformed country codes, CIDRs\n"
               "and action names are refused with the file, line, column and key path.\n"
               "With both options, the file is checked first. With --state, the accounts a\n"
               "state file holds are decided again under the policy's rules, as a reload of\n"
               "`warden serve` or a later `warden scan --state` would: each account whose\n"
               "action would change is listed (from, to, the reason), then the totals.",
};

static void summary(FILE *out, const struct warden_policy *p)
{
    fprintf(out, "%s: ok: shadow %s; %zu restricted jurisdiction%s", p->path,
            p->shadow ? "on (nothing enforced)" : "off", p->restricted.n,
            p->restricted.n == 1 ? "" : "s");
    for (size_t i = 0; i < p->restricted.n; i++)
        fprintf(out, "%s%s", i ? " " : " (", p->restricted.v[i]);
    fprintf(out,
            "%s (ip: %s, billing/card: %s); %zu rule%s; allowlist: %zu accounts, %zu orgs, "
            "%zu networks; detectors:",
            p->restricted.n ? ")" : "", warden_action_name(p->restricted_ip_action),
            warden_action_name(p->restricted_billing_action), p->n_rules,
            p->n_rules == 1 ? "" : "s", p->allow_accounts.n, p->allow_orgs.n, p->n_allow_nets);
    for (size_t i = 0; i < p->n_detectors; i++)
        fprintf(out, " %s %s", warden_detectors[i]->name,
                warden_policy_detector_enabled(p, i) ? "on" : "off");
    fputc('\n', out);
}

static int config_main(int argc, char **argv)
{
    struct warden_args a;
    int prc = warden_args_parse(&a, &warden_cmd_config, argc, argv);
    if (prc) {
        warden_args_free(&a);
        return prc > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    int ret = WARDEN_EXIT_OK;
    const char *check = warden_arg(&a, "check");
    bool dump = warden_flag(&a, "dump");
    bool codes = warden_flag(&a, "codes");
    if (a.nrest > 0) {
        fprintf(stderr, "warden config: unexpected argument '%s' (did you mean --check %s?)\n",
                a.rest[0], a.rest[0]);
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    if ((warden_arg(&a, "state") || warden_arg(&a, "cases")) &&
        (!check || !warden_arg(&a, "state"))) {
        fprintf(stderr, "warden config: --state goes with --check, --cases with --state\n");
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    if (!check && !dump && !codes) {
        fprintf(stderr, "warden config: give --dump, --codes or --check FILE (see 'warden config "
                        "--help')\n");
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    if (check) {
        char err[1024];
        struct warden_policy *p = NULL;
        if (warden_policy_load(&p, check, err, sizeof err) != 0 ||
            warden_policy_check_codes(p, NULL, 0, warden_flag(&a, "lenient"), err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            warden_policy_free(p);
            ret = WARDEN_EXIT_CONFIG;
            goto out;
        }
        /* start every enabled detector as a scan would: a data file it
         * names (a webmail list, a mail-services file, the elicitation
         * patterns) that cannot be read is found here, not at the scan */
        for (size_t i = 0; i < warden_n_detectors && i < p->n_detectors; i++) {
            const struct warden_detector *d = warden_detectors[i];
            void *ctx = NULL;
            if (!p->detector_enabled[i] || !d->init) continue;
            if (d->init(&ctx, p, p->detector_conf[i]) != 0) {
                fprintf(stderr,
                        "%s: detectors.%s: the detector does not start with this configuration "
                        "(the error above names the file or key)\n",
                        check, d->name);
                if (d->free) d->free(ctx);
                warden_policy_free(p);
                ret = WARDEN_EXIT_CONFIG;
                goto out;
            }
            if (d->free) d->free(ctx);
        }
        summary(stdout, p);
        warden_policy_free(p);
        if (warden_arg(&a, "state")) {
            fflush(stdout);
            ret = state_effect(check, warden_arg(&a, "state"), warden_arg(&a, "cases"),
                               warden_flag(&a, "lenient"));
            if (ret) goto out;
        }
    }
    if (dump) {
        if (check) fputc('\n', stdout);
        warden_policy_dump(stdout);
        warden_serve_conf_dump(stdout); /* `warden serve --config` keys, as serve.KEY */
        /* `warden worker --config` keys, as worker.KEY */
        warden_worker_conf_dump(stdout);
    }
    if (codes) {
        for (size_t i = 0; i < warden_n_detectors; i++)
            for (const char *const *c = warden_detectors[i]->codes; c && *c; c++)
                printf("%-34s %s\n", *c, warden_detectors[i]->name);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "warden config: cannot write the output\n");
        ret = WARDEN_EXIT_IO;
    }
out:
    warden_args_free(&a);
    return ret;
}
