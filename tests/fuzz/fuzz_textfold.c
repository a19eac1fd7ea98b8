/* fuzz_textfold.c — prompt folding (src/core/textfold.c) on any bytes: no
 * crash, no read or write outside the text; never longer; ASCII text
 * unchanged; valid UTF-8 stays valid and folding it twice changes nothing. */
#include "core/event_decode.h"
#include "core/textfold.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1); /* exact size: ASan sees any overread */
    if (!s) abort();
    memcpy(s, data, size);
    size_t n = warden_text_fold(s, size);
    if (n > size) abort();
    bool ascii = true;
    for (size_t i = 0; i < size; i++) ascii &= data[i] < 0x80;
    if (ascii && (n != size || memcmp(s, data, size) != 0)) abort();
    if (warden_utf8_valid((const char *)data, size) == 0) {
        if (warden_utf8_valid(s, n) != 0) abort();
        char *t = malloc(n ? n : 1);
        if (!t) abort();
        memcpy(t, s, n);
        if (warden_text_fold(t, n) != n || memcmp(t, s, n) != 0) abort();
        free(t);
    }
    free(s);
    return 0;
}
