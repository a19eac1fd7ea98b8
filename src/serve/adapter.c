/* adapter.c — what the gateway adapters read from a request: the event
 * (account, key, end user, request id, client address) from configurable
 * headers and X-Forwarded-For, and the admin bearer token. Pure functions
 * over header values, so the fuzz harness drives them without a server. */
#include "core/error.h"
#include "core/ip.h"
#include "serve/serve.h"
#include "core/sha256.h"

#include <stdio.h>
#include <string.h>

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

int warden_serve_xff_client(const char *xff, size_t n, unsigned trusted_hops, struct warden_ip *out)
{
    /* walk entries from the right */
    size_t end = n;
    unsigned idx = 0;
    for (;;) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',') start--;
        if (idx == trusted_hops) {
            size_t a = start, b = end;
            while (a < b && is_space(xff[a])) a++;
            while (b > a && is_space(xff[b - 1])) b--;
            if (a == b || warden_ip_parse(out, xff + a, b - a) != 0) return WARDEN_EPARSE;
            return 0;
        }
        if (start == 0) return WARDEN_EPARSE; /* fewer entries than trusted hops */
        end = start - 1;
        idx++;
    }
}

static void set_str(struct warden_str *s, const char *v)
{
    if (!v || !*v) return;
    size_t n = strlen(v);
    if (n > UINT32_MAX) return;
    s->p = v;
    s->n = (uint32_t)n;
}

int warden_serve_adapter_event(const struct warden_serve_conf *c, warden_serve_header_fn get,
                               void *ctx, const struct warden_ip *peer, int64_t now_ms,
                               struct warden_event *ev, char *why, size_t whylen)
{
    memset(ev, 0, sizeof *ev);
    ev->turns = ev->max_tokens = ev->input_tokens = ev->output_tokens = ev->cache_read_tokens =
        ev->tools = ev->status = WARDEN_NOINT;
    ev->thinking = -1;
    ev->ts_ms = now_ms;
    set_str(&ev->account_id, get(ctx, c->header_account));
    if (!ev->account_id.p) {
        snprintf(why, whylen, "missing header '%s' (the account id)", c->header_account);
        return WARDEN_EPARSE;
    }
    set_str(&ev->api_key_id, get(ctx, c->header_api_key));
    set_str(&ev->end_user, get(ctx, c->header_end_user));
    set_str(&ev->request_id, get(ctx, c->header_request_id));
    set_str(&ev->user_agent, get(ctx, "user-agent"));
    set_str(&ev->endpoint, get(ctx, "x-original-uri"));
    const char *ip = get(ctx, c->header_client_ip);
    if (ip && *ip) {
        if (warden_ip_parse(&ev->ip, ip, strlen(ip)) != 0) {
            snprintf(why, whylen, "header '%s': not an IP address", c->header_client_ip);
            return WARDEN_EPARSE;
        }
        return 0;
    }
    const char *xff = get(ctx, "x-forwarded-for");
    if (xff && *xff) {
        if (warden_serve_xff_client(xff, strlen(xff), (unsigned)c->trusted_hops, &ev->ip) != 0) {
            snprintf(why, whylen, "header 'x-forwarded-for': no address %u hops from the right",
                     (unsigned)c->trusted_hops);
            return WARDEN_EPARSE;
        }
        return 0;
    }
    if (!peer) {
        snprintf(why, whylen, "no client address ('%s' or 'x-forwarded-for')", c->header_client_ip);
        return WARDEN_EPARSE;
    }
    ev->ip = *peer;
    return 0;
}

bool warden_serve_token_ok(const char *authorization, const char *token)
{
    if (!authorization || !token || !*token) return false;
    static const char bearer[] = "Bearer ";
    if (strncmp(authorization, bearer, sizeof bearer - 1) != 0) return false;
    const char *given = authorization + sizeof bearer - 1;
    unsigned char a[32], b[32];
    struct warden_sha256 h;
    warden_sha256_init(&h);
    warden_sha256_update(&h, given, strlen(given));
    warden_sha256_final(&h, a);
    warden_sha256_init(&h);
    warden_sha256_update(&h, token, strlen(token));
    warden_sha256_final(&h, b);
    volatile unsigned char diff = 0;
    for (int i = 0; i < 32; i++) diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}
