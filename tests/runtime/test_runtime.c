/* test_runtime.c — the runtime in-process: events one at a time with the
 * decision each returns (shadow mode, allowlists, duplicates), and the
 * detector contract for cross-account work: a detector that links accounts
 * into a cluster and, from flush(), emits a finding for an account other than
 * any current event's; the finding reaches the sinks with its cluster id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/event_decode.h"
#include "core/jbuf.h"
#include "detect/detector.h"
#include "engine/engine.h"
#include "runtime/runtime.h"
#include "rt_fixture.h"

/* ---- a sink that remembers what it got ---- */

struct seen {
    int findings, actions, verdicts;
    char finding_account[64], finding_code[64], finding_cluster[64];
    char verdict_account[8][64], verdict_cluster[8][64];
    enum warden_action verdict_action[8];
};

static void cap_finding(void *self, const struct warden_finding *f)
{
    struct seen *s = self;
    s->findings++;
    snprintf(s->finding_account, sizeof s->finding_account, "%.*s", (int)f->account_id_len,
             f->account_id);
    snprintf(s->finding_code, sizeof s->finding_code, "%s", f->code);
    snprintf(s->finding_cluster, sizeof s->finding_cluster, "%s",
             f->cluster_id ? f->cluster_id : "");
}

static void cap_action(void *self, const struct warden_action_change *c)
{
    (void)c;
    ((struct seen *)self)->actions++;
}

static void cap_verdict(void *self, const struct warden_verdict *v)
{
    struct seen *s = self;
    if (s->verdicts < 8) {
        snprintf(s->verdict_account[s->verdicts], 64, "%s", v->account_id);
        snprintf(s->verdict_cluster[s->verdicts], 64, "%s", v->cluster_id ? v->cluster_id : "");
        s->verdict_action[s->verdicts] = v->action;
    }
    s->verdicts++;
}

static const struct warden_sink_type capture_sink = {
    .name = "capture",
    .finding = cap_finding,
    .action = cap_action,
    .verdict = cap_verdict,
};

/* ---- helpers ---- */

static struct warden_runtime *runtime_up(const char *yaml, const struct warden_detector *const *d,
                                         size_t nd, struct seen *seen)
{
    struct warden_runtime_conf c = {
        .lateness_ms = -1, .quiet = true, .max_accounts = 1000, .detectors = d, .n_detectors = nd};
    struct warden_runtime *rt = rt_fixture_runtime(&c, yaml);
    warden_runtime_add_sink(rt, &capture_sink, seen);
    return rt;
}

/* Decode a JSON line (kept in buf) and decide it. */
static bool decide(struct warden_runtime *rt, char *buf, const char *json,
                   struct warden_decision *d)
{
    char why[256];
    struct warden_event ev;
    strcpy(buf, json);
    assert_int_equal(warden_event_decode(buf, strlen(buf), &ev, why, sizeof why), 0);
    return warden_runtime_decide(rt, &ev, d);
}

/* 175.45.176.0/22 is KP in the IP table; 81.2.69.0/24 is GB. */
#define EV(ts, acct, ip, rid)                                                                      \
    "{\"ts\":" #ts ",\"account_id\":\"" acct "\",\"ip\":\"" ip "\",\"request_id\":\"" rid "\"}"

static const char *policy_kp =
    "jurisdictions:\n  restricted: [KP]\n  ip_action: block\n  billing_action: block\n"
    "allowlist:\n  accounts: [acct-allowed]\n";

static void decisions_one_at_a_time(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct warden_runtime *rt = runtime_up(policy_kp, NULL, 0, &seen);
    char buf[512];
    struct warden_decision d;

    assert_true(decide(rt, buf, EV(1795421702000, "acct-1", "81.2.69.10", "r1"), &d));
    assert_int_equal(d.decided, WARDEN_ALLOW);
    assert_int_equal(d.enforced, WARDEN_ALLOW);
    assert_int_equal(d.n_reasons, 0);
    assert_false(d.shadow);

    assert_true(decide(rt, buf, EV(1795421703000, "acct-1", "175.45.176.9", "r2"), &d));
    assert_int_equal(d.decided, WARDEN_BLOCK);
    assert_int_equal(d.enforced, WARDEN_BLOCK);
    assert_int_equal(d.n_reasons, 1);
    assert_string_equal(d.reasons[0].code, "geo.restricted_jurisdiction");
    assert_true(d.score > 0.5);
    assert_null(d.cluster_id);

    /* the account stays blocked on its next request from an allowed country */
    assert_true(decide(rt, buf, EV(1795421704000, "acct-1", "81.2.69.10", "r3"), &d));
    assert_int_equal(d.decided, WARDEN_BLOCK);
    assert_int_equal(d.enforced, WARDEN_BLOCK);

    /* a repeated request id is a duplicate: not processed, the account's decision */
    assert_false(decide(rt, buf, EV(1795421705000, "acct-1", "81.2.69.10", "r3"), &d));
    assert_true(d.duplicate);
    assert_int_equal(d.decided, WARDEN_BLOCK);

    /* another account is unaffected */
    assert_true(decide(rt, buf, EV(1795421706000, "acct-2", "81.2.69.11", "r4"), &d));
    assert_int_equal(d.decided, WARDEN_ALLOW);

    /* an allowlisted account from the restricted country: allowed, and says why */
    assert_true(decide(rt, buf, EV(1795421707000, "acct-allowed", "175.45.176.9", "r5"), &d));
    assert_int_equal(d.decided, WARDEN_ALLOW);
    assert_int_equal(d.enforced, WARDEN_ALLOW);
    assert_true(d.allowlisted);

    /* an event more than the lateness behind the newest is late */
    assert_true(decide(rt, buf, EV(1795421000000, "acct-3", "81.2.69.12", "r6"), &d));
    assert_true(d.late);
    warden_runtime_free(rt);
}

