/* review_allow.c — the set of (account, reason) pairs dismissed on review
 * (see review_allow.h): a sorted array, kept sorted on insert. */
#include "policy/review_allow.h"
#include "core/hash.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    uint64_t h;
    char *account, *reason;
};

struct warden_review_allow {
    struct entry *v;
    size_t n, cap;
};

struct warden_review_allow *warden_review_allow_new(void)
{
    return warden_xcalloc(1, sizeof(struct warden_review_allow));
}

void warden_review_allow_free(struct warden_review_allow *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].account);
        free(a->v[i].reason);
    }
    free(a->v);
    free(a);
}

size_t warden_review_allow_count(const struct warden_review_allow *a)
{
    return a ? a->n : 0;
}

void warden_review_allow_each(const struct warden_review_allow *a,
                              void (*fn)(void *ctx, const char *account_id, const char *reason),
                              void *ctx)
{
    for (size_t i = 0; a && i < a->n; i++) fn(ctx, a->v[i].account, a->v[i].reason);
}

/* First index whose hash is >= h. */
static size_t lower(const struct warden_review_allow *a, uint64_t h)
{
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->v[mid].h < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool same(const struct entry *e, const char *account, size_t len, const char *reason)
{
    return strlen(e->account) == len && memcmp(e->account, account, len) == 0 &&
           strcmp(e->reason, reason) == 0;
}

bool warden_review_allow_has(const struct warden_review_allow *a, const char *account_id,
                             size_t len, const char *reason)
{
    if (!a || a->n == 0 || !account_id || !reason) return false;
    uint64_t h = warden_hash64(account_id, len);
    for (size_t i = lower(a, h); i < a->n && a->v[i].h == h; i++)
        if (same(&a->v[i], account_id, len, reason)) return true;
    return false;
}

void warden_review_allow_add(struct warden_review_allow *a, const char *account_id,
                             const char *reason)
{
    size_t len = strlen(account_id);
    if (warden_review_allow_has(a, account_id, len, reason)) return;
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = warden_xrealloc(a->v, a->cap * sizeof *a->v);
    }
    uint64_t h = warden_hash64(account_id, len);
    size_t at = lower(a, h);
    memmove(a->v + at + 1, a->v + at, (a->n - at) * sizeof *a->v);
    a->v[at] = (struct entry){h, warden_xstrdup(account_id), warden_xstrdup(reason)};
    a->n++;
}
