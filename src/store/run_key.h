/* run_key.h — a run's key: SHA-256 over its input files and policy (run_key.c). */
#ifndef WARDEN_STORE_RUN_KEY_H
#define WARDEN_STORE_RUN_KEY_H
#include <stdbool.h>
#include <stddef.h>

struct warden_jbuf;

/* Hash each input (events files, then the accounts and orgs files when not
 * NULL) and the policy hash into key (64 hex digits); the inputs as a JSON
 * array of {"role","path","sha256"} into inputs_json. False, with key "",
 * when an input could not be hashed (stdin, a pipe): the run has no key. */
bool warden_run_key(const char *const *inputs, size_t n_inputs, const char *accounts,
                    const char *orgs, const char *policy_sha256, struct warden_jbuf *inputs_json,
                    char key[65]);

#endif
