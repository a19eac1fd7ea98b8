/* detect_signup.c — sign-up risk: what the account registry shows at load.
 *
 * Hydra clusters are opened in bulk: many accounts created within a short
 * window through the same program, network or throwaway e-mail domain, paid
 * with the same few cards, often signed up through an anonymizer, and often
 * through a program that hands out credits with little verification. None of
 * this needs a single request: attach_registry() looks at every account of
 * the registry once, before any event, and the findings are emitted at the
 * account's first event. Codes:
 *   signup.burst               the account is one of at least
 *                              burst_min_accounts sign-ups within
 *                              burst_window_s sharing a key (program,
 *                              the easy programs taken together (a
 *                              batch spread over them so that no one
 *                              program bursts; an account alone in its
 *                              program within the window is left out: a
 *                              batch leaves two or more in each program
 *                              it uses, a bystander one), sign-up
 *                              network /24 or /48, non-webmail e-mail
 *                              domain), and that window holds at
 *                              least burst_excess times what the key's own
 *                              sign-up rate in the baseline_days around it
 *                              (the window excluded) predicts: a steady
 *                              stream (a carrier NAT, a popular program, a
 *                              company hiring) is not a burst, however big
 *   signup.shared_payment      the account's payment fingerprint is used by
 *                              at least payment_min_accounts accounts of
 *                              different organisations, or by
 *                              payment_countries_min_accounts when those
 *                              are billed in two or more countries
 *   signup.shared_email_domain its non-webmail e-mail domain is used by
 *                              accounts of at least email_min_orgs different
 *                              organisations (context: colleagues who sign
 *                              up one by one look the same)
 *   signup.anonymizer          signed up from a VPN, Tor, proxy, hosting or
 *                              cloud address (per the IP intelligence;
 *                              context)
 *   signup.easy_program        signed up through a program of the policy's
 *                              easy_programs list (context)
 *   signup.combined            at least one of burst, shared_payment,
 *                              shared_email_domain together with another
 *                              sign-up signal: score 1 - prod(1 - score_i)
 * Accounts of one declared organisation count once in every group ("units"):
 * a company signing up its staff is one customer's decision, not a crowd.
 * An account without an organisation is its own unit, except that a card
 * whose accounts, none with a declared organisation, are all at one
 * non-webmail e-mail domain is one unit: staff paying with the company's
 * card are one customer. A card shared across domains, or with webmail
 * accounts, counts every account (a ring mixing a throwaway domain with
 * webmail addresses; one that puts every member on one domain still shows
 * as that domain's accounts and bursts). The webmail domains
 * (data/webmail/webmail.txt) are never a key.
 *
 * Scores: burst and shared_payment start at their score_* at the threshold
 * and rise by score_step per doubling of the group, up to score_max. The
 * context signals stay below every review rule on their own.
 *
 * An account evicted from the account table and seen again gets the same
 * findings again at its next first event. With several engine shards each
 * shard's context derives the same records from the whole registry.
 * An account that had no record when it looked (its requests came before
 * the accounts file named it) looks again at its later events: a registry
 * reloaded since (`warden serve`, a run from saved state) may name it now,
 * and its findings are then made at the first event after. A bit per
 * account hash of the accounts with a record (filter, 1/8 full at most)
 * keeps that to a cache-resident bit test for the accounts never named.
 *
 * Memory: at load, 40 bytes per account and key while grouping (freed), then
 * one 72-byte record per account with a signal, indexed by account hash, and
 * the filter (a bit per 8 records, 8 KB to 2 MB). Per tracked account 1 byte
 * of state (findings made, or no record when it looked). Nothing is allocated per
 * event.
 *
 * Evidence keys (identifiers that are personal data are hashed: XXH3 of the
 * value seeded with evidence_salt, 16 hex digits): burst: key (program |
 * easy_programs | network | email_domain: the key of the biggest burst), keys (every key
 * the account bursts with), program (for a program key), key_hash,
 * accounts (units in the window), window_s, expected (what the key's rate
 * predicts for the window), key_accounts (units of the key overall);
 * shared_payment: payment_hash, accounts, orgs, billing_countries; shared_email_domain:
 * domain_hash, accounts, orgs; anonymizer: signup_ip_hash, categories;
 * easy_program: program; combined: signals (codes), score. */
