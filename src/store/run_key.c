/* run_key.c — what a run is: the SHA-256 of each input file (events,
 * accounts, orgs) as it is on disk and of the policy, and the versions of the
 * data it decided with (the IP table, the restricted-party lists, the review
 * dismissals it honoured), folded into one key, so the case database can tell
 * a re-run of the same data from a new run (cases.h): a re-run after a list
 * update or a dismissal is a new run whose changes are audited. An input read
 * from standard input or a pipe cannot be hashed before it is read: such a
 * run has no key and is always a new run. */
#include "store/run_key.h"
#include "core/error.h"
#include "core/jbuf.h"
#include "core/sha256.h"
#include "core/xalloc.h"
#include "store/review.h"

#include <fcntl.h>
#include <stdlib.h>
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
                    const char *orgs, const char *policy_sha256, const struct warden_run_data *data,
                    size_t n_data, struct warden_jbuf *inputs_json, char key[65])
{
    struct warden_sha256 k;
    warden_sha256_init(&k);
    warden_sha256_update(&k, "warden-run-2", 13);
    bool all = true;
    warden_jbuf_arr_open(inputs_json);
    for (size_t i = 0; i < n_inputs; i++) all &= add(inputs_json, &k, "events", inputs[i]);
    if (accounts) all &= add(inputs_json, &k, "accounts", accounts);
    if (orgs) all &= add(inputs_json, &k, "orgs", orgs);
    for (size_t i = 0; i < n_data; i++) {
        warden_jbuf_obj_open(inputs_json);
        warden_jbuf_kv_str(inputs_json, "role", data[i].role);
        warden_jbuf_kv_str(inputs_json, "path", data[i].path);
        warden_jbuf_kv_str(inputs_json, "version", data[i].version);
        warden_jbuf_obj_close(inputs_json);
        warden_sha256_update(&k, data[i].role, strlen(data[i].role) + 1);
        warden_sha256_update(&k, data[i].version, strlen(data[i].version) + 1);
    }
    warden_jbuf_arr_close(inputs_json);
    warden_sha256_update(&k, "policy", 7);
    warden_sha256_update(&k, policy_sha256, strlen(policy_sha256) + 1);
    warden_sha256_hex(&k, key);
    if (!all) key[0] = 0;
    return all;
}

struct pairs {
    char **v; /* "account\0reason" as one string with a tab between */
    size_t n;
};

static void add_pair(void *ctx, const char *account_id, const char *reason)
{
    struct pairs *p = ctx;
    p->v = warden_xrealloc(p->v, (p->n + 1) * sizeof *p->v);
    p->v[p->n++] = warden_xasprintf("%s\t%s", account_id, reason);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int warden_run_key_dismissals(const char *db_path, char hex[65])
{
    hex[0] = 0;
    if (access(db_path, F_OK) != 0) return 0;
    struct warden_review *r = NULL;
    struct pairs p = {NULL, 0};
    char err[256];
    int rc = warden_review_open(&r, db_path, err, sizeof err);
    if (!rc) rc = warden_review_allowlist_each(r, add_pair, &p);
    warden_review_close(r);
    if (!rc && p.n) {
        qsort(p.v, p.n, sizeof *p.v, cmp_str); /* the table's order is not the set's */
        struct warden_sha256 h;
        warden_sha256_init(&h);
        for (size_t i = 0; i < p.n; i++) warden_sha256_update(&h, p.v[i], strlen(p.v[i]) + 1);
        warden_sha256_hex(&h, hex);
    }
    for (size_t i = 0; i < p.n; i++) free(p.v[i]);
    free(p.v);
    return rc ? WARDEN_EIO : 0;
}
