/* inspect.c — verification, version extraction and env-file reading (inspect.h). */
#include "sweep/inspect.h"
#include "core/xalloc.h"
#include "sweep/execver.h"
#include "sweep/yamldoc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ENV_MAX_BYTES (1u << 20)
#define PKG_MAX_BYTES (1u << 20)
#define VFILE_MAX_BYTES (64u << 10)

int warden_sweep_open_noatime(int dirfd, const char *name)
{
    int fl = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
    int fd = openat(dirfd, name, fl | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = openat(dirfd, name, fl);
    return fd;
}

/* Read up to max bytes; returns bytes read or -1. */
static ssize_t read_some(int fd, char *buf, size_t max)
{
    size_t got = 0;
    while (got < max) {
        ssize_t r = read(fd, buf + got, max - got);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static unsigned content_magic(int dirfd, const char *name)
{
    unsigned char b[64];
    int fd = warden_sweep_open_noatime(dirfd, name);
    if (fd < 0) return 0;
    ssize_t n = read_some(fd, (char *)b, sizeof b);
    close(fd);
    if (n <= 0) return 0;
    /* a wrapper left by a quarantine is the tool disabled, not the tool */
    if (memmem(b, (size_t)n, "warden-sweep-wrapper", 20)) return 0;
    unsigned m = 0;
    if (n >= 4 && memcmp(b,
                         "\x7f"
                         "ELF",
                         4) == 0)
        m |= WARDEN_SWEEP_MAGIC_ELF;
    if (n >= 4) {
        uint32_t w = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (w == 0xfeedface || w == 0xfeedfacf || w == 0xcefaedfe || w == 0xcffaedfe ||
            w == 0xcafebabe)
            m |= WARDEN_SWEEP_MAGIC_MACHO;
    }
    if (n >= 2 && b[0] == 'M' && b[1] == 'Z') m |= WARDEN_SWEEP_MAGIC_PE;
    if (n >= 2 && b[0] == '#' && b[1] == '!') m |= WARDEN_SWEEP_MAGIC_SCRIPT;
    if (n >= 4 && memcmp(b, "GGUF", 4) == 0) m |= WARDEN_SWEEP_MAGIC_GGUF;
    if (n >= 4 && memcmp(b, "PK\x03\x04", 4) == 0) m |= WARDEN_SWEEP_MAGIC_ZIP;
    if (n >= 16 && memcmp(b, "SQLite format 3", 16) == 0) m |= WARDEN_SWEEP_MAGIC_SQLITE;
    for (ssize_t i = 0; i < n; i++) {
        if (isspace(b[i])) continue;
        if (b[i] == '{' || b[i] == '[') m |= WARDEN_SWEEP_MAGIC_JSON;
        break;
    }
    return m;
}

static char *regex_group(const void *re, const char *s)
{
    regmatch_t pm[2];
    if (regexec(re, s, 2, pm, 0) != 0 || pm[1].rm_so < 0) return NULL;
    return warden_xstrndup(s + pm[1].rm_so, (size_t)(pm[1].rm_eo - pm[1].rm_so));
}

/* package.json of directory name in dirfd: check its "name" against glob and
 * return its version (or "" when absent); NULL when it does not verify. */
static char *package_json(int dirfd, const char *name, const char *glob)
{
    int dfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) return NULL;
    int fd = warden_sweep_open_noatime(dfd, "package.json");
    close(dfd);
    if (fd < 0) return NULL;
    char *buf = warden_xmalloc(PKG_MAX_BYTES);
    ssize_t n = read_some(fd, buf, PKG_MAX_BYTES);
    close(fd);
    char *ver = NULL;
    if (n > 0) {
        json_error_t je;
        json_t *j = json_loadb(buf, (size_t)n, 0, &je);
        const char *pn = j ? json_string_value(json_object_get(j, "name")) : NULL;
        if (pn && fnmatch(glob, pn, 0) == 0) {
            const char *v = json_string_value(json_object_get(j, "version"));
            ver = warden_xstrdup(v ? v : "");
        }
        json_decref(j);
    }
    free(buf);
    return ver;
}

bool warden_sweep_verify(const struct warden_sweep_catalogue *c, int tool, int fp, int dirfd,
                         const char *name, const char *rel, const struct stat *sb,
                         const char *exec_root, struct warden_sweep_item *it)
{
    const struct warden_sweep_footprint *f = &c->tools[tool].fps[fp];
    char *pkg_ver = NULL, *target = NULL, *ver = NULL;
    bool ok = false;
    if (S_ISLNK(sb->st_mode)) {
        size_t cap = (size_t)sb->st_size + 2;
        if (cap < 64 || cap > 65536) cap = 4096;
        target = warden_xmalloc(cap);
        ssize_t n = readlinkat(dirfd, name, target, cap - 1);
        if (n < 0) n = 0;
        target[n] = '\0';
    }
    if (f->kind == WARDEN_SWEEP_CREDENTIAL) {
        /* existence is the finding; only stat-based checks, never the content */
        unsigned m = f->magic;
        if (m && !((m & WARDEN_SWEEP_MAGIC_DIR && S_ISDIR(sb->st_mode)) ||
                   (m & WARDEN_SWEEP_MAGIC_SYMLINK && S_ISLNK(sb->st_mode)) ||
                   (m & WARDEN_SWEEP_MAGIC_FILE && S_ISREG(sb->st_mode))))
            goto out;
        ok = S_ISREG(sb->st_mode) || S_ISLNK(sb->st_mode) || S_ISDIR(sb->st_mode);
        goto out;
    }
    if (f->package_json) {
        if (!S_ISDIR(sb->st_mode)) goto out;
        pkg_ver = package_json(dirfd, name, f->package_json);
        if (!pkg_ver) goto out;
    }
    if (f->link_target) {
        if (!target || fnmatch(f->link_target, target, 0) != 0) goto out;
    }
    if (f->magic) {
        unsigned have = 0;
        if (S_ISDIR(sb->st_mode)) have |= WARDEN_SWEEP_MAGIC_DIR;
        if (S_ISLNK(sb->st_mode)) have |= WARDEN_SWEEP_MAGIC_SYMLINK;
        if (S_ISREG(sb->st_mode)) {
            have |= WARDEN_SWEEP_MAGIC_FILE;
            if (f->magic &
                ~(WARDEN_SWEEP_MAGIC_DIR | WARDEN_SWEEP_MAGIC_SYMLINK | WARDEN_SWEEP_MAGIC_FILE))
                have |= content_magic(dirfd, name);
        }
        if (!(have & f->magic)) goto out;
    }
    if (!f->package_json && !f->link_target && !f->magic && !S_ISREG(sb->st_mode) &&
        !S_ISDIR(sb->st_mode))
        goto out;
    ok = true;
    switch (f->vfrom) {
    case WARDEN_SWEEP_V_PACKAGE_JSON:
        if (pkg_ver && *pkg_ver) ver = warden_xstrdup(pkg_ver);
        if (ver && f->vre) {
            char *g = regex_group(f->vre, ver);
            free(ver);
            ver = g;
        }
        break;
    case WARDEN_SWEEP_V_PATH: {
        char *abs = warden_xasprintf("/%s", rel);
        ver = regex_group(f->vre, abs);
        free(abs);
        break;
    }
    case WARDEN_SWEEP_V_LINK_TARGET:
        if (target) ver = regex_group(f->vre, target);
        break;
    case WARDEN_SWEEP_V_FILE:
        if (S_ISREG(sb->st_mode)) {
            int fd = warden_sweep_open_noatime(dirfd, name);
            if (fd >= 0) {
                char *buf = warden_xmalloc(VFILE_MAX_BYTES + 1);
                ssize_t n = read_some(fd, buf, VFILE_MAX_BYTES);
                close(fd);
                if (n > 0) {
                    for (ssize_t i = 0; i < n; i++)
                        if (!buf[i]) buf[i] = '\n';
                    buf[n] = '\0';
                    ver = regex_group(f->vre, buf);
                }
                free(buf);
            }
        }
        break;
    case WARDEN_SWEEP_V_EXEC:
        if (exec_root && S_ISREG(sb->st_mode) && (sb->st_mode & 0111)) {
            char *abs = strcmp(exec_root, "/") == 0 ? warden_xasprintf("/%s", rel)
                                                    : warden_xasprintf("%s/%s", exec_root, rel);
            char *o = warden_sweep_exec_version(abs, sb->st_uid, sb->st_gid, 5000);
            if (o) ver = regex_group(f->vre, o);
            free(o);
            free(abs);
        }
        break;
    case WARDEN_SWEEP_V_NONE:
        break;
    }
out:
    if (ok) {
        it->version = ver;
        it->link_target = target;
    } else {
        free(ver);
        free(target);
    }
    free(pkg_ver);
    return ok;
}

static void env_add(struct warden_sweep_envhit **out, size_t *n, int tool, const char *var,
                    int line)
{
    *out = warden_xrealloc(*out, sizeof **out * (*n + 1));
    (*out)[*n].tool = tool;
    (*out)[*n].var = warden_xstrdup(var);
    (*out)[*n].line = line;
    (*n)++;
}

/* The variable a line assigns or exports ("export X=", "X=", "setenv X ...",
 * "set -gx X ...", "declare -x X="), copied into var; false when none. */
static bool line_var(const char *s, const char *end, char *var, size_t cap)
{
    while (s < end && (*s == ' ' || *s == '\t')) s++;
    static const char *const pre[] = {"export ",  "setenv ",     "set -gx ",    "set -x ",
                                      "set -Ux ", "declare -x ", "typeset -x ", "env "};
    bool spaced = false;
    for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++) {
        size_t l = strlen(pre[i]);
        if ((size_t)(end - s) > l && memcmp(s, pre[i], l) == 0) {
            s += l;
            spaced = pre[i][0] == 's';
            while (s < end && (*s == ' ' || *s == '\t')) s++;
            break;
        }
    }
    const char *v = s;
    while (s < end && (isalnum((unsigned char)*s) || *s == '_')) s++;
    size_t vl = (size_t)(s - v);
    if (!vl || vl >= cap || isdigit((unsigned char)*v)) return false;
    if (s < end && *s == '=')
        ; /* X=... */
    else if (spaced && s < end && (*s == ' ' || *s == '\t'))
        ; /* setenv X value, set -gx X value */
    else
        return false;
    memcpy(var, v, vl);
    var[vl] = '\0';
    return true;
}

size_t warden_sweep_env_scan(const struct warden_sweep_catalogue *c, int dirfd, const char *name,
                             struct warden_sweep_envhit **out)
{
    *out = NULL;
    int fd = warden_sweep_open_noatime(dirfd, name);
    if (fd < 0) return 0;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return 0;
    }
    char *buf = warden_xmalloc(ENV_MAX_BYTES);
    ssize_t n = read_some(fd, buf, ENV_MAX_BYTES);
    close(fd);
    size_t hits = 0;
    int line = 0;
    for (const char *s = buf, *e = buf + (n > 0 ? n : 0); s < e;) {
        const char *nl = memchr(s, '\n', (size_t)(e - s));
        const char *le = nl ? nl : e;
        char var[128];
        line++;
        if (line_var(s, le, var, sizeof var))
            for (size_t t = 0; t < c->n_tools; t++)
                if (warden_sweep_strlist_has(&c->tools[t].env, var))
                    env_add(out, &hits, (int)t, var, line);
        s = nl ? nl + 1 : e;
    }
    /* the buffer held secret values: wipe it before giving it back */
    explicit_bzero(buf, ENV_MAX_BYTES);
    free(buf);
    return hits;
}
