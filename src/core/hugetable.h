/* hugetable.h — large zeroed tables that are hit at random, on transparent
 * huge pages.
 *
 * The hot path's big tables (the account slots and index, the
 * de-duplication window, the per-key rate windows, the held events of the
 * reorder buffer) are each MBs to tens of MB and touched at random, one
 * cell per event: on 4 KB pages nearly every look-up
 * also misses the TLB and waits for a page walk before its cache miss even
 * starts (a prefetch of such a cell stalls the same way). A table of 4 MB or
 * more is mapped 2 MB-aligned and asked for huge pages (where the kernel
 * offers them, madvise mode); pages are still zero and untouched until
 * used, as with calloc, but the first touch zeroes 2 MB: a large table
 * touched only here and there (the linking tables) is better on calloc.
 * Smaller tables come from calloc. */
#ifndef WARDEN_CORE_HUGETABLE_H
#define WARDEN_CORE_HUGETABLE_H
#include <stddef.h>

/* Zeroed memory for n * size bytes; never NULL (aborts like xcalloc). */
void *warden_hugetable_new(size_t n, size_t size);
/* Free a table of n * size bytes (the same n and size); NULL is a no-op. */
void warden_hugetable_free(void *p, size_t n, size_t size);

#endif
