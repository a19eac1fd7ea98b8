/* fuzz_policy.c — the policy loader (YAML checked against the config tables,
 * policy/yaml_load.c) on any file: refused or loaded, never a crash, a leak
 * or undefined behaviour. */
#include "fuzz_util.h"
#include "detect/detector.h"
#include "policy/policy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct warden_policy *p = NULL;
    char err[1024];
    if (warden_policy_load(&p, fuzz_file(data, size), err, sizeof err) == 0) warden_policy_free(p);
    return 0;
}
