/* restore.c — put back what a quarantine moved (see quarantine.h).
 *
 * Reads DIR/manifest.json, removes what the quarantine created (wrappers, the
 * disabling policy file), refuses to overwrite anything new at an original
 * path, verifies every checksum, moves each item back and re-applies owners,
 * modes and times; the manifest records which items are restored, so running
 * it twice is harmless. */
#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/disable.h"
#include "sweep/fsops.h"
#include "sweep/pathenc.h"
#include "sweep/quarantine.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int tree_from_json(json_t *a, struct warden_sweep_ftree *t)
{
    memset(t, 0, sizeof *t);
    if (!json_is_array(a) || json_array_size(a) == 0) return WARDEN_EFORMAT;
    size_t i;
    json_t *o;
    json_array_foreach(a, i, o)
    {
        const char *sub_hex = json_string_value(json_object_get(o, "sub_hex"));
        const char *ty = json_string_value(json_object_get(o, "type"));
        if (!sub_hex || !ty || strlen(ty) != 1) return WARDEN_EFORMAT;
        t->v = warden_xrealloc(t->v, sizeof *t->v * (t->n + 1));
        struct warden_sweep_fentry *e = &t->v[t->n++];
        memset(e, 0, sizeof *e);
        if (sub_hex[0]) {
            e->sub = warden_sweep_unhex(sub_hex, &e->sub_len);
            if (!e->sub) return WARDEN_EFORMAT;
        } else {
            e->sub = warden_xstrdup("");
        }
        e->type = ty[0];
        e->mode = (unsigned)json_integer_value(json_object_get(o, "mode"));
        e->uid = (long)json_integer_value(json_object_get(o, "uid"));
        e->gid = (long)json_integer_value(json_object_get(o, "gid"));
        e->atime_ns = (int64_t)json_integer_value(json_object_get(o, "atime_ns"));
        e->mtime_ns = (int64_t)json_integer_value(json_object_get(o, "mtime_ns"));
        e->size = (uint64_t)json_integer_value(json_object_get(o, "size"));
        const char *sh = json_string_value(json_object_get(o, "sha256"));
        if (e->type == 'f') {
            if (!sh || strlen(sh) != 64) return WARDEN_EFORMAT;
            memcpy(e->sha256, sh, 65);
        }
        const char *th = json_string_value(json_object_get(o, "target_hex"));
        if (th && !(e->target = warden_sweep_unhex(th, NULL))) return WARDEN_EFORMAT;
    }
    return 0;
}

/* Whether name in pfd is a wrapper this tool wrote. */
static bool is_our_wrapper(int pfd, const char *name)
{
    int fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return false;
    buf[n] = '\0';
    return strstr(buf, WARDEN_SWEEP_WRAPPER_MARK) != NULL;
}

