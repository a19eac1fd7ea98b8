/* test_link_runtime.c — hydra-cluster linking through the whole runtime:
 * two unrelated populations behind one NAT /24 with one user agent and JA4
 * stay unlinked, while a real cluster (shared payment instrument, prompt
 * template and /24) forms; once one member is blocked on its own evidence,
 * the others get cluster.linked_to_actioned at their next request and a new
 * account of the cluster at its first; with four shards the state is shared
 * and the same cluster forms. And accounts that share nothing but a frame
 * are joined once each is actioned on its own harvesting evidence
 * (co_actioned), while a declared reseller sending the same frame and
 * actioned too, accounts sending it actioned on other evidence, and
 * strangers sending it without being actioned, stay out. A cluster with
 * harvest_members members reviewed on their own harvesting evidence
 * (distill.*) counts as enforced, every member throttled; one with fewer,
 * or reviewed on other evidence, stays at review; harvest_members 0 turns
 * that off. */
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
#include "detect/detector.h"
#include "runtime/runtime.h"

extern const struct warden_detector warden_detect_link;

/* ---- a stand-in for any detector: blocks account c1 at its 3rd request ---- */

static void bad_observe(void *ctx, const struct warden_event *ev, void *state,
                        struct warden_emit *em)
{
    (void)ctx;
    (void)state;
    if (warden_str_eq(ev->account_id, "c1", 2) && ev->account_seq == 3)
        warden_emit_finding(em, "test.bad", 0.99, "{}");
}

static const char *const bad_codes[] = {"test.bad", NULL};
static const struct warden_detector bad = {
    .name = "bad", .observe = bad_observe, .codes = bad_codes};

/* ---- another: reviews r1..r4 and p1 at their 4th request, blocks r1 at its 6th;
 * reviews q1, q2 at their 4th with distill.crowd_frame (evidence released by
 * what others sent in their frame: not their own for linking) ---- */

static void judge_observe(void *ctx, const struct warden_event *ev, void *state,
                          struct warden_emit *em)
{
    (void)ctx;
    (void)state;
    bool r = ev->account_id.n == 2 && (ev->account_id.p[0] == 'r' || ev->account_id.p[0] == 'p');
    if (r && ev->account_seq == 4) warden_emit_finding(em, "distill.harvest_shape", 0.6, "{}");
    if (ev->account_id.n == 2 && ev->account_id.p[0] == 'o' && ev->account_seq == 4)
        warden_emit_finding(em, "test.judge", 0.6, "{}");
    if (ev->account_id.n == 2 && ev->account_id.p[0] == 'q' && ev->account_seq == 4)
        warden_emit_finding(em, "distill.crowd_frame", 0.6, "{}");
    if (warden_str_eq(ev->account_id, "r1", 2) && ev->account_seq == 6)
        warden_emit_finding(em, "test.bad", 0.99, "{}");
}

static const char *const judge_codes[] = {"test.judge", "test.bad", "distill.crowd_frame",
                                          "distill.harvest_shape", NULL};
static const struct warden_detector judge = {
    .name = "judge", .observe = judge_observe, .codes = judge_codes};

/* ---- a sink that remembers verdicts, findings and clusters ---- */

#define MAXV 64
struct seen {
    int n;
    char acct[MAXV][16], cluster[MAXV][32];
    enum warden_action action[MAXV];
    uint64_t first_event[MAXV];
    int clusters;
    uint64_t cluster_members;
    uint64_t cluster_harvest[8]; /* per cluster record, in order */
    enum warden_action cluster_action[8];
    int linked_findings;
    int co_actioned_findings; /* cluster.shared_* whose evidence says co_actioned */
};

static void cap_verdict(void *self, const struct warden_verdict *v)
{
    struct seen *s = self;
    if (s->n >= MAXV) return;
    snprintf(s->acct[s->n], 16, "%s", v->account_id);
    snprintf(s->cluster[s->n], 32, "%s", v->cluster_id ? v->cluster_id : "");
    s->action[s->n] = v->action;
    s->first_event[s->n] = v->first_action_event;
    s->n++;
}

static void cap_finding(void *self, const struct warden_finding *f)
{
    if (strcmp(f->code, "cluster.linked_to_actioned") == 0)
        ((struct seen *)self)->linked_findings++;
    if (strncmp(f->code, "cluster.shared_", 15) == 0 && f->evidence_json &&
        strstr(f->evidence_json, "\"co_actioned\":true"))
        ((struct seen *)self)->co_actioned_findings++;
}

