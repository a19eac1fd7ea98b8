/* fuzz_ofac_csv.c — the OFAC SDN/consolidated CSV loader (screen/load_ofac.c,
 * screen/csv.c) on any bytes; the first byte picks the file's role (primary,
 * alternate names, addresses, remarks continuation). */
#include "fuzz_screen.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const roles[] = {"prim=", "alt=", "add=", "comments="};
    if (!size) return 0;
    fuzz_screen_list("ofac_csv", roles[data[0] % 4], data + 1, size - 1);
    return 0;
}
