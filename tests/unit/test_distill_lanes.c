/* test_distill_lanes.c — end users scored apart (detect_distill.c,
 * end-user lanes): behind one platform account, people who use it and one
 * end user who harvests through it. The harvesting end user gets distill
 * findings of its own, for the account "ACCOUNT/END_USER", with the account
 * and the end user in the evidence, while no person behind the platform
 * gets one, whether or not the account is a declared reseller; with
 * lanes_undeclared false an undeclared account has no lanes; with
 * end_user_lanes 0 there are none; a table smaller than the number of end
 * users still finds the harvester (people replace one another, the
 * harvester is seen at every one of its requests). An undeclared account
 * whose harvesting end user is actioned in its lane is held at
 * reseller_cap from then on, as the rest of its traffic does not harvest;
 * the same harvest under a made-up end-user id every three requests is
 * not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/event_decode.h"
#include "core/hash.h"
#include "detect/detector.h"
#include "detect/distill.h"
#include "distill_streams.h"
#include "registry/registry.h"

#define PEOPLE 40

struct run {
    bool made_up;             /* the harvester's end_user changes every three requests */
    bool harvester_actioned;  /* a lane finding of the harvester scored 0.5 or more */
    double account_max;       /* the account's highest finding score */
    double account_max_after; /* ... among those after harvester_actioned */
    int account_findings;     /* for the reseller account itself */
    int harvester_findings;   /* for "platform/eu-harvest" */
    int people_findings;      /* for "platform/eu-<k>" of the people */
    int other_findings;       /* for any other id */
    char harvester_ev[8192];  /* evidence of the harvester's first lane finding */
};

static void on_account(struct warden_emit *em, const char *code, double score, const char *ev)
{
    (void)code, (void)ev;
    struct run *r = em->engine;
    r->account_findings++;
    if (score > r->account_max) r->account_max = score;
    if (r->harvester_actioned && score > r->account_max_after) r->account_max_after = score;
}

/* the engine's action for an id, as far as this test needs it: the
 * harvester's lane once it had a finding of 0.5 or more (reviewed under the
 * example policy's distill rules) */
static enum warden_action action_of(struct warden_emit *em, const char *id, size_t len,
                                    const char *ignore_prefix)
{
    (void)ignore_prefix;
    struct run *r = em->engine;
    bool harvester = len == 19 && memcmp(id, "platform/eu-harvest", 19) == 0;
    return harvester && r->harvester_actioned ? WARDEN_REVIEW : WARDEN_ALLOW;
}

static void on_other(struct warden_emit *em, const char *id, size_t len, const char *code,
                     double score, const char *ev)
{
    (void)code, (void)score;
    struct run *r = em->engine;
    char s[128];
    snprintf(s, sizeof s, "%.*s", (int)len, id);
    if (strcmp(s, "platform/eu-harvest") == 0) {
        if (!r->harvester_findings++) snprintf(r->harvester_ev, sizeof r->harvester_ev, "%s", ev);
        if (score >= 0.5) r->harvester_actioned = true;
    } else if (strncmp(s, "platform/eu-", 12) == 0) {
        r->people_findings++;
    } else {
        r->other_findings++;
    }
}

static const struct warden_detector *det(void)
{
    int i = warden_detector_index("distill");
    assert_true(i >= 0);
    return warden_detectors[i];
}

/* a distill context with the defaults but key set to value */
static void *ctx_set(void **conf, const char *key, const char *value)
{
    *conf = calloc(1, det()->conf_size);
    warden_conf_defaults(det()->conf_table, *conf);
    char err[128];
    assert_int_equal(
        warden_conf_set(warden_conf_find(det()->conf_table, key), *conf, value, err, sizeof err),
        0);
    void *ctx;
    assert_int_equal(det()->init(&ctx, NULL, *conf), 0);
    return ctx;
}

static void *ctx_with(void **conf, const char *lanes)
{
    return ctx_set(conf, "end_user_lanes", lanes);
}

static void done(void *ctx, void *conf)
{
    det()->free(ctx);
    warden_conf_fini(det()->conf_table, conf);
    free(conf);
}

/* Two days of one platform account: PEOPLE people (each a person's
 * stream) and one harvester, each with its own end_user id, interleaved in
 * time order. */
