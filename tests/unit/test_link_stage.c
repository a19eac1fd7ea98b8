/* test_link_stage.c — the linking stage's cluster records (the Kafka
 * clusters topic): the first walk hands every cluster on, a walk with
 * nothing changed hands on nothing, a merge hands on the surviving cluster
 * and a tombstone for the one that joined it, and a member's own action
 * hands on the cluster with its new counts and action. A stage that rebuilt
 * its state with its notices held back tells what the membership topic has
 * not (warden_link_stage_resync), and nothing else. Frames come as sketches
 * and are counted by their senders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/verdict.h"
#include "link/link.h"
#include "link/remote.h"
#include "detect/detector.h"
#include "policy/policy.h"
#include "registry/registry.h"

#include <stdlib.h>
#include <unistd.h>

struct seen {
    int puts, gones;
    char put_id[8][32], gone_id[8][32];
    uint64_t members[8], actioned[8], enforced[8];
    size_t n_ids[8];
    enum warden_action action[8];
};

static void put(void *ctx, const struct warden_cluster_record *r)
{
    struct seen *s = ctx;
    assert_true(s->puts < 8);
    snprintf(s->put_id[s->puts], sizeof s->put_id[0], "%s", r->cluster_id);
    s->members[s->puts] = r->members;
    s->actioned[s->puts] = r->actioned;
    s->enforced[s->puts] = r->enforced;
    s->n_ids[s->puts] = r->n_ids;
    s->action[s->puts] = r->action;
    s->puts++;
}

static void gone(void *ctx, const char *id)
{
    struct seen *s = ctx;
    assert_true(s->gones < 8);
    snprintf(s->gone_id[s->gones++], sizeof s->gone_id[0], "%s", id);
}

static void noop(void *ctx, const struct warden_link_notice *n, int partition)
{
    (void)ctx;
    (void)n;
    (void)partition;
}

/* What a notice told each account acct-N (N < 16), folded as the worker's
 * reading of the membership topic folds it; the notices are counted. */
struct told {
    uint32_t t[16];
    int n, last;
    struct warden_link_notice note;
};

static int acct_num(const char *id, size_t len)
{
    assert_true(len > 5 && strncmp(id, "acct-", 5) == 0);
    int k = atoi(id + 5);
    assert_true(k >= 0 && k < 16);
    return k;
}

static void fold(void *ctx, const struct warden_link_notice *n, int partition)
{
    (void)partition;
    struct told *t = ctx;
    int k = acct_num(n->account_id, n->len);
    t->t[k] = warden_link_told_fold(t->t[k], n);
    t->n++;
    t->last = k;
    t->note = *n;
}

static uint32_t told_of(void *ctx, const char *id, size_t len)
{
    return ((struct told *)ctx)->t[acct_num(id, len)];
}

static void apply(struct warden_link_stage *st, int i, int kind, const char *card, int level,
                  struct told *t)
{
    char id[16];
    snprintf(id, sizeof id, "acct-%d", i);
    struct warden_link_obs o = {
        .account_id = id,
        .len = strlen(id),
        .ts_ms = 1795421702000LL + i,
        .kind = kind,
        .key = card ? warden_link_key(WARDEN_LINK_PAYMENT, card, strlen(card)) : 0,
        .level = level,
    };
    warden_link_stage_apply(st, &o, i % 4, t ? fold : noop, t);
}

static void obs(struct warden_link_stage *st, int i, int kind, const char *card, int level)
{
    apply(st, i, kind, card, level, NULL);
}

static struct seen walk(struct warden_link_stage *st)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    warden_link_stage_clusters(st, put, gone, &s);
    return s;
}

/* A stage on the example policy (the link detector on), no registry. */
static struct warden_link_stage *new_stage(struct warden_policy **p)
{
    char err[256];
    assert_int_equal(warden_policy_load(p, "examples/policy.yaml", err, sizeof err), 0);
    struct warden_link_stage *st = NULL;
    assert_int_equal(warden_link_stage_new(&st, *p, NULL, err, sizeof err), 0);
    return st;
}

