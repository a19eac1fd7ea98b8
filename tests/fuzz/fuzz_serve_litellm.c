/* fuzz_serve_litellm.c — the body of LiteLLM's Generic Guardrail API
 * (POST /beta/litellm_basic_guardrail_api) through Warden's parser into an
 * event, and the answer rendered for a decision carrying the event's own
 * strings as reason codes. No crash, no read outside the parsed document;
 * every string of the event is read to its length. */
#include "core/jbuf.h"
#include "fuzz_util.h"
#include "serve/litellm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = malloc(size ? size : 1); /* exact size: reads past it are caught */
    if (!body) abort();
    if (size) memcpy(body, data, size);
    struct warden_event ev;
    struct warden_serve_litellm_req *r = NULL;
    char why[256];
    int rc = warden_serve_litellm_parse(body, size, 1700000000000, &ev, &r, why, sizeof why);
    if (rc >= 0) {
        volatile unsigned sum = 0;
        const struct warden_str *f[] = {&ev.account_id, &ev.api_key_id, &ev.end_user,
                                        &ev.org_id,     &ev.request_id, &ev.prompt};
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
            for (uint32_t k = 0; f[i]->p && k < f[i]->n; k++) sum += (unsigned char)f[i]->p[k];
        (void)sum;
        char code[64] = "";
        if (ev.account_id.p)
            snprintf(code, sizeof code, "%.*s", (int)ev.account_id.n, ev.account_id.p);
        struct warden_reason reasons[1] = {{code, 1.0, WARDEN_BLOCK}};
        struct warden_decision d;
        memset(&d, 0, sizeof d);
        d.decided = d.enforced = (size && (data[0] & 1)) ? WARDEN_BLOCK : WARDEN_THROTTLE;
        d.reasons = reasons;
        d.n_reasons = 1;
        struct warden_jbuf j;
        warden_jbuf_init(&j);
        warden_serve_litellm_answer(rc == 0 ? &d : NULL, 60, &j);
        warden_jbuf_fini(&j);
    }
    warden_serve_litellm_free(r);
    free(body);
    return 0;
}
