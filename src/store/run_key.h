/* run_key.h — a run's key: SHA-256 over its input files, its policy and the
 * versions of the data it decided with (run_key.c). */
#ifndef WARDEN_STORE_RUN_KEY_H
#define WARDEN_STORE_RUN_KEY_H
#include <stdbool.h>
#include <stddef.h>

struct warden_jbuf;

/* Data a run decides with besides its inputs and policy: the IP table, the
 * restricted-party lists, the review dismissals. role names it ("ip_table",
 * "lists", "dismissals"); version is a content digest (hex) the caller
 * computed; path may be NULL. */
struct warden_run_data {
    const char *role;
    const char *path;
    const char *version;
};

/* Hash each input (events files, then the accounts and orgs files when not
 * NULL), the policy hash and each data version into key (64 hex digits); the
 * inputs as a JSON array of {"role","path","sha256"} and the data as
 * {"role","path","version"} into inputs_json. False, with key "", when an
 * input could not be hashed (stdin, a pipe): the run has no key. */
bool warden_run_key(const char *const *inputs, size_t n_inputs, const char *accounts,
                    const char *orgs, const char *policy_sha256, const struct warden_run_data *data,
                    size_t n_data, struct warden_jbuf *inputs_json, char key[65]);

/* SHA-256 (hex) of the review allowlist in the case database at db_path —
 * the (account, reason) pairs an analyst dismissed, in a fixed order — or ""
 * when the file does not exist or holds no dismissal. A run that honours
 * them (warden scan --out DIR) has them in its key. */
int warden_run_key_dismissals(const char *db_path, char hex[65]);

#endif