static void records_follow_changes(void **state)
{
    (void)state;
    struct warden_policy *p = NULL;
    struct warden_link_stage *st = new_stage(&p);

    for (int i = 0; i < 5; i++) obs(st, i, WARDEN_LINK_PAYMENT, "card-a", 0);
    for (int i = 10; i < 13; i++) obs(st, i, WARDEN_LINK_PAYMENT, "card-b", 0);
    struct seen s = walk(st); /* the first walk: every cluster */
    assert_int_equal(s.puts, 2);
    assert_int_equal(s.gones, 0);
    assert_true((s.members[0] == 5 && s.members[1] == 3) ||
                (s.members[0] == 3 && s.members[1] == 5));
    for (int k = 0; k < 2; k++) {
        assert_int_equal(s.n_ids[k], s.members[k]);
        assert_int_equal(s.actioned[k], 0);
        assert_int_equal(s.action[k], WARDEN_ALLOW);
    }
    char five[32], three[32];
    snprintf(five, sizeof five, "%s", s.put_id[s.members[0] == 5 ? 0 : 1]);
    snprintf(three, sizeof three, "%s", s.put_id[s.members[0] == 5 ? 1 : 0]);
    assert_string_not_equal(five, three);

    s = walk(st); /* nothing changed */
    assert_int_equal(s.puts, 0);
    assert_int_equal(s.gones, 0);

    obs(st, 4, WARDEN_LINK_PAYMENT, "card-c", 0); /* a member of each shares a card: merged */
    obs(st, 12, WARDEN_LINK_PAYMENT, "card-c", 0);
    s = walk(st);
    assert_int_equal(s.puts, 1);
    assert_int_equal(s.members[0], 8);
    assert_int_equal(s.gones, 1);
    /* one id survives, the other is a tombstone */
    assert_true((strcmp(s.put_id[0], five) == 0 && strcmp(s.gone_id[0], three) == 0) ||
                (strcmp(s.put_id[0], three) == 0 && strcmp(s.gone_id[0], five) == 0));
    char merged[32];
    snprintf(merged, sizeof merged, "%s", s.put_id[0]);

    s = walk(st); /* the tombstone is sent once */
    assert_int_equal(s.puts, 0);
    assert_int_equal(s.gones, 0);

    obs(st, 0, -1, NULL, 2); /* a member throttled or blocked on its own evidence */
    s = walk(st);
    assert_int_equal(s.puts, 1);
    assert_string_equal(s.put_id[0], merged);
    assert_int_equal(s.actioned[0], 1);
    assert_int_equal(s.enforced[0], 1);
    assert_true(s.action[0] >= WARDEN_REVIEW); /* what cluster.linked_to_actioned gives */

    s = walk(st);
    assert_int_equal(s.puts, 0);
    warden_link_stage_free(st);
    warden_policy_free(p);
}

/* Many clusters: the table of what was handed on grows (from 64 slots), and
 * still hands each on once, then only the changed ones. */
struct counts {
    int puts, gones;
};

static void count_put(void *ctx, const struct warden_cluster_record *r)
{
    (void)r;
    ((struct counts *)ctx)->puts++;
}

static void count_gone(void *ctx, const char *id)
{
    (void)id;
    ((struct counts *)ctx)->gones++;
}

static struct counts count_walk(struct warden_link_stage *st)
{
    struct counts n = {0, 0};
    warden_link_stage_clusters(st, count_put, count_gone, &n);
    return n;
}

static void many_clusters(void **state)
{
    (void)state;
    struct warden_policy *p = NULL;
    struct warden_link_stage *st = new_stage(&p);
    char card[32];
    for (int c = 0; c < 300; c++) {
        snprintf(card, sizeof card, "card-%d", c);
        obs(st, 1000 + 2 * c, WARDEN_LINK_PAYMENT, card, 0);
        obs(st, 1001 + 2 * c, WARDEN_LINK_PAYMENT, card, 0);
    }
    struct counts n = count_walk(st);
    assert_int_equal(n.puts, 300);
    assert_int_equal(n.gones, 0);
    n = count_walk(st);
    assert_int_equal(n.puts, 0);
    assert_int_equal(n.gones, 0);
    /* join pairs 0..99 to pairs 100..199: 100 survive (changed), 100 gone */
    for (int c = 0; c < 100; c++) {
        snprintf(card, sizeof card, "bridge-%d", c);
        obs(st, 1000 + 2 * c, WARDEN_LINK_PAYMENT, card, 0);
        obs(st, 1000 + 2 * (c + 100), WARDEN_LINK_PAYMENT, card, 0);
    }
    n = count_walk(st);
    assert_int_equal(n.puts, 100);
    assert_int_equal(n.gones, 100);
    n = count_walk(st);
    assert_int_equal(n.puts, 0);
    assert_int_equal(n.gones, 0);
    warden_link_stage_free(st);
    warden_policy_free(p);
}

