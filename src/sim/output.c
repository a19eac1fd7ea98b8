/* output.c — writes a simulated world: events.jsonl in arrival order (the
 * gateway's log), accounts.jsonl, orgs.jsonl and truth.jsonl, exactly in the
 * formats of formats.md §1-3 and §6. Sorting is total (time, account,
 * sequence), so the bytes depend only on the seed and options. */
#include "core/error.h"
#include "core/jbuf.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "sim/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int cmp_ev(const void *pa, const void *pb)
{
    const struct sim_event *a = pa, *b = pb;
    if (a->ts_ms != b->ts_ms) return a->ts_ms < b->ts_ms ? -1 : 1;
    if (a->acct != b->acct) return a->acct < b->acct ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void fmt_ts(int64_t ms, char *buf, size_t len)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static FILE *open_out(const char *dir, const char *name)
{
    char *path = warden_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        warden_err("sim: cannot write %s", path);
    else
        setvbuf(f, NULL, _IOFBF, 1 << 20);
    free(path);
    return f;
}

static int close_out(FILE *f, int rc)
{
    if (!f) return rc;
    if (ferror(f)) rc = WARDEN_EIO;
    if (fclose(f) != 0) rc = WARDEN_EIO;
    return rc;
}

static void line(FILE *f, struct warden_jbuf *b)
{
    warden_jbuf_raw(b, "\n", 1);
    fwrite(b->p, 1, b->len, f);
    warden_jbuf_reset(b);
}

static const char *b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* An end user's id on account a: derived from (account, index), so stable. */
static void end_user_id(const struct sim_world *w, const struct sim_acct *a, uint32_t idx,
                        char *out, size_t len)
{
    struct warden_rng r;
    warden_rng_seed(&r, w->o->seed ^ 0xe5d, ((uint64_t)a->stream << 32) | idx);
    warden_sim_id(&r, WARDEN_ID_END_USER, a->eu_style, out, len);
}

static int write_events(struct sim_world *w, const char *dir)
{
    FILE *f = open_out(dir, "events.jsonl");
    if (!f) return WARDEN_EIO;
    struct warden_jbuf b, text;
    warden_jbuf_init(&b);
    warden_jbuf_init(&text);
    static const int status[] = {200, 429, 529, 400};
    /* end-user id per (account, index): derived, so it is stable */
    for (size_t i = 0; i < w->nev; i++) {
        const struct sim_event *e = &w->ev[i];
        const struct sim_acct *a = &w->accts[e->acct];
        if (a->behind) a = &w->accts[a->host]; /* the platform sends it */
        char ts[64], rid[40], ip[WARDEN_IP_STRLEN];
        fmt_ts(e->ts_ms, ts, sizeof ts);
        uint64_t x = e->rid;
        memcpy(rid, "req_011C", 8);
        for (int k = 0; k < 20; k++) {
            rid[8 + k] = b62[x % 62];
            x = x / 62 ^ (x << 7) ^ (uint64_t)k * 0x9e3779b97f4a7c15ULL;
        }
        rid[28] = '\0';
        warden_ip_format(&e->ip, ip);
        const struct warden_client *cl = &warden_clients[e->client];
        warden_jbuf_obj_open(&b);
        warden_jbuf_kv_str(&b, "ts", ts);
        warden_jbuf_kv_str(&b, "request_id", rid);
        warden_jbuf_kv_str(&b, "account_id", a->id);
        if (a->org >= 0 && a->stream % 10 < 7) warden_jbuf_kv_str(&b, "org_id", w->orgs[a->org].id);
        warden_jbuf_kv_str(&b, "api_key_id", a->keys[e->key < a->nkeys ? e->key : 0]);
        warden_jbuf_kv_str(&b, "ip", ip);
        warden_jbuf_kv_str(&b, "user_agent", cl->ua);
        if (a->stream % 4 != 3) {
            char ja4[48];
            if (e->client == a->client)
                warden_jbuf_kv_str(&b, "tls_ja4", a->ja4);
            else {
                warden_ja4_for_family(cl->family, ja4, sizeof ja4);
                warden_jbuf_kv_str(&b, "tls_ja4", ja4);
            }
        }
        if (a->decl_tz) warden_jbuf_kv_str(&b, "client_tz", a->decl_tz);
        if (a->decl_locale) warden_jbuf_kv_str(&b, "client_locale", a->decl_locale);
        if (e->end_user) {
            char eu[80];
            end_user_id(w, a, e->end_user, eu, sizeof eu);
            warden_jbuf_kv_str(&b, "end_user", eu);
        }
        warden_jbuf_kv_str(&b, "model", warden_sim_models[e->model]);
        warden_jbuf_kv_str(&b, "endpoint", cl->endpoint);
        if (e->system) warden_jbuf_kv_str(&b, "system", e->system);
        warden_jbuf_reset(&text);
        if (e->prefix) warden_jbuf_raw(&text, e->prefix, strlen(e->prefix));
        warden_jbuf_raw(&text, e->prompt, strlen(e->prompt));
        if (e->suffix) warden_jbuf_raw(&text, e->suffix, strlen(e->suffix));
        warden_jbuf_key(&b, "prompt");
        warden_jbuf_str_val(&b, text.p, text.len);
        warden_jbuf_kv_int(&b, "turns", e->turns);
        warden_jbuf_kv_bool(&b, "thinking", e->thinking != 0);
        warden_jbuf_kv_int(&b, "max_tokens", e->max_tokens);
        if (e->tools) warden_jbuf_kv_int(&b, "tools", e->tools);
        int st = status[e->status & 3];
        warden_jbuf_kv_int(&b, "status", st);
        if (st == 200) {
            warden_jbuf_kv_int(&b, "input_tokens", e->in_tok);
            warden_jbuf_kv_int(&b, "output_tokens", e->out_tok);
            warden_jbuf_kv_int(&b, "cache_read_tokens", e->cache_tok);
        }
        warden_jbuf_obj_close(&b);
        line(f, &b);
    }
    warden_jbuf_fini(&b);
    warden_jbuf_fini(&text);
    return close_out(f, 0);
}

static bool restricted_cc(const struct sim_world *w, const char *cc)
{
    for (size_t i = 0; i < w->o->nrestricted; i++)
        if (strncasecmp(w->o->restricted[i], cc, 2) == 0) return true;
    return false;
}

/* The country row of a declared zone, or NULL. */
static const struct warden_country *zone_row(const struct sim_world *w, const char *tz)
{
    for (size_t i = 0; i < w->countries.n; i++)
        if (w->countries.v[i].tz && strcmp(w->countries.v[i].tz, tz) == 0)
            return &w->countries.v[i];
    return NULL;
}

/* Truth's "tells" of a circumvention account: what the account itself gives
 * away of where it really is, whatever its exits do (an account may give
 * nothing away: it then looks like anyone paying and tunnelling from an
 * allowed country). tz: a declared zone of a restricted jurisdiction; card:
 * a card from one; email: that country's national e-mail provider; hours:
 * activity on a clock at least 3 hours from the declared zone's (else the
 * billing country's), the real country's zone itself at least 3 hours from
 * it; own_clock: a clock that far only through the person's own late or
 * early day (chrono_min) in a zone near the reference one, which says
 * nothing of where they are (a night worker at home keeps the same clock);
 * locale: the declared locale of the real country (not a signal on its
 * own). `warden backtest` reports recall per tell (own_clock counts as none). */
static void write_tells(struct warden_jbuf *b, const struct sim_world *w, const struct sim_acct *a)
{
    const struct warden_country *real = a->real;
    if (!real || real == a->home || strcmp(warden_popdefs[a->pop].label, "circumvention") != 0)
        return;
    warden_jbuf_key(b, "tells");
    warden_jbuf_arr_open(b);
    const struct warden_country *zone = a->decl_tz ? zone_row(w, a->decl_tz) : NULL;
    if (zone && restricted_cc(w, zone->cc)) warden_jbuf_cstr(b, "tz");
    if (restricted_cc(w, a->card_country)) warden_jbuf_cstr(b, "card");
    if (real->mail && strcmp(a->email_domain, real->mail) == 0) warden_jbuf_cstr(b, "email");
    const struct warden_country *ref = zone ? zone : a->home;
    /* the clock the activity keeps: the real zone's, moved by the person's
     * own (a later day looks like a zone further west) */
    int activity = real->utc_offset_min - a->chrono_min;
    if (ref && abs(activity - ref->utc_offset_min) >= 180)
        warden_jbuf_cstr(b, abs(real->utc_offset_min - ref->utc_offset_min) >= 180 ? "hours"
                                                                                   : "own_clock");
    if (a->decl_locale && real->locale && strcmp(a->decl_locale, real->locale) == 0)
        warden_jbuf_cstr(b, "locale");
    warden_jbuf_arr_close(b);
}

static int write_accounts(struct sim_world *w, const char *dir)
{
    FILE *f = open_out(dir, "accounts.jsonl");
    FILE *t = open_out(dir, "truth.jsonl");
    if (!f || !t) {
        if (f) fclose(f);
        if (t) fclose(t);
        return WARDEN_EIO;
    }
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    for (size_t i = 0; i < w->naccts; i++) {
        const struct sim_acct *a = &w->accts[i];
        if (a->behind) { /* no account of its own: its truth is the platform's lane */
            const struct sim_acct *h = &w->accts[a->host];
            char eu[80], lane[160];
            end_user_id(w, h, 0x40000000u | ((uint32_t)i & 0x3fffffffu), eu, sizeof eu);
            snprintf(lane, sizeof lane, "%s/%s", h->id, eu);
            warden_jbuf_obj_open(&b);
            warden_jbuf_kv_str(&b, "account_id", lane);
            warden_jbuf_kv_str(&b, "label", warden_popdefs[a->pop].label);
            warden_jbuf_kv_str(&b, "kind", warden_popdefs[a->pop].kind);
            warden_jbuf_obj_close(&b);
            line(t, &b);
            continue;
        }
        char ts[64], ip[WARDEN_IP_STRLEN];
        fmt_ts(a->created_ms, ts, sizeof ts);
        warden_ip_format(&a->signup_ip, ip);
        warden_jbuf_obj_open(&b);
        warden_jbuf_kv_str(&b, "account_id", a->id);
        if (a->org >= 0) warden_jbuf_kv_str(&b, "org_id", w->orgs[a->org].id);
        warden_jbuf_kv_str(&b, "created_at", ts);
        warden_jbuf_kv_str(&b, "billing_country", a->billing);
        warden_jbuf_kv_str(&b, "card_country", a->card_country);
        warden_jbuf_kv_str(&b, "payment_fingerprint", a->payfp);
        warden_jbuf_kv_str(&b, "email_domain", a->email_domain);
        warden_jbuf_kv_str(&b, "signup_ip", ip);
        warden_jbuf_kv_str(&b, "program", a->program);
        warden_jbuf_kv_bool(&b, "reseller", a->reseller);
        warden_jbuf_obj_close(&b);
        line(f, &b);
        const struct warden_popdef *d = &warden_popdefs[a->pop];
        warden_jbuf_obj_open(&b);
        warden_jbuf_kv_str(&b, "account_id", a->id);
        warden_jbuf_kv_str(&b, "label", d->label);
        warden_jbuf_kv_str(&b, "kind", a->joiner ? warden_popdefs[POP_JOINER].kind : d->kind);
        if (a->cluster >= 0) {
            char c[24];
            snprintf(c, sizeof c, "c%04d", a->cluster + 1);
            warden_jbuf_kv_str(&b, "cluster", c);
        }
        write_tells(&b, w, a);
        warden_jbuf_obj_close(&b);
        line(t, &b);
    }
    warden_jbuf_fini(&b);
    int rc = close_out(f, 0);
    return close_out(t, rc);
}

static int write_orgs(struct sim_world *w, const char *dir)
{
    FILE *f = open_out(dir, "orgs.jsonl");
    if (!f) return WARDEN_EIO;
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    for (size_t i = 0; i < w->norgs; i++) {
        const struct sim_org *g = &w->orgs[i];
        warden_jbuf_obj_open(&b);
        warden_jbuf_kv_str(&b, "org_id", g->id);
        warden_jbuf_kv_str(&b, "name", g->name);
        if (g->naliases) {
            warden_jbuf_key(&b, "aliases");
            warden_jbuf_arr_open(&b);
            for (int k = 0; k < g->naliases; k++) warden_jbuf_cstr(&b, g->aliases[k]);
            warden_jbuf_arr_close(&b);
        }
        if (g->country[0]) warden_jbuf_kv_str(&b, "country", g->country);
        if (g->domain) warden_jbuf_kv_str(&b, "domain", g->domain);
        if (g->address) warden_jbuf_kv_str(&b, "address", g->address);
        if (g->nowners_org || g->owner_name) {
            warden_jbuf_key(&b, "owners");
            warden_jbuf_arr_open(&b);
            for (int k = 0; k < g->nowners_org; k++) {
                warden_jbuf_obj_open(&b);
                warden_jbuf_kv_str(&b, "org_id", w->orgs[g->owner_org[k]].id);
                warden_jbuf_kv_num(&b, "share", g->owner_share[k]);
                warden_jbuf_obj_close(&b);
            }
            if (g->owner_name) {
                warden_jbuf_obj_open(&b);
                warden_jbuf_kv_str(&b, "name", g->owner_name);
                warden_jbuf_kv_num(&b, "share", g->owner_share[0]);
                warden_jbuf_obj_close(&b);
            }
            warden_jbuf_arr_close(&b);
        }
        warden_jbuf_obj_close(&b);
        line(f, &b);
    }
    warden_jbuf_fini(&b);
    return close_out(f, 0);
}

int warden_sim_write(struct sim_world *w)
{
    const char *dir = w->o->out_dir;
    if (warden_sim_mkdir(dir) < 0) {
        warden_err("sim: cannot create %s", dir);
        return WARDEN_EIO;
    }
    qsort(w->ev, w->nev, sizeof *w->ev, cmp_ev);
    int rc = write_events(w, dir);
    if (rc == 0) rc = write_accounts(w, dir);
    if (rc == 0) rc = write_orgs(w, dir);
    return rc;
}
