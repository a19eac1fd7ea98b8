/* test_link_restricted.c — cluster.linked_restricted through the whole
 * runtime: accounts linked by a shared payment fingerprint to a member that
 * connects directly from a restricted jurisdiction, or to one whose card is
 * restricted, carry the finding (the member itself does not); accounts that
 * share only a webmail domain, or only a NAT /24 and a popular client (a
 * carrier NAT), are never linked and never carry it, whatever their
 * neighbours do. The link detector runs alone: the reach is carried by the
 * cluster whatever the policy does about the restricted member. One and
 * four shards. */
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

#define MAXA 32
struct seen {
    int n;
    char acct[MAXA][16];
    int restricted[MAXA];
    enum warden_action action[MAXA];
    int members[MAXA];
};

static int slot(struct seen *s, const char *acct)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->acct[i], acct) == 0) return i;
    if (s->n >= MAXA) return -1;
    snprintf(s->acct[s->n], 16, "%s", acct);
    return s->n++;
}

static void cap_verdict(void *self, const struct warden_verdict *v)
{
    struct seen *s = self;
    int i = slot(s, v->account_id);
    if (i >= 0) s->action[i] = v->action;
}

static void cap_finding(void *self, const struct warden_finding *f)
{
    struct seen *s = self;
    if (strcmp(f->code, "cluster.linked_restricted") != 0) return;
    char id[16];
    snprintf(id, sizeof id, "%.*s", (int)f->account_id_len, f->account_id);
    int i = slot(s, id);
    if (i < 0) return;
    s->restricted[i]++;
    const char *m = strstr(f->evidence_json, "\"restricted_members\":");
    assert_non_null(m);
    s->members[i] = atoi(m + strlen("\"restricted_members\":"));
    assert_non_null(strstr(f->evidence_json, "\"payment\":"));
}

static const struct warden_sink_type capture = {
    .name = "capture", .finding = cap_finding, .verdict = cap_verdict};

/* p: one card, p1 connects from a restricted country at round 3;
 * q: one card, q1's card country is restricted;
 * w: a webmail domain only, w1's card is restricted, w2 connects from there;
 * n: one NAT /24 and one client only, n1's card is restricted, n2 connects
 * from there. */
static const char *const accounts =
    "{\"account_id\":\"p1\",\"payment_fingerprint\":\"fp-co\",\"billing_country\":\"DE\","
    "\"card_country\":\"DE\",\"email_domain\":\"gmail.com\"}\n"
    "{\"account_id\":\"p2\",\"payment_fingerprint\":\"fp-co\",\"billing_country\":\"DE\","
    "\"card_country\":\"DE\",\"email_domain\":\"gmail.com\"}\n"
    "{\"account_id\":\"p3\",\"payment_fingerprint\":\"fp-co\",\"billing_country\":\"DE\","
    "\"card_country\":\"DE\",\"email_domain\":\"gmail.com\"}\n"
    "{\"account_id\":\"q1\",\"payment_fingerprint\":\"fp-q\",\"billing_country\":\"DE\","
    "\"card_country\":\"IR\"}\n"
    "{\"account_id\":\"q2\",\"payment_fingerprint\":\"fp-q\",\"billing_country\":\"DE\","
    "\"card_country\":\"DE\"}\n"
    "{\"account_id\":\"w1\",\"payment_fingerprint\":\"fp-w1\",\"card_country\":\"IR\","
    "\"email_domain\":\"gmail.com\"}\n"
    "{\"account_id\":\"w2\",\"payment_fingerprint\":\"fp-w2\",\"email_domain\":\"gmail.com\"}\n"
    "{\"account_id\":\"w3\",\"payment_fingerprint\":\"fp-w3\",\"email_domain\":\"gmail.com\"}\n"
    "{\"account_id\":\"n1\",\"payment_fingerprint\":\"fp-n1\",\"card_country\":\"IR\"}\n"
    "{\"account_id\":\"n2\",\"payment_fingerprint\":\"fp-n2\"}\n"
    "{\"account_id\":\"n3\",\"payment_fingerprint\":\"fp-n3\"}\n";

