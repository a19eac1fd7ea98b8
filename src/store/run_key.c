/* run_key.c — what a run is: the SHA-256 of each input file (events,
 * accounts, orgs) as it is on disk and of the policy, folded into one key,
 * so the case database can tell a re-run of the same data from a new run
 * (cases.h). An input read from standard input or a pipe cannot be hashed
 * before it is read: such a run has no key and is always a new run. */
#include "store/run_key.h"
#include "core/jbuf.h"
#include "core/sha256.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* SHA-256 of a regular file, or "" (stdin, a pipe, unreadable). */
static void hash_file(const char *path, char hex[65])
{
    hex[0] = 0;
    if (!path || strcmp(path, "-") == 0) return;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && warden_sha256_fd(fd, hex) != 0) hex[0] = 0;
    close(fd);
}

static bool add(struct warden_jbuf *j, struct warden_sha256 *k, const char *role, const char *path)
{
    char hex[65];
    hash_file(path, hex);
    warden_jbuf_obj_open(j);
    warden_jbuf_kv_str(j, "role", role);
    warden_jbuf_kv_str(j, "path", path);
    warden_jbuf_kv_str(j, "sha256", hex[0] ? hex : NULL);
    warden_jbuf_obj_close(j);
    warden_sha256_update(k, role, strlen(role) + 1);
    warden_sha256_update(k, hex, strlen(hex) + 1);
    return hex[0] != 0;
}

bool warden_run_key(const char *const *inputs, size_t n_inputs, const char *accounts,
                    const char *orgs, const char *policy_sha256, struct warden_jbuf *inputs_json,
                    char key[65])
{
    struct warden_sha256 k;
    warden_sha256_init(&k);
    warden_sha256_update(&k, "warden-run-1", 13);
    bool all = true;
    warden_jbuf_arr_open(inputs_json);
    for (size_t i = 0; i < n_inputs; i++) all &= add(inputs_json, &k, "events", inputs[i]);
    if (accounts) all &= add(inputs_json, &k, "accounts", accounts);
    if (orgs) all &= add(inputs_json, &k, "orgs", orgs);
    warden_jbuf_arr_close(inputs_json);
    warden_sha256_update(&k, "policy", 7);
    warden_sha256_update(&k, policy_sha256, strlen(policy_sha256) + 1);
    warden_sha256_hex(&k, key);
    if (!all) key[0] = 0;
    return all;
}
