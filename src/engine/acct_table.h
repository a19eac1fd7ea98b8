/* acct_table.h — fixed-memory table of per-account state with LRU eviction.
 *
 * Every tracked account has one slot of a fixed size: the engine's header
 * (struct warden_acct) followed by each detector's state slice. Memory is
 * allocated once, for `capacity` slots, an open-addressing index of
 * 2 x capacity 4-byte cells (half full at most) and the LRU links (8 bytes
 * per slot, kept apart from the slots), so the per-account budget is exactly
 *     warden_acct_table_slot_bytes() + 16 bytes (index and LRU links)
 * and the table never grows. An index cell holds the slot number and a tag
 * of the hash's top bits, so a look-up reads one index cell and then only
 * the slot it finds; moving an account to the front of the LRU order
 * touches the compact link array, not its neighbours' slots (slots are
 * 1.5 KB each and looked up at random: every slot touched is a cache miss). When it is full, the
 * least recently seen account is evicted: its detector state is lost (the engine keeps verdicts of
 * actioned accounts separately, so an evicted actioned account keeps its verdict and event count).
 * Accounts are identified by a 64-bit hash of the account id. Not thread-safe: one table per
 * worker. */
#ifndef WARDEN_ENGINE_ACCT_TABLE_H
#define WARDEN_ENGINE_ACCT_TABLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct warden_acct {
    uint64_t hash;
    uint32_t reserved[2]; /* unused: keeps the header at 48 bytes */
    uint32_t verdict;     /* index + 1 of the engine's verdict record, 0 when none */
    uint8_t action;       /* strongest enum warden_action so far */
    uint8_t flags;
    uint16_t pad;
    uint64_t events; /* events of this account read (while tracked) */
    int64_t last_ts; /* newest event time, epoch ms */
    double score;    /* combined risk, 0..1 */
};

struct warden_acct_table;

/* Called with the least recently seen account just before its slot is
 * reused for another account (its state is still intact). */
typedef void (*warden_acct_evict_fn)(void *ctx, struct warden_acct *a);

/* state_bytes: bytes after the header (sum of detector slices, each 8-aligned). */
struct warden_acct_table *warden_acct_table_new(size_t capacity, size_t state_bytes);
void warden_acct_table_free(struct warden_acct_table *t);
/* Find or admit the account; *is_new is set when the slot was (re)initialised
 * (header and state zeroed). Marks it most recently seen. */
struct warden_acct *warden_acct_table_get(struct warden_acct_table *t, uint64_t hash, bool *is_new);
void warden_acct_table_on_evict(struct warden_acct_table *t, warden_acct_evict_fn fn, void *ctx);
/* Start fetching the index cell where hash would be found, ahead of
 * warden_acct_table_get or _find for it (a hint: no effect on the table). */
void warden_acct_table_prefetch(const struct warden_acct_table *t, uint64_t hash);
/* Start fetching the slot of hash when it is tracked (reads its index
 * cell: best after warden_acct_table_prefetch; a hint). */
void warden_acct_table_prefetch_slot(const struct warden_acct_table *t, uint64_t hash);
/* Look up without admitting or touching LRU order; NULL when not tracked. */
struct warden_acct *warden_acct_table_find(const struct warden_acct_table *t, uint64_t hash);
static inline void *warden_acct_state(struct warden_acct *a, size_t offset)
{
    return (char *)(a + 1) + offset;
}
size_t warden_acct_table_count(const struct warden_acct_table *t);
size_t warden_acct_table_capacity(const struct warden_acct_table *t);
uint64_t warden_acct_table_evictions(const struct warden_acct_table *t);
size_t warden_acct_table_slot_bytes(const struct warden_acct_table *t);
/* All memory the table holds (slots + index + the struct). */
size_t warden_acct_table_bytes(const struct warden_acct_table *t);
/* Index (0..capacity-1) of a slot, stable while the account stays tracked. */
size_t warden_acct_table_index(const struct warden_acct_table *t, const struct warden_acct *a);
/* Least recently seen account (NULL when empty), and the next more recent
 * one after a (NULL after the newest): snapshots write accounts in this
 * order, so that admitting them in it restores the eviction order. */
struct warden_acct *warden_acct_table_oldest(struct warden_acct_table *t);
struct warden_acct *warden_acct_table_newer(struct warden_acct_table *t,
                                            const struct warden_acct *a);
/* Slot i (0..count-1) in no particular order, for end-of-run reporting. */
struct warden_acct *warden_acct_table_at(struct warden_acct_table *t, size_t i);

#endif
