/* test_distill_crowd.c — a frame's new payloads across accounts
 * (distill_crowd.h): the table credits a frame once per call that brings a
 * part never seen before, near copies of the frame included, not other
 * frames, ends or stale counts; the filter forgets a part after two full
 * generations and rarely takes a new part for seen; the table survives a
 * snapshot. Through the detector: a harvest split over accounts of one
 * sitting each is held for its first accounts and released once others
 * brought new payloads under its frame in sittings of their own (and only
 * then; crowd_min_sittings 0 holds them all); users of one evaluation
 * harness re-sending a public benchmark's items are all held. */
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
#include "detect/distill_crowd.h"
#include "distill_streams.h"

#define DAY 86400000LL
#define T0 1795421702000LL

/* A template whose one recurring slot is (sketch, end). */
static struct warden_distill_template slot(uint64_t sketch, uint8_t end)
{
    struct warden_distill_template t;
    memset(&t, 0, sizeof t);
    t.n = 10;
    t.count[0] = 10;
    t.sketch[0] = sketch;
    t.end[0] = end;
    return t;
}

static void table_credits_new_payloads(void **st)
{
    (void)st;
    static const char key[] = "credits";
    bool created;
    struct warden_distill_crowd *c = warden_distill_crowd_new(key, 4096, 1000, &created);
    assert_true(created);
    assert_true(warden_distill_crowd_memory_bytes(c) >= 1000 * 16 + 2 * 4096);
    uint64_t x = 0x9e3779b97f4a7c15ULL, parts[3] = {11, 22, 33};
    uint8_t tail = 2;
    struct warden_distill_template t = slot(x, 2);
    assert_int_equal(warden_distill_crowd_sittings(c, &t, 12, T0, DAY), 0);
    /* new parts: credited */
    assert_true(warden_distill_crowd_observe(c, parts, 2, &x, &tail, 1, true, T0, 12, DAY, 0));
    assert_int_equal(warden_distill_crowd_sittings(c, &t, 12, T0, DAY), 1);
    /* the same parts again (a re-run): nothing new, no credit */
    assert_false(warden_distill_crowd_observe(c, parts, 2, &x, &tail, 1, true, T0, 12, DAY, 0));
    assert_int_equal(warden_distill_crowd_sittings(c, &t, 12, T0, DAY), 1);
    /* one new part among seen ones, under a near copy of the frame: credited */
    uint64_t near = x ^ 0x7;
    assert_true(
        warden_distill_crowd_observe(c, parts, 3, &near, &tail, 1, true, T0 + 1000, 12, DAY, 0));
    assert_int_equal(warden_distill_crowd_sittings(c, &t, 12, T0, DAY), 2);
    /* new, but not to be credited (the account's sitting was already): remembered only */
    uint64_t p4 = 44;
    assert_true(warden_distill_crowd_observe(c, &p4, 1, &x, &tail, 1, false, T0, 12, DAY, 0));
    assert_false(warden_distill_crowd_observe(c, &p4, 1, &x, &tail, 1, true, T0, 12, DAY, 0));
    assert_int_equal(warden_distill_crowd_sittings(c, &t, 12, T0, DAY), 2);
    /* other frames, the other end, a slot of one prompt: nothing */
    struct warden_distill_template other = slot(~x, 2), head = slot(x, 1), once = slot(x, 2);
    once.count[0] = 1;
    assert_int_equal(warden_distill_crowd_sittings(c, &other, 12, T0, DAY), 0);
    assert_int_equal(warden_distill_crowd_sittings(c, &head, 12, T0, DAY), 0);
    assert_int_equal(warden_distill_crowd_sittings(c, &once, 12, T0, DAY), 0);
    /* stale after ttl, and a new credit starts over */
    assert_int_equal(warden_distill_crowd_sittings(c, &t, 12, T0 + 2 * DAY, DAY), 0);
    uint64_t p5 = 55;
    assert_true(
        warden_distill_crowd_observe(c, &p5, 1, &x, &tail, 1, true, T0 + 2 * DAY, 12, DAY, 0));
    assert_int_equal(warden_distill_crowd_sittings(c, &t, 12, T0 + 2 * DAY, DAY), 1);
    /* the same key finds the same table */
    struct warden_distill_crowd *again = warden_distill_crowd_new(key, 4096, 1000, &created);
    assert_false(created);
    assert_ptr_equal(again, c);
    warden_distill_crowd_free(again);
    warden_distill_crowd_free(c);
}