static void cap_cluster(void *self, const struct warden_cluster_record *c)
{
    struct seen *s = self;
    if (s->clusters < 8) {
        s->cluster_harvest[s->clusters] = c->harvest;
        s->cluster_action[s->clusters] = c->action;
    }
    s->clusters++;
    s->cluster_members += c->members;
}

static const struct warden_sink_type capture = {
    .name = "capture", .finding = cap_finding, .verdict = cap_verdict, .cluster = cap_cluster};

static int find(const struct seen *s, const char *acct)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->acct[i], acct) == 0) return i;
    return -1;
}

/* ---- the data ---- */

static char dir[64];

static void write_file(const char *name, const char *text)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void write_accounts(void)
{
    char buf[16384];
    size_t o = 0;
    /* 20 strangers: own cards, webmail, ordinary sign-ups */
    for (int i = 0; i < 20; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o,
                              "{\"account_id\":\"%c%d\",\"payment_fingerprint\":\"fp-own-%d\","
                              "\"email_domain\":\"gmail.com\",\"program\":\"standard\","
                              "\"created_at\":\"2026-0%d-1%dT10:00:00Z\"}\n",
                              i < 10 ? 'a' : 'b', i % 10, i, 1 + i % 9, i % 10);
    /* the cluster: five accounts, one card; c6 joins later */
    for (int i = 1; i <= 6; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o,
                              "{\"account_id\":\"c%d\",\"payment_fingerprint\":\"fp-shared\","
                              "\"email_domain\":\"gmail.com\",\"program\":\"standard\"}\n",
                              i);
    write_file("accounts.jsonl", buf);
}

static const char *const topics[] = {"rivers",   "volcanoes", "bridges", "orchards", "comets",
                                     "glaciers", "harbours",  "deserts", "forests",  "islands"};

/* One event line. Strangers: organic prompts; cluster: one frame around payloads. */
static int event_line(char *buf, size_t n, long ts, const char *acct, const char *ip, int k,
                      bool framed)
{
    char prompt[512];
    if (framed)
        snprintf(prompt, sizeof prompt,
                 "You are a meticulous tutor and grader for a training set please solve the "
                 "following problem number %d about %s and %s carefully then explain every "
                 "single step of your reasoning in full detail before you state the final "
                 "answer and put the final answer inside a box at the very end",
                 k, topics[k % 10], topics[(k * 7 + 3) % 10]);
    else
        snprintf(prompt, sizeof prompt, "%s question %d: what do you know about %s near %s", acct,
                 k, topics[(k + acct[1]) % 10], topics[(k * 3) % 10]);
    return snprintf(buf, n,
                    "{\"ts\":%ld,\"account_id\":\"%s\",\"ip\":\"%s\",\"request_id\":\"%s-%d\","
                    "\"user_agent\":\"Anthropic/Python 0.40.0\",\"tls_ja4\":"
                    "\"t13d1516h2_8daaf6152771_e5627efa2ab1\",\"prompt\":\"%s\"}",
                    ts, acct, ip, acct, k, prompt);
}

/* A runtime over dir/policy.yaml and dir/accounts.jsonl: detector first,
 * then the link detector; findings and verdicts into seen. */
static struct warden_runtime *start(const struct warden_detector *first, unsigned shards,
                                    struct seen *seen)
{
    static const struct warden_detector *dets[2];
    dets[0] = first;
    dets[1] = &warden_detect_link;
    char pol[128], acc[128], err[512];
    snprintf(pol, sizeof pol, "%s/policy.yaml", dir);
    snprintf(acc, sizeof acc, "%s/accounts.jsonl", dir);
    struct warden_runtime_conf c = {.policy_path = pol,
                                    .accounts_path = acc,
                                    .lateness_ms = -1,
                                    .quiet = true,
                                    .max_accounts = 1000,
                                    .keep_ids = true,
                                    .shards = shards,
                                    .detectors = dets,
                                    .n_detectors = 2};
    struct warden_runtime *rt = NULL;
    int rc = warden_runtime_new(&rt, &c, err, sizeof err);
    if (rc) fprintf(stderr, "runtime: %s\n", err);
    assert_int_equal(rc, 0);
    warden_runtime_add_sink(rt, &capture, seen);
    return rt;
}

