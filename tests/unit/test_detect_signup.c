/* test_detect_signup.c — sign-up risk from hand-written account registries:
 * a burst through one program, a burst from one sign-up network, a shared
 * card (a company's card on its staff's accounts at its domain is one
 * customer's), a throwaway e-mail domain across organisations, sign-up through a
 * VPN, easy programs from the policy, and the combination. And what must
 * stay quiet: a company whose 200 employees sign up over a month with the
 * company domain (with and without a declared organisation), hundreds of
 * unrelated mobile users behind a carrier NAT, a popular program's steady
 * stream, webmail domains, one organisation paying for its own accounts. */
#include "detect_stream.h"

#include "core/hash.h"

#include <math.h>

#define MIN_MS (60 * 1000LL)

/* accounts.jsonl text */
struct reg {
    char *text;
    size_t n, cap;
    int next;
};

struct acct {
    int64_t created;
    const char *program, *email, *org, *payment, *ip, *billing;
};

static void reg_add(struct reg *r, const char *id, const struct acct *a)
{
    char line[1024], idbuf[32];
    if (!id) {
        snprintf(idbuf, sizeof idbuf, "a%05d", r->next++);
        id = idbuf;
    }
    int k = snprintf(line, sizeof line, "{\"account_id\":\"%s\",\"created_at\":%lld", id,
                     (long long)a->created);
    if (a->program) k += snprintf(line + k, sizeof line - k, ",\"program\":\"%s\"", a->program);
    if (a->email) k += snprintf(line + k, sizeof line - k, ",\"email_domain\":\"%s\"", a->email);
    if (a->org) k += snprintf(line + k, sizeof line - k, ",\"org_id\":\"%s\"", a->org);
    if (a->payment)
        k += snprintf(line + k, sizeof line - k, ",\"payment_fingerprint\":\"%s\"", a->payment);
    if (a->ip) k += snprintf(line + k, sizeof line - k, ",\"signup_ip\":\"%s\"", a->ip);
    if (a->billing)
        k += snprintf(line + k, sizeof line - k, ",\"billing_country\":\"%s\"", a->billing);
    k += snprintf(line + k, sizeof line - k, "}\n");
    if (r->n + (size_t)k + 1 > r->cap) {
        r->cap = (r->cap + (size_t)k + 1) * 2;
        r->text = realloc(r->text, r->cap);
    }
    memcpy(r->text + r->n, line, (size_t)k + 1);
    r->n += (size_t)k;
}

/* Ordinary background: n accounts, one a day, each its own everything. */
static void reg_background(struct reg *r, int n, const char *program)
{
    char pay[32], ip[32];
    for (int i = 0; i < n; i++) {
        snprintf(pay, sizeof pay, "bg-card-%d", i);
        snprintf(ip, sizeof ip, "81.%d.%d.%d", 10 + i % 200, i / 200, 1 + i % 250);
        reg_add(r, NULL,
                &(struct acct){.created = T0 - (int64_t)(n - i) * DAY + (i % 24) * HOUR,
                               .program = program,
                               .email = i % 2 ? "gmail.com" : "outlook.com",
                               .payment = pay,
                               .ip = ip});
    }
}

static struct warden_registry *reg_load(struct reg *r)
{
    char path[] = "/tmp/warden_test_signup_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(r->text ? r->text : "", f);
    fclose(f);
    struct warden_registry *reg = NULL;
    char err[256];
    assert_int_equal(warden_registry_load(&reg, path, NULL, err, sizeof err), 0);
    remove(path);
    free(r->text);
    memset(r, 0, sizeof *r);
    return reg;
}

