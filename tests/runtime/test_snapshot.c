/* test_snapshot.c — engine state snapshots in-process (runtime.h
 * warden_runtime_save/load): every registered detector the policy enables,
 * link state included; save → load → save writes the same bytes; a blocked
 * account stays blocked with its reasons and cluster, a request id seen
 * before stays a duplicate; N shards load into M; a truncated, corrupted,
 * foreign or other-version file is refused with a message that says so and
 * leaves the runtime untouched; a detector whose slice changed size starts
 * that slice zeroed; one shard saved alone loads into a shard of another
 * runtime (the Kafka worker's partition hand-off); the distill detector's
 * process-wide crowd table is kept across a change of shard count, its
 * waiting accounts reported by the shard that sees them; state loaded under
 * another policy is decided again by its rules (lowered, raised, audited;
 * an analyst's lift kept unless the rules give more than at the lift; the
 * same policy changes nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/event_decode.h"
#include "core/snapio.h"
#include "detect/detector.h"
#include "engine/engine.h"
#include "runtime/runtime.h"
#include "rt_fixture.h"
#include "../unit/distill_streams.h"

/* 175.45.176.0/22 is KP in the IP table; 81.2.69.0/24 is GB. */
static const char *policy_kp =
    "jurisdictions:\n  restricted: [KP]\n  ip_action: block\n  billing_action: block\n"
    "detectors:\n  link:\n    max_accounts: 4096\n    max_identifiers: 16384\n"
    "    max_clusters: 1024\n";

static struct warden_runtime *runtime_up(unsigned shards, const struct warden_detector *const *d,
                                         size_t nd)
{
    struct warden_runtime_conf c = {.lateness_ms = -1,
                                    .quiet = true,
                                    .keep_ids = true,
                                    .max_accounts = 5000,
                                    .dedup_window = 4096,
                                    .shards = shards,
                                    .detectors = d,
                                    .n_detectors = nd};
    return rt_fixture_runtime(&c, policy_kp);
}

static bool decide(struct warden_runtime *rt, const char *json, struct warden_decision *d)
{
    char buf[1024], why[256];
    struct warden_event ev;
    snprintf(buf, sizeof buf, "%s", json);
    assert_int_equal(warden_event_decode(buf, strlen(buf), &ev, why, sizeof why), 0);
    return warden_runtime_decide(rt, &ev, d);
}

static bool event(struct warden_runtime *rt, int64_t ts, const char *acct, const char *ip,
                  const char *rid, struct warden_decision *d)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"ts\":%lld,\"account_id\":\"%s\",\"ip\":\"%s\",\"request_id\":\"%s\","
             "\"api_key_id\":\"k-%s\",\"model\":\"m-1\",\"user_agent\":\"sdk/1.0\","
             "\"prompt\":\"Summarise the report for week %lld\",\"input_tokens\":120,"
             "\"output_tokens\":400}",
             (long long)ts, acct, ip, rid, acct, (long long)(ts / 1000) % 97);
    return decide(rt, json, d);
}

#define T0 1795421700000LL

/* 300 accounts, 6 events each; acct-7 and acct-8 reach from KP once. */
static void traffic(struct warden_runtime *rt)
{
    struct warden_decision d;
    char acct[32], ip[32], rid[32];
    for (int round = 0; round < 6; round++) {
        for (int a = 0; a < 300; a++) {
            snprintf(acct, sizeof acct, "acct-%d", a);
            bool kp = (a == 7 || a == 8) && round == 2;
            snprintf(ip, sizeof ip, kp ? "175.45.176.%d" : "81.2.69.%d", a % 200 + 1);
            snprintf(rid, sizeof rid, "r-%d-%d", round, a);
            event(rt, T0 + (round * 300 + a) * 1000LL, acct, ip, rid, &d);
        }
    }
}

static char *save_mem(struct warden_runtime *rt, size_t *len, struct warden_runtime_snapinfo *info)
{
    char *buf = NULL, err[512] = "";
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    int rc = warden_runtime_save_ex(rt, f, info, err, sizeof err);
    if (rc) fprintf(stderr, "save: %s\n", err);
    assert_int_equal(rc, 0);
    fclose(f);
    return buf;
}

static int load_mem(struct warden_runtime *rt, const char *buf, size_t len, char *err,
                    size_t errlen, struct warden_runtime_snapinfo *info)
{
    FILE *f = fmemopen((void *)buf, len, "rb");
    assert_non_null(f);
    int rc = warden_runtime_load_ex(rt, f, info, err, errlen);
    fclose(f);
    return rc;
}

