/* fuzz_restore_manifest.c — the quarantine manifest parser and validator
 * (sweep/manifest.c) and its MAC check (sweep/mac.c) on any bytes: whatever
 * it accepts must have every path clean and beneath the root. */
#include "fuzz_util.h"
#include "sweep/mac.h"
#include "sweep/manifest.h"

#include <jansson.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *m = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (!m) return 0;
    static const unsigned char key[WARDEN_SWEEP_KEY_LEN] = {1, 2, 3};
    warden_sweep_manifest_mac_ok(m, key);
    struct warden_sweep_manifest mf;
    char err[512];
    if (warden_sweep_manifest_parse(m, &mf, err, sizeof err) == 0) {
        if (mf.root[0] != '/') abort();
        for (size_t i = 0; i < mf.n_items; i++) {
            const struct warden_sweep_mitem *it = &mf.items[i];
            if (!warden_sweep_rel_ok(it->rel, strlen(it->rel))) abort();
            for (size_t k = 1; k < it->tree.n; k++)
                if (!warden_sweep_rel_ok(it->tree.v[k].sub, it->tree.v[k].sub_len)) abort();
        }
        for (size_t i = 0; i < mf.n_created; i++)
            if (!warden_sweep_rel_ok(mf.created[i].rel, strlen(mf.created[i].rel))) abort();
    }
    warden_sweep_manifest_fini(&mf);
    json_decref(m);
    return 0;
}
