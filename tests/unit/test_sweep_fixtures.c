/* test_sweep_fixtures.c — every catalogue footprint path, on every OS, is found.
 *
 * For each tool, footprint and path pattern of the shipped catalogue, builds a
 * fresh fixture tree holding one thing that satisfies the footprint's verify
 * rules at that path (wildcards filled in), runs the sweep in-process and
 * checks that the tool is reported at exactly that path. A catalogue edit that
 * breaks matching or verification fails here. Also covers env files, and
 * footprints appearing and vanishing while the sweep looks at them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "sweep/catalogue.h"
#include "sweep/scan.h"

static void mkdirs(const char *path)
{
    char *p = warden_xstrdup(path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    mkdir(p, 0755);
    free(p);
}

static void parent_dirs(const char *path)
{
    char *p = warden_xstrdup(path);
    char *s = strrchr(p, '/');
    if (s) {
        *s = '\0';
        mkdirs(p);
    }
    free(p);
}

static void put(const char *path, const void *data, size_t n)
{
    parent_dirs(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

/* Replace each '*' with rep (and drop other glob syntax, absent in the catalogue). */
static char *fill(const char *glob, const char *rep)
{
    size_t n = strlen(glob), rl = strlen(rep);
    char *o = warden_xmalloc(n * (rl + 1) + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (glob[i] == '*') {
            memcpy(o + k, rep, rl);
            k += rl;
        } else {
            o[k++] = glob[i];
        }
    }
    o[k] = '\0';
    return o;
}