static const char *const names[] = {"p1", "p2", "p3", "q1", "q2", "w1",
                                    "w2", "w3", "n1", "n2", "n3"};
#define NACCT (sizeof names / sizeof *names)

static void run(unsigned shards, struct seen *seen)
{
    char acc[64];
    snprintf(acc, sizeof acc, "/tmp/warden_link_res_%d.jsonl", (int)getpid());
    FILE *f = fopen(acc, "w");
    assert_non_null(f);
    fputs(accounts, f);
    fclose(f);
    const struct warden_detector *dets[] = {&warden_detect_link};
    struct warden_runtime_conf c = {.accounts_path = acc,
                                    .lateness_ms = -1,
                                    .quiet = true,
                                    .max_accounts = 1000,
                                    .keep_ids = true,
                                    .shards = shards,
                                    .detectors = dets,
                                    .n_detectors = 1};
    struct warden_runtime *rt = rt_fixture_runtime(
        &c, "jurisdictions:\n  restricted: [IR]\nrules:\n"
            "  - {code: cluster.linked_restricted, min_score: 0.5, action: review}\n");
    unlink(acc);
    warden_runtime_add_sink(rt, &capture, seen);

    char line[1024], why[256], err[256];
    long t0 = 1795421702000L;
    for (int k = 0; k < 8; k++) {
        for (size_t i = 0; i < NACCT; i++) {
            const char *a = names[i];
            char ip[32];
            /* the restricted country's residential network (Iran), else a
             * documentation /24 per group: the n group's is one NAT */
            bool leak =
                k == 3 && (strcmp(a, "p1") == 0 || strcmp(a, "w2") == 0 || strcmp(a, "n2") == 0);
            if (leak)
                snprintf(ip, sizeof ip, "5.160.0.%d", 7 + (int)i);
            else if (a[0] == 'n')
                snprintf(ip, sizeof ip, "203.0.113.%d", 10 + k % 3);
            else
                snprintf(ip, sizeof ip, "198.51.%d.%d", (int)i, 10 + k);
            snprintf(line, sizeof line,
                     "{\"ts\":%ld,\"account_id\":\"%s\",\"ip\":\"%s\",\"request_id\":\"%s-%d\","
                     "\"user_agent\":\"okhttp/4.12.0\",\"tls_ja4\":"
                     "\"t13d1516h2_8daaf6152771_e5627efa2ab1\",\"prompt\":\"%s question %d\"}",
                     t0 + k * 60000L + (long)i * 1000L, a, ip, a, k, a, k);
            struct warden_event ev;
            assert_int_equal(warden_event_decode(line, strlen(line), &ev, why, sizeof why), 0);
            warden_runtime_decide(rt, &ev, NULL);
        }
    }
    assert_int_equal(warden_runtime_finish(rt, err, sizeof err), 0);
    warden_runtime_free(rt);
}

static void check(struct seen *s)
{
    for (size_t i = 0; i < NACCT; i++) {
        const char *a = names[i];
        int v = slot(s, a);
        bool due = strcmp(a, "p2") == 0 || strcmp(a, "p3") == 0 || strcmp(a, "q2") == 0;
        assert_int_equal(s->restricted[v], due ? 1 : 0);
        assert_int_equal(s->action[v], due ? WARDEN_REVIEW : WARDEN_ALLOW);
        if (due) assert_int_equal(s->members[v], 1);
    }
}

static void payment_carries_webmail_and_nat_do_not(void **st)
{
    (void)st;
    for (unsigned shards = 1; shards <= 4; shards += 3) {
        struct seen s;
        memset(&s, 0, sizeof s);
        run(shards, &s);
        check(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(payment_carries_webmail_and_nat_do_not)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
