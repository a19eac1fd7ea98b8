/* test_sweep_restore_hostile.c — `warden sweep --restore` runs as root and
 * must not be turned against the machine, by a manifest or by a racing user.
 *
 * Each case quarantines a fixture home in a temporary tree, then attacks the
 * restore the way an independent probe did: an item whose path is outside the
 * root, with a set-uid root mode; an entry of type 'o' that is a symlink to a
 * root-owned file; created_files naming an unrelated file, directory and top
 * parent; an entry path of "../.."; a set-uid mode for an item inside the
 * root; a manifest writable by others or owned by another user; a manifest
 * edited without its key; and, with no tampering at all, a user (uid 65534)
 * who swaps a restored directory for a symlink to a root-owned 0600 file while
 * restore runs. Hostile manifests are re-signed with the quarantine's key
 * (when it has one), so that every field check is exercised on its own; the
 * MAC is computed here independently (HMAC-SHA256 over jansson's compact,
 * key-sorted form without "mac"). Every victim lives in the temporary tree,
 * and each case asserts it is unchanged. Interrupted quarantines and restores
 * (states a kill -9 leaves) must be completed by one restore; the disabling
 * policy file must stay until its tool's items are back; an item whose
 * metadata cannot be applied (an immutable file) is not reported restored.
 * Everything runs twice: with openat2, and with the component-by-component
 * fallback used where the kernel lacks it (WARDEN_NO_OPENAT2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/catalogue.h"
#include "sweep/quarantine.h"
#include "sweep/scan.h"
#include "core/sha256.h"
#include "sweep/sweep_policy.h"

struct hx {
    char *base, *root, *q, *manifest, *victim;
    struct warden_sweep_catalogue *c;
    struct warden_sweep_policy *p;
    FILE *log;
};

/* Run the shell command fmt (printf-style). */
static int shf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int shf(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void quarantine(struct hx *h)
{
    struct warden_sweep_opts so = {.root = h->root, .skip_abs = h->q};
    struct warden_sweep_result *r;
    char err[512] = "";
    if (warden_sweep_run(h->c, &so, &r, err, sizeof err)) fail_msg("sweep: %s", err);
    if (warden_sweep_quarantine(r, h->c, h->p, h->q, h->log, err, sizeof err))
        fail_msg("quarantine: %s", err);
    warden_sweep_result_free(r);
}

/* A home for `owner` with a banned tool's directory (nfiles files in it) and
 * a root-owned 0600 victim file next to the root. */
static struct hx *fixture(const char *owner, int nfiles, int dirmode)
{
    struct hx *h = warden_xcalloc(1, sizeof *h);
    h->base = warden_xstrdup("/tmp/warden-hostile-XXXXXX");
    assert_non_null(mkdtemp(h->base));
    h->root = warden_xasprintf("%s/root", h->base);
    h->q = warden_xasprintf("%s/quarantine", h->base);
    h->manifest = warden_xasprintf("%s/manifest.json", h->q);
    h->victim = warden_xasprintf("%s/victim", h->base);
    assert_int_equal(
        shf("set -e; b=%s; chmod 755 $b; u=%s; d=$b/root/home/$u; mkdir -p $d/.claude/sub "
            "$b/root/etc $b/emptydir; chmod 755 $b/root $b/root/home;"
            "echo secret > $b/victim; chmod 600 $b/victim; echo other > $b/other;"
            "printf '{}' > $d/.claude/settings.json; echo b > $d/.claude/sub/b;"
            "ln -s $b/victim $d/.claude/link; echo keep > $d/keep; printf '{}' > $d/.claude.json;"
            "i=0; while [ $i -lt %d ]; do : > $d/.claude/sub/f$i; i=$((i+1)); done;"
            "chown -R %s $d; chmod %o $d/.claude",
            h->base, owner, nfiles, strcmp(owner, "nobody") == 0 ? "65534:65534" : "1000:1000",
            (unsigned)dirmode),
        0);
    char err[512];
    assert_int_equal(warden_sweep_catalogue_load(&h->c, NULL, "linux", err, sizeof err), 0);
    assert_int_equal(warden_sweep_policy_load(&h->p, NULL, err, sizeof err), 0);
    h->log = fopen("/dev/null", "w");
    quarantine(h);
    return h;
}

static int teardown(void **state)
{
    struct hx *h = *state;
    if (!h) return 0;
    shf("chattr -R -i %s 2>/dev/null; umount %s/quarantine 2>/dev/null; rm -rf %s", h->base,
        h->base, h->base);
    warden_sweep_catalogue_free(h->c);
    warden_sweep_policy_free(h->p);
    fclose(h->log);
    free(h->base);
    free(h->root);
    free(h->q);
    free(h->manifest);
    free(h->victim);
    free(h);
    return 0;
}

static json_t *load(struct hx *h)
{
    json_error_t je;
    json_t *m = json_load_file(h->manifest, 0, &je);
    if (!m) fail_msg("%s", je.text);
    return m;
}

static char *hexs(const char *s)
{
    char *o = warden_xmalloc(strlen(s) * 2 + 1);
    for (size_t i = 0; s[i]; i++) sprintf(o + 2 * i, "%02x", (unsigned char)s[i]);
    o[strlen(s) * 2] = '\0';
    return o;
}

static void unhex32(const char *hex, unsigned char out[32])
{
    for (int i = 0; i < 32; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
}

/* HMAC-SHA256 (RFC 2104) from the plain SHA-256, independently of mac.c. */
static void hmac(const unsigned char key[32], const char *msg, char hex[65])
{
    unsigned char pad[64], inner[32];
    char ih[65];
    struct warden_sha256 s;
    memset(pad, 0x36, sizeof pad);
    for (int i = 0; i < 32; i++) pad[i] ^= key[i];
    warden_sha256_init(&s);
    warden_sha256_update(&s, pad, 64);
    warden_sha256_update(&s, msg, strlen(msg));
    warden_sha256_hex(&s, ih);
    unhex32(ih, inner);
    memset(pad, 0x5c, sizeof pad);
    for (int i = 0; i < 32; i++) pad[i] ^= key[i];
    warden_sha256_init(&s);
    warden_sha256_update(&s, pad, 64);
    warden_sha256_update(&s, inner, 32);
    warden_sha256_hex(&s, hex);
}

/* Write m back as the manifest (0600), re-signed with the quarantine's key
 * when there is one (resign), else with its "mac" as it was. */
static void save(struct hx *h, json_t *m, bool resign)
{
    char *kp = warden_xasprintf("%s/.warden-key", h->q);
    int fd = open(kp, O_RDONLY);
    free(kp);
    unsigned char key[32];
    if (resign && fd >= 0 && read(fd, key, 32) == 32) {
        json_t *c = json_copy(m);
        json_object_del(c, "mac");
        char *txt = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
        char mac[65];
        hmac(key, txt, mac);
        free(txt);
        json_decref(c);
        json_object_set_new(m, "mac", json_string(mac));
    }
    if (fd >= 0) close(fd);
    assert_int_equal(json_dump_file(m, h->manifest, JSON_INDENT(1) | JSON_PRESERVE_ORDER), 0);
    chmod(h->manifest, 0600);
    json_decref(m);
}

static int restore(struct hx *h, char *err, size_t errlen)
{
    err[0] = '\0';
    return warden_sweep_restore(h->manifest, h->log, err, errlen);
}

/* The item of the manifest whose path ends in suffix. */
static json_t *item(json_t *m, const char *suffix)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(m, "items"), i, o)
    {
        const char *p = json_string_value(json_object_get(o, "path"));
        size_t pl = strlen(p), sl = strlen(suffix);
        if (pl >= sl && strcmp(p + pl - sl, suffix) == 0) return o;
    }
    fail_msg("no item ending in %s", suffix);
    return NULL;
}