static void rm_rf(const char *p)
{
    char *cmd = warden_xasprintf("rm -rf '%s'", p);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* Build the fixture for one footprint path; returns the expected rel path. */
static char *build(const char *root, const struct warden_sweep_footprint *f, const char *pat)
{
    char *rel;
    char *g = fill(pat[0] == '~' ? pat + 2 : pat[0] == '*' ? pat + 3 : pat + 1, "1.0.0");
    if (pat[0] == '~')
        rel = warden_xasprintf("home/alice/%s", g);
    else if (pat[0] == '*')
        rel = warden_xasprintf("opt/proj/%s", g);
    else
        rel = warden_xstrdup(g);
    free(g);
    char *abs = warden_xasprintf("%s/%s", root, rel);
    char *home = warden_xasprintf("%s/home/alice", root);
    mkdirs(home);
    free(home);
    unsigned m = f->magic;
    if (f->package_json) {
        mkdirs(abs);
        char *name = fill(f->package_json, "1.0.0");
        char *pj = warden_xasprintf("%s/package.json", abs);
        char *txt = warden_xasprintf("{\"name\": \"%s\", \"version\": \"9.8.7\"}", name);
        put(pj, txt, strlen(txt));
        free(name);
        free(pj);
        free(txt);
    } else if (f->link_target) {
        parent_dirs(abs);
        char *t = fill(f->link_target, "x");
        assert_int_equal(symlink(t, abs), 0);
        free(t);
    } else if (m & WARDEN_SWEEP_MAGIC_DIR) {
        mkdirs(abs);
        char *in = warden_xasprintf("%s/inside.txt", abs);
        put(in, "hello\n", 6);
        free(in);
    } else if (m & WARDEN_SWEEP_MAGIC_ELF) {
        put(abs,
            "\x7f"
            "ELF\2\1\1\0\0\0\0\0\0\0\0\0",
            16);
    } else if (m & WARDEN_SWEEP_MAGIC_SCRIPT) {
        put(abs, "#!/bin/sh\nexit 0\n", 17);
    } else if (m & WARDEN_SWEEP_MAGIC_JSON) {
        put(abs, "{\"a\": 1}\n", 9);
    } else if (m & WARDEN_SWEEP_MAGIC_GGUF) {
        put(abs, "GGUF\3\0\0\0", 8);
    } else if (m & WARDEN_SWEEP_MAGIC_MACHO) {
        put(abs, "\xcf\xfa\xed\xfe\7\0\0\1", 8);
    } else if (m & WARDEN_SWEEP_MAGIC_PE) {
        put(abs, "MZ\x90\0", 4);
    } else if (m & WARDEN_SWEEP_MAGIC_SYMLINK) {
        parent_dirs(abs);
        assert_int_equal(symlink("somewhere", abs), 0);
    } else {
        put(abs, "x\n", 2); /* credentials and plain files */
    }
    free(abs);
    return rel;
}

static void every_footprint(void **state)
{
    (void)state;
    static const char *const oses[] = {"linux", "macos", "windows"};
    char tmpl[] = "/tmp/warden-sweep-fx-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    size_t cases = 0;
    for (int o = 0; o < 3; o++) {
        struct warden_sweep_catalogue *c;
        char err[512];
        int rc = warden_sweep_catalogue_load(&c, NULL, oses[o], err, sizeof err);
        if (rc) fail_msg("catalogue: %s", err);
        for (size_t t = 0; t < c->n_tools; t++)
            for (size_t fi = 0; fi < c->tools[t].n_fps; fi++) {
                const struct warden_sweep_footprint *f = &c->tools[t].fps[fi];
                for (size_t k = 0; k < f->paths.n; k++) {
                    char *root = warden_xasprintf("%s/case%zu", tmpl, cases++);
                    mkdirs(root);
                    char *rel = build(root, f, f->paths.v[k]);
                    struct warden_sweep_opts so = {.root = root, .threads = 2};
                    struct warden_sweep_result *r;
                    rc = warden_sweep_run(c, &so, &r, err, sizeof err);
                    if (rc) fail_msg("sweep: %s", err);
                    bool found = false;
                    for (size_t i = 0; i < r->n_items; i++)
                        if ((int)t == r->items[i].tool && strcmp(r->items[i].rel, rel) == 0)
                            found = true;
                    if (!found)
                        fail_msg("%s: tool %s footprint %zu (%s) path '%s' not found at /%s",
                                 oses[o], c->tools[t].id, fi, warden_sweep_kind_name(f->kind),
                                 f->paths.v[k], rel);
                    warden_sweep_result_free(r);
                    rm_rf(root);
                    free(root);
                    free(rel);
                }
            }
        warden_sweep_catalogue_free(c);
    }
    assert_true(cases > 100);
    rm_rf(tmpl);
}

static void env_files_name_variables_only(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/warden-sweep-env-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *p = warden_xasprintf("%s/home/alice/.zshrc", tmpl);
    const char *txt = "# my shell\nexport ANTHROPIC_API_KEY=\"sk-ant-secret-value\"\n"
                      "  OPENAI_API_KEY=sk-secret\nsetenv GEMINI_API_KEY abc\n"
                      "echo ANTHROPIC_API_KEY=not-an-assignment-here\nHF_TOKENX=1\n";
    put(p, txt, strlen(txt));
    char *q = warden_xasprintf("%s/srv/app/.env", tmpl);
    put(q, "HF_TOKEN=hf_secret\n", 19);
    struct warden_sweep_catalogue *c;
    char err[512];
    assert_int_equal(warden_sweep_catalogue_load(&c, NULL, "linux", err, sizeof err), 0);
    struct warden_sweep_opts so = {.root = tmpl};
    struct warden_sweep_result *r;
    assert_int_equal(warden_sweep_run(c, &so, &r, err, sizeof err), 0);
    int seen = 0;
    for (size_t i = 0; i < r->n_items; i++) {
        const struct warden_sweep_item *it = &r->items[i];
        assert_int_equal(it->kind, WARDEN_SWEEP_ENV);
        for (size_t e = 0; e < it->n_env; e++) {
            const char *v = it->env[e].var;
            assert_null(strstr(v, "secret"));
            if (strcmp(v, "ANTHROPIC_API_KEY") == 0)
                assert_int_equal(it->env[e].line, 2), seen |= 1;
            if (strcmp(v, "OPENAI_API_KEY") == 0) assert_int_equal(it->env[e].line, 3), seen |= 2;
            if (strcmp(v, "GEMINI_API_KEY") == 0) assert_int_equal(it->env[e].line, 4), seen |= 4;
            if (strcmp(v, "HF_TOKEN") == 0) {
                assert_string_equal(it->rel, "srv/app/.env");
                assert_int_equal(it->user, -1);
                seen |= 8;
            }
        }
    }
    assert_int_equal(seen, 15);
    warden_sweep_result_free(r);
    warden_sweep_catalogue_free(c);
    rm_rf(tmpl);
    free(p);
    free(q);
}

struct churn {
    const char *home;
    atomic_int stop;
};

/* Create and delete footprints (a config dir with files, a config file, an
 * env file) as fast as possible. */
static void *churner(void *arg)
{
    struct churn *c = arg;
    char d[512], f[512], j[512], e[512];
    snprintf(d, sizeof d, "%s/.claude", c->home);
    snprintf(f, sizeof f, "%s/.claude/.credentials.json", c->home);
    snprintf(j, sizeof j, "%s/.claude.json", c->home);
    snprintf(e, sizeof e, "%s/.bashrc", c->home);
    for (unsigned i = 0; !atomic_load(&c->stop); i++) {
        if (i % 2 == 0) {
            mkdir(d, 0755);
            int fd = open(f, O_WRONLY | O_CREAT, 0600);
            if (fd >= 0) close(fd);
            fd = open(j, O_WRONLY | O_CREAT, 0644);
            if (fd >= 0) {
                if (write(fd, "{}", 2) != 2) {
                }
                close(fd);
            }
            fd = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) {
                if (write(fd, "export ANTHROPIC_API_KEY=x\n", 27) != 27) {
                }
                close(fd);
            }
        } else {
            unlink(f);
            rmdir(d);
            unlink(j);
            unlink(e);
        }
    }
    return NULL;
}

static void footprints_vanishing_mid_sweep(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/warden-sweep-churn-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *home = warden_xasprintf("%s/home/alice", tmpl);
    mkdirs(home);
    struct warden_sweep_catalogue *c;
    char err[512];
    assert_int_equal(warden_sweep_catalogue_load(&c, NULL, "linux", err, sizeof err), 0);
    struct churn ch = {home, 0};
    pthread_t th;
    pthread_create(&th, NULL, churner, &ch);
    size_t seen = 0;
    for (int i = 0; i < 300; i++) {
        struct warden_sweep_opts so = {.root = tmpl, .threads = 2};
        struct warden_sweep_result *r;
        assert_int_equal(warden_sweep_run(c, &so, &r, err, sizeof err), 0);
        assert_int_equal(r->walk.errors, 0);
        for (size_t k = 0; k < r->n_items; k++) {
            assert_int_equal(r->items[k].tool, warden_sweep_catalogue_find(c, "claude-code"));
            seen++;
        }
        warden_sweep_result_free(r);
    }
    atomic_store(&ch.stop, 1);
    pthread_join(th, NULL);
    assert_true(seen > 0); /* the footprints were seen at least some of the time */
    warden_sweep_catalogue_free(c);
    rm_rf(tmpl);
    free(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_footprint),
        cmocka_unit_test(env_files_name_variables_only),
        cmocka_unit_test(footprints_vanishing_mid_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
