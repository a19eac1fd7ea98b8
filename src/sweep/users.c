/* users.c — read the scanned root's passwd and home directories (users.h). */
#include "sweep/users.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_dir_beneath(int rootfd, const char *rel)
{
    int fd = warden_walk_open_beneath(rootfd, rel, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return false;
    close(fd);
    return true;
}

static void add_user(struct warden_sweep_users *u, const char *name, const char *home, long uid)
{
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->v[i].home, home) == 0) return;
    u->v = warden_xrealloc(u->v, sizeof *u->v * (u->n + 1));
    u->v[u->n].name = warden_xstrdup(name);
    u->v[u->n].home = warden_xstrdup(home);
    u->v[u->n].home_len = strlen(home);
    u->v[u->n].uid = uid;
    u->v[u->n].selected = true;
    u->n++;
}

static int cmp_len_desc(const void *a, const void *b)
{
    const struct warden_sweep_user *x = a, *y = b;
    return x->home_len < y->home_len ? 1 : x->home_len > y->home_len ? -1 : 0;
}

int warden_sweep_users_load(struct warden_sweep_users *u, const char *root, const char *only)
{
    memset(u, 0, sizeof *u);
    int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) return WARDEN_EIO;
    int pfd = warden_walk_open_beneath(rootfd, "etc/passwd", O_RDONLY);
    FILE *f = pfd >= 0 ? fdopen(pfd, "r") : NULL;
    if (f) {
        char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) > 0) {
            char *fld[7] = {0};
            char *s = line;
            int k = 0;
            for (; k < 7 && s; k++) {
                fld[k] = s;
                s = strchr(s, ':');
                if (s) *s++ = '\0';
            }
            if (k < 6 || !fld[0][0] || !fld[2]) continue;
            char *end;
            long uid = strtol(fld[2], &end, 10);
            if (*end) continue;
            u->ids = warden_xrealloc(u->ids, sizeof *u->ids * (u->n_ids + 1));
            u->ids[u->n_ids].uid = uid;
            u->ids[u->n_ids].name = warden_xstrdup(fld[0]);
            u->n_ids++;
            char *home = fld[5];
            home[strcspn(home, "\n")] = '\0';
            while (*home == '/') home++;
            size_t hl = strlen(home);
            while (hl && home[hl - 1] == '/') home[--hl] = '\0';
            if (!hl || uid == 65534) continue;
            if (!(uid == 0 || uid >= 1000 || strncmp(home, "home/", 5) == 0)) continue;
            if (!is_dir_beneath(rootfd, home)) continue;
            add_user(u, fld[0], home, uid);
        }
        free(line);
        fclose(f);
    } else if (pfd >= 0) {
        close(pfd);
    }
    /* home/ (Linux), Users/ (macOS and Windows images) */
    static const char *const bases[] = {"home", "Users"};
    static const char *const not_people[] = {"Public",    "Default", "Default User",
                                             "All Users", "Shared",  "Guest"};
    for (size_t b = 0; b < 2; b++) {
        int hfd = warden_walk_open_beneath(rootfd, bases[b], O_RDONLY | O_DIRECTORY);
        DIR *d = hfd >= 0 ? fdopendir(hfd) : NULL;
        if (!d) {
            if (hfd >= 0) close(hfd);
            continue;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.') continue;
            bool skip = false;
            for (size_t k = 0; b == 1 && k < sizeof not_people / sizeof not_people[0]; k++)
                if (strcmp(de->d_name, not_people[k]) == 0) skip = true;
            struct stat sb;
            if (skip || fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) ||
                !S_ISDIR(sb.st_mode))
                continue;
            char *h = warden_xasprintf("%s/%s", bases[b], de->d_name);
            bool known = false;
            for (size_t i = 0; i < u->n; i++)
                if (strcmp(u->v[i].home, h) == 0) known = true;
            if (!known) add_user(u, de->d_name, h, (long)sb.st_uid);
            free(h);
        }
        closedir(d);
    }
    if (is_dir_beneath(rootfd, "root")) add_user(u, "root", "root", 0);
    close(rootfd);
    bool all = !only || strcmp(only, "all") == 0;
    size_t nsel = 0;
    for (size_t i = 0; i < u->n; i++) {
        u->v[i].selected = all || strcmp(u->v[i].name, only) == 0;
        nsel += u->v[i].selected;
    }
    if (!all && !nsel) return WARDEN_ENOENT;
    if (u->n > 1) qsort(u->v, u->n, sizeof *u->v, cmp_len_desc);
    return 0;
}

void warden_sweep_users_fini(struct warden_sweep_users *u)
{
    for (size_t i = 0; i < u->n; i++) {
        free(u->v[i].name);
        free(u->v[i].home);
    }
    free(u->v);
    for (size_t i = 0; i < u->n_ids; i++) free(u->ids[i].name);
    free(u->ids);
    memset(u, 0, sizeof *u);
}

int warden_sweep_users_owner_of(const struct warden_sweep_users *u, const char *rel, size_t len)
{
    for (size_t i = 0; i < u->n; i++) {
        size_t hl = u->v[i].home_len;
        if (len >= hl && memcmp(rel, u->v[i].home, hl) == 0 && (len == hl || rel[hl] == '/'))
            return (int)i;
    }
    return -1;
}

const char *warden_sweep_users_name(const struct warden_sweep_users *u, long uid)
{
    for (size_t i = 0; i < u->n_ids; i++)
        if (u->ids[i].uid == uid) return u->ids[i].name;
    return NULL;
}
