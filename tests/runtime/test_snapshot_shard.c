/* test_snapshot_shard.c — one shard's snapshot alone (runtime.h
 * warden_runtime_snapinfo.one_shard), what the Kafka worker saves per
 * partition: saved from shard 2 of 4 and loaded into shard 2 of a fresh
 * runtime, the shard's blocked account stays blocked with its reasons, a
 * request id it saw stays a duplicate, the position comes back; the other
 * shards stay empty; a snapshot of several shards is refused as one. */
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
#include "detect/detector.h"
#include "engine/engine.h"
#include "runtime/runtime.h"

/* 175.45.176.0/22 is KP in the IP table; 81.2.69.0/24 is GB. */
static const char *policy = "jurisdictions:\n  restricted: [KP]\n  ip_action: block\n";

static const struct warden_detector *dets[64];
static size_t n_dets;

static struct warden_runtime *runtime_up(void)
{
    char path[64], err[512];
    snprintf(path, sizeof path, "/tmp/warden_snapshard_policy_%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(policy, f);
    fclose(f);
    n_dets = 0;
    for (size_t i = 0; i < warden_n_detectors && n_dets < 64; i++)
        if (!warden_detectors[i]->share) dets[n_dets++] = warden_detectors[i];
    struct warden_runtime_conf c = {.policy_path = path,
                                    .lateness_ms = -1,
                                    .quiet = true,
                                    .lenient_codes = true, /* no link detector */
                                    .max_accounts = 5000,
                                    .dedup_window = 4096,
                                    .shards = 4,
                                    .detectors = dets,
                                    .n_detectors = n_dets};
    struct warden_runtime *rt = NULL;
    int rc = warden_runtime_new(&rt, &c, err, sizeof err);
    unlink(path);
    if (rc) fprintf(stderr, "runtime: %s\n", err);
    assert_int_equal(rc, 0);
    return rt;
}

/* One event on an explicit shard (as the worker does: shard = partition). */
static bool event(struct warden_runtime *rt, size_t shard, long long ts, const char *acct,
                  const char *ip, const char *rid, struct warden_decision *d)
{
    char json[512], why[256];
    snprintf(json, sizeof json,
             "{\"ts\":%lld,\"account_id\":\"%s\",\"ip\":\"%s\",\"request_id\":\"%s\","
             "\"model\":\"m-1\",\"prompt\":\"Summarise the report\",\"input_tokens\":12,"
             "\"output_tokens\":40}",
             ts, acct, ip, rid);
    struct warden_event ev;
    assert_int_equal(warden_event_decode(json, strlen(json), &ev, why, sizeof why), 0);
    return warden_runtime_decide_shard(rt, shard, &ev, d);
}

#define T0 1795421700000LL

static void one_shard_moves(void **state)
{
    (void)state;
    struct warden_runtime *a = runtime_up();
    struct warden_decision d;
    for (int i = 0; i < 5; i++) {
        char rid[32];
        snprintf(rid, sizeof rid, "r-kp-%d", i);
        event(a, 2, T0 + i * 1000, "kp-user", "175.45.176.7", rid, &d);
        snprintf(rid, sizeof rid, "r-gb-%d", i);
        event(a, 2, T0 + i * 1000, "gb-user", "81.2.69.7", rid, &d);
        snprintf(rid, sizeof rid, "r-one-%d", i);
        event(a, 1, T0 + i * 1000, "kp-other", "175.45.176.8", rid, &d);
    }
    assert_non_null(warden_engine_verdict(warden_runtime_shard(a, 2), "kp-user", 7));
    assert_non_null(warden_engine_verdict(warden_runtime_shard(a, 1), "kp-other", 8));
    char path[64], err[512];
    snprintf(path, sizeof path, "/tmp/warden_snapshard_%d.snap", (int)getpid());
    struct warden_runtime_snapinfo si = {.position = 1234, .one_shard = true, .shard = 2};
    assert_int_equal(warden_runtime_save_file_ex(a, path, &si, err, sizeof err), 0);
    assert_int_equal(si.shards, 1);

    struct warden_runtime *b = runtime_up();
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
    assert_false(event(b, 2, T0 + 6000, "kp-user", "81.2.69.9", "r-kp-1", &d));
    assert_true(event(b, 2, T0 + 7000, "kp-user", "81.2.69.9", "r-kp-new", &d));
    assert_int_equal(d.decided, WARDEN_BLOCK);
    warden_runtime_free(b);

    /* a whole-runtime snapshot is not one shard's */
    assert_int_equal(warden_runtime_save_file(a, path, err, sizeof err), 0);
    struct warden_runtime *c = runtime_up();
    struct warden_runtime_snapinfo ci = {.one_shard = true, .shard = 2};
    assert_int_equal(warden_runtime_load_file_ex(c, path, &ci, err, sizeof err), WARDEN_EFORMAT);
    assert_non_null(strstr(err, "snapshot of 4 shards"));
    warden_runtime_free(c);
    unlink(path);
    warden_runtime_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_shard_moves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