/* Finish and free the runtime, remove dir. */
static void stop(struct warden_runtime *rt)
{
    char err[512], cmd[128];
    assert_int_equal(warden_runtime_finish(rt, err, sizeof err), 0);
    warden_runtime_free(rt);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void run(unsigned shards, struct seen *seen)
{
    snprintf(dir, sizeof dir, "/tmp/warden_link_rt_%d", (int)getpid());
    char cmd[128];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    assert_int_equal(system(cmd), 0);
    write_accounts();
    write_file("policy.yaml", "rules:\n"
                              "  - {code: test.bad, min_score: 0.5, action: block}\n"
                              "  - {code: cluster.linked_to_actioned, min_score: 0.5, action: "
                              "review}\n"
                              "  - {code: cluster.linked_to_actioned, min_score: 0.8, action: "
                              "throttle}\n");
    struct warden_runtime *rt = start(&bad, shards, seen);

    char line[1024], why[256];
    long t0 = 1795421702000L;
    /* rounds: every account sends one request per round; c6 starts at round 6 */
    for (int k = 0; k < 10; k++) {
        for (int i = 0; i < 26; i++) {
            char acct[8], ip[32];
            bool cl = i >= 20;
            if (cl && i - 20 + 1 == 6 && k < 6) continue;
            if (cl)
                snprintf(acct, sizeof acct, "c%d", i - 19);
            else
                snprintf(acct, sizeof acct, "%c%d", i < 10 ? 'a' : 'b', i % 10);
            /* everybody's NAT is one /24; the cluster's servers are another */
            snprintf(ip, sizeof ip, cl ? "198.51.100.%d" : "203.0.113.%d", 10 + i % 5);
            struct warden_event ev;
            event_line(line, sizeof line, t0 + k * 60000L + i * 1000L, acct, ip, k, cl);
            assert_int_equal(warden_event_decode(line, strlen(line), &ev, why, sizeof why), 0);
            warden_runtime_decide(rt, &ev, NULL);
        }
    }
    stop(rt);
}

static void check(const struct seen *s)
{
    /* the strangers: no cluster, no action */
    for (int i = 0; i < 20; i++) {
        char acct[8];
        snprintf(acct, sizeof acct, "%c%d", i < 10 ? 'a' : 'b', i % 10);
        int v = find(s, acct);
        assert_true(v >= 0);
        assert_string_equal(s->cluster[v], "");
        assert_int_equal(s->action[v], WARDEN_ALLOW);
    }
    /* the cluster: one id for all six, every member enforced */
    int c1 = find(s, "c1");
    assert_true(c1 >= 0);
    assert_string_not_equal(s->cluster[c1], "");
    assert_int_equal(s->action[c1], WARDEN_BLOCK);
    for (int i = 2; i <= 6; i++) {
        char acct[8];
        snprintf(acct, sizeof acct, "c%d", i);
        int v = find(s, acct);
        assert_true(v >= 0);
        assert_string_equal(s->cluster[v], s->cluster[c1]);
        assert_int_equal(s->action[v], WARDEN_THROTTLE);
        /* c1 was blocked at round 3: the others at their next request; c6 at its first */
        assert_true(s->first_event[v] <= (i == 6 ? 1u : 4u));
    }
    assert_int_equal(s->clusters, 1);
    assert_int_equal(s->cluster_members, 6);
    assert_int_equal(s->linked_findings, 5);
}

static void nat_does_not_merge_cluster_does(void **st)
{
    (void)st;
    struct seen s;
    memset(&s, 0, sizeof s);
    run(1, &s);
    check(&s);
}

static void four_shards_share_the_state(void **st)
{
    (void)st;
    struct seen s;
    memset(&s, 0, sizeof s);
    run(4, &s);
    check(&s);
}

/* dir = /tmp/warden_link_TAG_PID, created; accounts.jsonl: each of ids
 * with its own card (card_of(i): another's index, or i), a webmail address,
 * declared resellers where reseller(i). */
static void fresh_dir(const char *tag, const char *const *ids, int n, int (*card_of)(int),
                      bool (*reseller)(const char *))
{
    snprintf(dir, sizeof dir, "/tmp/warden_link_%s_%d", tag, (int)getpid());
    char cmd[128];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    assert_int_equal(system(cmd), 0);
    char buf[4096];
    size_t o = 0;
    for (int i = 0; i < n; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o,
                              "{\"account_id\":\"%s\",\"payment_fingerprint\":\"fp-%s\","
                              "\"email_domain\":\"gmail.com\",\"reseller\":%s}\n",
                              ids[i], ids[card_of ? card_of(i) : i],
                              reseller && reseller(ids[i]) ? "true" : "false");
    write_file("accounts.jsonl", buf);
}

static bool is_p(const char *id)
{
    return id[0] == 'p';
}

/* r1..r4: a frame each, their own cards and networks, reviewed for
 * harvesting (r1 then blocked); p1: a declared reseller whose traffic
 * carries the frame; s1..s4: strangers sending it; q1, q2: sending it,
 * reviewed with distill.crowd_frame (not joined); o1, o2: sending it,
 * reviewed on other evidence (not joined: a frame ties only harvesters). */
static void frame_and_actions_join(void **st)
{
    (void)st;
    struct seen s;
    memset(&s, 0, sizeof s);
    static const char *const ids[] = {"r1", "r2", "r3", "r4", "p1", "s1", "s2",
                                      "s3", "s4", "q1", "q2", "o1", "o2"};
    enum { N = sizeof ids / sizeof ids[0] };
    fresh_dir("co", ids, N, NULL, is_p);
    write_file("policy.yaml", "rules:\n"
                              "  - {code: test.judge, min_score: 0.5, action: review}\n"
                              "  - {code: distill.harvest_shape, min_score: 0.5, action: review}\n"
                              "  - {code: test.bad, min_score: 0.5, action: block}\n"
                              "  - {code: distill.crowd_frame, min_score: 0.5, action: review}\n"
                              "  - {code: cluster.linked_to_actioned, min_score: 0.5, action: "
                              "review}\n"
                              "  - {code: cluster.linked_to_actioned, min_score: 0.8, action: "
                              "throttle}\n");
    char line[1024], why[256];
    struct warden_runtime *rt = start(&judge, 1, &s);
    long t0 = 1795421702000L;
    for (int k = 0; k < 10; k++)
        for (int i = 0; i < N; i++) {
            char ip[32];
            snprintf(ip, sizeof ip, "192.0.%d.%d", 10 + i * 20, 5 + k); /* a network each */
            struct warden_event ev;
            event_line(line, sizeof line, t0 + k * 600000L + i * 1000L, ids[i], ip, k, true);
            assert_int_equal(warden_event_decode(line, strlen(line), &ev, why, sizeof why), 0);
            warden_runtime_decide(rt, &ev, NULL);
        }
    stop(rt);

    int r1 = find(&s, "r1");
    assert_true(r1 >= 0);
    assert_string_not_equal(s.cluster[r1], "");
    assert_int_equal(s.action[r1], WARDEN_BLOCK);
    for (int i = 1; i < 4; i++) { /* joined, and enforced as r1 is */
        int v = find(&s, ids[i]);
        assert_true(v >= 0);
        assert_string_equal(s.cluster[v], s.cluster[r1]);
        assert_int_equal(s.action[v], WARDEN_THROTTLE);
    }
    int p1 = find(&s, "p1"); /* the reseller: its own review, no cluster */
    assert_true(p1 >= 0);
    assert_string_equal(s.cluster[p1], "");
    assert_int_equal(s.action[p1], WARDEN_REVIEW);
    for (int i = 5; i < 9; i++) { /* strangers: nothing */
        int v = find(&s, ids[i]);
        assert_true(v >= 0);
        assert_string_equal(s.cluster[v], "");
        assert_int_equal(s.action[v], WARDEN_ALLOW);
    }
    for (int i = 9; i < N; i++) { /* reviewed, not joined on it */
        int v = find(&s, ids[i]);
        assert_true(v >= 0);
        assert_string_equal(s.cluster[v], "");
        assert_int_equal(s.action[v], WARDEN_REVIEW);
    }
    assert_int_equal(s.clusters, 1);
    assert_int_equal(s.cluster_members, 4);
    assert_true(s.co_actioned_findings >= 3);
}

/* ---- reviews h1..h3 and g1, g2 with distill.harvest_shape at their 4th
 * request, g3 with test.judge ---- */

static void harvest_observe(void *ctx, const struct warden_event *ev, void *state,
                            struct warden_emit *em)
{
    (void)ctx;
    (void)state;
    if (ev->account_id.n != 2 || ev->account_seq != 4) return;
    char g = ev->account_id.p[0], i = ev->account_id.p[1];
    if ((g == 'h' && i <= '3') || (g == 'g' && i <= '2'))
        warden_emit_finding(em, "distill.harvest_shape", 0.7, "{}");
    else if (g == 'g')
        warden_emit_finding(em, "test.judge", 0.6, "{}");
}

static const char *const harvest_codes[] = {"distill.harvest_shape", "test.judge", NULL};
static const struct warden_detector harvest_judge = {
    .name = "harvest", .observe = harvest_observe, .codes = harvest_codes};

/* h1..h4 send one frame (h4 pays with h1's card, never reviewed itself),
 * g1..g3 another (g3, reviewed on other evidence, pays with g1's card: a
 * frame alone ties only harvesters); each its own network. */
static int h4_pays_with_h1(int i)
{
    return i == 3 ? 0 : i == 6 ? 4 : i;
}

static void run_harvest(const char *link_conf, struct seen *s)
{
    static const char *const ids[] = {"h1", "h2", "h3", "h4", "g1", "g2", "g3"};
    enum { N = sizeof ids / sizeof ids[0] };
    fresh_dir("hv", ids, N, h4_pays_with_h1, NULL);
    char pol[1024];
    snprintf(pol, sizeof pol,
             "rules:\n"
             "  - {code: distill.harvest_shape, min_score: 0.5, action: review}\n"
             "  - {code: test.judge, min_score: 0.5, action: review}\n"
             "  - {code: cluster.linked_to_actioned, min_score: 0.5, action: review}\n"
             "  - {code: cluster.linked_to_actioned, min_score: 0.8, action: throttle}\n"
             "%s",
             link_conf);
    write_file("policy.yaml", pol);
    char line[1024], why[256], prompt[512];
    struct warden_runtime *rt = start(&harvest_judge, 1, s);
    long t0 = 1795421702000L;
    for (int k = 0; k < 10; k++)
        for (int i = 0; i < N; i++) {
            if (ids[i][0] == 'h')
                snprintf(prompt, sizeof prompt,
                         "You are a meticulous tutor and grader for a training set please solve "
                         "problem %d about %s and %s then explain every step of your reasoning in "
                         "full before the final answer and box the final answer at the end",
                         k, topics[k % 10], topics[(k * 7 + 3) % 10]);
            else
                snprintf(prompt, sizeof prompt,
                         "Translate the passage below into formal French keeping every number and "
                         "name unchanged: passage %d on %s and %s. Reply with the translation only "
                         "and no commentary of any kind whatsoever please",
                         k, topics[(k + 4) % 10], topics[(k * 3 + 1) % 10]);
            snprintf(line, sizeof line,
                     "{\"ts\":%ld,\"account_id\":\"%s\",\"ip\":\"192.0.%d.%d\",\"prompt\":"
                     "\"%s\"}",
                     t0 + k * 600000L + i * 1000L, ids[i], 10 + i * 20, 5 + k, prompt);
            struct warden_event ev;
            assert_int_equal(warden_event_decode(line, strlen(line), &ev, why, sizeof why), 0);
            warden_runtime_decide(rt, &ev, NULL);
        }
    stop(rt);
}

static void harvest_members_sustain_the_cluster(void **st)
{
    (void)st;
    struct seen s;
    memset(&s, 0, sizeof s);
    run_harvest("", &s);
    int h1 = find(&s, "h1"), g1 = find(&s, "g1");
    assert_true(h1 >= 0 && g1 >= 0);
    assert_string_not_equal(s.cluster[h1], "");
    assert_string_not_equal(s.cluster[g1], "");
    assert_string_not_equal(s.cluster[h1], s.cluster[g1]);
    static const char *const h[] = {"h1", "h2", "h3", "h4"}, *const g[] = {"g1", "g2", "g3"};
    for (int i = 0; i < 4; i++) { /* three harvesters: the cluster is enforced, h4 too */
        int v = find(&s, h[i]);
        assert_true(v >= 0);
        assert_string_equal(s.cluster[v], s.cluster[h1]);
        assert_int_equal(s.action[v], WARDEN_THROTTLE);
    }
    for (int i = 0; i < 3; i++) { /* two harvesters and another review: review */
        int v = find(&s, g[i]);
        assert_true(v >= 0);
        assert_string_equal(s.cluster[v], s.cluster[g1]);
        assert_int_equal(s.action[v], WARDEN_REVIEW);
    }
    assert_int_equal(s.clusters, 2);
    /* the records: the harvesters' cluster throttled with three, the other
     * reviewed with two */
    for (int i = 0; i < 2; i++) {
        bool hv = s.cluster_harvest[i] == 3;
        assert_true(hv || s.cluster_harvest[i] == 2);
        assert_int_equal(s.cluster_action[i], hv ? WARDEN_THROTTLE : WARDEN_REVIEW);
    }
    assert_true(s.cluster_harvest[0] != s.cluster_harvest[1]);

    memset(&s, 0, sizeof s); /* off: every member at review */
    run_harvest("detectors:\n  link:\n    harvest_members: 0\n", &s);
    for (int i = 0; i < 4; i++) {
        int v = find(&s, h[i]);
        assert_true(v >= 0);
        assert_string_not_equal(s.cluster[v], "");
        assert_int_equal(s.action[v], WARDEN_REVIEW);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nat_does_not_merge_cluster_does),
        cmocka_unit_test(four_shards_share_the_state),
        cmocka_unit_test(frame_and_actions_join),
        cmocka_unit_test(harvest_members_sustain_the_cluster),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
