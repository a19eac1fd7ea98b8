/* fuzz_event_decode.c — the event line decoder (formats.md §1) on any bytes:
 * no crash, no read past the line, no undefined behaviour; a decoded event's
 * strings lie inside the line buffer. */
#include "core/event_decode.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size ? size : 1); /* exact size: ASan sees any overread */
    if (!line) abort();
    memcpy(line, data, size);
    struct warden_event ev;
    char why[256];
    if (warden_event_decode(line, size, &ev, why, sizeof why) == 0) {
        /* read every decoded string: ASan reports one that points outside */
        const struct warden_str *f[] = {
            &ev.account_id, &ev.request_id, &ev.org_id,    &ev.api_key_id,    &ev.end_user,
            &ev.user_agent, &ev.tls_ja4,    &ev.client_tz, &ev.client_locale, &ev.model,
            &ev.endpoint,   &ev.system,     &ev.prompt};
        volatile unsigned sum = 0;
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
            for (uint32_t k = 0; f[i]->p && k < f[i]->n; k++) sum += (unsigned char)f[i]->p[k];
        (void)sum;
    }
    warden_utf8_valid((const char *)data, size);
    free(line);
    return 0;
}
