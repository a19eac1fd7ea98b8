/* test_distill_prior.c — newcomers in an enforced account's frame
 * (distill_prior.h): the frame table finds a stored frame and near copies
 * of it, not other frames, other ends or expired ones; a harvester whose
 * frame is the frame of an account the policy throttled is scored, and
 * acted on, from its prior_min_events-th request instead of min_events (and
 * says so in its evidence), while the same newcomer without an enforced
 * account in its frame waits for min_events; an evaluation run whose public
 * frame is an enforced account's frame is matched but still held in its one
 * sitting: the prior changes when evidence is judged, never what counts; in
 * remote mode (a Kafka worker) frames go to the linking stage, not the
 * table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/error.h"
#include "core/event_decode.h"
#include "core/hash.h"
#include "core/snapio.h"
#include "detect/detector.h"
#include "detect/distill.h"
#include "detect/distill_prior.h"
#include "distill_streams.h"

#define DAY 86400000LL

static void table_matches_frames(void **st)
{
    (void)st;
    static const char key[] = "table test";
    struct warden_distill_prior *p = warden_distill_prior_new(key, 1000);
    assert_true(warden_distill_prior_memory_bytes(p) >= 1000 * 16);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    int64_t t = 1795421702000LL;
    assert_false(warden_distill_prior_has(p, x, 2, 6, t, DAY));
    warden_distill_prior_add(p, x, 2, t);
    assert_true(warden_distill_prior_has(p, x, 2, 6, t + 1000, DAY));
    /* a near copy (3 bits of one band differ): the other bands still meet */
    assert_true(warden_distill_prior_has(p, x ^ 0x7, 2, 6, t, DAY));
    /* too far, other end, another frame, expired */
    assert_false(warden_distill_prior_has(p, x ^ 0xff, 2, 6, t, DAY));
    assert_false(warden_distill_prior_has(p, x, 1, 6, t, DAY));
    assert_false(warden_distill_prior_has(p, ~x, 2, 6, t, DAY));
    assert_false(warden_distill_prior_has(p, x, 2, 6, t + 2 * DAY, DAY));
    /* adding again refreshes it */
    warden_distill_prior_add(p, x, 2, t + 2 * DAY);
    assert_true(warden_distill_prior_has(p, x, 2, 6, t + 2 * DAY, DAY));
    warden_distill_prior_free(p);
}

/* A table saved into a snapshot section and loaded into an empty table of
 * the same size holds the same frames; loaded into a table that already
 * has frames (or of another size) it is merged: both sets of frames, the
 * newer time of a frame in both; a truncated section is refused. */
