/* review_allow.h — (account, reason) pairs dismissed on review.
 *
 * The policy's allowlists exempt whole accounts, organisations or networks
 * and are fixed when the policy loads. A dismissal in the review console is
 * narrower and happens while the engine runs: this account is not to be
 * actioned again for this reason. The set is owned by the embedder (warden
 * serve loads it from cases.db and adds to it on each dismissal); the
 * runtime hands it to the policy it loads (warden_runtime_conf.review_allow),
 * and the engine asks warden_policy_allowlisted_reason() for each finding.
 *
 * Not synchronised: the embedder adds only while no engine reads it (serve
 * holds its runtime write lock). Look-ups are a binary search over a sorted
 * array of (account hash, reason); with no entries they return at once. */
#ifndef WARDEN_POLICY_REVIEW_ALLOW_H
#define WARDEN_POLICY_REVIEW_ALLOW_H
#include <stdbool.h>
#include <stddef.h>

struct warden_review_allow;

struct warden_review_allow *warden_review_allow_new(void);
void warden_review_allow_free(struct warden_review_allow *a);
/* Add a pair (idempotent). */
void warden_review_allow_add(struct warden_review_allow *a, const char *account_id,
                             const char *reason);
size_t warden_review_allow_count(const struct warden_review_allow *a);
/* Call fn for every pair (in no particular order). */
void warden_review_allow_each(const struct warden_review_allow *a,
                              void (*fn)(void *ctx, const char *account_id, const char *reason),
                              void *ctx);
/* Is (account_id[0..len), reason) in the set? a may be NULL. */
bool warden_review_allow_has(const struct warden_review_allow *a, const char *account_id,
                             size_t len, const char *reason);

#endif
