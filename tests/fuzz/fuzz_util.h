/* fuzz_util.h — shared by the libFuzzer harnesses in tests/fuzz (see README
 * there). Most loaders read a path: the input is written to an anonymous
 * in-memory file (memfd) and handed over as /proc/self/fd/N, so a harness
 * touches no disk. Loader warnings on stderr (expected for malformed input)
 * are silenced by run.sh with -close_fd_mask=2, which keeps libFuzzer's and
 * the sanitizers' own reports. Header-only: each harness is one translation
 * unit. */
#ifndef WARDEN_FUZZ_UTIL_H
#define WARDEN_FUZZ_UTIL_H
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a file: returns its /proc/self/fd path (valid until the next
 * call). Aborts if the memfd cannot be made (not a finding). */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("warden-fuzz", MFD_CLOEXEC);
        if (fd < 0) abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) abort();
    return path;
}

/* A NUL-terminated copy of the input (free it). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
