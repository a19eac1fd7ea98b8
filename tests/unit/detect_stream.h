/* detect_stream.h — hand-made event streams for detector unit tests.
 *
 * A stream is one detector, its context, one account's state slice and an
 * emitter that captures findings (code, score, evidence). Events are built
 * from a few fields (time, IP country and categories, provider, declared
 * time zone and locale, end user, client) and an optional registry account.
 * Include from exactly one file per test program. */
#ifndef WARDEN_TESTS_DETECT_STREAM_H
#define WARDEN_TESTS_DETECT_STREAM_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "detect/detector.h"
#include "intel/intel.h"
#include "policy/policy.h"
#include "registry/registry.h"

#define CAP 64

struct stream {
    const struct warden_detector *d;
    void *conf, *ctx, *state;
    struct warden_emit em;
    int n;
    char codes[CAP][48];
    double scores[CAP];
    char evidence[CAP][4096];
};

struct evo {
    int64_t ts;
    const char *cc;       /* IP country, "" unknown */
    uint32_t cats;        /* WARDEN_IPCAT_* */
    const char *provider; /* NULL: none */
    uint32_t ip;          /* IPv4, host order */
    const char *tz, *locale, *end_user, *ua, *ja4;
    uint32_t asn; /* 0 unknown */
};

static inline void stream_capture(struct warden_emit *em, const char *code, double score,
                                  const char *ev)
{
    struct stream *s = em->engine;
    if (s->n < CAP) {
        snprintf(s->codes[s->n], sizeof s->codes[0], "%s", code);
        s->scores[s->n] = score;
        snprintf(s->evidence[s->n], sizeof s->evidence[0], "%s", ev ? ev : "{}");
    }
    s->n++;
}

/* Open a stream on detector `name` with its defaults, then KEY=VALUE overrides (NULL-ended). */
static inline void stream_open(struct stream *s, const char *name, const struct warden_policy *p,
                               ...)
{
    memset(s, 0, sizeof *s);
    int i = warden_detector_index(name);
    assert_true(i >= 0);
    s->d = warden_detectors[i];
    s->conf = calloc(1, s->d->conf_size ? s->d->conf_size : 1);
    if (s->d->conf_table) warden_conf_defaults(s->d->conf_table, s->conf);
    va_list ap;
    va_start(ap, p);
    const char *k;
    while ((k = va_arg(ap, const char *))) {
        const char *v = va_arg(ap, const char *);
        char err[128];
        assert_int_equal(
            warden_conf_set(warden_conf_find(s->d->conf_table, k), s->conf, v, err, sizeof err), 0);
    }
    va_end(ap);
    assert_int_equal(s->d->init(&s->ctx, p, s->conf), 0);
    s->state = calloc(1, s->d->state_size ? s->d->state_size : 1);
    s->em = (struct warden_emit){.finding = stream_capture, .engine = s, .detector = s->d->name};
}

static inline void stream_close(struct stream *s)
{
    s->d->free(s->ctx);
    if (s->d->conf_table) warden_conf_fini(s->d->conf_table, s->conf);
    free(s->conf);
    free(s->state);
    warden_jbuf_fini(&s->em.scratch);
}

static inline struct warden_str wstr(const char *c)
{
    return (struct warden_str){c, c ? (uint32_t)strlen(c) : 0};
}

static inline void stream_event(struct stream *s, const struct warden_account *a,
                                const struct evo *o)
{
    static uint64_t seq;
    struct warden_ipinfo info;
    memset(&info, 0, sizeof info);
    if (o->cc) snprintf(info.country, sizeof info.country, "%s", o->cc);
    info.categories = o->cats;
    info.asn = o->asn;
    info.as_name = "";
    info.provider = o->provider ? o->provider : "";
    struct warden_event ev;
    memset(&ev, 0, sizeof ev);
    ev.ts_ms = o->ts;
    warden_ip_from_v4(&ev.ip, o->ip ? o->ip : 0x51024501u);
    ev.client_tz = wstr(o->tz);
    ev.client_locale = wstr(o->locale);
    ev.end_user = wstr(o->end_user);
    ev.user_agent = wstr(o->ua);
    ev.tls_ja4 = wstr(o->ja4);
    ev.ipinfo = &info;
    ev.account = a;
    ev.account_hash = 42;
    ev.account_seq = ++seq;
    ev.input_tokens = ev.output_tokens = WARDEN_NOINT;
    s->em.ev = &ev;
    s->d->observe(s->ctx, &ev, s->state, &s->em);
    s->em.ev = NULL;
}

static inline int stream_count(const struct stream *s, const char *code)
{
    int k = 0;
    for (int i = 0; i < s->n && i < CAP; i++) k += strcmp(s->codes[i], code) == 0;
    return k;
}

static inline const char *stream_evidence(const struct stream *s, const char *code)
{
    for (int i = 0; i < s->n && i < CAP; i++)
        if (strcmp(s->codes[i], code) == 0) return s->evidence[i];
    return NULL;
}

static inline double stream_score(const struct stream *s, const char *code)
{
    for (int i = 0; i < s->n && i < CAP; i++)
        if (strcmp(s->codes[i], code) == 0) return s->scores[i];
    return -1;
}

static inline struct warden_account test_account(const char *billing, const char *card,
                                                 bool reseller)
{
    struct warden_account a;
    memset(&a, 0, sizeof a);
    a.account_id = (char *)"acct";
    snprintf(a.billing_country, 3, "%s", billing ? billing : "");
    snprintf(a.card_country, 3, "%s", card ? card : "");
    a.reseller = reseller;
    return a;
}

/* A policy from YAML text (written to a temporary file). */
static inline struct warden_policy *test_policy(const char *yaml)
{
    char path[] = "/tmp/warden_test_policy_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(yaml, f);
    fclose(f);
    struct warden_policy *p = NULL;
    char err[512];
    int rc = warden_policy_load(&p, path, err, sizeof err);
    remove(path);
    if (rc != 0) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    return p;
}

/* Every finding the stream emitted is allowed by the policy's rules. */
static inline bool stream_all_allowed(const struct stream *s, const struct warden_policy *p)
{
    for (int i = 0; i < s->n && i < CAP; i++)
        if (warden_policy_decide(p, s->codes[i], s->scores[i]) != WARDEN_ALLOW) return false;
    return true;
}

#define HOUR 3600000LL
#define DAY (24 * HOUR)
#define T0 1795392000000LL /* 2026-11-23T00:00:00Z */

/* A person on a home line with excursions, in country cc, declaring tz (or
 * NULL): two sittings a day for twelve days, each of four requests minutes
 * apart that starts on the home ISP (one /24); the third request of each
 * comes from another operator and network each time (an office, a café, a
 * phone's hotspot). Every sitting changes operator and /24 twice, through
 * 25 operators: the counts of a rotating proxy, with a home. */
static inline void stream_home_with_excursions(struct stream *s, const struct warden_account *a,
                                               const char *cc, const char *tz)
{
    for (int k = 0; k < 24; k++)
        for (int r = 0; r < 4; r++)
            stream_event(
                s, a,
                &(struct evo){.ts = T0 + (k / 2) * DAY + (9 + 6 * (k % 2)) * HOUR + r * 5 * 60000,
                              .cc = cc,
                              .asn = r == 2 ? 30000u + (uint32_t)k : 3320u,
                              .ip = r == 2 ? 0x60000001u + ((uint32_t)k << 8)
                                           : 0x50000001u + (uint32_t)(k % 7),
                              .tz = tz});
}

#endif
