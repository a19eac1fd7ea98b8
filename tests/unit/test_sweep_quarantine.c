/* test_sweep_quarantine.c — quarantine and restore leave nothing behind or lost.
 *
 * A fixture home with a banned tool (odd file names, symlinks, unusual modes,
 * another owner, old times) is quarantined and restored in-process; the tree
 * must come back identical (paths, types, modes, owners, sizes, mtimes, link
 * targets and SHA-256 of every file). A read-only quarantine directory must
 * fail cleanly with nothing moved; a quarantine on another filesystem must
 * take the copy-verify-delete path and still round-trip. Mount-based cases
 * skip when mounting is not permitted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/catalogue.h"
#include "sweep/quarantine.h"
#include "sweep/scan.h"
#include "sweep/sweep_policy.h"

/* Run a shell command with every "{}" replaced by arg; returns its status. */
static int sh(const char *tmpl, const char *arg)
{
    size_t n = strlen(tmpl), al = strlen(arg), k = 0;
    char *cmd = warden_xmalloc(n * (al + 1) + 1);
    for (size_t i = 0; i < n; i++) {
        if (tmpl[i] == '{' && tmpl[i + 1] == '}') {
            memcpy(cmd + k, arg, al);
            k += al;
            i++;
        } else {
            cmd[k++] = tmpl[i];
        }
    }
    cmd[k] = '\0';
    int rc = system(cmd);
    free(cmd);
    return rc;
}