/* An intel table where 203.0.113.0/24 is a VPN. */
static struct warden_intel *vpn_intel(void)
{
    char path[] = "/tmp/warden_test_signup_vpn_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("203.0.113.0/24\n", f);
    fclose(f);
    struct warden_intel_conf conf;
    warden_conf_defaults(warden_intel_conf_table, &conf);
    char err[300];
    assert_int_equal(
        warden_conf_set(warden_conf_find(warden_intel_conf_table, "locdb"), &conf, "", err, 300),
        0);
    const struct warden_conf_key *kl = warden_conf_find(warden_intel_conf_table, "lists");
    warden_conf_list_clear(kl, &conf);
    warden_conf_list_clear(warden_conf_find(warden_intel_conf_table, "asn_lists"), &conf);
    char spec[128];
    snprintf(spec, sizeof spec, "vpn:testvpn:%s", path);
    warden_conf_list_append(kl, &conf, spec);
    struct warden_intel *in = NULL;
    int rc = warden_intel_open(&in, &conf, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    warden_conf_fini(warden_intel_conf_table, &conf);
    remove(path);
    return in;
}

/* Attach the registry, then one event of the account: the findings it gets. */
static void first_event(struct stream *s, const struct warden_registry *reg, const char *id)
{
    s->n = 0;
    memset(s->state, 0, s->d->state_size);
    struct warden_ipinfo info;
    memset(&info, 0, sizeof info);
    info.as_name = info.provider = "";
    struct warden_event ev;
    memset(&ev, 0, sizeof ev);
    ev.ts_ms = T0 + DAY;
    warden_ip_from_v4(&ev.ip, 0x51024501u);
    ev.ipinfo = &info;
    ev.account = warden_registry_account(reg, id, strlen(id));
    ev.account_id = wstr(id);
    ev.account_hash = warden_hash64(id, strlen(id));
    ev.account_seq = 1;
    ev.input_tokens = ev.output_tokens = WARDEN_NOINT;
    s->em.ev = &ev;
    s->d->observe(s->ctx, &ev, s->state, &s->em);
    /* a second event adds nothing */
    int before = s->n;
    ev.account_seq = 2;
    s->d->observe(s->ctx, &ev, s->state, &s->em);
    assert_int_equal(s->n, before);
    s->em.ev = NULL;
}

static void attach(struct stream *s, const struct warden_registry *reg,
                   const struct warden_intel *in)
{
    assert_non_null(s->d->attach_registry);
    assert_int_equal(s->d->attach_registry(s->ctx, reg, in), 0);
}

/* The signup detector with its defaults, attached to reg. */
static void open_attached(struct stream *s, const struct warden_registry *reg,
                          const struct warden_intel *in)
{
    stream_open(s, "signup", NULL, NULL);
    attach(s, reg, in);
}

/* n sign-ups step apart from t0, from addresses ip0 + i * ipstep, each its
 * own card unless card is given. */
static void reg_crowd(struct reg *r, int n, int64_t t0, int64_t step, const char *program,
                      const char *email, const char *card, uint32_t ip0, uint32_t ipstep)
{
    char pay[32], ip[WARDEN_IP_STRLEN];
    for (int i = 0; i < n; i++) {
        snprintf(pay, sizeof pay, "crowd-card-%d-%d", r->next, i);
        struct warden_ip a;
        warden_ip_from_v4(&a, ip0 + (uint32_t)i * ipstep);
        warden_ip_format(&a, ip);
        reg_add(r, NULL,
                &(struct acct){.created = t0 + i * step,
                               .program = program,
                               .email = email,
                               .payment = card ? card : pay,
                               .ip = ip});
    }
}

/* Accounts a0000.. of the registry: how many got the code. */
static int count_code(struct stream *s, const struct warden_registry *reg, int from, int to,
                      const char *code)
{
    int k = 0;
    char id[32];
    for (int i = from; i < to; i++) {
        snprintf(id, sizeof id, "a%05d", i);
        first_event(s, reg, id);
        k += stream_count(s, code) > 0;
    }
    return k;
}

static void program_burst(void **st)
{
    (void)st;
    struct reg r = {0};
    reg_background(&r, 300, "startup"); /* a popular program's steady stream */
    /* twelve in 40 minutes, each its own card and network */
    reg_crowd(&r, 12, T0 + 7000, 3 * MIN_MS, "startup", "gmail.com", NULL, 0xc6330007u, 256);
    struct warden_registry *reg = reg_load(&r);
    struct stream s;
    open_attached(&s, reg, NULL);
    assert_int_equal(count_code(&s, reg, 300, 312, "signup.burst"), 12);
    assert_int_equal(count_code(&s, reg, 0, 300, "signup.burst"), 0);
    first_event(&s, reg, "a00305");
    const char *e = stream_evidence(&s, "signup.burst");
    assert_non_null(strstr(e, "\"key\":\"program\""));
    assert_non_null(strstr(e, "\"program\":\"startup\""));
    assert_non_null(strstr(e, "\"accounts\":12"));
    assert_non_null(strstr(e, "\"key_accounts\":312"));
    double sc = stream_score(&s, "signup.burst");
    assert_true(sc >= 0.5 && sc <= 0.75);
    /* the program is not on the (empty by default) easy list: one finding */
    assert_int_equal(s.n, 1);
    stream_close(&s);
    warden_registry_free(reg);
}

static void network_burst_and_cgnat(void **st)
{
    (void)st;
    struct reg r = {0};
    /* a carrier NAT: 400 unrelated mobile users on three /24s over 200 days */
    char ip[32], pay[32];
    for (int i = 0; i < 400; i++) {
        snprintf(ip, sizeof ip, "100.70.%d.%d", i % 3, 1 + i % 250);
        snprintf(pay, sizeof pay, "mobile-card-%d", i);
        reg_add(&r, NULL,
                &(struct acct){.created = T0 - 200 * DAY + (int64_t)i * 12 * HOUR +
                                          (i * 7919 % 600) * MIN_MS,
                               .program = "standard",
                               .email = "gmail.com",
                               .payment = pay,
                               .ip = ip});
    }
    /* nine sign-ups from one hosting /24 in half an hour */
    reg_crowd(&r, 9, T0, 3 * MIN_MS, "standard", "outlook.com", NULL, 0xc000020au, 1);
    struct warden_registry *reg = reg_load(&r);
    struct stream s;
    open_attached(&s, reg, NULL);
    assert_int_equal(count_code(&s, reg, 0, 400, "signup.burst"), 0);
    assert_int_equal(count_code(&s, reg, 400, 409, "signup.burst"), 9);
    first_event(&s, reg, "a00401");
    /* the network bursts, and so does the program against its steady stream */
    assert_non_null(
        strstr(stream_evidence(&s, "signup.burst"), "\"keys\":[\"program\",\"network\"]"));
    /* the address itself is not in the evidence */
    assert_null(strstr(stream_evidence(&s, "signup.burst"), "192.0.2"));
    stream_close(&s);
    warden_registry_free(reg);
}

/* 200 employees over a month, weekday office hours, company domain and network. */
static void company_month(struct reg *r, const char *org)
{
    uint32_t x = 12345;
    char ip[32], pay[32];
    for (int i = 0; i < 200; i++) {
        x = x * 1103515245u + 12345u;
        int day = (int)(x >> 8) % 30;
        if (day % 7 >= 5) day -= 2; /* weekdays */
        x = x * 1103515245u + 12345u;
        int64_t t = T0 + (int64_t)day * DAY + 9 * HOUR + (int64_t)((x >> 8) % 480) * MIN_MS;
        snprintf(ip, sizeof ip, "145.10.20.%d", 1 + i % 4);
        snprintf(pay, sizeof pay, "employee-card-%d", i);
        reg_add(r, NULL,
                &(struct acct){.created = t,
                               .program = "standard",
                               .email = "acme-industries.example",
                               .org = org,
                               .payment = pay,
                               .ip = ip});
    }
}

static void company_is_not_a_burst(void **st)
{
    (void)st;
    struct warden_policy *p = NULL;
    char err[256];
    assert_int_equal(warden_policy_load(&p, "examples/policy.yaml", err, sizeof err), 0);
    for (int declared = 0; declared < 2; declared++) {
        struct reg r = {0};
        company_month(&r, declared ? "org-acme" : NULL);
        struct warden_registry *reg = reg_load(&r);
        struct stream s;
        open_attached(&s, reg, NULL);
        int bursts = 0, domain = 0;
        char id[32];
        for (int i = 0; i < 200; i++) {
            snprintf(id, sizeof id, "a%05d", i);
            first_event(&s, reg, id);
            bursts += stream_count(&s, "signup.burst");
            domain += stream_count(&s, "signup.shared_email_domain");
            assert_int_equal(stream_count(&s, "signup.combined"), 0);
            /* whatever context it gets, the example policy does not act on it */
            assert_true(stream_all_allowed(&s, p));
        }
        assert_int_equal(bursts, 0);
        /* colleagues who sign up one by one share the domain (context only);
         * a declared organisation counts once */
        assert_int_equal(domain, declared ? 0 : 200);
        stream_close(&s);
        warden_registry_free(reg);
    }
    warden_policy_free(p);
}

static void shared_payment(void **st)
{
    (void)st;
    struct reg r = {0};
    reg_background(&r, 50, "standard");
    for (int i = 0; i < 5; i++) /* one card, five accounts, signed up weeks apart */
        reg_add(&r, NULL,
                &(struct acct){.created = T0 - i * 9 * DAY,
                               .email = "gmail.com",
                               .payment = "card-shared-XYZ"});
    for (int i = 0; i < 2; i++) /* a couple sharing a card */
        reg_add(&r, NULL, &(struct acct){.created = T0 - i * DAY, .payment = "card-family"});
    for (int i = 0; i < 6; i++) /* one organisation paying for its own accounts */
        reg_add(&r, NULL,
                &(struct acct){.created = T0 - i * DAY, .org = "org-x", .payment = "card-corp"});
    for (int i = 0; i < 8; i++) /* staff on the company's card, no organisation declared */
        reg_add(&r, NULL,
                &(struct acct){.created = T0 - i * 30 * DAY,
                               .email = i % 2 ? "ACME-corp.example" : "acme-corp.example",
                               .payment = "card-acme"});
    /* one card at one domain and on three webmail or domain-less accounts:
     * not one payer, every account counts */
    static const char *const mixed[] = {"shop.example",
                                        "shop.example",
                                        "shop.example",
                                        "shop.example",
                                        "gmail.com",
                                        "outlook.com",
                                        NULL};
    for (int i = 0; i < 7; i++)
        reg_add(&r, NULL,
                &(struct acct){.created = T0 - i * DAY, .email = mixed[i], .payment = "card-m"});
    struct warden_registry *reg = reg_load(&r);
    struct stream s;
    open_attached(&s, reg, NULL);
    assert_int_equal(count_code(&s, reg, 50, 55, "signup.shared_payment"), 5);
    assert_int_equal(count_code(&s, reg, 55, 71, "signup.shared_payment"), 0);
    assert_int_equal(count_code(&s, reg, 71, 78, "signup.shared_payment"), 7);
    first_event(&s, reg, "a00071");
    assert_non_null(strstr(stream_evidence(&s, "signup.shared_payment"), "\"orgs\":7"));
    assert_int_equal(count_code(&s, reg, 0, 50, "signup.shared_payment"), 0);
    first_event(&s, reg, "a00052");
    const char *e = stream_evidence(&s, "signup.shared_payment");
    assert_non_null(strstr(e, "\"accounts\":5"));
    assert_non_null(strstr(e, "\"orgs\":5"));
    assert_non_null(strstr(e, "\"payment_hash\":\""));
    assert_null(strstr(e, "card-shared"));
    /* alone, a shared card is below review at the threshold */
    stream_close(&s);
    stream_open(&s, "signup", NULL, "payment_min_accounts", "5", NULL);
    attach(&s, reg, NULL);
    first_event(&s, reg, "a00052");
    assert_true(stream_score(&s, "signup.shared_payment") < 0.5);
    stream_close(&s);
    warden_registry_free(reg);
}

/* A card is issued in one country and a household shares its billing
 * address: two accounts on one card billed in two countries are a shared
 * card, two in one country are a couple; a company's card stays one payer. */
static void card_across_countries(void **st)
{
    (void)st;
    struct reg r = {0};
    reg_background(&r, 50, "standard");
    static const char *const pair[] = {"GB", "co"};
    for (int i = 0; i < 2; i++) /* 50, 51: two countries */
        reg_add(&r, NULL,
                &(struct acct){.created = T0 - i * 20 * MIN_MS,
                               .email = "proton.me",
                               .payment = "card-pair",
                               .billing = pair[i]});
    for (int i = 0; i < 2; i++) /* 52, 53: a couple, one country (case aside) */
        reg_add(&r, NULL,
                &(struct acct){
                    .created = T0 - i * DAY, .payment = "card-couple", .billing = i ? "de" : "DE"});
    for (int i = 0; i < 2; i++) /* 54, 55: one country given, one not */
        reg_add(&r, NULL,
                &(struct acct){
                    .created = T0 - i * DAY, .payment = "card-half", .billing = i ? NULL : "FR"});
    for (int i = 0; i < 4; i++) /* 56-59: an organisation's staff in two countries */
        reg_add(&r, NULL,
                &(struct acct){.created = T0 - i * DAY,
                               .org = "org-y",
                               .payment = "card-org-y",
                               .billing = i % 2 ? "US" : "IE"});
    for (int i = 0; i < 4; i++) /* 60-63: staff at the company's domain, no organisation */
        reg_add(&r, NULL,
                &(struct acct){.created = T0 - i * DAY,
                               .email = "acme-corp.example",
                               .payment = "card-acme",
                               .billing = i % 2 ? "US" : "IE"});
    struct warden_registry *reg = reg_load(&r);
    struct stream s;
    open_attached(&s, reg, NULL);
    assert_int_equal(count_code(&s, reg, 50, 52, "signup.shared_payment"), 2);
    assert_int_equal(count_code(&s, reg, 52, 64, "signup.shared_payment"), 0);
    assert_int_equal(count_code(&s, reg, 0, 50, "signup.shared_payment"), 0);
    first_event(&s, reg, "a00051");
    const char *e = stream_evidence(&s, "signup.shared_payment");
    assert_non_null(strstr(e, "\"accounts\":2"));
    assert_non_null(strstr(e, "\"billing_countries\":2"));
    /* at the threshold, alone, below review */
    assert_true(stream_score(&s, "signup.shared_payment") < 0.5);
    stream_close(&s);
    /* 0 turns the rule off: a pair needs payment_min_accounts like any card */
    stream_open(&s, "signup", NULL, "payment_countries_min_accounts", "0", NULL);
    attach(&s, reg, NULL);
    assert_int_equal(count_code(&s, reg, 50, 64, "signup.shared_payment"), 0);
    stream_close(&s);
    warden_registry_free(reg);
}

static void email_domain_across_orgs(void **st)
{
    (void)st;
    struct reg r = {0};
    char org[32];
    for (int i = 0; i < 12; i++) { /* a throwaway domain, twelve "companies", months apart */
        snprintf(org, sizeof org, "org-%d", i);
        reg_add(&r, NULL,
                &(struct acct){
                    .created = T0 - i * 20 * DAY, .email = "quick-mail.example", .org = org});
    }
    for (int i = 0; i < 12; i++) { /* webmail is never shared evidence */
        snprintf(org, sizeof org, "org-w%d", i);
        reg_add(&r, NULL,
                &(struct acct){.created = T0 - i * DAY, .email = "GMail.com", .org = org});
    }
    struct warden_registry *reg = reg_load(&r);
    struct stream s;
    open_attached(&s, reg, NULL);
    assert_int_equal(count_code(&s, reg, 0, 12, "signup.shared_email_domain"), 12);
    assert_int_equal(count_code(&s, reg, 12, 24, "signup.shared_email_domain"), 0);
    first_event(&s, reg, "a00003");
    assert_true(stream_score(&s, "signup.shared_email_domain") < 0.5);
    assert_non_null(strstr(stream_evidence(&s, "signup.shared_email_domain"), "\"orgs\":12"));
    assert_null(strstr(stream_evidence(&s, "signup.shared_email_domain"), "quick-mail"));
    stream_close(&s);
    /* without the webmail list, gmail.com would be shared: the list matters */
    stream_open(&s, "signup", NULL, "webmail_domains", "", NULL);
    attach(&s, reg, NULL);
    assert_int_equal(count_code(&s, reg, 12, 24, "signup.shared_email_domain"), 12);
    stream_close(&s);
    warden_registry_free(reg);
}

static void weak_signals_are_context(void **st)
{
    (void)st;
    struct reg r = {0};
    reg_add(&r, "vpn-user", &(struct acct){.created = T0, .ip = "203.0.113.9"});
    reg_add(&r, "student", &(struct acct){.created = T0, .program = "Education", .ip = "81.2.3.4"});
    reg_add(&r, "both", &(struct acct){.created = T0, .program = "startup", .ip = "203.0.113.10"});
    reg_add(&r, "plain", &(struct acct){.created = T0, .program = "standard", .ip = "81.2.3.5"});
    struct warden_registry *reg = reg_load(&r);
    struct warden_intel *in = vpn_intel();
    struct warden_policy *p = test_policy("detectors:\n  signup:\n    easy_programs: [startup, "
                                          "education, research]\n");
    const void *conf = warden_policy_detector_conf(p, (size_t)warden_detector_index("signup"));
    assert_non_null(conf);
    struct stream s;
    stream_open(&s, "signup", NULL, NULL);
    s.d->free(s.ctx);
    assert_int_equal(s.d->init(&s.ctx, p, conf), 0);
    attach(&s, reg, in);
    struct warden_policy *ex = NULL;
    char err[256];
    assert_int_equal(warden_policy_load(&ex, "examples/policy.yaml", err, sizeof err), 0);
    first_event(&s, reg, "vpn-user");
    assert_int_equal(s.n, 1);
    assert_true(stream_score(&s, "signup.anonymizer") < 0.5);
    assert_non_null(strstr(stream_evidence(&s, "signup.anonymizer"), "\"categories\":\"vpn\""));
    assert_non_null(strstr(stream_evidence(&s, "signup.anonymizer"), "\"signup_ip_hash\":\""));
    assert_null(strstr(stream_evidence(&s, "signup.anonymizer"), "203.0.113"));
    assert_true(stream_all_allowed(&s, ex));
    first_event(&s, reg, "student");
    assert_int_equal(s.n, 1);
    assert_true(stream_score(&s, "signup.easy_program") < 0.5);
    assert_true(stream_all_allowed(&s, ex));
    /* two weak signals are still context: no combined finding without a strong one */
    first_event(&s, reg, "both");
    assert_int_equal(s.n, 2);
    assert_int_equal(stream_count(&s, "signup.combined"), 0);
    assert_true(stream_all_allowed(&s, ex));
    first_event(&s, reg, "plain");
    assert_int_equal(s.n, 0);
    stream_close(&s);
    warden_policy_free(ex);
    warden_policy_free(p);
    warden_intel_free(in);
    warden_registry_free(reg);
}

/* A batch spread over the easy programs so that no one of them reaches
 * burst_min_accounts bursts as the easy programs together, against their
 * joint steady stream; the same spread over programs that are not easy (or
 * with no easy list) does not, and neither does the joint stream itself. */
static void burst_across_easy_programs(void **st)
{
    (void)st;
    static const char *const easy[] = {"startup", "education", "research"};
    static const char *const plain[] = {"standard", "team", "enterprise"};
    struct reg r = {0};
    for (int k = 0; k < 3; k++) reg_background(&r, 100, easy[k]); /* a0000..a0299 */
    for (int k = 0; k < 3; k++) /* a0300..a0311: 4 per program in 40 minutes */
        reg_crowd(&r, 4, T0 + 7000 + k * MIN_MS, 10 * MIN_MS, easy[k], "gmail.com", NULL,
                  0xc6330007u + (uint32_t)k * 0x10000u, 256);
    for (int k = 0; k < 3; k++) /* a0312..a0323: the same over plain programs, a day later */
        reg_crowd(&r, 4, T0 + DAY + k * MIN_MS, 10 * MIN_MS, plain[k], "gmail.com", NULL,
                  0xc6340007u + (uint32_t)k * 0x10000u, 256);
    /* a0324: a bystander, alone in a fourth easy program within the batch's hour */
    reg_crowd(&r, 1, T0 + 7000 + 20 * MIN_MS, MIN_MS, "grant", "gmail.com", NULL, 0xc6350007u, 1);
    struct warden_registry *reg = reg_load(&r);
    struct warden_policy *p = test_policy("detectors:\n  signup:\n    easy_programs: [startup, "
                                          "education, research, grant]\n");
    const void *conf = warden_policy_detector_conf(p, (size_t)warden_detector_index("signup"));
    struct stream s;
    stream_open(&s, "signup", NULL, NULL);
    s.d->free(s.ctx);
    assert_int_equal(s.d->init(&s.ctx, p, conf), 0);
    attach(&s, reg, NULL);
    assert_int_equal(count_code(&s, reg, 300, 312, "signup.burst"), 12);
    assert_int_equal(count_code(&s, reg, 324, 325, "signup.burst"), 0); /* the bystander */
    assert_int_equal(count_code(&s, reg, 312, 324, "signup.burst"), 0);
    assert_int_equal(count_code(&s, reg, 0, 300, "signup.burst"), 0);
    first_event(&s, reg, "a00305");
    const char *e = stream_evidence(&s, "signup.burst");
    assert_non_null(strstr(e, "\"key\":\"easy_programs\""));
    assert_non_null(strstr(e, "\"accounts\":13")); /* the window's sign-ups */
    stream_close(&s);
    /* without an easy list, the batch is four sign-ups per program: no burst */
    open_attached(&s, reg, NULL);
    assert_int_equal(count_code(&s, reg, 300, 312, "signup.burst"), 0);
    stream_close(&s);
    warden_policy_free(p);
    warden_registry_free(reg);
}

static void burst_with_shared_cards_combines(void **st)
{
    (void)st;
    struct reg r = {0};
    reg_background(&r, 100, "startup");
    /* a hydra: 16 sign-ups in an hour through a VPN /24 on two cards */
    reg_crowd(&r, 8, T0, 8 * MIN_MS, "startup", "proton.me", "op-card-1", 0xcb007132u, 1);
    reg_crowd(&r, 8, T0 + 4 * MIN_MS, 8 * MIN_MS, "startup", "proton.me", "op-card-2", 0xcb00713cu,
              1);
    struct warden_registry *reg = reg_load(&r);
    struct warden_intel *in = vpn_intel();
    struct stream s;
    open_attached(&s, reg, in);
    assert_int_equal(count_code(&s, reg, 100, 116, "signup.combined"), 16);
    first_event(&s, reg, "a00107");
    assert_int_equal(stream_count(&s, "signup.burst"), 1);
    assert_int_equal(stream_count(&s, "signup.shared_payment"), 1);
    assert_int_equal(stream_count(&s, "signup.anonymizer"), 1);
    double b = stream_score(&s, "signup.burst"), sp = stream_score(&s, "signup.shared_payment"),
           an = stream_score(&s, "signup.anonymizer"), cb = stream_score(&s, "signup.combined");
    assert_true(fabs(cb - (1 - (1 - b) * (1 - sp) * (1 - an))) < 1e-9);
    assert_true(cb >= 0.8);
    /* sixteen in the burst: one doubling over the threshold of 8 */
    assert_true(fabs(b - 0.6) < 1e-9);
    stream_close(&s);
    warden_intel_free(in);
    warden_registry_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(program_burst),
        cmocka_unit_test(burst_across_easy_programs),
        cmocka_unit_test(network_burst_and_cgnat),
        cmocka_unit_test(company_is_not_a_burst),
        cmocka_unit_test(shared_payment),
        cmocka_unit_test(card_across_countries),
        cmocka_unit_test(email_domain_across_orgs),
        cmocka_unit_test(weak_signals_are_context),
        cmocka_unit_test(burst_with_shared_cards_combines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
