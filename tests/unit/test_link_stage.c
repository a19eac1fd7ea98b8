/* test_link_stage.c — the linking stage's cluster records (the Kafka
 * clusters topic): the first walk hands every cluster on, a walk with
 * nothing changed hands on nothing, a merge hands on the surviving cluster
 * and a tombstone for the one that joined it, and a member's own action
 * hands on the cluster with its new counts and action. */
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

static void obs(struct warden_link_stage *st, int i, int kind, const char *card, int level)
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
    warden_link_stage_apply(st, &o, i % 4, noop, NULL);
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
static uint64_t pooled_members(uint64_t net)
{
    char path[] = "/tmp/warden-test-stage-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    static const char *const day[6] = {"09-10", "09-12", "09-14", "09-16", "09-13", "10-10"};
    for (int i = 0; i < 6; i++)
        fprintf(f,
                "{\"account_id\":\"acct-%d\",\"created_at\":\"2026-%sT08:00:00Z\","
                "\"signup_ip\":\"203.0.113.%d\"}\n",
                i, day[i], 10 + i);
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
 * cloud) also the account signed up after the span. */
static void suspect_network_flags(void **state)
{
    (void)state;
    assert_int_equal(pooled_members(0), 5);
    assert_int_equal(pooled_members(1), 4);
    assert_int_equal(pooled_members(2), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_follow_changes),
        cmocka_unit_test(many_clusters),
        cmocka_unit_test(suspect_network_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