static void table_survives_a_snapshot(void **st)
{
    (void)st;
    static const char ka[] = "saved", kb[] = "loaded", kc[] = "merged";
    int64_t t = 1795421702000LL;
    uint64_t x = 0x9e3779b97f4a7c15ULL, y = 0x0123456789abcdefULL, z = 0xfedcba9876543210ULL;
    struct warden_distill_prior *a = warden_distill_prior_new(ka, 1000);
    warden_distill_prior_add(a, x, 2, t);
    warden_distill_prior_add(a, y, 1, t + DAY / 2);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct warden_snapwriter *w = warden_snap_writer_new(f);
    warden_snap_section_begin(w, WARDEN_SNAP_TAG('P', 'R', 'I', 'O'));
    warden_distill_prior_save(a, w);
    warden_snap_section_end(w);
    assert_int_equal(warden_snap_writer_finish(w), 0);
    fclose(f);

    struct warden_distill_prior *b = warden_distill_prior_new(kb, 1000);
    struct warden_distill_prior *c = warden_distill_prior_new(kc, 64);
    warden_distill_prior_add(c, z, 2, t);
    warden_distill_prior_add(c, x, 2, t - 2 * DAY); /* older: the saved time wins */
    struct warden_distill_prior *into[2] = {b, c};
    for (int i = 0; i < 2; i++) {
        FILE *in = fmemopen(buf, len, "r");
        struct warden_snapreader *r = warden_snap_reader_new(in);
        warden_snap_section_enter(r, WARDEN_SNAP_TAG('P', 'R', 'I', 'O'));
        assert_int_equal(warden_distill_prior_load(into[i], r), 0);
        assert_false(warden_snap_failed(r));
        warden_snap_reader_free(r);
        fclose(in);
        assert_true(warden_distill_prior_has(into[i], x, 2, 6, t + 1000, DAY));
        assert_true(warden_distill_prior_has(into[i], y ^ 0x3, 1, 6, t + DAY, DAY));
        assert_false(warden_distill_prior_has(into[i], y, 2, 6, t + DAY, DAY));
        assert_false(warden_distill_prior_has(into[i], x, 2, 6, t + 2 * DAY, DAY));
    }
    assert_false(warden_distill_prior_has(b, z, 2, 6, t, DAY));
    assert_true(warden_distill_prior_has(c, z, 2, 6, t, DAY));

    /* cut short inside the frames: refused, the reader says why */
    struct warden_distill_prior *d = warden_distill_prior_new(ka + 1, 1000);
    char *cut = NULL;
    size_t cutlen = 0;
    f = open_memstream(&cut, &cutlen);
    w = warden_snap_writer_new(f);
    warden_snap_section_begin(w, WARDEN_SNAP_TAG('P', 'R', 'I', 'O'));
    warden_snap_put_u32(w, 16);
    warden_snap_put_u32(w, 5); /* five frames announced, one written */
    warden_snap_put_u64(w, x);
    warden_snap_put_u32(w, 1000);
    warden_snap_put_u8(w, 2);
    warden_snap_put_u8(w, 0);
    warden_snap_section_end(w);
    assert_int_equal(warden_snap_writer_finish(w), 0);
    fclose(f);
    FILE *in = fmemopen(cut, cutlen, "r");
    struct warden_snapreader *r = warden_snap_reader_new(in);
    warden_snap_section_enter(r, WARDEN_SNAP_TAG('P', 'R', 'I', 'O'));
    assert_int_equal(warden_distill_prior_load(d, r), WARDEN_EFORMAT);
    assert_true(warden_snap_failed(r));
    warden_snap_reader_free(r);
    fclose(in);
    free(cut);
    free(buf);
    warden_distill_prior_free(a);
    warden_distill_prior_free(b);
    warden_distill_prior_free(c);
    warden_distill_prior_free(d);
}

/* ---- the detector ---- */

struct run {
    int first_at; /* request number of the first finding, 0: none */
    int n;
    unsigned at;
    char evidence[8192];
    const char *enforced; /* the account the "policy" throttles, NULL: none */
};

static void capture(struct warden_emit *em, const char *code, double score, const char *ev)
{
    (void)code;
    (void)score;
    struct run *r = em->engine;
    if (!r->n++) {
        r->first_at = (int)r->at;
        snprintf(r->evidence, sizeof r->evidence, "%s", ev);
    }
}

/* Throttled on its own evidence: the one account the test names, once it has a finding. */
static enum warden_action action_of(struct warden_emit *em, const char *id, size_t len,
                                    const char *ignore)
{
    (void)ignore;
    struct run *r = em->engine;
    return r->enforced && r->n && strlen(r->enforced) == len && memcmp(r->enforced, id, len) == 0
               ? WARDEN_THROTTLE
               : WARDEN_ALLOW;
}

static const struct warden_detector *det(void)
{
    int i = warden_detector_index("distill");
    assert_true(i >= 0);
    return warden_detectors[i];
}

/* A context with the defaults and KEY=VALUE overrides (NULL-ended); *conf to free. */
static void *ctx_with(void **conf, ...)
{
    *conf = calloc(1, det()->conf_size);
    warden_conf_defaults(det()->conf_table, *conf);
    va_list ap;
    va_start(ap, conf);
    const char *k;
    while ((k = va_arg(ap, const char *))) {
        const char *v = va_arg(ap, const char *);
        char err[128];
        assert_int_equal(
            warden_conf_set(warden_conf_find(det()->conf_table, k), *conf, v, err, sizeof err), 0);
    }
    va_end(ap);
    void *ctx;
    assert_int_equal(det()->init(&ctx, NULL, *conf), 0);
    return ctx;
}

