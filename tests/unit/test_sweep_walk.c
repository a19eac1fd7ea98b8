/* test_sweep_walk.c — the parallel walk under hostile trees.
 *
 * Symlink loops and symlinks out of the root are never followed; a directory
 * that vanishes between listing and opening is counted, not an error; an
 * unreadable directory is recorded and the walk goes on (as root, the test
 * drops to uid 65534 in a child process, since root bypasses permissions);
 * odd bytes in names are walked; the depth bound holds; /proc is skipped; and
 * a tree changing under the walk never crashes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "sweep/walk.h"

static char *tmpdir(void)
{
    char *t = warden_xstrdup("/tmp/warden-sweep-walk-XXXXXX");
    assert_non_null(mkdtemp(t));
    chmod(t, 0755);
    return t;
}

/* Run a shell command with every '@' in tmpl replaced by arg. */
static void sh(const char *tmpl, const char *arg)
{
    size_t n = strlen(tmpl), al = strlen(arg), k = 0;
    char *cmd = warden_xmalloc(n * (al + 1) + 1);
    for (size_t i = 0; i < n; i++) {
        if (tmpl[i] == '@') {
            memcpy(cmd + k, arg, al);
            k += al;
        } else {
            cmd[k++] = tmpl[i];
        }
    }
    cmd[k] = '\0';
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static void touch(const char *dir, const char *name)
{
    char *p = warden_xasprintf("%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    close(fd);
    free(p);
}

struct seen {
    pthread_mutex_t mu;
    char **v;
    size_t n;
};

static enum warden_walk_verdict record(void *ctx, const struct warden_walk_entry *e)
{
    struct seen *s = ctx;
    pthread_mutex_lock(&s->mu);
    s->v = warden_xrealloc(s->v, sizeof *s->v * (s->n + 1));
    s->v[s->n++] = warden_xstrdup(e->rel);
    pthread_mutex_unlock(&s->mu);
    return WARDEN_WALK_CONTINUE;
}

static bool has(struct seen *s, const char *rel)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], rel) == 0) return true;
    return false;
}

static void seen_free(struct seen *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
}

static void symlink_loops_not_followed(void **state)
{
    (void)state;
    char *t = tmpdir();
    sh("mkdir -p @/a/b && ln -s ../.. @/a/b/loop && ln -s / @/escape && ln -s self @/a/self", t);
    touch(t, "a/b/file");
    struct seen s = {PTHREAD_MUTEX_INITIALIZER, NULL, 0};
    struct warden_walk_opts o = {.threads = 4, .entry = record, .ctx = &s};
    struct warden_walk_stats st;
    assert_int_equal(warden_walk(t, &o, &st), 0);
    assert_int_equal(st.dirs, 2);
    assert_int_equal(st.links, 3);
    assert_int_equal(st.files, 1);
    assert_int_equal(st.errors, 0);
    assert_true(has(&s, "a/b/loop"));
    assert_true(has(&s, "escape"));
    for (size_t i = 0; i < s.n; i++) {
        assert_null(strstr(s.v[i], "loop/"));
        assert_null(strstr(s.v[i], "escape/"));
    }
    /* a symlinked directory cannot be opened through the confinement */
    int rootfd = open(t, O_RDONLY | O_DIRECTORY);
    assert_true(warden_walk_open_beneath(rootfd, "escape", O_RDONLY | O_DIRECTORY) < 0);
    assert_true(warden_walk_open_beneath(rootfd, "a/b/loop/a", O_RDONLY | O_DIRECTORY) < 0);
    int fd = warden_walk_open_beneath(rootfd, "a/b", O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    close(fd);
    close(rootfd);
    warden_walk_stats_fini(&st);
    seen_free(&s);
    sh("rm -rf @", t);
    free(t);
}

struct vanish {
    const char *root;
};

static void delete_before_open(void *ctx, const char *rel)
{
    struct vanish *v = ctx;
    if (strcmp(rel, "a/gone") == 0) sh("rm -rf @/a/gone", v->root);
}

static void vanishing_directory_is_not_an_error(void **state)
{
    (void)state;
    char *t = tmpdir();
    sh("mkdir -p @/a/gone/deeper @/a/stays", t);
    touch(t, "a/gone/f1");
    touch(t, "a/stays/f2");
    struct vanish v = {t};
    struct warden_walk_opts o = {.threads = 2, .before_open = delete_before_open, .hook_ctx = &v};
    struct warden_walk_stats st;
    assert_int_equal(warden_walk(t, &o, &st), 0);
    assert_int_equal(st.vanished, 1);
    assert_int_equal(st.errors, 0);
    assert_int_equal(st.files, 1); /* f2; f1 went with its directory */
    warden_walk_stats_fini(&st);
    sh("rm -rf @", t);
    free(t);
}

struct churn {
    const char *root;
    atomic_int stop;
};

static void *churner(void *arg)
{
    struct churn *c = arg;
    char p[512], q[512];
    for (unsigned i = 0; !atomic_load(&c->stop); i++) {
        snprintf(p, sizeof p, "%s/c/d%u", c->root, i % 50);
        snprintf(q, sizeof q, "%s/c/d%u/f", c->root, i % 50);
        if (mkdir(p, 0755) == 0) {
            int fd = open(q, O_WRONLY | O_CREAT, 0644);
            if (fd >= 0) close(fd);
        } else {
            unlink(q);
            rmdir(p);
        }
    }
    return NULL;
}

static void tree_changing_under_the_walk(void **state)
{
    (void)state;
    char *t = tmpdir();
    sh("mkdir -p @/c", t);
    struct churn c = {t, 0};
    pthread_t th;
    pthread_create(&th, NULL, churner, &c);
    for (int i = 0; i < 200; i++) {
        struct warden_walk_opts o = {.threads = 3};
        struct warden_walk_stats st;
        assert_int_equal(warden_walk(t, &o, &st), 0);
        assert_int_equal(st.errors, 0);
        warden_walk_stats_fini(&st);
    }
    atomic_store(&c.stop, 1);
    pthread_join(th, NULL);
    sh("rm -rf @", t);
    free(t);
}

/* Walk t/locked (mode 000) as an unprivileged user; 0 on the expected result. */
static int walk_unprivileged(const char *t)
{
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) return 10;
    struct warden_walk_opts o = {.threads = 2};
    struct warden_walk_stats st;
    if (warden_walk(t, &o, &st) != 0) return 11;
    int rc = 0;
    if (st.errors != 1 || st.n_errv != 1)
        rc = 12;
    else if (strcmp(st.errv[0].rel, "locked") != 0 || st.errv[0].err != EACCES)
        rc = 13;
    else if (st.files != 1)
        rc = 14; /* open/f is still walked */
    warden_walk_stats_fini(&st);
    return rc;
}

