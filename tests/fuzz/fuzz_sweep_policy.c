/* fuzz_sweep_policy.c — the sweep policy loader (sweep/sweep_policy.c) on
 * any file. */
#include "fuzz_util.h"
#include "sweep/sweep_policy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct warden_sweep_policy *p = NULL;
    char err[1024];
    if (warden_sweep_policy_load(&p, fuzz_file(data, size), err, sizeof err) == 0)
        warden_sweep_policy_free(p);
    return 0;
}