/* Feed n requests of one stream as `account` (starting at start) into ctx
 * with a fresh state; the state is returned (free it). */
static struct warden_distill_state *feed(void *ctx, struct run *r, enum ds_kind kind, uint64_t seed,
                                         int64_t start, unsigned n, const char *account)
{
    struct warden_distill_state *s = calloc(1, det()->state_size);
    const char *enforced = r->enforced;
    memset(r, 0, sizeof *r);
    r->enforced = enforced;
    struct warden_emit em = {
        .finding = capture, .engine = r, .detector = "distill", .action_of = action_of};
    warden_jbuf_init(&em.scratch);
    struct ds_stream ds;
    ds_init(&ds, kind, seed, start, account, "python-requests/2.32.3");
    char line[4096], why[256];
    for (unsigned i = 0; i < n; i++) {
        ds_next_line(&ds, line, sizeof line);
        struct warden_event ev;
        assert_int_equal(warden_event_decode(line, strlen(line), &ev, why, sizeof why), 0);
        ev.account_hash = warden_hash64(account, strlen(account));
        em.ev = &ev;
        r->at++;
        det()->observe(ctx, &ev, s, &em);
    }
    warden_jbuf_fini(&em.scratch);
    return s;
}

/* The payload-novelty hold is off in this test (min_novel_sittings=0): a
 * one-a-minute harvester is in one sitting for its first 30 requests, and
 * the point here is when the evidence is judged, not the hold. */
static void newcomer_in_enforced_frame_acted_on_early(void **st)
{
    (void)st;
    int64_t t0 = 1795421702000LL;
    struct run r = {0};
    /* without an enforced account in its frame: judged from min_events (8) */
    void *conf0;
    void *ctx0 = ctx_with(&conf0, "min_novel_sittings", "0", NULL);
    free(feed(ctx0, &r, DS_HARVESTER, 11, t0 + DAY, 40, "new"));
    assert_int_equal(r.first_at, 8);
    assert_null(strstr(r.evidence, "prior_frame"));
    det()->free(ctx0);
    warden_conf_fini(det()->conf_table, conf0);
    free(conf0);

    /* an account of the same pipeline is throttled; then the newcomer comes */
    void *conf;
    void *ctx = ctx_with(&conf, "min_novel_sittings", "0", NULL);
    r.enforced = "banned";
    free(feed(ctx, &r, DS_HARVESTER, 7, t0, 200, "banned"));
    assert_true(r.n > 0);
    r.enforced = NULL;
    free(feed(ctx, &r, DS_HARVESTER, 11, t0 + DAY, 40, "new"));
    assert_in_range(r.first_at, 3, 5); /* from prior_min_events, within its first 5 */
    assert_non_null(strstr(r.evidence, "\"prior_frame\":true"));

    /* a frame older than prior_days is no prior */
    free(feed(ctx, &r, DS_HARVESTER, 12, t0 + 31 * DAY, 40, "later"));
    assert_int_equal(r.first_at, 8);
    det()->free(ctx);
    warden_conf_fini(det()->conf_table, conf);
    free(conf);
}

/* An evaluation harness whose public frame ("Let's think step by step.")
 * is the frame of an enforced account: the prior applies, and the harness's
 * one-sitting benchmark run is still held below every action. */