static size_t n_verdicts(const struct warden_runtime *rt)
{
    size_t n = 0;
    for (size_t i = 0; i < warden_runtime_n_shards(rt); i++)
        n += warden_engine_n_verdicts(warden_runtime_shard(rt, i));
    return n;
}

/* The blocked account is still blocked, for the same reason, and a request
 * id it sent before is still a duplicate. */
static void check_restored(struct warden_runtime *rt)
{
    struct warden_decision d;
    assert_true(event(rt, T0 + 2000000, "acct-7", "81.2.69.9", "r-new-1", &d));
    assert_int_equal(d.decided, WARDEN_BLOCK);
    assert_true(d.n_reasons >= 1);
    assert_string_equal(d.reasons[0].code, "geo.restricted_jurisdiction");
    assert_false(event(rt, T0 + 2001000, "acct-8", "81.2.69.9", "r-5-8", &d));
    assert_true(d.duplicate);
    assert_int_equal(d.decided, WARDEN_BLOCK);
    assert_true(event(rt, T0 + 2002000, "acct-9", "81.2.69.9", "r-new-2", &d));
    assert_int_equal(d.decided, WARDEN_ALLOW);
}

static void save_load_save_is_identical(void **state)
{
    (void)state;
    struct warden_runtime *a = runtime_up(2, NULL, 0);
    traffic(a);
    size_t la, lb;
    struct warden_runtime_snapinfo ia = {.position = 0x1234567890ULL};
    char *sa = save_mem(a, &la, &ia);
    assert_int_equal(ia.accounts, 300);
    assert_int_equal(ia.newest_ms, T0 + (5 * 300 + 299) * 1000LL);

    struct warden_runtime *b = runtime_up(2, NULL, 0);
    char err[512] = "";
    struct warden_runtime_snapinfo ib = {0};
    int rc = load_mem(b, sa, la, err, sizeof err, &ib);
    if (rc) fprintf(stderr, "load: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(ib.position, 0x1234567890ULL);
    assert_int_equal(ib.shards, 2);
    assert_int_equal(ib.accounts, 300);
    assert_int_equal(n_verdicts(b), n_verdicts(a));
    assert_true(n_verdicts(b) >= 2);
    char *sb = save_mem(b, &lb, &ib);
    assert_int_equal(la, lb);
    assert_memory_equal(sa, sb, la);
    check_restored(b);
    /* and the original goes on the same way */
    check_restored(a);
    free(sa);
    free(sb);
    warden_runtime_free(a);
    warden_runtime_free(b);
}

/* Every verdict sits on the shard that sees its account's events. */
static void on_own_shards(struct warden_runtime *rt)
{
    for (size_t s = 0; s < warden_runtime_n_shards(rt); s++) {
        const struct warden_engine *e = warden_runtime_shard(rt, s);
        for (size_t i = 0; i < warden_engine_n_verdicts(e); i++) {
            const struct warden_verdict *v = warden_engine_verdict_at(e, i);
            struct warden_event ev = {0};
            ev.account_id.p = v->account_id;
            ev.account_id.n = (uint32_t)strlen(v->account_id);
            assert_true(warden_runtime_shard_index(rt, &ev) == s);
        }
    }
}

static void shards_repartition(void **state)
{
    (void)state;
    struct warden_runtime *a = runtime_up(4, NULL, 0);
    traffic(a);
    size_t la;
    char *sa = save_mem(a, &la, NULL);
    struct warden_runtime *b = runtime_up(3, NULL, 0);
    char err[512] = "";
    struct warden_runtime_snapinfo ib = {0};
    int rc = load_mem(b, sa, la, err, sizeof err, &ib);
    if (rc) fprintf(stderr, "load: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(ib.shards, 4);
    assert_int_equal(n_verdicts(b), n_verdicts(a));
    on_own_shards(b); /* every account is on the shard that will see its events */
    check_restored(b);
    free(sa);
    warden_runtime_free(a);
    warden_runtime_free(b);
}

/* Load a damaged copy: refused, the message contains want, nothing applied. */
static void refused(struct warden_runtime *b, const char *buf, size_t len, const char *want)
{
    char err[512] = "";
    int rc = load_mem(b, buf, len, err, sizeof err, NULL);
    assert_int_equal(rc, WARDEN_EFORMAT);
    if (!strstr(err, want)) fprintf(stderr, "message '%s' lacks '%s'\n", err, want);
    assert_non_null(strstr(err, want));
    assert_int_equal(n_verdicts(b), 0);
}

static void damaged_files_are_refused(void **state)
{
    (void)state;
    struct warden_runtime *a = runtime_up(2, NULL, 0);
    traffic(a);
    size_t la;
    char *sa = save_mem(a, &la, NULL);
    char *c = malloc(la);
    struct warden_runtime *b =
        runtime_up(2, NULL, 0); /* one runtime: each refusal leaves it empty */
    refused(b, sa, la - 9, "truncated");
    refused(b, sa, la / 2, "truncated");
    refused(b, sa, 10, "not a Warden state snapshot");
    memcpy(c, sa, la);
    c[la / 2] ^= 0x20;
    refused(b, c, la, "checksum mismatch");
    memcpy(c, sa, la);
    c[8] = 9; /* format version */
    refused(b, c, la, "format version 9");
    memcpy(c, sa, la);
    memcpy(c, "PK\x03\x04", 4);
    refused(b, c, la, "not a Warden state snapshot");
    free(c);
    free(sa);
    warden_runtime_free(b);
    warden_runtime_free(a);
}

/* A snapshot whose detector list promises more bytes per account than its
 * accounts hold (written with the format's own writer, checksums valid). */
static void inconsistent_detector_sizes_are_refused(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct warden_snapwriter *w = warden_snap_writer_new(f);
    warden_snap_section_begin(w, WARDEN_SNAP_TAG('M', 'E', 'T', 'A'));
    warden_snap_put_u32(w, 1);
    warden_snap_put_u64(w, 0);
    warden_snap_put_i64(w, T0);
    warden_snap_put_i64(w, T0);
    warden_snap_put_i64(w, T0);
    warden_snap_put_u32(w, 1);
    warden_snap_put_str(w, "velocity", 8);
    warden_snap_put_u32(w, 4096);
    warden_snap_put_u32(w, 0);
    warden_snap_section_end(w);
    warden_snap_section_begin(w, WARDEN_SNAP_TAG('S', 'H', 'R', 'D'));
    warden_snap_put_u32(w, 0);
    warden_snap_put_i64(w, T0);
    warden_snap_put_u32(w, 0); /* clusters */
    warden_snap_put_u32(w, 0); /* verdicts */
    warden_snap_put_u64(w, 4095);
    warden_snap_put_u64(w, 0);
    warden_snap_put_u64(w, 0);
    warden_snap_put_u64(w, 0);
    warden_snap_put_u64(w, 1); /* one account ... */
    warden_snap_put_u64(w, 42);
    warden_snap_put_u8(w, 0);
    warden_snap_put_u8(w, 0);
    warden_snap_put_u64(w, 1);
    warden_snap_put_i64(w, T0);
    warden_snap_put_f64(w, 0);
    warden_snap_put_u32(w, 0);
    warden_snap_put_u8(w, 0);
    warden_snap_put_u8(w, 0);
    char slice[100] = {0}; /* ... with 100 of the 4096 bytes promised */
    warden_snap_put_bytes(w, slice, sizeof slice);
    warden_snap_section_end(w);
    assert_int_equal(warden_snap_writer_finish(w), 0);
    fclose(f);
    struct warden_runtime *b = runtime_up(2, NULL, 0);
    refused(b, buf, len, "section SHRD ends early");
    warden_runtime_free(b);
    free(buf);
}

/* ---- a detector whose slice changes size between runs ---- */

static int seen_in_state; /* what observe() found in the slice at the last event */

static int probe_init(void **ctx, const struct warden_policy *p, const void *conf)
{
    (void)p;
    (void)conf;
    *ctx = NULL;
    return 0;
}

static void probe_observe(void *ctx, const struct warden_event *ev, void *state,
                          struct warden_emit *em)
{
    (void)ctx;
    (void)ev;
    (void)em;
    int *n = state;
    seen_in_state = *n;
    (*n)++;
}

static const struct warden_detector probe16 = {
    .name = "probe", .state_size = 16, .init = probe_init, .observe = probe_observe};
static const struct warden_detector probe24 = {
    .name = "probe", .state_size = 24, .init = probe_init, .observe = probe_observe};
static const struct warden_detector probe16v2 = {.name = "probe",
                                                 .state_size = 16,
                                                 .state_version = 2,
                                                 .init = probe_init,
                                                 .observe = probe_observe};

/* the version-0 16-byte slice grown at its end: it loads into the start */
static const struct warden_detector probe24grown = {.name = "probe",
                                                    .state_size = 24,
                                                    .state_version = 1,
                                                    .state_grew_from = {16, 0},
                                                    .init = probe_init,
                                                    .observe = probe_observe};
/* grown from another version than the one saved: zeroed */
static const struct warden_detector probe24other = {.name = "probe",
                                                    .state_size = 24,
                                                    .state_version = 3,
                                                    .state_grew_from = {16, 2},
                                                    .init = probe_init,
                                                    .observe = probe_observe};

static void changed_detector_slice_starts_zeroed(void **state)
{
    (void)state;
    const struct warden_detector *d16[] = {&probe16};
    struct warden_runtime *a = runtime_up(1, d16, 1);
    struct warden_decision d;
    for (int i = 0; i < 5; i++) event(a, T0 + i, "acct-1", "81.2.69.1", "", &d);
    assert_int_equal(seen_in_state, 4);
    size_t la;
    char *sa = save_mem(a, &la, NULL);
    char err[512];

    /* same detector: the slice comes back */
    struct warden_runtime *b = runtime_up(1, d16, 1);
    assert_int_equal(load_mem(b, sa, la, err, sizeof err, NULL), 0);
    event(b, T0 + 10, "acct-1", "81.2.69.1", "", &d);
    assert_int_equal(seen_in_state, 5);
    warden_runtime_free(b);

    /* another size or version: loaded, that slice zeroed */
    const struct warden_detector *d24[] = {&probe24};
    b = runtime_up(1, d24, 1);
    assert_int_equal(load_mem(b, sa, la, err, sizeof err, NULL), 0);
    event(b, T0 + 10, "acct-1", "81.2.69.1", "", &d);
    assert_int_equal(seen_in_state, 0);
    warden_runtime_free(b);
    const struct warden_detector *dv2[] = {&probe16v2};
    b = runtime_up(1, dv2, 1);
    assert_int_equal(load_mem(b, sa, la, err, sizeof err, NULL), 0);
    event(b, T0 + 10, "acct-1", "81.2.69.1", "", &d);
    assert_int_equal(seen_in_state, 0);
    warden_runtime_free(b);
    const struct warden_detector *dgrown[] = {&probe24other};
    b = runtime_up(1, dgrown, 1);
    assert_int_equal(load_mem(b, sa, la, err, sizeof err, NULL), 0);
    event(b, T0 + 10, "acct-1", "81.2.69.1", "", &d);
    assert_int_equal(seen_in_state, 0);
    warden_runtime_free(b);

    /* grown at its end from the slice saved: kept */
    dgrown[0] = &probe24grown;
    b = runtime_up(1, dgrown, 1);
    assert_int_equal(load_mem(b, sa, la, err, sizeof err, NULL), 0);
    event(b, T0 + 10, "acct-1", "81.2.69.1", "", &d);
    assert_int_equal(seen_in_state, 5);
    warden_runtime_free(b);
    free(sa);
    warden_runtime_free(a);
}

static void save_file_is_atomic_and_loads(void **state)
{
    (void)state;
    char path[128], err[512] = "";
    snprintf(path, sizeof path, "/tmp/warden_snap_%d.state", (int)getpid());
    unlink(path);
    struct warden_runtime *a = runtime_up(2, NULL, 0);
    assert_int_equal(warden_runtime_load_file(a, path, err, sizeof err), WARDEN_ENOENT);
    traffic(a);
    assert_int_equal(warden_runtime_save_file(a, path, err, sizeof err), 0);
    assert_int_equal(warden_runtime_save_file(a, path, err, sizeof err), 0); /* over the old one */
    struct warden_runtime *b = runtime_up(2, NULL, 0);
    assert_int_equal(warden_runtime_load_file(b, path, err, sizeof err), 0);
    check_restored(b);
    /* no temporary file is left beside it */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls %s.tmp.* >/dev/null 2>&1", path);
    assert_int_not_equal(system(cmd), 0);
    unlink(path);
    warden_runtime_free(a);
    warden_runtime_free(b);
}

/* One shard alone (runtime.h one_shard, what the Kafka worker saves per
 * partition): saved from shard 2 of 4, loaded into shard 2 of a fresh
 * runtime; the other shards stay empty; a whole-runtime file is refused. */
static bool event_on(struct warden_runtime *rt, size_t shard, int64_t ts, const char *acct,
                     const char *ip, const char *rid, struct warden_decision *d)
{
    char json[512], why[256];
    snprintf(json, sizeof json,
             "{\"ts\":%lld,\"account_id\":\"%s\",\"ip\":\"%s\",\"request_id\":\"%s\","
             "\"model\":\"m-1\",\"prompt\":\"Summarise the report\",\"input_tokens\":12,"
             "\"output_tokens\":40}",
             (long long)ts, acct, ip, rid);
    struct warden_event ev;
    assert_int_equal(warden_event_decode(json, strlen(json), &ev, why, sizeof why), 0);
    return warden_runtime_decide_shard(rt, shard, &ev, d);
}

static void one_shard_moves(void **state)
{
    (void)state;
    struct warden_runtime *a = runtime_up(4, NULL, 0);
    struct warden_decision d;
    for (int i = 0; i < 5; i++) {
        char rid[32];
        snprintf(rid, sizeof rid, "r-kp-%d", i);
        event_on(a, 2, T0 + i * 1000, "kp-user", "175.45.176.7", rid, &d);
        snprintf(rid, sizeof rid, "r-gb-%d", i);
        event_on(a, 2, T0 + i * 1000, "gb-user", "81.2.69.7", rid, &d);
        snprintf(rid, sizeof rid, "r-one-%d", i);
        event_on(a, 1, T0 + i * 1000, "kp-other", "175.45.176.8", rid, &d);
    }
    assert_non_null(warden_engine_verdict(warden_runtime_shard(a, 2), "kp-user", 7));
    assert_non_null(warden_engine_verdict(warden_runtime_shard(a, 1), "kp-other", 8));
    char path[64], err[512];
    snprintf(path, sizeof path, "/tmp/warden_snapshard_%d.snap", (int)getpid());
    struct warden_runtime_snapinfo si = {.position = 1234, .one_shard = true, .shard = 2};
    assert_int_equal(warden_runtime_save_file_ex(a, path, &si, err, sizeof err), 0);
    assert_int_equal(si.shards, 1);

    struct warden_runtime *b = runtime_up(4, NULL, 0);
    struct warden_runtime_snapinfo li = {.one_shard = true, .shard = 2};
    assert_int_equal(warden_runtime_load_file_ex(b, path, &li, err, sizeof err), 0);
    assert_int_equal(li.position, 1234);
    assert_int_equal(li.accounts, 2);
    const struct warden_verdict *v =
        warden_engine_verdict(warden_runtime_shard(b, 2), "kp-user", 7);
    assert_non_null(v);
    assert_int_equal(v->action, WARDEN_BLOCK);
    assert_null(warden_engine_verdict(warden_runtime_shard(b, 1), "kp-other", 8));
    assert_null(warden_engine_verdict(warden_runtime_shard(b, 2), "gb-user", 7));
    /* the shard goes on as it was: a request id it saw is a duplicate, a new one decided */
    assert_false(event_on(b, 2, T0 + 6000, "kp-user", "81.2.69.9", "r-kp-1", &d));
    assert_true(event_on(b, 2, T0 + 7000, "kp-user", "81.2.69.9", "r-kp-new", &d));
    assert_int_equal(d.decided, WARDEN_BLOCK);
    warden_runtime_free(b);

    assert_int_equal(warden_runtime_save_file(a, path, err, sizeof err), 0);
    struct warden_runtime *c = runtime_up(4, NULL, 0);
    struct warden_runtime_snapinfo ci = {.one_shard = true, .shard = 2};
    assert_int_equal(warden_runtime_load_file_ex(c, path, &ci, err, sizeof err), WARDEN_EFORMAT);
    assert_non_null(strstr(err, "snapshot of 4 shards"));
    warden_runtime_free(c);
    unlink(path);
    warden_runtime_free(a);
}

/* A detector with per-shard context state (as distill's end-user lanes):
 * it counts the events of its shard, and saves and loads the count. */
static uint64_t ctx_seen; /* the count observe() found at the last event */

static int tally_init(void **ctx, const struct warden_policy *p, const void *conf)
{
    (void)p;
    (void)conf;
    *ctx = calloc(1, sizeof(uint64_t));
    return *ctx ? 0 : -1;
}

static void tally_observe(void *ctx, const struct warden_event *ev, void *state,
                          struct warden_emit *em)
{
    (void)ev;
    (void)state;
    (void)em;
    ctx_seen = (*(uint64_t *)ctx)++;
}

static int tally_save(void *ctx, struct warden_snapwriter *w)
{
    warden_snap_put_u64(w, *(uint64_t *)ctx);
    return 0;
}

static int tally_load(void *ctx, struct warden_snapreader *r)
{
    *(uint64_t *)ctx = warden_snap_get_u64(r);
    return warden_snap_failed(r) ? WARDEN_EFORMAT : 0;
}

static const struct warden_detector tally = {.name = "tally",
                                             .init = tally_init,
                                             .observe = tally_observe,
                                             .free = free,
                                             .save = tally_save,
                                             .load = tally_load};

/* A one-shard file keeps the shard's detector contexts, for every shard:
 * shard 0 (a Kafka worker's partition 0) as shard 3. */
static void one_shard_keeps_contexts(void **state)
{
    (void)state;
    const struct warden_detector *dets[] = {&tally};
    char path[64], err[512];
    snprintf(path, sizeof path, "/tmp/warden_snapctx_%d.snap", (int)getpid());
    for (unsigned shard = 0; shard < 4; shard += 3) {
        struct warden_runtime *a = runtime_up(4, dets, 1);
        struct warden_decision d;
        for (int i = 0; i < 5; i++) {
            char rid[32];
            snprintf(rid, sizeof rid, "r-%u-%d", shard, i);
            event_on(a, shard, T0 + i * 1000, "gb-user", "81.2.69.7", rid, &d);
        }
        struct warden_runtime_snapinfo si = {.position = 5, .one_shard = true, .shard = shard};
        assert_int_equal(warden_runtime_save_file_ex(a, path, &si, err, sizeof err), 0);
        struct warden_runtime *b = runtime_up(4, dets, 1);
        struct warden_runtime_snapinfo li = {.one_shard = true, .shard = shard};
        assert_int_equal(warden_runtime_load_file_ex(b, path, &li, err, sizeof err), 0);
        event_on(b, shard, T0 + 9000, "gb-user", "81.2.69.7", "r-next", &d);
        assert_int_equal(ctx_seen, 5); /* the count came back, not 0 */
        warden_runtime_free(b);
        warden_runtime_free(a);
    }
    unlink(path);
}

/* ---- the crowd table across shard counts ---- */

struct crowd_seen {
    int n;
    char id[16][32];
};

static void crowd_finding(void *self, const struct warden_finding *f)
{
    struct crowd_seen *c = self;
    if (strcmp(f->code, "distill.crowd_frame") != 0 || c->n >= 16) return;
    snprintf(c->id[c->n++], sizeof c->id[0], "%.*s", (int)f->account_id_len, f->account_id);
}

static const struct warden_sink_type crowd_sink = {.name = "crowd", .finding = crowd_finding};

static int crowd_count(const struct crowd_seen *c, const char *id)
{
    int n = 0;
    for (int i = 0; i < c->n; i++) n += strcmp(c->id[i], id) == 0;
    return n;
}

/* member-A, 25 harvest requests a minute apart in one frame, its own items,
 * from T0 + A * 2 h (the split harvest of tests/unit/test_distill_crowd.c) */
static void ring_member(struct warden_runtime *rt, int a)
{
    char id[16], line[4096], why[256];
    snprintf(id, sizeof id, "member-%d", a);
    struct ds_stream ds;
    ds_init(&ds, DS_HARVESTER, 100 + (uint64_t)a, T0 + a * 2 * 3600000LL, id,
            "python-requests/2.32.3");
    for (int i = 0; i < 25; i++) {
        ds_next_line(&ds, line, sizeof line);
        struct warden_event ev;
        assert_int_equal(warden_event_decode(line, strlen(line), &ev, why, sizeof why), 0);
        struct warden_decision d;
        warden_runtime_decide(rt, &ev, &d);
    }
}

/* Three members run on two shards and are held (their frame has three
 * credited sittings of the four crowd_min_sittings asks). Saved, and
 * loaded into three shards: the fourth member brings the frame to four, is
 * released as it runs, and the three are released late, each reported once,
 * by the shard that sees it now (its verdict is on no other shard). Without
 * the snapshot the fourth is held. */
static struct warden_runtime *distill_up(unsigned shards)
{
    int di = warden_detector_index("distill");
    assert_true(di >= 0);
    static const struct warden_detector *dets[1];
    dets[0] = warden_detectors[di];
    struct warden_runtime_conf c = {.lateness_ms = -1,
                                    .quiet = true,
                                    .keep_ids = true,
                                    .max_accounts = 5000,
                                    .shards = shards,
                                    .detectors = dets,
                                    .n_detectors = 1};
    return rt_fixture_runtime(&c, "rules:\n  - {code: \"distill.*\", min_score: 0.5, action: "
                                  "review}\n");
}

static void crowd_kept_across_shard_counts(void **state)
{
    (void)state;
    char err[512] = "";
    for (int loaded = 0; loaded < 2; loaded++) {
        struct crowd_seen seen = {0};
        struct warden_runtime *b = distill_up(3);
        warden_runtime_add_sink(b, &crowd_sink, &seen);
        if (loaded) {
            struct warden_runtime *a = distill_up(2);
            struct crowd_seen before = {0};
            warden_runtime_add_sink(a, &crowd_sink, &before);
            for (int m = 0; m < 3; m++) ring_member(a, m);
            assert_int_equal(before.n, 0); /* held */
            size_t la;
            char *sa = save_mem(a, &la, NULL);
            struct warden_runtime_snapinfo ib = {0};
            int rc = load_mem(b, sa, la, err, sizeof err, &ib);
            if (rc) fprintf(stderr, "load: %s\n", err);
            assert_int_equal(rc, 0);
            assert_int_equal(ib.shards, 2);
            free(sa);
            warden_runtime_free(a);
        }
        ring_member(b, 3);
        assert_int_equal(warden_runtime_finish(b, err, sizeof err), 0);
        if (loaded) {
            assert_true(crowd_count(&seen, "member-3") >= 1);
            for (int m = 0; m < 3; m++) {
                char id[16];
                snprintf(id, sizeof id, "member-%d", m);
                assert_int_equal(crowd_count(&seen, id), 1);
            }
            on_own_shards(b); /* no verdict on another shard than its account's */
        } else {
            assert_int_equal(seen.n, 0);
        }
        warden_runtime_free(b);
    }
}

/* ---- state loaded under another policy ---- */

struct changes {
    int n;
    char acct[8][32];
    enum warden_action from[8], to[8];
    char reason[8][64];
};

static void change_seen(void *self, const struct warden_action_change *c)
{
    struct changes *x = self;
    if (x->n < 8) {
        snprintf(x->acct[x->n], sizeof x->acct[0], "%s", c->verdict->account_id);
        x->from[x->n] = c->from;
        x->to[x->n] = c->to;
        snprintf(x->reason[x->n], sizeof x->reason[0], "%s", c->code);
    }
    x->n++;
}

/* no free: the struct is the test's */
static const struct warden_sink_type change_sink = {.name = "changes", .action = change_seen};

/* policy_kp with ip_action set to action; changes seen into *seen */
static struct warden_runtime *ip_action_up(const char *action, struct changes *seen)
{
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "jurisdictions:\n  restricted: [KP]\n  ip_action: %s\n  billing_action: block\n"
             "detectors:\n  link:\n    max_accounts: 4096\n    max_identifiers: 16384\n"
             "    max_clusters: 1024\n",
             action);
    struct warden_runtime_conf c = {.lateness_ms = -1,
                                    .quiet = true,
                                    .keep_ids = true,
                                    .max_accounts = 5000,
                                    .dedup_window = 4096,
                                    .shards = 2};
    struct warden_runtime *rt = rt_fixture_runtime(&c, yaml);
    memset(seen, 0, sizeof *seen);
    warden_runtime_add_sink(rt, &change_sink, seen);
    return rt;
}

static enum warden_action action_of(struct warden_runtime *rt, const char *acct)
{
    for (size_t i = 0; i < warden_runtime_n_shards(rt); i++) {
        const struct warden_verdict *v =
            warden_engine_verdict(warden_runtime_shard(rt, i), acct, strlen(acct));
        if (v) return v->action;
    }
    return (enum warden_action) - 1;
}

static void lift(struct warden_runtime *rt, const char *acct)
{
    for (size_t i = 0; i < warden_runtime_n_shards(rt); i++)
        warden_runtime_lift_shard(rt, i, acct, strlen(acct));
}

static void policy_change_decides_again(void **state)
{
    (void)state;
    char err[512] = "";
    struct changes sa, sb, sc, sd;
    /* under ip_action: block, acct-7 and acct-8 are blocked; an analyst lifts acct-8 */
    struct warden_runtime *a = ip_action_up("block", &sa);
    traffic(a);
    assert_int_equal(action_of(a, "acct-7"), WARDEN_BLOCK);
    lift(a, "acct-8");
    assert_int_equal(action_of(a, "acct-8"), WARDEN_ALLOW);
    size_t len;
    char *buf = save_mem(a, &len, NULL);

    /* the same rules: nothing changes, nothing is audited */
    struct warden_runtime *same = ip_action_up("block", &sb);
    assert_int_equal(load_mem(same, buf, len, err, sizeof err, NULL), 0);
    assert_int_equal(sb.n, 0);
    assert_int_equal(action_of(same, "acct-7"), WARDEN_BLOCK);
    assert_int_equal(action_of(same, "acct-8"), WARDEN_ALLOW);
    struct warden_decision d;
    assert_true(event(same, T0 + 3000000, "acct-7", "81.2.69.9", "r-x-1", &d));
    assert_int_equal(d.decided, WARDEN_BLOCK);

    /* a rule relaxed (ip_action: review): the block is lowered to what the
     * relaxed policy gives the same traffic from the start, audited with
     * its reason; the lifted account stays lifted */
    struct changes sf;
    struct warden_runtime *fresh = ip_action_up("review", &sf);
    traffic(fresh);
    enum warden_action want = action_of(fresh, "acct-7");
    assert_true(want >= WARDEN_REVIEW && want < WARDEN_BLOCK);
    struct warden_runtime *relaxed = ip_action_up("review", &sc);
    assert_int_equal(load_mem(relaxed, buf, len, err, sizeof err, NULL), 0);
    assert_int_equal(sc.n, 1);
    assert_string_equal(sc.acct[0], "acct-7");
    assert_int_equal(sc.from[0], WARDEN_BLOCK);
    assert_int_equal(sc.to[0], want);
    assert_string_equal(sc.reason[0], "geo.restricted_jurisdiction");
    assert_int_equal(action_of(relaxed, "acct-8"), WARDEN_ALLOW);
    assert_true(event(relaxed, T0 + 3000000, "acct-7", "81.2.69.9", "r-x-1", &d));
    assert_int_equal(d.decided, want);
    assert_int_equal(d.reasons[0].action, want);

    /* and made strict again: raised back to block; the lift is kept (the
     * rules give no more than when the analyst lifted it) */
    char *buf2 = save_mem(relaxed, &len, NULL);
    struct warden_runtime *strict = ip_action_up("block", &sd);
    assert_int_equal(load_mem(strict, buf2, len, err, sizeof err, NULL), 0);
    assert_int_equal(sd.n, 1);
    assert_int_equal(sd.from[0], want);
    assert_int_equal(sd.to[0], WARDEN_BLOCK);
    assert_int_equal(action_of(strict, "acct-7"), WARDEN_BLOCK);
    assert_int_equal(action_of(strict, "acct-8"), WARDEN_ALLOW);
    assert_true(event(strict, T0 + 3001000, "acct-7", "81.2.69.9", "r-x-2", &d));
    assert_int_equal(d.decided, WARDEN_BLOCK);
    /* a lift under the relaxed rules does not hold against stricter ones */
    lift(fresh, "acct-8");
    char *buf3 = save_mem(fresh, &len, NULL);
    struct changes se;
    struct warden_runtime *stricter = ip_action_up("block", &se);
    assert_int_equal(load_mem(stricter, buf3, len, err, sizeof err, NULL), 0);
    assert_int_equal(action_of(stricter, "acct-8"), WARDEN_BLOCK);
    assert_int_equal(action_of(stricter, "acct-7"), WARDEN_BLOCK);
    assert_int_equal(se.n, 2);
    free(buf3);
    warden_runtime_free(stricter);
    free(buf);
    free(buf2);
    warden_runtime_free(a);
    warden_runtime_free(same);
    warden_runtime_free(relaxed);
    warden_runtime_free(strict);
    warden_runtime_free(fresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_shard_keeps_contexts),
        cmocka_unit_test(save_load_save_is_identical),
        cmocka_unit_test(shards_repartition),
        cmocka_unit_test(damaged_files_are_refused),
        cmocka_unit_test(inconsistent_detector_sizes_are_refused),
        cmocka_unit_test(changed_detector_slice_starts_zeroed),
        cmocka_unit_test(save_file_is_atomic_and_loads),
        cmocka_unit_test(one_shard_moves),
        cmocka_unit_test(crowd_kept_across_shard_counts),
        cmocka_unit_test(policy_change_decides_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
