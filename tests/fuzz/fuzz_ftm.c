/* fuzz_ftm.c — the OpenSanctions FollowTheMoney JSON-lines loader (screen/load_ftm.c) on any bytes,
 * then indexed and screened against. */
#include "fuzz_screen.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_screen_list("ftm_json", "", data, size);
    return 0;
}
