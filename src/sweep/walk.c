/* walk.c — parallel directory walk confined to a root (see walk.h).
 *
 * Work is a LIFO stack of directories (depth-first keeps the kernel's dentry
 * cache warm) shared by the workers under one mutex; a directory's
 * subdirectories are pushed in one batch, so the lock is taken once per
 * directory, never per file. Files are never stat'ed when the directory
 * listing already gives their type. */
#include "sweep/walk.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_ERRV 1000

struct job {
    struct job *next;
    int depth;
    size_t len;
    char rel[]; /* NUL-terminated */
};

struct walker {
    int rootfd;
    const struct warden_walk_opts *o;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *stack;
    size_t pending; /* jobs pushed and not yet finished */
    struct warden_walk_stats *st;
};

struct worker {
    struct walker *w;
    int id;
    pthread_t th;
    struct warden_walk_stats st;
    char *buf;
    size_t cap;
};

static atomic_int no_openat2;

bool warden_walk_pseudo_fs(long f_type)
{
    switch (f_type) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case SECURITYFS_MAGIC:
    case PSTOREFS_MAGIC:
    case BPF_FS_MAGIC:
    case 0x62656570: /* configfs */
    case 0x65735543: /* fusectl */
    case 0x19800202: /* mqueue */
    case HUGETLBFS_MAGIC:
    case 0x6e736673: /* nsfs */
    case 0x5a3c69f0: /* binfmt_misc */
    case 0x42494e4d: /* binfmt_misc */
        return true;
    default:
        return false;
    }
}

int warden_walk_open_beneath(int rootfd, const char *rel, int flags)
{
    if (!rel[0]) rel = ".";
    if (!atomic_load_explicit(&no_openat2, memory_order_relaxed) && !getenv("WARDEN_NO_OPENAT2")) {
        struct open_how how;
        memset(&how, 0, sizeof how);
        how.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW);
        how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
        for (int tries = 0; tries < 3; tries++) {
            long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
            if (fd >= 0) return (int)fd;
            if (errno == EAGAIN) continue;
            if (errno != ENOSYS && errno != EPERM) return -1;
            break;
        }
        if (errno == ENOSYS || errno == EPERM)
            atomic_store_explicit(&no_openat2, 1, memory_order_relaxed);
        else
            return -1;
    }
    /* no openat2 (old kernel, seccomp): one component at a time, none of
     * them followed if it is a symlink, and ".." refused */
    if (!strchr(rel, '/') && strcmp(rel, "..") != 0)
        return openat(rootfd, rel, flags | O_CLOEXEC | O_NOFOLLOW);
    int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
    const char *p = rel;
    while (cur >= 0 && *p) {
        const char *sl = strchr(p, '/');
        size_t n = sl ? (size_t)(sl - p) : strlen(p);
        char comp[NAME_MAX + 1];
        if (n > NAME_MAX || (n == 2 && p[0] == '.' && p[1] == '.')) {
            close(cur);
            errno = n > NAME_MAX ? ENAMETOOLONG : EXDEV;
            return -1;
        }
        memcpy(comp, p, n);
        comp[n] = '\0';
        p += n + (sl ? 1 : 0);
        int last = !*p;
        int nfd = n == 0 ? fcntl(cur, F_DUPFD_CLOEXEC, 0)
                         : openat(cur, comp,
                                  (last ? flags : O_RDONLY | O_DIRECTORY) | O_CLOEXEC | O_NOFOLLOW);
        int e = errno;
        close(cur);
        errno = e;
        cur = nfd;
    }
    return cur;
}

static void add_error(struct worker *k, const char *rel, int err)
{
    k->st.errors++;
    struct walker *w = k->w;
    pthread_mutex_lock(&w->mu);
    if (w->st->n_errv < MAX_ERRV) {
        w->st->errv = warden_xrealloc(w->st->errv, sizeof *w->st->errv * (w->st->n_errv + 1));
        w->st->errv[w->st->n_errv].rel = warden_xstrdup(rel);
        w->st->errv[w->st->n_errv].err = err;
        w->st->n_errv++;
    }
    pthread_mutex_unlock(&w->mu);
}

static struct job *job_new(const char *rel, size_t len, int depth)
{
    struct job *j = warden_xmalloc(sizeof *j + len + 1);
    j->next = NULL;
    j->depth = depth;
    j->len = len;
    memcpy(j->rel, rel, len);
    j->rel[len] = '\0';
    return j;
}

static void reserve(struct worker *k, size_t n)
{
    if (n <= k->cap) return;
    size_t c = k->cap ? k->cap : 4096;
    while (c < n) c *= 2;
    k->buf = warden_xrealloc(k->buf, c);
    k->cap = c;
}

