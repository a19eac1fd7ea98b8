/* fuzz_serve_request.c — what `warden serve` reads from a request before any
 * decision: the gateway adapters' header parsing (configurable headers,
 * X-Forwarded-For with a trusted-hop count, client address), the bearer
 * token check, and a /v1/decide body through the event decoder. Input: one
 * byte of trusted hops, then "name: value" lines (headers) up to an empty
 * line, then the body. No crash, no read outside a header value or the
 * body; an event's strings point into the header values. */
#include "core/event_decode.h"
#include "core/ip.h"
#include "fuzz_util.h"
#include "serve/serve.h"

#include <strings.h>

#define MAXH 32

struct hdrs {
    char *name[MAXH], *value[MAXH];
    size_t n;
};

static const char *lookup(void *ctx, const char *name)
{
    struct hdrs *h = ctx;
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->name[i], name) == 0) return h->value[i];
    return NULL;
}

static struct warden_serve_conf conf;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[256];
    if (warden_serve_conf_load(&conf, NULL, err, sizeof err) != 0) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    conf.trusted_hops = data[0] % 8;
    char *buf = malloc(size); /* exact size, NUL-terminated pieces made below */
    if (!buf) abort();
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    size_t len = size - 1;
    struct hdrs h = {0};
    char *p = buf, *end = buf + len;
    while (p < end && h.n < MAXH) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        *nl = '\0';
        if (nl == p) { /* empty line: the body follows */
            p = nl + 1;
            break;
        }
        char *colon = strchr(p, ':');
        if (colon) {
            *colon = '\0';
            char *v = colon + 1;
            while (*v == ' ') v++;
            h.name[h.n] = p;
            h.value[h.n] = v;
            h.n++;
            const char *xff = lookup(&h, "x-forwarded-for");
            if (xff) {
                struct warden_ip ip;
                warden_serve_xff_client(xff, strlen(xff), (unsigned)conf.trusted_hops, &ip);
            }
        }
        p = nl + 1;
    }
    struct warden_ip peer;
    warden_ip_parse(&peer, "192.0.2.1", 9);
    struct warden_event ev;
    char why[256];
    if (warden_serve_adapter_event(&conf, lookup, &h, (data[0] & 0x80) ? NULL : &peer, 0, &ev, why,
                                   sizeof why) == 0) {
        volatile unsigned sum = 0;
        const struct warden_str *f[] = {&ev.account_id, &ev.api_key_id, &ev.end_user,
                                        &ev.request_id, &ev.user_agent, &ev.endpoint};
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
            for (uint32_t k = 0; f[i]->p && k < f[i]->n; k++) sum += (unsigned char)f[i]->p[k];
        (void)sum;
    }
    warden_serve_token_ok(lookup(&h, "authorization"), "fuzz-token");
    /* the body, as /v1/decide takes it */
    size_t blen = (size_t)(end - p);
    if (p <= end && blen) {
        char *body = malloc(blen);
        if (!body) abort();
        memcpy(body, p, blen);
        warden_event_decode(body, blen, &ev, why, sizeof why);
        free(body);
    }
    free(buf);
    return 0;
}