/* Capacity 1024 parts per generation: a part is still known one full
 * generation later, forgotten after two; at capacity, new parts are taken
 * for seen rarely (a blocked Bloom filter at ~10 bits per part: ~1 %). */
static void filter_forgets_after_two_generations(void **st)
{
    (void)st;
    static const char key[] = "filter";
    bool created;
    struct warden_distill_crowd *c = warden_distill_crowd_new(key, 1024, 64, &created);
    uint64_t x = 1;
    uint8_t e = 2;
    uint64_t p = warden_hash64("the part", 8);
    assert_true(warden_distill_crowd_observe(c, &p, 1, &x, &e, 0, false, T0, 12, DAY, 0));
    int false_seen = 0;
    for (uint64_t i = 0; i < 1500; i++) { /* fills this generation, half the next */
        uint64_t q = warden_hash64(&i, sizeof i);
        false_seen += !warden_distill_crowd_observe(c, &q, 1, &x, &e, 0, false, T0, 12, DAY, 0);
    }
    assert_in_range(false_seen, 0, 1500 / 25); /* at most 4 % */
    uint64_t probe = p;
    /* still known (in the older generation; being looked up refreshes it) */
    assert_false(warden_distill_crowd_observe(c, &probe, 1, &x, &e, 0, false, T0, 12, DAY, 0));
    for (uint64_t i = 10000; i < 10000 + 2100; i++) {
        uint64_t q = warden_hash64(&i, sizeof i);
        warden_distill_crowd_observe(c, &q, 1, &x, &e, 0, false, T0, 12, DAY, 0);
    }
    assert_true(warden_distill_crowd_observe(c, &probe, 1, &x, &e, 0, false, T0, 12, DAY, 0));
    /* about 3,600 insertions at 1,024 a generation (fewer when a new line is taken for seen) */
    assert_in_range(warden_distill_crowd_rotations(c), 2, 3);
    warden_distill_crowd_free(c);
}

static char *save(struct warden_distill_crowd *c, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    struct warden_snapwriter *w = warden_snap_writer_new(f);
    warden_snap_section_begin(w, WARDEN_SNAP_TAG('C', 'R', 'W', 'D'));
    warden_distill_crowd_save(c, w);
    warden_snap_section_end(w);
    assert_int_equal(warden_snap_writer_finish(w), 0);
    fclose(f);
    return buf;
}

static int load(struct warden_distill_crowd *c, char *buf, size_t len)
{
    FILE *in = fmemopen(buf, len, "r");
    struct warden_snapreader *r = warden_snap_reader_new(in);
    warden_snap_section_enter(r, WARDEN_SNAP_TAG('C', 'R', 'W', 'D'));
    int rc = warden_distill_crowd_load(c, r);
    bool failed = warden_snap_failed(r);
    warden_snap_reader_free(r);
    fclose(in);
    return failed ? -100 : rc;
}

