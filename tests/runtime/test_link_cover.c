/* test_link_cover.c — hydra linking through cover traffic: two accounts
 * whose first prompts are ordinary, diverse ones and which only later send
 * one harvesting frame around different payloads (one prompt in four) link
 * through that frame, because link keeps sketching past template_prompts
 * until the account publishes a template or reaches template_budget; with
 * the budget cut to template_prompts (the old behaviour) they stay apart.
 * Two benign accounts behind one /24 with one client stack and diverse
 * prompts never link, with either budget. */
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
#include "rt_fixture.h"

extern const struct warden_detector warden_detect_link;

#define MAXV 8
struct seen {
    int n;
    char acct[MAXV][16], cluster[MAXV][32];
    int clusters;
};

static void cap_verdict(void *self, const struct warden_verdict *v)
{
    struct seen *s = self;
    if (s->n >= MAXV) return;
    snprintf(s->acct[s->n], 16, "%s", v->account_id);
    snprintf(s->cluster[s->n], 32, "%s", v->cluster_id ? v->cluster_id : "");
    s->n++;
}

static void cap_cluster(void *self, const struct warden_cluster_record *c)
{
    (void)c;
    ((struct seen *)self)->clusters++;
}

static const struct warden_sink_type capture = {
    .name = "capture", .verdict = cap_verdict, .cluster = cap_cluster};

static const char *cluster_of(const struct seen *s, const char *acct)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->acct[i], acct) == 0) return s->cluster[i];
    fail_msg("no verdict for %s", acct);
    return NULL;
}

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

static const char *const words[] = {
    "river",  "engine",  "garden",  "lattice", "copper",  "violin",  "harbor",  "meadow",
    "signal", "quartz",  "saddle",  "pepper",  "tunnel",  "orbit",   "walnut",  "candle",
    "basalt", "ferry",   "glacier", "mosaic",  "thunder", "ladder",  "pillow",  "raven",
    "cactus", "pigment", "anchor",  "beacon",  "marble",  "velvet",  "compass", "falcon",
    "ginger", "hollow",  "island",  "jasmine", "kettle",  "lantern", "magnet",  "nectar"};
#define NWORDS (sizeof words / sizeof words[0])

/* An ordinary prompt: 20 words drawn afresh for every account and request,
 * so neither its head nor its tail recurs. */
static void cover_prompt(char *p, size_t n, uint64_t seed)
{
    size_t o = 0;
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
    for (int w = 0; w < 20 && o < n; w++) {
        x ^= x >> 29;
        x *= 0xbf58476d1ce4e5b9ull;
        x ^= x >> 32;
        o += (size_t)snprintf(p + o, n - o, "%s%s", w ? " " : "", words[x % NWORDS]);
    }
}

/* requests per account; the harvesting accounts frame every fourth one from
 * request 12 on, so a frame's third occurrence comes at request 20 */
#define ROUNDS 100

static void run(const char *budget, struct seen *seen)
{
    snprintf(dir, sizeof dir, "/tmp/warden_link_cover_%d", (int)getpid());
    char cmd[128];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    assert_int_equal(system(cmd), 0);
    write_file(
        "accounts.jsonl",
        "{\"account_id\":\"h1\",\"payment_fingerprint\":\"fp-1\",\"email_domain\":\"gmail.com\"}\n"
        "{\"account_id\":\"h2\",\"payment_fingerprint\":\"fp-2\",\"email_domain\":\"gmail.com\"}\n"
        "{\"account_id\":\"n1\",\"payment_fingerprint\":\"fp-3\",\"email_domain\":\"gmail.com\"}\n"
        "{\"account_id\":\"n2\",\"payment_fingerprint\":\"fp-4\",\"email_domain\":\"gmail.com\"}"
        "\n");
    char pol[256], acc[128], err[512];
    snprintf(pol, sizeof pol, "rules: []\ndetectors:\n  link:\n    template_budget: %s\n", budget);
    snprintf(acc, sizeof acc, "%s/accounts.jsonl", dir);
    const struct warden_detector *dets[] = {&warden_detect_link};
    struct warden_runtime_conf c = {.accounts_path = acc,
                                    .lateness_ms = -1,
                                    .quiet = true,
                                    .max_accounts = 1000,
                                    .keep_ids = true,
                                    .detectors = dets,
                                    .n_detectors = 1};
    struct warden_runtime *rt = rt_fixture_runtime(&c, pol);
    warden_runtime_add_sink(rt, &capture, seen);

    static const char *const acct[] = {"h1", "h2", "n1", "n2"};
    char line[1024], prompt[512], why[256];
    long t0 = 1795421702000L;
    for (int k = 0; k < ROUNDS; k++) {
        for (int i = 0; i < 4; i++) {
            bool harvest = i < 2 && k >= 12 && k % 4 == 0;
            if (harvest)
                snprintf(prompt, sizeof prompt,
                         "You are a meticulous grader for a training set so please solve item "
                         "%d about %s and %s then show every single step of your reasoning in "
                         "full before the boxed final answer",
                         k * 7 + i, words[(k + i) % NWORDS], words[(k * 3 + i) % NWORDS]);
            else
                cover_prompt(prompt, sizeof prompt, (uint64_t)(k * 16 + i));
            /* each pair shares a /24 and a client stack: not enough alone */
            int n = snprintf(line, sizeof line,
                             "{\"ts\":%ld,\"account_id\":\"%s\",\"ip\":\"%s.%d\","
                             "\"request_id\":\"%s-%d\",\"user_agent\":\"Anthropic/Python 0.40.0\","
                             "\"tls_ja4\":\"t13d1516h2_8daaf6152771_e5627efa2ab1\","
                             "\"prompt\":\"%s\"}",
                             t0 + k * 60000L + i * 1000L, acct[i],
                             i < 2 ? "198.51.100" : "203.0.113", 10 + i, acct[i], k, prompt);
            struct warden_event ev;
            assert_int_equal(warden_event_decode(line, (size_t)n, &ev, why, sizeof why), 0);
            warden_runtime_decide(rt, &ev, NULL);
        }
    }
    assert_int_equal(warden_runtime_finish(rt, err, sizeof err), 0);
    warden_runtime_free(rt);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static struct seen ran(const char *budget)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    run(budget, &s);
    return s;
}

static void frame_behind_cover_links(void **st)
{
    (void)st;
    struct seen s = ran("128");
    assert_string_not_equal(cluster_of(&s, "h1"), "");
    assert_string_equal(cluster_of(&s, "h1"), cluster_of(&s, "h2"));
    assert_string_equal(cluster_of(&s, "n1"), "");
    assert_string_equal(cluster_of(&s, "n2"), "");
    assert_int_equal(s.clusters, 1);
}

static void first_prompts_only_miss_it(void **st)
{
    (void)st;
    struct seen s = ran("8");
    assert_string_equal(cluster_of(&s, "h1"), "");
    assert_string_equal(cluster_of(&s, "h2"), "");
    assert_string_equal(cluster_of(&s, "n1"), "");
    assert_string_equal(cluster_of(&s, "n2"), "");
    assert_int_equal(s.clusters, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frame_behind_cover_links),
        cmocka_unit_test(first_prompts_only_miss_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
