/* hugetable.c — zeroed tables on huge pages (see hugetable.h). */
#include "core/hugetable.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define MIN_BYTES ((size_t)4 << 20)

static size_t rounded(size_t bytes)
{
    return (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

void *warden_hugetable_new(size_t n, size_t size)
{
    if (n && size > SIZE_MAX / n) {
        fprintf(stderr, "warden: table of %zu x %zu bytes: too large\n", n, size);
        abort();
    }
    size_t bytes = n * size;
    if (bytes < MIN_BYTES) return warden_xcalloc(n ? n : 1, size ? size : 1);
    size_t len = rounded(bytes);
    /* map one huge page more, then trim to a 2 MB-aligned range */
    char *p =
        mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "warden: out of memory (%zu bytes)\n", len);
        abort();
    }
    char *a = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (a > p) munmap(p, (size_t)(a - p));
    if (a + len < p + len + HUGE_PAGE) munmap(a + len, (size_t)(p + len + HUGE_PAGE - (a + len)));
    madvise(a, len, MADV_HUGEPAGE);
    return a;
}

void warden_hugetable_free(void *p, size_t n, size_t size)
{
    if (!p) return;
    size_t bytes = n * size;
    if (bytes < MIN_BYTES)
        free(p);
    else
        munmap(p, rounded(bytes));
}