static void table_survives_a_snapshot(void **st)
{
    (void)st;
    static const char ka[] = "saved", kb[] = "loaded", kc[] = "other size";
    bool created;
    uint64_t x = 0x0123456789abcdefULL, parts[2] = {7, 8};
    uint8_t tail = 2;
    struct warden_distill_crowd *a = warden_distill_crowd_new(ka, 4096, 1000, &created);
    warden_distill_crowd_observe(a, parts, 1, &x, &tail, 1, true, T0, 12, DAY, 0);
    warden_distill_crowd_observe(a, parts + 1, 1, &x, &tail, 1, true, T0 + 60000, 12, DAY, 0);
    size_t len = 0;
    char *buf = save(a, &len);

    struct warden_distill_crowd *b = warden_distill_crowd_new(kb, 4096, 1000, &created);
    assert_int_equal(load(b, buf, len), 0);
    struct warden_distill_template t = slot(x, 2);
    assert_int_equal(warden_distill_crowd_sittings(b, &t, 12, T0, DAY), 2);
    assert_false(warden_distill_crowd_observe(b, parts, 2, &x, &tail, 1, true, T0, 12, DAY, 0));

    /* another size: starts over, the section skipped */
    struct warden_distill_crowd *d = warden_distill_crowd_new(kc, 8192, 1000, &created);
    assert_int_equal(load(d, buf, len), 1);
    assert_int_equal(warden_distill_crowd_sittings(d, &t, 12, T0, DAY), 0);

    /* cut short inside the filter (a well-formed section, too short):
     * refused, the reader says why */
    static const char ke[] = "cut";
    struct warden_distill_crowd *e = warden_distill_crowd_new(ke, 4096, 1000, &created);
    char *cut = NULL;
    size_t cutlen = 0;
    FILE *f = open_memstream(&cut, &cutlen);
    struct warden_snapwriter *w = warden_snap_writer_new(f);
    warden_snap_section_begin(w, WARDEN_SNAP_TAG('C', 'R', 'W', 'D'));
    warden_snap_put_u64(w, 4096); /* parts, blocks, sets as the table's ... */
    warden_snap_put_u64(w, (4096 + 50) / 51);
    warden_snap_put_u64(w, 256);
    warden_snap_put_u8(w, 0);
    warden_snap_put_u64(w, 10);
    warden_snap_put_bytes(w, "short", 5); /* ... then 5 bytes of two generations */
    warden_snap_section_end(w);
    assert_int_equal(warden_snap_writer_finish(w), 0);
    fclose(f);
    assert_int_equal(load(e, cut, cutlen), -100);
    free(cut);
    warden_distill_crowd_free(e);
    free(buf);
    warden_distill_crowd_free(a);
    warden_distill_crowd_free(b);
    warden_distill_crowd_free(d);
}

/* ---- the detector ---- */

struct run {
    int n;               /* findings */
    char code[64];       /* the first's */
    char evidence[8192]; /* the first's */
};

static void capture(struct warden_emit *em, const char *code, double score, const char *ev)
{
    (void)score;
    struct run *r = em->engine;
    if (r->n++) return;
    snprintf(r->code, sizeof r->code, "%s", code);
    snprintf(r->evidence, sizeof r->evidence, "%s", ev);
}

/* Findings for other accounts (late releases): their ids, in order. */
static char late_ids[16][32];
static int late_n;
static char late_evidence[2048];

static void capture_for(struct warden_emit *em, const char *id, size_t len, const char *code,
                        double score, const char *ev)
{
    (void)em;
    (void)score;
    assert_string_equal(code, "distill.crowd_frame");
    if (late_n < 16) snprintf(late_ids[late_n], sizeof late_ids[0], "%.*s", (int)len, id);
    if (!late_n) snprintf(late_evidence, sizeof late_evidence, "%s", ev);
    late_n++;
}

static const struct warden_detector *det(void)
{
    int i = warden_detector_index("distill");
    assert_true(i >= 0);
    return warden_detectors[i];
}

static void *ctx_with(void **conf, const char *key, const char *value)
{
    *conf = calloc(1, det()->conf_size);
    warden_conf_defaults(det()->conf_table, *conf);
    if (key) {
        char err[128];
        assert_int_equal(warden_conf_set(warden_conf_find(det()->conf_table, key), *conf, value,
                                         err, sizeof err),
                         0);
    }
    void *ctx;
    assert_int_equal(det()->init(&ctx, NULL, *conf), 0);
    return ctx;
}

static void drop(void *ctx, void *conf)
{
    det()->free(ctx);
    warden_conf_fini(det()->conf_table, conf);
    free(conf);
}

/* n requests of one stream as `account` from start into state st (NULL: a
 * fresh one); the findings in r. */
static void feed_state(void *ctx, struct warden_distill_state *st, struct run *r, enum ds_kind kind,
                       uint64_t seed, int64_t start, unsigned n, const char *account)
{
    struct warden_distill_state *s = st ? st : calloc(1, det()->state_size);
    memset(r, 0, sizeof *r);
    struct warden_emit em = {
        .finding = capture, .finding_for = capture_for, .engine = r, .detector = "distill"};
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
        det()->observe(ctx, &ev, s, &em);
    }
    warden_jbuf_fini(&em.scratch);
    if (!st) free(s);
}

static void feed(void *ctx, struct run *r, enum ds_kind kind, uint64_t seed, int64_t start,
                 unsigned n, const char *account)
{
    feed_state(ctx, NULL, r, kind, seed, start, n, account);
}