static void unreadable_directory_recorded(void **state)
{
    (void)state;
    char *t = tmpdir();
    sh("mkdir -p @/locked/inner @/open", t);
    touch(t, "open/f");
    touch(t, "locked/secret");
    sh("chmod 000 @/locked", t);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) _exit(walk_unprivileged(t));
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 10) {
        sh("chmod 755 @/locked && rm -rf @", t);
        skip(); /* cannot drop privileges here: root would read the directory anyway */
    }
    assert_int_equal(WEXITSTATUS(status), 0);
    sh("chmod 755 @/locked && rm -rf @", t);
    free(t);
}

static void odd_names_and_depth(void **state)
{
    (void)state;
    char *t = tmpdir();
    static const char *const odd[] = {"new\nline",  "\xff\xfe-bytes", "ctl\x01\x1b[31m",
                                      " spaced ",   "-dash",          "\xc3\xbcn\xc3\xaf",
                                      "back\\slash"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) touch(t, odd[i]);
    sh("mkdir -p @/d1/d2/d3/d4", t);
    touch(t, "d1/d2/d3/d4/deep");
    struct seen s = {PTHREAD_MUTEX_INITIALIZER, NULL, 0};
    struct warden_walk_opts o = {.threads = 2, .entry = record, .ctx = &s};
    struct warden_walk_stats st;
    assert_int_equal(warden_walk(t, &o, &st), 0);
    assert_int_equal(st.files, 8);
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) assert_true(has(&s, odd[i]));
    warden_walk_stats_fini(&st);
    seen_free(&s);
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    o.max_depth = 2;
    assert_int_equal(warden_walk(t, &o, &st), 0);
    assert_true(has(&s, "d1/d2"));
    assert_false(has(&s, "d1/d2/d3"));
    warden_walk_stats_fini(&st);
    seen_free(&s);
    sh("rm -rf @", t);
    free(t);
}

static void pseudo_filesystems_skipped(void **state)
{
    (void)state;
    assert_true(warden_walk_pseudo_fs(PROC_SUPER_MAGIC));
    assert_true(warden_walk_pseudo_fs(SYSFS_MAGIC));
    assert_false(warden_walk_pseudo_fs(EXT4_SUPER_MAGIC));
    assert_false(warden_walk_pseudo_fs(TMPFS_MAGIC));
    struct statfs sf;
    if (statfs("/proc", &sf) != 0 || sf.f_type != PROC_SUPER_MAGIC) skip();
    struct warden_walk_opts o = {.threads = 2, .max_depth = 2};
    struct warden_walk_stats st;
    assert_int_equal(warden_walk("/", &o, &st), 0);
    assert_true(st.skipped_fs >= 1);
    warden_walk_stats_fini(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(symlink_loops_not_followed),
        cmocka_unit_test(vanishing_directory_is_not_an_error),
        cmocka_unit_test(tree_changing_under_the_walk),
        cmocka_unit_test(unreadable_directory_recorded),
        cmocka_unit_test(odd_names_and_depth),
        cmocka_unit_test(pseudo_filesystems_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