#include "core/error.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/u64map.h"
#include "core/xalloc.h"
#include "detect/detector.h"
#include "detect/domain_list.h"
#include "intel/intel.h"
#include "registry/registry.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct signup_conf {
    char *webmail_domains;
    struct warden_strlist easy_programs;
    int64_t burst_window_s, burst_min_accounts, baseline_days;
    double burst_excess;
    int64_t payment_min_accounts, payment_countries_min_accounts, email_min_orgs;
    double score_burst, score_shared_payment, score_shared_email_domain, score_anonymizer,
        score_easy_program, score_step, score_max;
    char *evidence_salt;
};

#define C(f) offsetof(struct signup_conf, f)
static const struct warden_conf_key signup_conf_table[] = {
    {"webmail_domains", WARDEN_CONF_STRING, "webmail/webmail.txt", C(webmail_domains),
     "public webmail domains, one per line (never a burst key or shared domain); relative paths "
     "resolve against $WARDEN_DATA_DIR, ./data, then the source tree's data/; \"\" for none",
     0, 0},
    {"easy_programs", WARDEN_CONF_STRLIST, NULL, C(easy_programs),
     "sign-up programs that hand out credits with little verification (signup.easy_program), "
     "e.g. [startup, education, research]; none by default",
     0, 0},
    {"burst_window_s", WARDEN_CONF_INT, "3600", C(burst_window_s),
     "length of a sign-up burst window, seconds", 60, 30 * 86400},
    {"burst_min_accounts", WARDEN_CONF_INT, "8", C(burst_min_accounts),
     "sign-ups (organisations count once) sharing a key within the window for signup.burst", 2,
     1e6},
    {"burst_excess", WARDEN_CONF_DOUBLE, "10", C(burst_excess),
     "the window must hold this many times the sign-ups the key's own rate outside it predicts", 1,
     1e6},
    {"baseline_days", WARDEN_CONF_INT, "14", C(baseline_days),
     "a key's own sign-up rate is measured over this many days before and after the window", 1,
     3650},
    {"payment_min_accounts", WARDEN_CONF_INT, "3", C(payment_min_accounts),
     "accounts of different organisations on one payment fingerprint for signup.shared_payment", 2,
     1e6},
    {"payment_countries_min_accounts", WARDEN_CONF_INT, "2", C(payment_countries_min_accounts),
     "the same when the card's accounts are billed in two or more countries (a card is issued in "
     "one; a household shares its billing country); 0: no such rule",
     0, 1e6},
    {"email_min_orgs", WARDEN_CONF_INT, "10", C(email_min_orgs),
     "organisations (an account without one counts as its own) on one non-webmail e-mail domain "
     "for signup.shared_email_domain",
     2, 1e6},
    {"score_burst", WARDEN_CONF_DOUBLE, "0.5", C(score_burst),
     "score of signup.burst at burst_min_accounts", 0, 1},
    {"score_shared_payment", WARDEN_CONF_DOUBLE, "0.45", C(score_shared_payment),
     "score of signup.shared_payment at payment_min_accounts", 0, 1},
    {"score_shared_email_domain", WARDEN_CONF_DOUBLE, "0.3", C(score_shared_email_domain),
     "score of signup.shared_email_domain", 0, 1},
    {"score_anonymizer", WARDEN_CONF_DOUBLE, "0.2", C(score_anonymizer),
     "score of signup.anonymizer", 0, 1},
    {"score_easy_program", WARDEN_CONF_DOUBLE, "0.1", C(score_easy_program),
     "score of signup.easy_program", 0, 1},
    {"score_step", WARDEN_CONF_DOUBLE, "0.1", C(score_step),
     "added to the burst and shared-payment scores per doubling of the group over its threshold", 0,
     1},
    {"score_max", WARDEN_CONF_DOUBLE, "0.75", C(score_max),
     "ceiling of the burst and shared-payment scores", 0, 1},
    {"evidence_salt", WARDEN_CONF_STRING, "", C(evidence_salt),
     "seed of the hashes of payment fingerprints, sign-up addresses and domains in evidence "
     "(set a secret to make them pseudonyms only your analysts can recompute)",
     0, 0},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};
#undef C