int warden_sweep_restore(const char *manifest, FILE *log, char *err, size_t errlen)
{
    json_error_t je;
    json_t *m = json_load_file(manifest, 0, &je);
    if (!m) {
        snprintf(err, errlen, "%s:%d: %s", manifest, je.line, je.text);
        return WARDEN_EPARSE;
    }
    const char *fmt = json_string_value(json_object_get(m, "format"));
    json_t *items = json_object_get(m, "items");
    if (!fmt || strcmp(fmt, "warden.sweep.quarantine") != 0 || !json_is_array(items)) {
        snprintf(err, errlen, "%s: not a warden sweep quarantine manifest", manifest);
        json_decref(m);
        return WARDEN_EFORMAT;
    }
    char *mdir = warden_xstrdup(manifest);
    char *sl = strrchr(mdir, '/');
    if (sl)
        *sl = '\0';
    else
        strcpy(mdir, ".");
    int qfd = open(mdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int dfd = qfd >= 0 ? openat(qfd, "data", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    int rc = 0;
    bool changed = false;
    if (dfd < 0) {
        snprintf(err, errlen, "%s/data: %s", mdir, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    warden_sweep_disable_remove(m, log);
    changed = true;
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        const char *state = json_string_value(json_object_get(o, "state"));
        const char *ph = json_string_value(json_object_get(o, "path_hex"));
        json_int_t id = json_integer_value(json_object_get(o, "id"));
        bool wrapper = json_is_true(json_object_get(o, "wrapper"));
        char ids[32];
        snprintf(ids, sizeof ids, "%lld", (long long)id);
        char *abs = ph ? warden_sweep_unhex(ph, NULL) : NULL;
        struct warden_sweep_ftree t;
        int fr = tree_from_json(json_object_get(o, "entries"), &t);
        char why[512] = "";
        int ir = 0;
        bool ex;
        char *show = abs ? warden_sweep_path_show(abs, strlen(abs), &ex) : warden_xstrdup("?");
        if (!abs || fr || !state) {
            snprintf(why, sizeof why, "item %zu of the manifest is malformed", i);
            ir = WARDEN_EFORMAT;
        } else if (strcmp(state, "restored") == 0 || strcmp(state, "failed") == 0) {
            /* failed: never left its place */
        } else if (faccessat(dfd, ids, F_OK, AT_SYMLINK_NOFOLLOW) != 0) {
            /* pending but never moved (interrupted quarantine): nothing to do */
            if (strcmp(state, "moved") == 0) {
                snprintf(why, sizeof why, "quarantined copy %s/data/%s is missing", mdir, ids);
                ir = WARDEN_EIO;
            }
        } else {
            const char *name;
            int pfd = warden_sweep_open_parent(abs, &name);
            if (pfd < 0) {
                snprintf(why, sizeof why, "parent directory: %s", strerror(errno));
                ir = WARDEN_EIO;
            } else {
                struct stat sb;
                if (fstatat(pfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
                    if (wrapper && S_ISREG(sb.st_mode) && is_our_wrapper(pfd, name)) {
                        unlinkat(pfd, name, 0);
                    } else {
                        snprintf(why, sizeof why,
                                 "something new exists at the original path; left in quarantine");
                        ir = WARDEN_EEXIST;
                    }
                }
                if (!ir && warden_sweep_ftree_verify(dfd, ids, &t, why, sizeof why) != 0)
                    ir = WARDEN_EIO;
                if (!ir && warden_sweep_move_tree(dfd, ids, pfd, name, &t, why, sizeof why) != 0)
                    ir = WARDEN_EIO;
                if (!ir) {
                    int ar = warden_sweep_ftree_apply(pfd, name, &t);
                    if (ar) {
                        snprintf(why, sizeof why, "restoring owner/mode/times: %s", strerror(-ar));
                        ir = WARDEN_EIO;
                    }
                    json_int_t pa = json_integer_value(json_object_get(o, "parent_atime_ns"));
                    json_int_t pm = json_integer_value(json_object_get(o, "parent_mtime_ns"));
                    struct timespec ts[2] = {{(time_t)(pa / 1000000000), (long)(pa % 1000000000)},
                                             {(time_t)(pm / 1000000000), (long)(pm % 1000000000)}};
                    if (pa || pm) futimens(pfd, ts);
                    json_object_set_new(o, "state", json_string("restored"));
                    changed = true;
                    fprintf(log, "warden sweep: restored %s\n", show);
                }
                close(pfd);
            }
        }
        if (ir) {
            fprintf(log, "warden sweep: cannot restore %s: %s\n", show, why);
            if (!rc) {
                snprintf(err, errlen, "%s: %s", show, why);
                rc = ir;
            }
        }
        free(show);
        free(abs);
        warden_sweep_ftree_fini(&t);
    }
    if (changed) {
        char *tmp = warden_xasprintf("%s.tmp", manifest);
        if (json_dump_file(m, tmp, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0)
            rename(tmp, manifest);
        free(tmp);
    }
out:
    if (dfd >= 0) close(dfd);
    if (qfd >= 0) close(qfd);
    free(mdir);
    json_decref(m);
    return rc;
}