static void process(struct worker *k, struct job *j)
{
    struct walker *w = k->w;
    const struct warden_walk_opts *o = w->o;
    if (o->before_open) o->before_open(o->hook_ctx, j->rel);
    int fd = warden_walk_open_beneath(w->rootfd, j->rel, O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            k->st.vanished++;
        else
            add_error(k, j->rel, errno);
        return;
    }
    struct statfs sf;
    if (j->depth > 0 && fstatfs(fd, &sf) == 0 && warden_walk_pseudo_fs((long)sf.f_type)) {
        k->st.skipped_fs++;
        close(fd);
        return;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        add_error(k, j->rel, errno);
        close(fd);
        return;
    }
    struct job *batch = NULL, *tail = NULL;
    size_t nbatch = 0;
    bool descend_ok = o->max_depth <= 0 || j->depth + 1 < o->max_depth;
    reserve(k, j->len + 2);
    memcpy(k->buf, j->rel, j->len);
    size_t base = j->len;
    if (base) k->buf[base++] = '/';
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            if (errno) add_error(k, j->rel, errno);
            break;
        }
        const char *nm = de->d_name;
        if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0'))) continue;
        size_t nl = strlen(nm);
        reserve(k, base + nl + 1);
        memcpy(k->buf + base, nm, nl + 1);
        enum warden_walk_type t;
        unsigned char dt = de->d_type;
        if (dt == DT_UNKNOWN) {
            struct stat sb;
            if (fstatat(dirfd(d), nm, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno == ENOENT)
                    k->st.vanished++;
                else
                    add_error(k, k->buf, errno);
                continue;
            }
            dt = S_ISDIR(sb.st_mode)   ? DT_DIR
                 : S_ISREG(sb.st_mode) ? DT_REG
                 : S_ISLNK(sb.st_mode) ? DT_LNK
                                       : DT_FIFO;
        }
        switch (dt) {
        case DT_DIR:
            t = WARDEN_WALK_DIR;
            k->st.dirs++;
            break;
        case DT_REG:
            t = WARDEN_WALK_FILE;
            k->st.files++;
            break;
        case DT_LNK:
            t = WARDEN_WALK_LINK;
            k->st.links++;
            break;
        default:
            t = WARDEN_WALK_OTHER;
            k->st.other++;
        }
        enum warden_walk_verdict v = WARDEN_WALK_CONTINUE;
        if (o->entry) {
            struct warden_walk_entry e = {k->buf, base + nl,    k->buf + base, nl,
                                          t,      j->depth + 1, dirfd(d),      k->id};
            v = o->entry(o->ctx, &e);
        }
        if (t == WARDEN_WALK_DIR && v == WARDEN_WALK_CONTINUE && descend_ok) {
            struct job *c = job_new(k->buf, base + nl, j->depth + 1);
            if (tail)
                tail->next = c;
            else
                batch = c;
            tail = c;
            nbatch++;
        }
    }
    closedir(d);
    if (batch) {
        pthread_mutex_lock(&w->mu);
        tail->next = w->stack;
        w->stack = batch;
        w->pending += nbatch;
        if (nbatch > 1)
            pthread_cond_broadcast(&w->cv);
        else
            pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
}

static void *worker_main(void *arg)
{
    struct worker *k = arg;
    struct walker *w = k->w;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->stack && w->pending > 0) pthread_cond_wait(&w->cv, &w->mu);
        struct job *j = w->stack;
        if (!j) {
            pthread_mutex_unlock(&w->mu);
            break;
        }
        w->stack = j->next;
        pthread_mutex_unlock(&w->mu);
        process(k, j);
        free(j);
        pthread_mutex_lock(&w->mu);
        if (--w->pending == 0) pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
    return NULL;
}

int warden_walk(const char *root, const struct warden_walk_opts *o, struct warden_walk_stats *st)
{
    memset(st, 0, sizeof *st);
    int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        st->errors = 1;
        st->errv = warden_xcalloc(1, sizeof *st->errv);
        st->errv[0].rel = warden_xstrdup("");
        st->errv[0].err = errno;
        st->n_errv = 1;
        return WARDEN_EIO;
    }
    int n = o->threads;
    if (n <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)c * 2 : 4;
        if (n > 16) n = 16;
        if (n < 2) n = 2;
    }
    struct walker w = {.rootfd = rootfd, .o = o, .st = st};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    w.stack = job_new("", 0, 0);
    w.pending = 1;
    struct worker *ks = warden_xcalloc((size_t)n, sizeof *ks);
    int started = 0;
    for (int i = 0; i < n; i++) {
        ks[i].w = &w;
        ks[i].id = i;
        if (i > 0 && pthread_create(&ks[i].th, NULL, worker_main, &ks[i]) != 0) break;
        started = i + 1;
    }
    worker_main(&ks[0]);
    for (int i = 1; i < started; i++) pthread_join(ks[i].th, NULL);
    for (int i = 0; i < n; i++) {
        st->files += ks[i].st.files;
        st->dirs += ks[i].st.dirs;
        st->links += ks[i].st.links;
        st->other += ks[i].st.other;
        st->vanished += ks[i].st.vanished;
        st->skipped_fs += ks[i].st.skipped_fs;
        st->errors += ks[i].st.errors;
        free(ks[i].buf);
    }
    free(ks);
    pthread_mutex_destroy(&w.mu);
    pthread_cond_destroy(&w.cv);
    close(rootfd);
    return 0;
}

void warden_walk_stats_fini(struct warden_walk_stats *st)
{
    for (size_t i = 0; i < st->n_errv; i++) free(st->errv[i].rel);
    free(st->errv);
    memset(st, 0, sizeof *st);
}