static char *snapshot(const char *dir)
{
    char *cmd = warden_xasprintf(
        "cd '%s' && find . -printf '%%p|%%y|%%m|%%U|%%G|%%s|%%T@|%%l\\n' | LC_ALL=C sort && "
        "find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum",
        dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    char tmp[4096];
    size_t r;
    while ((r = fread(tmp, 1, sizeof tmp, p)) > 0) {
        if (len + r + 1 > cap) {
            cap = (len + r + 1) * 2;
            buf = warden_xrealloc(buf, cap);
        }
        memcpy(buf + len, tmp, r);
        len += r;
    }
    assert_int_equal(pclose(p), 0);
    if (!buf) buf = warden_xstrdup("");
    buf[len] = '\0';
    free(cmd);
    return buf;
}

struct fx {
    char *base, *root, *q;
    struct warden_sweep_catalogue *c;
    struct warden_sweep_policy *p;
};

static int setup(void **state)
{
    struct fx *f = warden_xcalloc(1, sizeof *f);
    f->base = warden_xstrdup("/tmp/warden-sweep-q-XXXXXX");
    assert_non_null(mkdtemp(f->base));
    f->root = warden_xasprintf("%s/root", f->base);
    f->q = warden_xasprintf("%s/quarantine", f->base);
    const char *mk =
        "set -e; r={}/root; h=$r/home/alice; mkdir -p $h/.claude/projects/\"we ird\" "
        "$h/.npm/lib/node_modules/@anthropic-ai/claude-code/bin $h/.local/bin $h/keep;"
        "printf '{\"name\":\"@anthropic-ai/claude-code\",\"version\":\"1.0.99\"}' > "
        "$h/.npm/lib/node_modules/@anthropic-ai/claude-code/package.json;"
        "printf '#!/bin/sh\\necho claude\\n' > "
        "$h/.npm/lib/node_modules/@anthropic-ai/claude-code/bin/c;"
        "ln -s ../lib/node_modules/@anthropic-ai/claude-code/bin/c $h/.local/bin/claude;"
        "printf '{\"token\":\"s3cr3t\"}' > $h/.claude/.credentials.json; chmod 600 "
        "$h/.claude/.credentials.json;"
        "printf 'x' > \"$h/.claude/projects/we ird/$(printf 'odd\\001\\377name')\";"
        "printf 'line\\n' > \"$h/.claude/projects/we ird/new\nline\";"
        "ln -s /etc/passwd $h/.claude/outside-link;"
        "printf '{}' > $h/.claude.json; echo keep > $h/keep/file;"
        "chown -R 1000:1000 $h; touch -h -d '2020-01-02 03:04:05' $h/.claude.json "
        "$h/.local/bin/claude $h/.claude/projects;"
        "chmod 4755 $h/.npm/lib/node_modules/@anthropic-ai/claude-code/bin/c;";
    assert_int_equal(sh(mk, f->base), 0);
    char err[512];
    assert_int_equal(warden_sweep_catalogue_load(&f->c, NULL, "linux", err, sizeof err), 0);
    assert_int_equal(warden_sweep_policy_load(&f->p, NULL, err, sizeof err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    sh("umount {}/quarantine 2>/dev/null; rm -rf {}", f->base);
    warden_sweep_catalogue_free(f->c);
    warden_sweep_policy_free(f->p);
    free(f->base);
    free(f->root);
    free(f->q);
    free(f);
    return 0;
}

static struct warden_sweep_result *sweep(struct fx *f)
{
    struct warden_sweep_opts so = {.root = f->root, .skip_abs = f->q};
    struct warden_sweep_result *r;
    char err[512];
    int rc = warden_sweep_run(f->c, &so, &r, err, sizeof err);
    if (rc) fail_msg("%s", err);
    return r;
}

static void round_trip(struct fx *f)
{
    char *before = snapshot(f->root);
    struct warden_sweep_result *r = sweep(f);
    assert_true(r->n_items >= 4);
    char err[512] = "";
    FILE *log = fopen("/dev/null", "w");
    int rc = warden_sweep_quarantine(r, f->c, f->p, f->q, log, err, sizeof err);
    if (rc) fail_msg("quarantine: %s", err);
    warden_sweep_result_free(r);
    /* gone (the binary replaced by a refusing wrapper), the rest untouched */
    char *p = warden_xasprintf("%s/home/alice/.claude", f->root);
    assert_int_equal(access(p, F_OK), -1);
    free(p);
    p = warden_xasprintf("%s/home/alice/keep/file", f->root);
    assert_int_equal(access(p, F_OK), 0);
    free(p);
    p = warden_xasprintf("%s/home/alice/.local/bin/claude", f->root);
    char *run = warden_xasprintf("%s 2>/dev/null", p);
    int st = system(run);
    free(run);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 126);
    free(p);
    /* the disabling managed settings were written where none existed */
    p = warden_xasprintf("%s/etc/claude-code/managed-settings.json", f->root);
    assert_int_equal(access(p, F_OK), 0);
    free(p);
    r = sweep(f);
    assert_int_equal(r->n_items, 0); /* the policy file is the tool disabled, not a finding */
    warden_sweep_result_free(r);
    char *m = warden_xasprintf("%s/manifest.json", f->q);
    rc = warden_sweep_restore(m, log, err, sizeof err);
    if (rc) fail_msg("restore: %s", err);
    char *after = snapshot(f->root);
    assert_string_equal(before, after);
    /* a second restore is a no-op */
    assert_int_equal(warden_sweep_restore(m, log, err, sizeof err), 0);
    fclose(log);
    free(m);
    free(before);
    free(after);
}

static void quarantine_restore_identical(void **state)
{
    round_trip(*state);
}

static void quarantine_across_filesystems(void **state)
{
    struct fx *f = *state;
    if (sh("mkdir -p {}/quarantine && mount -t tmpfs -o size=64m,mode=0700 tmpfs {}/quarantine "
           "2>/dev/null",
           f->base) != 0) {
        fprintf(stderr, "skip: cannot mount a tmpfs here (not permitted)\n");
        skip();
    }
    round_trip(f);
}

static void read_only_quarantine_loses_nothing(void **state)
{
    struct fx *f = *state;
    if (sh("mkdir -p {}/quarantine && mount -t tmpfs -o ro,size=1m,mode=0700 tmpfs {}/quarantine "
           "2>/dev/null",
           f->base) != 0) {
        fprintf(stderr, "skip: cannot mount a read-only tmpfs here (not permitted)\n");
        skip();
    }
    char *before = snapshot(f->root);
    struct warden_sweep_result *r = sweep(f);
    char err[512] = "";
    FILE *log = fopen("/dev/null", "w");
    int rc = warden_sweep_quarantine(r, f->c, f->p, f->q, log, err, sizeof err);
    fclose(log);
    assert_int_equal(rc, WARDEN_EIO);
    assert_non_null(strstr(err, "nothing was moved"));
    assert_non_null(strstr(err, "Read-only"));
    char *after = snapshot(f->root);
    assert_string_equal(before, after);
    warden_sweep_result_free(r);
    free(before);
    free(after);
}

static void restore_refuses_to_overwrite(void **state)
{
    struct fx *f = *state;
    struct warden_sweep_result *r = sweep(f);
    char err[512] = "";
    FILE *log = fopen("/dev/null", "w");
    assert_int_equal(warden_sweep_quarantine(r, f->c, f->p, f->q, log, err, sizeof err), 0);
    warden_sweep_result_free(r);
    /* a new file where a quarantined one was; a second quarantine into the
     * same directory is refused */
    assert_int_equal(sh("echo new > {}/root/home/alice/.claude.json", f->base), 0);
    r = sweep(f);
    assert_true(r->n_items >= 1);
    assert_int_equal(warden_sweep_quarantine(r, f->c, f->p, f->q, log, err, sizeof err),
                     WARDEN_EEXIST);
    assert_non_null(strstr(err, "already holds a quarantine"));
    warden_sweep_result_free(r);
    char *m = warden_xasprintf("%s/manifest.json", f->q);
    assert_int_equal(warden_sweep_restore(m, log, err, sizeof err), WARDEN_EEXIST);
    assert_non_null(strstr(err, ".claude.json"));
    /* the new file is untouched; the rest came back */
    assert_int_equal(sh("grep -q new {}/root/home/alice/.claude.json && test -f "
                        "{}/root/home/alice/.claude/.credentials.json",
                        f->base),
                     0);
    fclose(log);
    free(m);
}

static void restore_refuses_tampered_copy(void **state)
{
    struct fx *f = *state;
    struct warden_sweep_result *r = sweep(f);
    char err[512] = "";
    FILE *log = fopen("/dev/null", "w");
    assert_int_equal(warden_sweep_quarantine(r, f->c, f->p, f->q, log, err, sizeof err), 0);
    warden_sweep_result_free(r);
    /* change one byte of the quarantined credentials file */
    assert_int_equal(sh("f=$(grep -l s3cr3t -r {}/quarantine/data); printf X | dd of=\"$f\" "
                        "bs=1 seek=2 conv=notrunc 2>/dev/null",
                        f->base),
                     0);
    char *m = warden_xasprintf("%s/manifest.json", f->q);
    assert_int_equal(warden_sweep_restore(m, log, err, sizeof err), WARDEN_EIO);
    assert_non_null(strstr(err, "SHA-256"));
    /* the tampered item stayed in quarantine; the others came back */
    assert_int_equal(sh("test ! -e {}/root/home/alice/.claude && test -f "
                        "{}/root/home/alice/.claude.json",
                        f->base),
                     0);
    fclose(log);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(quarantine_restore_identical, setup, teardown),
        cmocka_unit_test_setup_teardown(quarantine_across_filesystems, setup, teardown),
        cmocka_unit_test_setup_teardown(read_only_quarantine_loses_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(restore_refuses_to_overwrite, setup, teardown),
        cmocka_unit_test_setup_teardown(restore_refuses_tampered_copy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