enum {
    SIG_BURST = 1,
    SIG_PAYMENT = 2,
    SIG_EMAIL = 4,
    SIG_ANON = 8,
    SIG_EASY = 16,
    SIG_STRONG = SIG_BURST | SIG_PAYMENT | SIG_EMAIL
};
enum key_kind { KEY_PROGRAM, KEY_NETWORK, KEY_EMAIL, KEY_PAYMENT, KEY_EASY, NKEYS };
static const char *const key_names[NKEYS] = {"program", "network", "email_domain", "payment",
                                             "easy_programs"};

/* What an account's sign-up shows, computed once at load. */
struct risk {
    uint32_t flags, anon_cats;
    uint32_t burst_n, burst_key_n, payment_n, payment_orgs, payment_countries, email_n, email_orgs;
    float burst_expected;
    uint8_t burst_key, burst_keys; /* the biggest burst's key; every bursting key (bits) */
    uint64_t burst_hash, payment_hash, email_hash;
    const char *program; /* the registry's string (outlives the context) */
};

struct signup_ctx {
    struct signup_conf conf;
    bool own_conf;
    uint64_t salt;
    struct warden_u64map webmail; /* lower-case domain hash -> 1 */
    struct warden_u64map by_acct; /* account hash -> index + 1 into risks */
    uint64_t *filter;             /* bit (account hash & fmask): the account may have a record */
    uint64_t fmask;
    struct risk *risks;
    size_t nrisks, caprisks;
    const struct warden_registry *reg;
};

/* done: 0 not looked yet, 1 findings made (or none to make, before the
 * look-again), NO_RECORD no record when it looked */
struct signup_state {
    uint8_t done;
};
#define NO_RECORD 2

/* One account under one key, for grouping. */
struct item {
    uint64_t key, org; /* org 0: none (its own unit) */
    uint64_t domain;   /* its non-webmail e-mail domain (payment items; 0: none); easy-programs
                          items: the program's place in easy_programs */
    int64_t t;
    uint32_t acct;
    uint16_t country; /* payment items: the account's billing country (0: not given) */
    uint8_t kind;
    bool dup_org; /* a later account of an organisation already counted under this key */
};

static uint64_t lower_hash(const char *s, uint64_t seed)
{
    char buf[256];
    size_t n = 0;
    for (; s[n] && n < sizeof buf; n++) buf[n] = (char)tolower((unsigned char)s[n]);
    return warden_hash64_seed(buf, n, seed) | 1;
}

static int load_webmail(struct signup_ctx *c)
{
    warden_u64map_init(&c->webmail);
    const char *rel = c->conf.webmail_domains;
    if (!rel || !rel[0]) return 0;
    return warden_domain_list_load(&c->webmail, rel) < 0 ? WARDEN_ECONFIG : 0;
}

static void signup_free(void *vctx)
{
    struct signup_ctx *c = vctx;
    if (!c) return;
    warden_u64map_fini(&c->webmail);
    if (c->by_acct.keys) warden_u64map_fini(&c->by_acct);
    free(c->filter);
    free(c->risks);
    if (c->own_conf) warden_conf_fini(signup_conf_table, &c->conf);
    free(c);
}

static int signup_init(void **vctx, const struct warden_policy *policy, const void *conf)
{
    (void)policy;
    struct signup_ctx *c = warden_xcalloc(1, sizeof *c);
    if (conf) {
        memcpy(&c->conf, conf, sizeof c->conf);
    } else {
        warden_conf_defaults(signup_conf_table, &c->conf);
        c->own_conf = true;
    }
    const char *salt = c->conf.evidence_salt ? c->conf.evidence_salt : "";
    c->salt = warden_hash64(salt, strlen(salt));
    int rc = load_webmail(c);
    if (rc) {
        signup_free(c);
        return rc;
    }
    *vctx = c;
    return 0;
}

static int cmp_key_org_t(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    if (x->org != y->org) return x->org < y->org ? -1 : 1;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->acct < y->acct ? -1 : x->acct > y->acct;
}

static int cmp_key_t(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    if (x->dup_org != y->dup_org) return x->dup_org ? 1 : -1; /* units first */
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->acct < y->acct ? -1 : x->acct > y->acct;
}