/* A suspect's sign-up network as the worker tells it (the suspect mark's
 * key: 1 a public anonymizer's exit, 2 rented, 0 neither): six accounts
 * signed up from one /24, four suspects (10-16 September), acct-4 within
 * their span (13 September), acct-5 after it (10 October). Returns the members of the
 * cluster the suspects form. */
static uint64_t pooled_members_on(uint64_t net, const char *const day[6], bool split);
static uint64_t pooled_members(uint64_t net, bool split)
{
    static const char *const day[6] = {"09-10", "09-12", "09-14", "09-16", "09-13", "10-10"};
    return pooled_members_on(net, day, split);
}

/* As pooled_members, the accounts signed up on day[0..6) (MM-DD of 2026);
 * split: the odd ones from the next /24 down (203.0.112.x, in the same /22). */
static uint64_t pooled_members_on(uint64_t net, const char *const day[6], bool split)
{
    char path[] = "/tmp/warden-test-stage-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    for (int i = 0; i < 6; i++)
        fprintf(f,
                "{\"account_id\":\"acct-%d\",\"created_at\":\"2026-%sT08:00:00Z\","
                "\"signup_ip\":\"203.0.%d.%d\"}\n",
                i, day[i], split && (i & 1) ? 112 : 113, 10 + i);
    fclose(f);
    struct warden_registry *reg = NULL;
    char err[256];
    assert_int_equal(warden_registry_load(&reg, path, NULL, err, sizeof err), 0);
    unlink(path);
    struct warden_policy *p = NULL;
    assert_int_equal(warden_policy_load(&p, "examples/policy.yaml", err, sizeof err), 0);
    struct warden_link_stage *st = NULL;
    assert_int_equal(warden_link_stage_new(&st, p, reg, err, sizeof err), 0);
    for (int i = 0; i < 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "acct-%d", i);
        struct warden_link_obs o = {.account_id = id,
                                    .len = strlen(id),
                                    .ts_ms = 1795421702000LL + i,
                                    .kind = -1,
                                    .key = net,
                                    .level = 4};
        warden_link_stage_apply(st, &o, 0, noop, NULL);
    }
    struct seen s = walk(st);
    assert_int_equal(s.puts, 1);
    uint64_t members = s.members[0];
    warden_link_stage_free(st);
    warden_policy_free(p);
    warden_registry_free(reg);
    return members;
}

/* The stage reads the worker's flags: on the network of an operation's own
 * (0) the suspects and the account signed up within their span; on a public
 * anonymizer's exit (1) the suspects alone; on a rented one (2, hosting or
 * cloud) also the account signed up after the span. The sign-up network is
 * the /22 (signup_prefix_v4) in the stage as in one process: the six
 * accounts split over two adjacent /24s (split) pool as on one. */
static void suspect_network_flags(void **state)
{
    (void)state;
    for (int split = 0; split < 2; split++) {
        assert_int_equal(pooled_members(0, split), 5);
        assert_int_equal(pooled_members(1, split), 4);
        assert_int_equal(pooled_members(2, split), 6);
    }
}

/* The stage reads a network that is not rented as its sign-up waves
 * (pool_wave_s) as one process does: with the first suspect signed up in
 * March, months before the three others (12-16 September, acct-4 among them
 * on the 13th), it is a wave of its own and stays apart; the three pool with
 * acct-4 (on an anonymizer's exit: the three alone). On a rented network,
 * read whole, all six join as before. */
static void suspect_network_waves(void **state)
{
    (void)state;
    static const char *const day[6] = {"03-10", "09-12", "09-14", "09-16", "09-13", "10-10"};
    assert_int_equal(pooled_members_on(0, day, false), 4);
    assert_int_equal(pooled_members_on(1, day, false), 3);
    assert_int_equal(pooled_members_on(2, day, false), 6);
}