static void platform_as(void *ctx, struct run *r, bool reseller, bool actions, bool made_up)
{
    memset(r, 0, sizeof *r);
    r->made_up = made_up;
    struct warden_account acct = {0};
    acct.reseller = reseller;
    void *state = calloc(1, det()->state_size);
    struct warden_emit em = {
        .finding = on_account, .finding_for = on_other, .engine = r, .detector = "distill"};
    if (actions) em.action_of = action_of;
    int harvested = 0;
    warden_jbuf_init(&em.scratch);
    int64_t t0 = 1795421702000LL;
    struct ds_stream ds[PEOPLE + 1];
    char line[PEOPLE + 1][4096];
    for (int k = 0; k <= PEOPLE; k++) {
        ds_init(&ds[k], k == PEOPLE ? DS_HARVESTER : DS_PERSON, 100 + (uint64_t)k, t0 + k * 37000,
                "platform", "python-requests/2.32.3");
        ds_next_line(&ds[k], line[k], sizeof line[k]);
    }
    int64_t end = t0 + 2 * 86400000LL;
    for (;;) {
        int k = -1;
        for (int j = 0; j <= PEOPLE; j++)
            if (ds[j].t <= end && (k < 0 || ds[j].t < ds[k].t)) k = j;
        if (k < 0) break;
        /* the line written before the clock moved to ds[k].t is the one due */
        struct warden_event ev;
        char why[256];
        assert_int_equal(warden_event_decode(line[k], strlen(line[k]), &ev, why, sizeof why), 0);
        char eu[32];
        if (k == PEOPLE && made_up)
            snprintf(eu, sizeof eu, "f-%d", harvested++ / 3);
        else
            snprintf(eu, sizeof eu, k == PEOPLE ? "eu-harvest" : "eu-%d", k);
        ev.end_user.p = eu;
        ev.end_user.n = (uint32_t)strlen(eu);
        ev.account = &acct;
        ev.account_hash = warden_hash64("platform", 8);
        em.ev = &ev;
        det()->observe(ctx, &ev, state, &em);
        ds_next_line(&ds[k], line[k], sizeof line[k]);
    }
    warden_jbuf_fini(&em.scratch);
    free(state);
}

static void platform(void *ctx, struct run *r, bool reseller)
{
    platform_as(ctx, r, reseller, false, false);
}

static void harvester_behind_reseller_found(void **st)
{
    (void)st;
    void *conf;
    void *ctx = ctx_with(&conf, "1024");
    struct run r;
    platform(ctx, &r, true);
    assert_true(r.harvester_findings > 0);
    assert_int_equal(r.people_findings, 0);
    assert_int_equal(r.other_findings, 0);
    assert_non_null(
        strstr(r.harvester_ev, "\"lane\":{\"account\":\"platform\",\"end_user\":\"eu-harvest\"}"));
    done(ctx, conf);
}

static void undeclared_accounts_get_lanes_unless_off(void **st)
{
    (void)st;
    void *conf;
    void *ctx = ctx_with(&conf, "1024");
    struct run r;
    platform(ctx, &r, false); /* not a declared reseller */
    assert_true(r.harvester_findings > 0);
    assert_int_equal(r.people_findings, 0);
    assert_int_equal(r.other_findings, 0);
    done(ctx, conf);
    ctx = ctx_set(&conf, "lanes_undeclared", "false");
    platform(ctx, &r, false);
    assert_int_equal(r.harvester_findings + r.people_findings + r.other_findings, 0);
    done(ctx, conf);
    ctx = ctx_with(&conf, "0"); /* lanes off */
    platform(ctx, &r, true);
    assert_int_equal(r.harvester_findings + r.people_findings + r.other_findings, 0);
    done(ctx, conf);
}

static void undeclared_account_held_once_its_harvester_is_actioned(void **st)
{
    (void)st;
    void *conf;
    void *ctx = ctx_with(&conf, "1024");
    struct run r;
    platform_as(ctx, &r, false, false, false); /* no engine actions: nothing set apart */
    double uncapped = r.account_max;
    assert_true(uncapped > 0.79);
    done(ctx, conf);
    ctx = ctx_with(&conf, "1024");
    platform_as(ctx, &r, false, true, false);
    assert_true(r.harvester_actioned);
    assert_true(r.harvester_findings > 0);
    assert_true(r.account_max_after <= 0.79 + 1e-9);
    done(ctx, conf);
    ctx = ctx_with(&conf, "1024"); /* made-up ids: no lane actioned, nothing held */
    platform_as(ctx, &r, false, true, true);
    assert_false(r.harvester_actioned);
    assert_true(r.account_max > 0.79);
    assert_int_equal(r.people_findings, 0);
    done(ctx, conf);
}

static void small_table_still_finds_the_harvester(void **st)
{
    (void)st;
    void *conf;
    void *ctx = ctx_with(&conf, "8"); /* one set of 8 lanes for 41 end users */
    struct run r;
    platform(ctx, &r, true);
    assert_true(r.harvester_findings > 0);
    assert_int_equal(r.people_findings, 0);
    done(ctx, conf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(harvester_behind_reseller_found),
        cmocka_unit_test(undeclared_accounts_get_lanes_unless_off),
        cmocka_unit_test(undeclared_account_held_once_its_harvester_is_actioned),
        cmocka_unit_test(small_table_still_finds_the_harvester),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