/* The /24 (IPv4) or /48 (IPv6) of a sign-up address, as a key. */
static uint64_t net_key(const struct warden_ip *ip, uint64_t seed)
{
    uint8_t b[8] = {0};
    if (warden_ip_is_v4(ip)) {
        b[0] = 4;
        memcpy(b + 1, ip->b + 12, 3);
    } else {
        b[0] = 6;
        memcpy(b + 1, ip->b, 6);
    }
    return warden_hash64_seed(b, sizeof b, seed) | 1;
}

static struct risk *risk_of(struct signup_ctx *c, uint32_t acct)
{
    const struct warden_account *a = warden_registry_account_at(c->reg, acct);
    uint64_t h = warden_hash64(a->account_id, strlen(a->account_id));
    uint32_t v = warden_u64map_get(&c->by_acct, h);
    if (!v) {
        if (c->nrisks == c->caprisks) {
            c->caprisks = c->caprisks ? c->caprisks * 2 : 256;
            c->risks = warden_xrealloc(c->risks, c->caprisks * sizeof *c->risks);
        }
        memset(&c->risks[c->nrisks], 0, sizeof c->risks[0]);
        c->risks[c->nrisks].program = a->program;
        warden_u64map_put(&c->by_acct, h, (uint32_t)++c->nrisks);
        v = (uint32_t)c->nrisks;
    }
    return &c->risks[v - 1];
}

/* A burst group: the units of one key (sorted by time, n units). The
 * expected count of a window comes from the key's own sign-ups in the
 * baseline_days before and after it (the window excluded): a local rate, so
 * a program or network whose traffic grows or peaks is compared with itself
 * at that time. */
static void find_bursts(struct signup_ctx *c, const struct item *u, size_t n)
{
    const int64_t w = c->conf.burst_window_s * 1000;
    const int64_t base = c->conf.baseline_days * 86400000LL;
    const size_t min = (size_t)c->conf.burst_min_accounts;
    if (n < min) return;
    size_t nper = u[0].kind == KEY_EASY ? c->conf.easy_programs.n : 0;
    size_t *per = warden_xcalloc(nper + 1, sizeof *per);
    size_t e = 0, lo = 0, hi = 0, marked = 0; /* units [0, marked) already in a burst */
    for (size_t s = 0; s < n; s++) {
        if (e < s) e = s;
        while (e + 1 < n && u[e + 1].t - u[s].t <= w) e++;
        size_t cnt = e - s + 1;
        if (cnt < min) continue;
        while (u[lo].t < u[s].t - base) lo++;
        if (hi < e) hi = e;
        while (hi + 1 < n && u[hi + 1].t <= u[s].t + w + base) hi++;
        double expected = (double)(hi - lo + 1 - cnt) * (double)w / (double)(2 * base);
        if ((double)cnt < c->conf.burst_excess * expected) continue;
        if (u[s].kind == KEY_EASY) /* sign-ups per program in the window */
            for (size_t k = s; k <= e; k++) per[u[k].domain]++;
        for (size_t k = marked > s ? marked : s; k <= e; k++) {
            /* spread over programs, a batch leaves two or more in each it uses; one
             * sign-up alone in its program within the hour is a bystander's */
            if (u[k].kind == KEY_EASY && per[u[k].domain] < 2) continue;
            struct risk *r = risk_of(c, u[k].acct);
            r->burst_keys |= (uint8_t)(1u << u[k].kind);
            if ((r->flags & SIG_BURST) && r->burst_n >= cnt) continue;
            r->flags |= SIG_BURST;
            r->burst_n = (uint32_t)cnt;
            r->burst_key_n = (uint32_t)n;
            r->burst_expected = (float)expected;
            r->burst_key = u[k].kind;
            r->burst_hash = u[k].key;
        }
        marked = e + 1;
        if (u[s].kind == KEY_EASY) memset(per, 0, nper * sizeof *per);
    }
    free(per);
}

/* Billing countries among a payment group's units (items, units first;
 * accounts without one count none). */
static uint32_t group_countries(const struct item *it, size_t units)
{
    uint16_t seen[8];
    uint32_t k = 0;
    for (size_t i = 0; i < units && k < 8; i++) {
        uint16_t cc = it[i].country;
        bool dup = !cc;
        for (uint32_t j = 0; j < k && !dup; j++) dup = seen[j] == cc;
        if (!dup) seen[k++] = cc;
    }
    return k;
}