/* The same observations twice: live (every notice folded into what was
 * told), then replayed into a new stage with the notices held back, where
 * one more account (acct-5) now shares the card, as a newer registry would
 * join it. The live stage owes nothing; the rebuilt one owes acct-5 alone:
 * its cluster and the enforced member's link, once. A rebuilt stage whose
 * replay reaches the enforcement after the comparison tells no one again. */
static void resync_tells_what_was_not_told(void **state)
{
    (void)state;
    struct warden_policy *p = NULL;
    struct warden_link_stage *live = new_stage(&p);
    struct told told;
    memset(&told, 0, sizeof told);
    for (int i = 0; i < 5; i++) apply(live, i, WARDEN_LINK_PAYMENT, "card-a", 0, &told);
    apply(live, 0, -1, NULL, 2, &told); /* acct-0 throttled or blocked on its own evidence */
    apply(live, 9, WARDEN_LINK_PAYMENT, "card-z", 0, &told); /* alone: in no cluster */
    assert_true(told.n > 0);
    for (int i = 0; i < 5; i++) assert_true(told.t[i] & WARDEN_LINK_TOLD_CLUSTER);
    for (int i = 1; i < 5; i++) assert_int_equal((told.t[i] & WARDEN_LINK_TOLD_LEVEL) >> 1, 2);
    assert_int_equal(told.t[9], 0);

    struct told owed;
    memset(&owed, 0, sizeof owed);
    assert_int_equal(warden_link_stage_resync(live, told_of, fold, &told), 0);

    struct warden_policy *p2 = NULL;
    struct warden_link_stage *rebuilt = new_stage(&p2);
    for (int i = 0; i < 5; i++) apply(rebuilt, i, WARDEN_LINK_PAYMENT, "card-a", 0, NULL);
    apply(rebuilt, 5, WARDEN_LINK_PAYMENT, "card-a", 0, NULL);
    apply(rebuilt, 0, -1, NULL, 2, NULL);
    apply(rebuilt, 9, WARDEN_LINK_PAYMENT, "card-z", 0, NULL);
    /* what the replay owes, measured against what was told live */
    memcpy(owed.t, told.t, sizeof owed.t);
    size_t n = warden_link_stage_resync(rebuilt, told_of, fold, &owed);
    assert_int_equal(n, 1);
    assert_int_equal(owed.n, 1);
    assert_int_equal(owed.last, 5);
    assert_true(owed.note.set_cluster);
    assert_true(owed.note.info.seq != 0);
    assert_int_equal(owed.note.info.size, 6);
    assert_int_equal(owed.note.linked, 2);
    /* told now: a second comparison owes nothing */
    assert_int_equal(warden_link_stage_resync(rebuilt, told_of, fold, &owed), 0);
    /* a member told of no link yet (its notice lost to retention) is told again */
    owed.t[3] &= ~WARDEN_LINK_TOLD_LEVEL;
    assert_int_equal(warden_link_stage_resync(rebuilt, told_of, fold, &owed), 1);
    assert_int_equal(owed.last, 3);
    assert_false(owed.note.set_cluster);
    assert_int_equal(owed.note.linked, 2);
    /* a replay that has not reached the enforcement yet (another order of
     * the linking partitions): the members' marks take in the level they were
     * told, so reaching it later tells no one again */
    struct warden_policy *p3 = NULL;
    struct warden_link_stage *behind = new_stage(&p3);
    for (int i = 0; i < 5; i++) apply(behind, i, WARDEN_LINK_PAYMENT, "card-a", 0, NULL);
    assert_int_equal(warden_link_stage_resync(behind, told_of, fold, &told), 0);
    struct told again;
    memset(&again, 0, sizeof again);
    apply(behind, 0, -1, NULL, 2, &again);
    assert_int_equal(again.n, 0);
    warden_link_stage_free(behind);
    warden_link_stage_free(rebuilt);
    warden_link_stage_free(live);
    warden_policy_free(p3);
    warden_policy_free(p2);
    warden_policy_free(p);
}

/* Folding notices: a cluster id set and cleared, the highest linked level
 * kept, the restricted and pooled links once told stay told. */