static void eval_harness_in_public_frame_not_acted_on(void **st)
{
    (void)st;
    int64_t t0 = 1795421702000LL;
    struct run r = {0};
    /* a harvester that used the public frame was throttled (its context
     * has the hold off so that a burst of it is reported) */
    void *conf_h;
    void *ctx_h = ctx_with(&conf_h, "min_novel_sittings", "0", NULL);
    r.enforced = "harvester";
    free(feed(ctx_h, &r, DS_EVAL_COT, 5, t0, 300, "harvester"));
    assert_true(r.n > 0);
    r.enforced = NULL;

    /* the harness, judged with the defaults; built from the same policy
     * (none here), it finds the same table */
    void *conf;
    void *ctx = ctx_with(&conf, NULL);
    struct warden_distill_prior *table = warden_distill_prior_new(NULL, 0);
    struct warden_distill_state *s = feed(ctx, &r, DS_EVAL_COT, 9, t0 + DAY, 500, "harness");
    assert_true(warden_distill_prior_match(table, &s->tpl, 6, t0 + DAY, 30 * DAY));
    warden_distill_prior_free(table);
    assert_int_equal(r.n, 0);
    free(s);
    det()->free(ctx);
    warden_conf_fini(det()->conf_table, conf);
    free(conf);
    det()->free(ctx_h);
    warden_conf_fini(det()->conf_table, conf_h);
    free(conf_h);
}

/* Remote mode (a Kafka worker with the linking stage): an enforced
 * account's recurring frames go to publish(), with the account id, and not
 * into the table; find() returns the table a policy's contexts share, and
 * NULL for a key with none. */
static int published;
static uint64_t published_sketch;
static void publish(void *ctx, const char *acct, size_t len, uint64_t sketch, uint8_t end,
                    int64_t ts_ms)
{
    assert_ptr_equal(ctx, &published);
    assert_int_equal(len, 4);
    assert_memory_equal(acct, "acct", 4);
    assert_int_equal(end, 2);
    assert_true(ts_ms == 1795421702000LL);
    published++;
    published_sketch = sketch;
}

static void remote_mode_publishes_frames(void **st)
{
    (void)st;
    static const char key[] = "remote";
    struct warden_distill_prior *p = warden_distill_prior_new(key, 1000);
    struct warden_distill_prior *f = warden_distill_prior_find(key);
    assert_ptr_equal(f, p);
    warden_distill_prior_free(f);
    assert_null(warden_distill_prior_find("no such policy"));
    struct warden_distill_template t;
    memset(&t, 0, sizeof t);
    t.n = 20;
    t.count[0] = 12; /* recurring: >= 3 and a tenth of 20 */
    t.sketch[0] = 0x9e3779b97f4a7c15ULL;
    t.end[0] = 2;
    t.count[1] = 1; /* not recurring */
    t.sketch[1] = 0x0123456789abcdefULL;
    t.end[1] = 2;
    struct warden_distill_prior_remote r = {publish, &published};
    warden_distill_prior_remote(&r);
    warden_distill_prior_record(p, &t, 1795421702000LL, "acct", 4);
    warden_distill_prior_remote(NULL);
    assert_int_equal(published, 1);
    assert_true(published_sketch == t.sketch[0]);
    assert_false(warden_distill_prior_has(p, t.sketch[0], 2, 6, 1795421702000LL, DAY));
    /* what the worker does with the frame the stage sends back */
    warden_distill_prior_add(p, published_sketch, 2, 1795421702000LL);
    assert_true(warden_distill_prior_match(p, &t, 6, 1795421702000LL, DAY));
    /* and without remote mode, into the table */
    warden_distill_prior_free(p);
    p = warden_distill_prior_new(key, 1000);
    warden_distill_prior_record(p, &t, 1795421702000LL, "acct", 4);
    assert_int_equal(published, 1);
    assert_true(warden_distill_prior_has(p, t.sketch[0], 2, 6, 1795421702000LL, DAY));
    warden_distill_prior_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_matches_frames),
        cmocka_unit_test(table_survives_a_snapshot),
        cmocka_unit_test(newcomer_in_enforced_frame_acted_on_early),
        cmocka_unit_test(eval_harness_in_public_frame_not_acted_on),
        cmocka_unit_test(remote_mode_publishes_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