/* A group of one payment fingerprint or e-mail domain (items, units first).
 * A card is issued in one country and a household shares its billing
 * address, so a card whose accounts are billed in two or more countries
 * needs payment_countries_min_accounts, not payment_min_accounts. */
static void shared_group(struct signup_ctx *c, const struct item *it, size_t n, size_t units)
{
    bool pay = it[0].kind == KEY_PAYMENT;
    uint32_t countries = pay ? group_countries(it, units) : 0;
    size_t need = (size_t)(pay ? c->conf.payment_min_accounts : c->conf.email_min_orgs);
    if (pay && countries >= 2 && c->conf.payment_countries_min_accounts > 0 &&
        (size_t)c->conf.payment_countries_min_accounts < need)
        need = (size_t)c->conf.payment_countries_min_accounts;
    if (units < need) return;
    for (size_t k = 0; k < n; k++) {
        struct risk *r = risk_of(c, it[k].acct);
        if (pay) {
            r->flags |= SIG_PAYMENT;
            r->payment_n = (uint32_t)n;
            r->payment_orgs = (uint32_t)units;
            r->payment_countries = countries;
            r->payment_hash = it[k].key;
        } else {
            r->flags |= SIG_EMAIL;
            r->email_n = (uint32_t)n;
            r->email_orgs = (uint32_t)units;
            r->email_hash = it[k].key;
        }
    }
}

/* The program's place in the policy's easy_programs, or -1. */
static int easy_program(const struct signup_ctx *c, const char *program)
{
    for (size_t i = 0; program && i < c->conf.easy_programs.n; i++)
        if (strcasecmp(c->conf.easy_programs.v[i], program) == 0) return (int)i;
    return -1;
}

enum {
    ANON_CATS = WARDEN_IPCAT_VPN | WARDEN_IPCAT_TOR | WARDEN_IPCAT_PROXY | WARDEN_IPCAT_HOSTING |
                WARDEN_IPCAT_CLOUD | WARDEN_IPCAT_RESIDENTIAL_PROXY
};

static size_t collect(struct signup_ctx *c, const struct warden_intel *intel, struct item *v)
{
    size_t n = warden_registry_n_accounts(c->reg), m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct warden_account *a = warden_registry_account_at(c->reg, i);
        uint64_t org = a->org_id ? lower_hash(a->org_id, 7) : 0;
        int64_t t = a->created_at_ms;
        uint32_t cats = 0;
        if (a->has_signup_ip && intel)
            cats = warden_intel_lookup(intel, &a->signup_ip)->categories & ANON_CATS;
        int easy_at = easy_program(c, a->program);
        bool easy = easy_at >= 0;
        if (cats || easy) {
            struct risk *r = risk_of(c, (uint32_t)i);
            r->flags |= (cats ? SIG_ANON : 0) | (easy ? SIG_EASY : 0);
            r->anon_cats = cats;
        }
        bool own_domain =
            a->email_domain && a->email_domain[0] &&
            !warden_domain_list_has(&c->webmail, a->email_domain, strlen(a->email_domain));
        struct item base = {.org = org, .t = t, .acct = (uint32_t)i};
        if (a->payment_fingerprint && a->payment_fingerprint[0]) {
            v[m] = base;
            if (own_domain) v[m].domain = lower_hash(a->email_domain, 11);
            v[m].kind = KEY_PAYMENT;
            if (a->billing_country[0] && a->billing_country[1])
                v[m].country = (uint16_t)(toupper((unsigned char)a->billing_country[0]) << 8 |
                                          toupper((unsigned char)a->billing_country[1]));
            v[m++].key = warden_hash64_seed(a->payment_fingerprint, strlen(a->payment_fingerprint),
                                            c->salt) |
                         1;
        }
        if (t == INT64_MIN) continue; /* no sign-up time: no bursts */
        if (a->program && a->program[0]) {
            v[m] = base;
            v[m].kind = KEY_PROGRAM;
            v[m++].key = lower_hash(a->program, 0);
        }
        if (easy) { /* the easy programs together: a batch spread over them */
            v[m] = base;
            v[m].kind = KEY_EASY;
            v[m].domain = (uint64_t)easy_at;
            v[m++].key = 1;
        }
        if (a->has_signup_ip) {
            v[m] = base;
            v[m].kind = KEY_NETWORK;
            v[m++].key = net_key(&a->signup_ip, c->salt);
        }
        if (own_domain) {
            v[m] = base;
            v[m].kind = KEY_EMAIL;
            v[m++].key = lower_hash(a->email_domain, c->salt);
        }
    }
    return m;
}