static void told_fold(void **state)
{
    (void)state;
    struct warden_link_notice n = {.set_cluster = true, .linked = 1};
    n.info.seq = 7;
    uint32_t t = warden_link_told_fold(0, &n);
    assert_true(t & WARDEN_LINK_TOLD_SEEN);
    assert_true(t & WARDEN_LINK_TOLD_CLUSTER);
    assert_int_equal((t & WARDEN_LINK_TOLD_LEVEL) >> 1, 1);
    n = (struct warden_link_notice){.linked = 2, .pooled = true};
    t = warden_link_told_fold(t, &n);
    assert_int_equal((t & WARDEN_LINK_TOLD_LEVEL) >> 1, 2);
    assert_true(t & WARDEN_LINK_TOLD_POOLED);
    n = (struct warden_link_notice){.linked = 1, .linked_restricted = true};
    t = warden_link_told_fold(t, &n);
    assert_int_equal((t & WARDEN_LINK_TOLD_LEVEL) >> 1, 2);
    assert_true(t & WARDEN_LINK_TOLD_RESTRICTED);
    assert_true(t & WARDEN_LINK_TOLD_CLUSTER);
    n = (struct warden_link_notice){.set_cluster = true}; /* left its cluster */
    t = warden_link_told_fold(t, &n);
    assert_false(t & WARDEN_LINK_TOLD_CLUSTER);
    assert_true(t & WARDEN_LINK_TOLD_POOLED);
}

/* One observation of account `id` (kind, key, level) at second `sec`. */
static void obs_id(struct warden_link_stage *st, const char *id, int kind, uint64_t key, int level,
                   int sec)
{
    struct warden_link_obs o = {.account_id = id,
                                .len = strlen(id),
                                .ts_ms = 1795421702000LL + 1000LL * sec,
                                .kind = kind,
                                .key = key,
                                .level = level};
    warden_link_stage_apply(st, &o, 0, noop, NULL);
}

/* A harvester (enforced, harvesting) and a suspect that both send and
 * publish a frame (its tail's sketch); `crowd` other accounts send it once.
 * Returns the members of the cluster the stage formed (0: none). */
static uint64_t frame_pair_members(int crowd)
{
    struct warden_policy *p = NULL;
    struct warden_link_stage *st = new_stage(&p);
    const uint64_t frame = 0x5eed5eed5eed5eedULL;
    char id[32];
    for (int i = 0; i < crowd; i++) {
        snprintf(id, sizeof id, "crowd-%d", i);
        obs_id(st, id, WARDEN_LINK_OBS_SENT, frame, 2, i);
    }
    static const char *const who[2] = {"harvester", "suspect"};
    for (int k = 0; k < 2; k++) {
        for (int n = 0; n < 3; n++) obs_id(st, who[k], WARDEN_LINK_OBS_SENT, frame, 2, 1000 + n);
        obs_id(st, who[k], WARDEN_LINK_TEMPLATE, frame, 2, 1010);
    }
    obs_id(st, "harvester", -1, 0, 2, 1020); /* throttled on its own evidence */
    obs_id(st, "harvester", -1, 0, 3, 1021); /* ... its own harvesting evidence */
    obs_id(st, "suspect", -1, 0, 4, 1022);   /* harvesting evidence held below every rule */
    struct seen s = walk(st);
    uint64_t members = s.puts ? s.members[0] : 0;
    warden_link_stage_free(st);
    warden_policy_free(p);
    return members;
}

/* Frames reach the stage as sketches (a frame sent, a slot published): it
 * derives their bands and counts their senders as one process does. A
 * suspect publishing a harvester's frame joins it; not when 300 other
 * accounts send that frame too (a public prompt collection's sentence). */
static void frames_as_sketches(void **state)
{
    (void)state;
    assert_int_equal(frame_pair_members(0), 2);
    assert_int_equal(frame_pair_members(300), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_follow_changes),
        cmocka_unit_test(many_clusters),
        cmocka_unit_test(suspect_network_flags),
        cmocka_unit_test(suspect_network_waves),
        cmocka_unit_test(resync_tells_what_was_not_told),
        cmocka_unit_test(told_fold),
        cmocka_unit_test(frames_as_sketches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
