/* fuzz_sweep_catalogue.c — the footprint catalogue loader (sweep/catalogue.c:
 * YAML, path patterns, version regexes) on any file, for each OS; a loaded
 * catalogue is also matched against a path. */
#include "fuzz_util.h"
#include "sweep/catalogue.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const oses[] = {"linux", "macos", "windows"};
    const char *os = oses[size ? data[0] % 3 : 0];
    struct warden_sweep_catalogue *c = NULL;
    char err[1024];
    if (warden_sweep_catalogue_load(&c, fuzz_file(data, size), os, err, sizeof err) == 0) {
        warden_sweep_catalogue_find(c, "claude-code");
        warden_sweep_catalogue_free(c);
    }
    return 0;
}