static int signup_attach(void *vctx, const struct warden_registry *reg,
                         const struct warden_intel *intel)
{
    struct signup_ctx *c = vctx;
    c->reg = reg;
    warden_u64map_init(&c->by_acct);
    size_t n = warden_registry_n_accounts(reg);
    struct item *v = warden_xcalloc(n * NKEYS + 1, sizeof *v);
    size_t m = collect(c, intel, v);
    /* later accounts of an organisation already under a key count once */
    qsort(v, m, sizeof *v, cmp_key_org_t);
    for (size_t i = 1; i < m; i++)
        v[i].dup_org = v[i].org && v[i].org == v[i - 1].org && v[i].key == v[i - 1].key &&
                       v[i].kind == v[i - 1].kind;
    qsort(v, m, sizeof *v, cmp_key_t);
    for (size_t s = 0, e; s < m; s = e) {
        size_t units = 0;
        bool one_payer = v[s].kind == KEY_PAYMENT && v[s].domain;
        for (e = s; e < m && v[e].kind == v[s].kind && v[e].key == v[s].key; e++) {
            units += !v[e].dup_org;
            one_payer &= !v[e].org && v[e].domain == v[s].domain;
        }
        if (one_payer) units = 1; /* a company's card at its own domain */
        if (v[s].kind == KEY_PAYMENT || v[s].kind == KEY_EMAIL)
            shared_group(c, v + s, e - s, units);
        if (v[s].kind != KEY_PAYMENT) find_bursts(c, v + s, units);
    }
    free(v);
    c->reg = NULL; /* only account_at() above needed it; program strings outlive the context */
    size_t bits = 1u << 16;
    while (bits < 8 * c->by_acct.count && bits < (1u << 24)) bits <<= 1;
    c->filter = warden_xcalloc(bits / 64, sizeof *c->filter);
    c->fmask = bits - 1;
    for (size_t i = 0; i <= c->by_acct.mask; i++)
        if (c->by_acct.vals[i]) {
            uint64_t b = c->by_acct.keys[i] & c->fmask;
            c->filter[b >> 6] |= 1ull << (b & 63);
        }
    return 0;
}

static double grown(double score, double n, double min, const struct signup_conf *cf)
{
    double s = score + cf->score_step * log2(n / min > 1 ? n / min : 1);
    double cap = score > cf->score_max ? score : cf->score_max; /* never below its own score */
    return s < cap ? s : cap;
}

static void hex(struct warden_jbuf *b, const char *key, uint64_t h)
{
    char buf[20];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
    warden_jbuf_kv_str(b, key, buf);
}

/* The findings of one account, and what they add up to. */
struct out {
    struct warden_emit *em;
    double keep; /* prod(1 - score) */
    const char *codes[5];
    int n;
};

static struct warden_jbuf *open_evidence(struct out *o)
{
    warden_jbuf_reset(&o->em->scratch);
    warden_jbuf_obj_open(&o->em->scratch);
    return &o->em->scratch;
}

static void emit(struct out *o, const char *code, double score)
{
    warden_jbuf_obj_close(&o->em->scratch);
    warden_emit_finding(o->em, code, score, warden_jbuf_str(&o->em->scratch));
    o->keep *= 1 - score;
    o->codes[o->n++] = code;
}

