/* test_detect_velocity.c — the velocity detector on its own: window sums,
 * firing once per burst, re-arming after the rate falls, token limits,
 * per-key limits, and buckets expiring as time moves on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "detect/detector.h"

struct cap {
    int n;
    const char *codes[64];
    double scores[64];
};

static void capture(struct warden_emit *em, const char *code, double score, const char *ev)
{
    (void)ev;
    struct cap *c = em->engine;
    if (c->n < 64) {
        c->codes[c->n] = code;
        c->scores[c->n] = score;
    }
    c->n++;
}

static const struct warden_detector *det(void)
{
    return warden_detectors[warden_detector_index("velocity")];
}

static void *conf_with(const char *key, const char *val)
{
    const struct warden_detector *d = det();
    void *conf = calloc(1, d->conf_size);
    char err[128];
    warden_conf_defaults(d->conf_table, conf);
    if (key)
        assert_int_equal(
            warden_conf_set(warden_conf_find(d->conf_table, key), conf, val, err, sizeof err), 0);
    return conf;
}

static void run(void *conf, struct cap *c, int n, int64_t step_ms, int64_t start, int64_t tokens,
                const char *key, void *state, void *ctx)
{
    struct warden_emit em = {.finding = capture, .engine = c, .detector = "velocity"};
    for (int i = 0; i < n; i++) {
        struct warden_event ev;
        memset(&ev, 0, sizeof ev);
        ev.ts_ms = start + i * step_ms;
        ev.input_tokens = tokens;
        ev.output_tokens = WARDEN_NOINT;
        ev.account_hash = 1;
        if (key) ev.api_key_id = (struct warden_str){key, (uint32_t)strlen(key)};
        em.ev = &ev;
        det()->observe(ctx, &ev, state, &em);
    }
    warden_jbuf_fini(&em.scratch);
    (void)conf;
}

static void fires_once_per_burst_and_rearms(void **st)
{
    (void)st;
    void *conf = conf_with("max_requests_short", "50"), *ctx;
    assert_int_equal(det()->init(&ctx, NULL, conf), 0);
    void *state = calloc(1, det()->state_size);
    struct cap c = {0};
    run(conf, &c, 200, 1000, 1000000, 0, NULL, state, ctx); /* 60 a minute for 200 s */
    assert_int_equal(c.n, 1);
    assert_string_equal(c.codes[0], "velocity.request_rate");
    assert_true(c.scores[0] >= 0.5 && c.scores[0] < 0.6);           /* just over the limit */
    run(conf, &c, 30, 10000, 1000000 + 20000, 0, NULL, state, ctx); /* quiet: 1 per 10 s */
    assert_int_equal(c.n, 1);
    run(conf, &c, 400, 25, 1000000 + 400000, 0, NULL, state, ctx); /* 40 req/s: fires again */
    assert_int_equal(c.n, 2);
    assert_true(c.scores[1] > 0.9); /* far over the limit */
    det()->free(ctx);
    free(state);
    free(conf);
}

static void slow_traffic_never_fires(void **st)
{
    (void)st;
    void *conf = conf_with(NULL, NULL), *ctx;
    assert_int_equal(det()->init(&ctx, NULL, conf), 0);
    void *state = calloc(1, det()->state_size);
    struct cap c = {0};
    run(conf, &c, 5000, 1000, 0, 100, "k", state, ctx); /* 1 req/s for 83 min */
    assert_int_equal(c.n, 0);
    det()->free(ctx);
    free(state);
    free(conf);
}

static void token_and_key_limits(void **st)
{
    (void)st;
    void *conf = conf_with("max_tokens_short", "10000"), *ctx;
    assert_int_equal(det()->init(&ctx, NULL, conf), 0);
    void *state = calloc(1, det()->state_size);
    struct cap c = {0};
    run(conf, &c, 30, 1000, 0, 500, NULL, state, ctx); /* 15,000 tokens in 30 s */
    assert_int_equal(c.n, 1);
    assert_string_equal(c.codes[0], "velocity.token_rate");
    free(conf);
    det()->free(ctx);

    conf = conf_with("key_max_requests_short", "20");
    assert_int_equal(det()->init(&ctx, NULL, conf), 0);
    memset(state, 0, det()->state_size);
    c.n = 0;
    run(conf, &c, 30, 1000, 0, 0, "key-a", state, ctx);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.codes[0], "velocity.key_request_rate");
    det()->free(ctx);
    free(state);
    free(conf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fires_once_per_burst_and_rearms),
        cmocka_unit_test(slow_traffic_never_fires),
        cmocka_unit_test(token_and_key_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
