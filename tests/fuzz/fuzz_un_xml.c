/* fuzz_un_xml.c — the UN consolidated list XML loader (screen/load_un.c, expat) on any bytes, then
 * indexed and screened against. */
#include "fuzz_screen.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_screen_list("un_xml", "", data, size);
    return 0;
}