static void signup_observe(void *vctx, const struct warden_event *ev, void *vstate,
                           struct warden_emit *em)
{
    struct signup_ctx *c = vctx;
    struct signup_state *st = vstate;
    uint64_t h = ev->account_hash;
    if (st->done == 1) return;
    if (st->done == NO_RECORD && !(c->filter && (c->filter[(h & c->fmask) >> 6] >> (h & 63) & 1)))
        return; /* still named by no record */
    uint32_t v = c->by_acct.keys ? warden_u64map_get(&c->by_acct, h) : 0;
    if (!v) {
        st->done = NO_RECORD;
        return;
    }
    st->done = 1;
    const struct risk *r = &c->risks[v - 1];
    const struct signup_conf *cf = &c->conf;
    struct out o = {.em = em, .keep = 1};
    struct warden_jbuf *b;
    if (r->flags & SIG_BURST) {
        b = open_evidence(&o);
        warden_jbuf_kv_str(b, "key", key_names[r->burst_key]);
        warden_jbuf_key(b, "keys");
        warden_jbuf_arr_open(b);
        for (int k = 0; k < NKEYS; k++)
            if (r->burst_keys & (1u << k)) warden_jbuf_cstr(b, key_names[k]);
        warden_jbuf_arr_close(b);
        if (r->burst_key == KEY_PROGRAM) warden_jbuf_kv_str(b, "program", r->program);
        hex(b, "key_hash", r->burst_hash);
        warden_jbuf_kv_int(b, "accounts", r->burst_n);
        warden_jbuf_kv_int(b, "window_s", cf->burst_window_s);
        warden_jbuf_kv_num(b, "expected", r->burst_expected);
        warden_jbuf_kv_int(b, "key_accounts", r->burst_key_n);
        emit(&o, "signup.burst",
             grown(cf->score_burst, r->burst_n, (double)cf->burst_min_accounts, cf));
    }
    if (r->flags & SIG_PAYMENT) {
        b = open_evidence(&o);
        hex(b, "payment_hash", r->payment_hash);
        warden_jbuf_kv_int(b, "accounts", r->payment_n);
        warden_jbuf_kv_int(b, "orgs", r->payment_orgs);
        warden_jbuf_kv_int(b, "billing_countries", r->payment_countries);
        emit(
            &o, "signup.shared_payment",
            grown(cf->score_shared_payment, r->payment_orgs, (double)cf->payment_min_accounts, cf));
    }
    if (r->flags & SIG_EMAIL) {
        b = open_evidence(&o);
        hex(b, "domain_hash", r->email_hash);
        warden_jbuf_kv_int(b, "accounts", r->email_n);
        warden_jbuf_kv_int(b, "orgs", r->email_orgs);
        emit(&o, "signup.shared_email_domain", cf->score_shared_email_domain);
    }
    if (r->flags & SIG_ANON) {
        char cats[128];
        b = open_evidence(&o);
        if (ev->account && ev->account->has_signup_ip)
            hex(b, "signup_ip_hash", warden_hash64_seed(ev->account->signup_ip.b, 16, c->salt));
        warden_jbuf_kv_str(b, "categories", warden_ipcat_format(r->anon_cats, cats, sizeof cats));
        emit(&o, "signup.anonymizer", cf->score_anonymizer);
    }
    if (r->flags & SIG_EASY) {
        b = open_evidence(&o);
        warden_jbuf_kv_str(b, "program", r->program);
        emit(&o, "signup.easy_program", cf->score_easy_program);
    }
    if (!(r->flags & SIG_STRONG) || o.n < 2) return;
    double combined = 1 - o.keep;
    b = open_evidence(&o);
    warden_jbuf_key(b, "signals");
    warden_jbuf_arr_open(b);
    for (int i = 0; i < o.n; i++) warden_jbuf_cstr(b, o.codes[i]);
    warden_jbuf_arr_close(b);
    warden_jbuf_obj_close(b);
    warden_emit_finding(em, "signup.combined", combined, warden_jbuf_str(b));
}

/* every reason code this detector emits (policy rules are checked against them) */
static const char *const signup_codes[] = {"signup.burst",
                                           "signup.shared_payment",
                                           "signup.shared_email_domain",
                                           "signup.anonymizer",
                                           "signup.easy_program",
                                           "signup.combined",
                                           NULL};

const struct warden_detector warden_detect_signup = {
    .name = "signup",
    .description = "sign-up risk from the account registry: bursts of sign-ups sharing a "
                   "program, network or e-mail domain, payment instruments and e-mail domains "
                   "shared across organisations, sign-up through anonymizers or easy programs",
    .conf_table = signup_conf_table,
    .conf_size = sizeof(struct signup_conf),
    .state_size = sizeof(struct signup_state),
    .init = signup_init,
    .observe = signup_observe,
    .flush = NULL,
    .free = signup_free,
    .evict = NULL,
    .attach_registry = signup_attach,
    .codes = signup_codes,
};