static json_t *entry(json_t *it, const char *sub)
{
    char *sh = hexs(sub);
    size_t i;
    json_t *e, *hit = NULL;
    json_array_foreach(json_object_get(it, "entries"), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "sub_hex")), sh) == 0) hit = e;
    }
    free(sh);
    if (!hit) fail_msg("no entry %s", sub);
    return hit;
}

static void assert_victim_intact(struct hx *h)
{
    struct stat sb;
    assert_int_equal(lstat(h->victim, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    if ((sb.st_mode & 07777) != 0600 || sb.st_uid != 0)
        fail_msg("victim changed: mode %o uid %ld", sb.st_mode & 07777, (long)sb.st_uid);
    assert_int_equal(shf("grep -qx secret %s", h->victim), 0);
}

/* After the damage checks: the refusal names the reason. */
static void reason(const char *err, const char *want)
{
    if (!strstr(err, want)) fail_msg("'%s' lacks '%s'", err, want);
}

static bool exists(const char *dir, const char *leaf)
{
    char *p = warden_xasprintf("%s/%s", dir, leaf);
    struct stat sb;
    bool e = lstat(p, &sb) == 0;
    free(p);
    return e;
}

/* An item moved to an absolute path outside the root, set-uid, world-
 * writable and root-owned. */
static void target_outside_root(void **state)
{
    struct hx *h = *state = fixture("alice", 2, 0755);
    json_t *m = load(h);
    json_t *it = item(m, "/.claude.json");
    char *out = warden_xasprintf("%s/outside", h->base);
    char *oh = hexs(out);
    json_object_set_new(it, "path_hex", json_string(oh));
    json_t *e = entry(it, "");
    json_object_set_new(e, "mode", json_integer(0104777));
    json_object_set_new(e, "uid", json_integer(0));
    save(h, m, true);
    char err[512];
    assert_true(restore(h, err, sizeof err) != 0);
    assert_false(exists(h->base, "outside"));
    reason(err, "not strictly beneath the root");
    free(out);
    free(oh);
}

/* An entry of type 'o' that is a symlink to a root-owned file. */
static void other_type_symlink(void **state)
{
    struct hx *h = *state = fixture("alice", 2, 0755);
    json_t *m = load(h);
    json_t *e = entry(item(m, "/.claude"), "link");
    json_object_set_new(e, "type", json_string("o"));
    json_object_set_new(e, "mode", json_integer(S_IFCHR | 06777));
    json_object_del(e, "target_hex");
    save(h, m, true);
    char err[512];
    assert_true(restore(h, err, sizeof err) != 0);
    assert_victim_intact(h);
    reason(err, "changed type");
}

/* created_files naming an unrelated file (with its SHA-256), an empty
 * directory and a top parent outside the root. */
static void created_files_outside(void **state)
{
    struct hx *h = *state = fixture("alice", 2, 0755);
    json_t *m = load(h);
    char *other = warden_xasprintf("%s/other", h->base),
         *empty = warden_xasprintf("%s/emptydir", h->base);
    char *oh = hexs(other), *eh = hexs(empty), *bh = hexs(h->base);
    /* its real digest, so that only the path checks can refuse it */
    char *cmd = warden_xasprintf("sha256sum %s | cut -c1-64", other);
    FILE *p = popen(cmd, "r");
    char dig[65] = "";
    assert_non_null(fgets(dig, sizeof dig, p));
    pclose(p);
    free(cmd);
    json_t *cf =
        json_pack("{s:s,s:s,s:s,s:[s],s:s,s:I,s:I}", "path_hex", oh, "sha256", dig, "tool",
                  "claude-code", "dirs_hex", eh, "top_parent_hex", bh, "top_parent_atime_ns",
                  (json_int_t)1000000000, "top_parent_mtime_ns", (json_int_t)1000000000);
    json_array_append_new(json_object_get(m, "created_files"), cf);
    save(h, m, true);
    struct stat before;
    assert_int_equal(stat(h->base, &before), 0);
    char err[512];
    assert_true(restore(h, err, sizeof err) != 0);
    assert_true(exists(h->base, "other"));
    assert_true(exists(h->base, "emptydir"));
    struct stat after;
    assert_int_equal(stat(h->base, &after), 0);
    assert_true(after.st_mtim.tv_sec != 1);
    reason(err, "needs a path beneath the root");
    free(other);
    free(empty);
    free(oh);
    free(eh);
    free(bh);
}

/* An entry path of "../.." (two levels above the item: the root's home). */
static void entry_path_escapes(void **state)
{
    struct hx *h = *state = fixture("alice", 2, 0755);
    json_t *m = load(h);
    json_t *e = entry(item(m, "/.claude"), "sub");
    char *dd = hexs("../..");
    json_object_set_new(e, "sub_hex", json_string(dd));
    json_object_set_new(e, "mode", json_integer(S_IFDIR | 0777));
    free(dd);
    save(h, m, true);
    char err[512];
    assert_true(restore(h, err, sizeof err) != 0);
    struct stat sb;
    char *home = warden_xasprintf("%s/home", h->root);
    assert_int_equal(stat(home, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0755);
    free(home);
    reason(err, "not clean");
}

/* A set-uid root mode for an item inside the root: the quarantined copy
 * does not have it, so the manifest is lying. */
static void setuid_mode_inside_root(void **state)
{
    struct hx *h = *state = fixture("alice", 2, 0755);
    json_t *m = load(h);
    json_t *e = entry(item(m, "/.claude.json"), "");
    json_object_set_new(e, "mode", json_integer(0104777));
    json_object_set_new(e, "uid", json_integer(0));
    save(h, m, true);
    char err[512];
    assert_true(restore(h, err, sizeof err) != 0);
    char *p = warden_xasprintf("%s/home/alice/.claude.json", h->root);
    struct stat sb;
    if (stat(p, &sb) == 0 && ((sb.st_mode & 06000) || sb.st_uid == 0))
        fail_msg("restored with mode %o uid %ld", sb.st_mode & 07777, (long)sb.st_uid);
    free(p);
    reason(err, "differs from the manifest");
}

/* A manifest writable by others, or owned by another user, is refused; one
 * edited without the key is refused. */
static void manifest_trust(void **state)
{
    struct hx *h = *state = fixture("alice", 2, 0755);
    char err[512];
    chmod(h->manifest, 0666);
    assert_true(restore(h, err, sizeof err) != 0);
    assert_false(exists(h->root, "home/alice/.claude"));
    reason(err, "writable by others");
    chmod(h->manifest, 0600);
    assert_int_equal(chown(h->manifest, 65534, 65534), 0);
    assert_true(restore(h, err, sizeof err) != 0);
    assert_false(exists(h->root, "home/alice/.claude"));
    reason(err, "owned by uid 65534");
    assert_int_equal(chown(h->manifest, 0, 0), 0);
    /* edited, not re-signed: a state flipped and a mode widened */
    json_t *m = load(h);
    json_object_set_new(entry(item(m, "/.claude"), "sub"), "mode", json_integer(S_IFDIR | 0777));
    save(h, m, false);
    assert_true(restore(h, err, sizeof err) != 0);
    assert_false(exists(h->root, "home/alice/.claude"));
    reason(err, "modified since the quarantine wrote it");
}

/* No tampering: uid 65534 owns the quarantined directory and swaps it for a
 * symlink to a root-owned 0600 file as soon as restore puts it back. */
static void symlink_swap_race(void **state)
{
    struct hx *h = *state = fixture("nobody", 3000, 0777);
    char *home = warden_xasprintf("%s/home/nobody", h->root);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
        if (chdir(home) != 0) _exit(4);
        alarm(60);
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) { /* bounded: until it has won once, or 30 s */
            if (rename(".claude", ".claude.moved") == 0) {
                if (symlink(h->victim, ".claude") != 0) _exit(5);
                _exit(0);
            }
            clock_gettime(CLOCK_MONOTONIC, &t);
            if (t.tv_sec - t0.tv_sec > 30) _exit(6);
        }
    }
    char err[512];
    restore(h, err, sizeof err); /* may fail: the user moved things */
    int st;
    if (waitpid(pid, &st, WNOHANG) == 0) {
        usleep(200000);
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
    }
    assert_victim_intact(h);
    /* the attack did happen: the user won the swap */
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    free(home);
}

/* The id of the ~/.claude item; its state set (and the manifest re-signed)
 * when state is not NULL. */
static long claude_item(struct hx *h, const char *state)
{
    json_t *m = load(h);
    json_t *it = item(m, "/.claude");
    long id = (long)json_integer_value(json_object_get(it, "id"));
    if (!state) {
        json_decref(m);
        return id;
    }
    json_object_set_new(it, "state", json_string(state));
    save(h, m, true);
    return id;
}

/* States an interrupted (kill -9) quarantine leaves, completed by one restore. */
static void interrupted_quarantine_completed(void **state)
{
    struct hx *h = *state = fixture("alice", 3, 0755);
    char *d = warden_xasprintf("%s/home/alice", h->root);
    /* the copy was complete and the deletion of the original had begun: the
     * item is still "pending"; part of the original is left */
    long id = claude_item(h, "pending");
    assert_int_equal(shf("set -e; mkdir %s/.claude; cp -a %s/data/%ld/sub %s/.claude/; chown "
                         "1000:1000 %s/.claude",
                         d, h->q, id, d, d),
                     0);
    char err[512];
    if (restore(h, err, sizeof err)) fail_msg("restore: %s", err);
    assert_int_equal(shf("test -f %s/.claude/settings.json && test -L %s/.claude/link && test -f "
                         "%s/.claude/sub/b",
                         d, d, d),
                     0);
    free(d);
}

/* The copy was interrupted: the original is intact and the partial copy goes. */
static void interrupted_copy_undone(void **state)
{
    struct hx *h = *state = fixture("alice", 3, 0755);
    char *d = warden_xasprintf("%s/home/alice", h->root);
    long id = claude_item(h, "pending");
    assert_int_equal(shf("set -e; cp -a %s/data/%ld %s/.claude; rm -f %s/data/%ld/settings.json",
                         h->q, id, d, h->q, id),
                     0);
    char err[512];
    if (restore(h, err, sizeof err)) fail_msg("restore: %s", err);
    assert_int_equal(shf("test -f %s/.claude/settings.json && test ! -e %s/data/%ld", d, h->q, id),
                     0);
    free(d);
}

/* A restore killed after its rename (state still "moved"): completed. */
static void interrupted_restore_completed(void **state)
{
    struct hx *h = *state = fixture("alice", 3, 0755);
    char *d = warden_xasprintf("%s/home/alice", h->root);
    long id = claude_item(h, NULL);
    assert_int_equal(shf("cp -a %s/data/%ld %s/.claude", h->q, id, d), 0);
    char err[512];
    if (restore(h, err, sizeof err)) fail_msg("restore: %s", err);
    assert_int_equal(
        shf("test ! -e %s/data/%ld && grep -q '\"restored\"' %s", h->q, id, h->manifest), 0);
    free(d);
}

/* A user's own directory named like restore's staging directory is never
 * removed. */
static void staging_name_planted(void **state)
{
    struct hx *h = *state = fixture("alice", 2, 0755);
    long id = claude_item(h, NULL);
    assert_int_equal(shf("set -e; d=%s/home/alice/.warden-restore-%ld; mkdir $d; echo mine > $d/f; "
                         "chown -R 1000:1000 $d",
                         h->root, id),
                     0);
    char err[512];
    assert_true(restore(h, err, sizeof err) != 0);
    assert_int_equal(shf("grep -qx mine %s/home/alice/.warden-restore-%ld/f", h->root, id), 0);
    reason(err, "not a staging directory");
}

/* The disabling policy file stays until its tool's items are back. */
static void disabling_file_stays_until_restored(void **state)
{
    struct hx *h = *state = fixture("alice", 2, 0755);
    char *ms = warden_xasprintf("%s/etc/claude-code/managed-settings.json", h->root);
    assert_int_equal(access(ms, F_OK), 0);
    /* something new at an item's path: that item cannot come back */
    assert_int_equal(shf("echo new > %s/home/alice/.claude.json", h->root), 0);
    char err[512];
    assert_true(restore(h, err, sizeof err) != 0);
    assert_int_equal(access(ms, F_OK), 0);
    reason(err, ".claude.json");
    assert_int_equal(shf("rm %s/home/alice/.claude.json", h->root), 0);
    if (restore(h, err, sizeof err)) fail_msg("restore: %s", err);
    assert_int_equal(access(ms, F_OK), -1);
    free(ms);
}

/* Metadata that cannot be applied (an immutable file): not reported restored. */
static void metadata_failure_not_restored(void **state)
{
    struct hx *h = *state = fixture("alice", 2, 0755);
    long id = claude_item(h, NULL);
    if (shf("chattr +i %s/data/%ld/settings.json 2>/dev/null", h->q, id) != 0) {
        fprintf(stderr, "skip: chattr +i not supported here\n");
        skip();
    }
    char err[512];
    assert_true(restore(h, err, sizeof err) != 0);
    json_t *m = load(h);
    assert_string_not_equal(json_string_value(json_object_get(item(m, "/.claude"), "state")),
                            "restored");
    json_decref(m);
    reason(err, "left in quarantine");
    shf("chattr -i %s/data/%ld/settings.json", h->q, id);
}

int main(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "skip: needs root (restore's threat model is root over users' files)\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(target_outside_root, teardown),
        cmocka_unit_test_teardown(other_type_symlink, teardown),
        cmocka_unit_test_teardown(created_files_outside, teardown),
        cmocka_unit_test_teardown(entry_path_escapes, teardown),
        cmocka_unit_test_teardown(setuid_mode_inside_root, teardown),
        cmocka_unit_test_teardown(manifest_trust, teardown),
        cmocka_unit_test_teardown(symlink_swap_race, teardown),
        cmocka_unit_test_teardown(interrupted_quarantine_completed, teardown),
        cmocka_unit_test_teardown(interrupted_copy_undone, teardown),
        cmocka_unit_test_teardown(interrupted_restore_completed, teardown),
        cmocka_unit_test_teardown(staging_name_planted, teardown),
        cmocka_unit_test_teardown(disabling_file_stays_until_restored, teardown),
        cmocka_unit_test_teardown(metadata_failure_not_restored, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    /* again without openat2: paths opened one component at a time */
    setenv("WARDEN_NO_OPENAT2", "1", 1);
    return failed + cmocka_run_group_tests(tests, NULL, NULL);
}
