/* fuzz_serve_config.c — the `warden serve` configuration loader (YAML
 * checked against warden_serve_conf_keys, src/serve/serve_conf.c) on any
 * file: refused with a reason or loaded, never a crash, a leak or undefined
 * behaviour. */
#include "fuzz_util.h"
#include "serve/serve.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct warden_serve_conf c;
    char err[1024];
    memset(&c, 0, sizeof c);
    /* refused or not, what was set is freed by fini (as cmd_serve.c does) */
    (void)warden_serve_conf_load(&c, fuzz_file(data, size), err, sizeof err);
    warden_serve_conf_fini(&c);
    return 0;
}