static void shadow_mode_decides_but_does_not_enforce(void **state)
{
    (void)state;
    struct seen seen = {0};
    char yaml[512];
    snprintf(yaml, sizeof yaml, "shadow: true\n%s", policy_kp);
    struct warden_runtime *rt = runtime_up(yaml, NULL, 0, &seen);
    char buf[512];
    struct warden_decision d;
    assert_true(decide(rt, buf, EV(1795421703000, "acct-1", "175.45.176.9", "r1"), &d));
    assert_int_equal(d.decided, WARDEN_BLOCK);
    assert_int_equal(d.enforced, WARDEN_ALLOW);
    assert_true(d.shadow);
    assert_int_equal(seen.actions, 1); /* recorded in the audit trail all the same */
    warden_runtime_free(rt);
}

/* ---- a cross-account detector ---- */

/* Links accounts seen on the same address into cluster "net-<ip>"; at the
 * end of input it reports the first account it ever saw, by id, as a member
 * of a cluster — with no current event. */
struct link_ctx {
    char first_account[64];
    char last_ip[64], last_account[64];
};

static int link_init(void **ctx, const struct warden_policy *p, const void *conf)
{
    (void)p;
    (void)conf;
    *ctx = calloc(1, sizeof(struct link_ctx));
    return 0;
}

static void link_observe(void *vctx, const struct warden_event *ev, void *state,
                         struct warden_emit *em)
{
    (void)state;
    struct link_ctx *c = vctx;
    char acct[64], ip[64];
    snprintf(acct, sizeof acct, "%.*s", (int)ev->account_id.n, ev->account_id.p);
    warden_ip_format(&ev->ip, ip);
    if (!c->first_account[0]) snprintf(c->first_account, sizeof c->first_account, "%s", acct);
    if (strcmp(c->last_ip, ip) == 0 && strcmp(c->last_account, acct) != 0) {
        char cluster[80];
        snprintf(cluster, sizeof cluster, "net-%s", ip);
        warden_emit_set_cluster(em, c->last_account, strlen(c->last_account), cluster);
        warden_emit_set_cluster(em, acct, strlen(acct), cluster);
    }
    snprintf(c->last_ip, sizeof c->last_ip, "%s", ip);
    snprintf(c->last_account, sizeof c->last_account, "%s", acct);
}

static void link_flush(void *vctx, struct warden_emit *em)
{
    struct link_ctx *c = vctx;
    assert_null(em->ev);
    const char *cl = warden_emit_cluster(em, c->first_account, strlen(c->first_account));
    if (!cl) return;
    warden_jbuf_reset(&em->scratch);
    warden_jbuf_obj_open(&em->scratch);
    warden_jbuf_kv_str(&em->scratch, "cluster", cl);
    warden_jbuf_obj_close(&em->scratch);
    warden_emit_finding_for(em, c->first_account, strlen(c->first_account), "test.cluster_member",
                            0.9, warden_jbuf_str(&em->scratch));
}

static void link_free(void *ctx)
{
    free(ctx);
}

static const char *const link_codes[] = {"test.cluster_member", NULL};

static const struct warden_detector link_detector = {
    .codes = link_codes,
    .name = "test_link",
    .description = "links accounts on one address (test)",
    .init = link_init,
    .observe = link_observe,
    .flush = link_flush,
    .free = link_free,
};

static void flush_finding_for_another_account_with_cluster(void **state)
{
    (void)state;
    struct seen seen = {0};
    const struct warden_detector *dets[] = {&link_detector};
    struct warden_runtime *rt = runtime_up(
        "rules:\n  - {code: \"test.*\", min_score: 0.5, action: block}\n", dets, 1, &seen);
    char buf[512];
    struct warden_decision d;
    assert_true(decide(rt, buf, EV(1795421702000, "acct-a", "81.2.69.10", "r1"), &d));
    assert_null(d.cluster_id);
    assert_true(decide(rt, buf, EV(1795421703000, "acct-b", "81.2.69.10", "r2"), &d));
    assert_non_null(d.cluster_id);
    assert_string_equal(d.cluster_id, "net-81.2.69.10");
    assert_int_equal(d.decided, WARDEN_ALLOW); /* linking alone is not an action */
    assert_int_equal(seen.findings, 0);

    char err[256];
    assert_int_equal(warden_runtime_finish(rt, err, sizeof err), 0);
    /* the finding from flush() is for acct-a, not for the last event's account */
    assert_int_equal(seen.findings, 1);
    assert_string_equal(seen.finding_account, "acct-a");
    assert_string_equal(seen.finding_code, "test.cluster_member");
    assert_string_equal(seen.finding_cluster, "net-81.2.69.10");
    /* the policy acted on it, and the verdict carries the cluster */
    assert_int_equal(seen.verdicts, 1);
    assert_string_equal(seen.verdict_account[0], "acct-a");
    assert_int_equal(seen.verdict_action[0], WARDEN_BLOCK);
    assert_string_equal(seen.verdict_cluster[0], "net-81.2.69.10");
    assert_int_equal(seen.actions, 1);
    warden_runtime_free(rt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decisions_one_at_a_time),
        cmocka_unit_test(shadow_mode_decides_but_does_not_enforce),
        cmocka_unit_test(flush_finding_for_another_account_with_cluster),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