/* Eight accounts, one after the other, each 25 harvest requests a minute
 * apart (one sitting) in one frame, each its own items. With the defaults
 * (crowd_min_sittings 4) the first three are held while they run (the
 * frame had fewer than four credited sittings) and released when the
 * fourth brings it there, though they never come back (crowd_late); the
 * others are released as they run. With crowd_min_sittings 0 every one is
 * held. */
static void split_harvest_released(void **st)
{
    (void)st;
    for (int on = 0; on < 2; on++) {
        late_n = 0;
        void *conf, *ctx = ctx_with(&conf, "crowd_min_sittings", on ? "4" : "0");
        for (int a = 0; a < 8; a++) {
            char id[16];
            snprintf(id, sizeof id, "member-%d", a);
            struct run r;
            feed(ctx, &r, DS_HARVESTER, 100 + (uint64_t)a, T0 + a * 2 * 3600000LL, 25, id);
            if (!on || a < 3) {
                assert_int_equal(r.n, 0);
            } else {
                assert_true(r.n > 0);
                assert_string_equal(r.code, "distill.crowd_frame");
                assert_non_null(strstr(r.evidence, "\"crowd_released\":true"));
                assert_non_null(strstr(r.evidence, "\"crowd_credits\":1"));
                assert_non_null(strstr(r.evidence, "\"capped\":true")); /* review, not more */
            }
        }
        if (on) { /* the first three, released late, once each */
            assert_int_equal(late_n, 3);
            for (int a = 0; a < 3; a++) {
                char id[16];
                snprintf(id, sizeof id, "member-%d", a);
                bool seen = false;
                for (int i = 0; i < late_n; i++) seen |= strcmp(late_ids[i], id) == 0;
                assert_true(seen);
            }
            assert_non_null(strstr(late_evidence, "\"crowd_late\":true"));
            assert_non_null(strstr(late_evidence, "\"crowd_frame_sittings\":4"));
        } else {
            assert_int_equal(late_n, 0);
        }
        drop(ctx, conf);
    }
}

/* A member released in its one sitting (distill.crowd_frame, at the review
 * cap) that comes back for a second sitting of new items leaves the hold by
 * itself: its own signal's code is reported then, even at a score no higher
 * than the released one (cross-account rules count only that one). */
static void released_then_own_code(void **st)
{
    (void)st;
    void *conf, *ctx = ctx_with(&conf, NULL, NULL);
    struct run r;
    for (int a = 0; a < 4; a++) {
        char id[16];
        snprintf(id, sizeof id, "member-%d", a);
        feed(ctx, &r, DS_HARVESTER, 200 + (uint64_t)a, T0 + a * 2 * 3600000LL, 25, id);
    }
    struct warden_distill_state *s = calloc(1, det()->state_size);
    feed_state(ctx, s, &r, DS_HARVESTER, 300, T0 + 8 * 3600000LL, 25, "back");
    assert_true(r.n > 0);
    assert_string_equal(r.code, "distill.crowd_frame");
    feed_state(ctx, s, &r, DS_HARVESTER, 301, T0 + 12 * 3600000LL, 10, "back");
    assert_true(r.n > 0);
    assert_string_not_equal(r.code, "distill.crowd_frame");
    assert_null(strstr(r.evidence, "crowd_released"));
    free(s);
    drop(ctx, conf);
}

/* Eight users of one evaluation harness run the same public benchmark (the
 * same items in the same frame), one after the other, each in one sitting:
 * only the first brought new items; nobody is released. */
static void eval_users_of_one_benchmark_held(void **st)
{
    (void)st;
    void *conf, *ctx = ctx_with(&conf, NULL, NULL);
    for (int a = 0; a < 8; a++) {
        char id[16];
        snprintf(id, sizeof id, "lab-%d", a);
        struct run r;
        feed(ctx, &r, DS_EVAL_COT, 42, T0 + a * 2 * 3600000LL, 300, id);
        assert_int_equal(r.n, 0);
    }
    drop(ctx, conf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_credits_new_payloads),
        cmocka_unit_test(filter_forgets_after_two_generations),
        cmocka_unit_test(table_survives_a_snapshot),
        cmocka_unit_test(split_harvest_released),
        cmocka_unit_test(released_then_own_code),
        cmocka_unit_test(eval_users_of_one_benchmark_held),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
