/* test_sweep_catalogue.c — catalogue and policy loading, and the small helpers.
 *
 * The shipped catalogue and example policy load; bad files are refused with
 * file:line; SHA-256 matches the FIPS test vectors; odd file names survive the
 * hex round trip and are shown without control bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/catalogue.h"
#include "sweep/pathenc.h"
#include "core/sha256.h"
#include "sweep/sweep_policy.h"

static char *write_tmp(const char *text)
{
    char *p = warden_xstrdup("/tmp/warden-sweep-cat-XXXXXX");
    int fd = mkstemp(p);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return p;
}

static void shipped_catalogue_loads(void **state)
{
    (void)state;
    struct warden_sweep_catalogue *c;
    char err[512];
    int rc = warden_sweep_catalogue_load(&c, NULL, "linux", err, sizeof err);
    if (rc) fail_msg("%s", err);
    static const char *const must[] = {"claude-code", "codex-cli",  "gemini-cli", "github-copilot",
                                       "cursor",      "aider",      "continue",   "ollama",
                                       "lm-studio",   "huggingface"};
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
        int t = warden_sweep_catalogue_find(c, must[i]);
        assert_true(t >= 0);
        assert_true(c->tools[t].n_fps > 0);
    }
    int cc = warden_sweep_catalogue_find(c, "claude-code");
    bool cred = false, pkg = false, ext = false;
    for (size_t f = 0; f < c->tools[cc].n_fps; f++) {
        const struct warden_sweep_footprint *fp = &c->tools[cc].fps[f];
        cred |= fp->kind == WARDEN_SWEEP_CREDENTIAL;
        pkg |= fp->package_json && strcmp(fp->package_json, "@anthropic-ai/claude-code") == 0;
        ext |= fp->kind == WARDEN_SWEEP_EXTENSION;
    }
    assert_true(cred && pkg && ext);
    assert_true(c->tools[cc].env.n >= 1);
    assert_true(c->tools[cc].hosts.n >= 1);
    assert_true(c->n_env_pats >= 5);
    assert_int_equal(warden_sweep_catalogue_find(c, "no-such-tool"), -1);
    warden_sweep_catalogue_free(c);
    assert_int_equal(warden_sweep_catalogue_load(&c, NULL, "plan9", err, sizeof err),
                     WARDEN_EINVAL);
}

static void bad_catalogues_refused_with_line(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"version: 1\ntools:\n  - id: x\n    footprints:\n      - kind: binary\n        paths: "
         "[~/x]\n        colour: red\n",
         ":7: unknown key 'colour'"},
        {"version: 1\ntools:\n  - id: x\n    footprints:\n      - kind: wand\n        paths: "
         "[~/x]\n",
         ":5: kind must be"},
        {"version: 1\ntools:\n  - id: x\n    footprints:\n      - kind: binary\n        paths: "
         "[relative/x]\n",
         "bad path pattern 'relative/x'"},
        {"version: 1\ntools:\n  - id: x\n    footprints:\n      - kind: binary\n        paths: "
         "[~/x]\n        version: {from: path, regex: \"(\"}\n",
         ":7: bad regular expression"},
        {"version: 2\ntools: []\n", "version: 1"},
        {"version: 1\ntools:\n  - id: x\n    endpoints: {hosts: [\"Evil Host\"]}\n    footprints: "
         "[]\n",
         "not a lower-case DNS name"},
        {"version: 1\ntools: [\n", ":"},
        /* the message is formatted before the list holding the name is freed */
        {"version: 1\ntools:\n  - id: x\n    footprints:\n      - kind: binary\n        paths: "
         "[~/x]\n        verify: {magic: [bogus]}\n",
         ":7: unknown magic 'bogus'"},
        /* failing part-way through a list frees what was read (leak under ASan) */
        {"version: 1\ntools:\n  - id: x\n    footprints:\n      - kind: binary\n        paths: "
         "[~/x]\n        verify: {magic: [elf, {a: b}]}\n",
         ":7: expected a text"},
        /* regcomp's memory is exponential in stacked '+' and bounds: refused */
        {"version: 1\ntools:\n  - id: x\n    footprints:\n      - kind: binary\n        paths: "
         "[~/x]\n        version: {from: path, regex: \"x-([0-9.]+++++++++++++++++++++++++)\"}\n",
         ":7: regex too complex"},
        {"version: 1\ntools:\n  - id: x\n    footprints:\n      - kind: binary\n        paths: "
         "[~/x]\n        version: {from: path, regex: \"((([0-9]{1,99}){1,99}){1,99})\"}\n",
         ":7: regex too complex"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = write_tmp(cases[i].text);
        struct warden_sweep_catalogue *c = NULL;
        char err[512] = "";
        assert_true(warden_sweep_catalogue_load(&c, p, "linux", err, sizeof err) < 0);
        assert_null(c);
        if (!strstr(err, cases[i].want))
            fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].want);
        unlink(p);
        free(p);
    }
}

static void policies(void **state)
{
    (void)state;
    struct warden_sweep_policy *p;
    struct warden_sweep_catalogue *c;
    char err[512];
    assert_int_equal(warden_sweep_catalogue_load(&c, NULL, "linux", err, sizeof err), 0);
    /* no file: everything is banned */
    assert_int_equal(warden_sweep_policy_load(&p, NULL, err, sizeof err), 0);
    assert_int_equal(warden_sweep_policy_status(p, "cursor"), WARDEN_SWEEP_BANNED);
    warden_sweep_policy_free(p);
    int rc = warden_sweep_policy_load(&p, WARDEN_SOURCE_DIR "/examples/sweep-policy.yaml", err,
                                      sizeof err);
    if (rc) fail_msg("%s", err);
    assert_int_equal(warden_sweep_policy_check(p, c, err, sizeof err), 0);
    assert_int_equal(warden_sweep_policy_status(p, "claude-code"), WARDEN_SWEEP_BANNED);
    assert_int_equal(warden_sweep_policy_status(p, "github-copilot"), WARDEN_SWEEP_ALLOWED);
    assert_int_equal(warden_sweep_policy_status(p, "huggingface"), WARDEN_SWEEP_REPORTED);
    warden_sweep_policy_free(p);
    char *f = write_tmp("sweep:\n  banned: [claude-code]\n  allowed: [claude-code]\n");
    assert_int_equal(warden_sweep_policy_load(&p, f, err, sizeof err), WARDEN_ECONFIG);
    assert_non_null(strstr(err, "both banned and allowed"));
    unlink(f);
    free(f);
    f = write_tmp("sweep:\n  banned: [claude-code]\n  threads: lots\n");
    assert_int_equal(warden_sweep_policy_load(&p, f, err, sizeof err), WARDEN_ECONFIG);
    assert_non_null(strstr(err, ":3:"));
    unlink(f);
    free(f);
    f = write_tmp("sweep:\n  banned: [claude-kode]\n");
    assert_int_equal(warden_sweep_policy_load(&p, f, err, sizeof err), 0);
    assert_int_equal(warden_sweep_policy_check(p, c, err, sizeof err), WARDEN_ECONFIG);
    assert_non_null(strstr(err, "claude-kode"));
    warden_sweep_policy_free(p);
    unlink(f);
    free(f);
    warden_sweep_catalogue_free(c);
}

static void sha256_vectors(void **state)
{
    (void)state;
    char hex[65];
    struct warden_sha256 s;
    warden_sha256_init(&s);
    warden_sha256_hex(&s, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    warden_sha256_init(&s);
    warden_sha256_update(&s, "abc", 3);
    warden_sha256_hex(&s, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    warden_sha256_init(&s);
    for (size_t i = 0; i < strlen(m); i++) warden_sha256_update(&s, m + i, 1);
    warden_sha256_hex(&s, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *a = warden_xmalloc(1000000);
    memset(a, 'a', 1000000);
    warden_sha256_init(&s);
    warden_sha256_update(&s, a, 1000000);
    warden_sha256_hex(&s, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

static void odd_names_round_trip(void **state)
{
    (void)state;
    const char name[] = "/home/a\n\xff\x01\\b\xc3\xbc";
    char *h = warden_sweep_hex(name, strlen(name));
    size_t n;
    char *back = warden_sweep_unhex(h, &n);
    assert_int_equal(n, strlen(name));
    assert_memory_equal(back, name, n);
    bool exact;
    char *show = warden_sweep_path_show(name, strlen(name), &exact);
    assert_false(exact);
    assert_string_equal(show, "/home/a\\x0a\\xff\\x01\\\\b\xc3\xbc");
    free(show);
    show = warden_sweep_path_show("/plain/\xc3\xbc", 9, &exact);
    assert_true(exact);
    free(show);
    assert_null(warden_sweep_unhex("zz", NULL));
    assert_null(warden_sweep_unhex("6100", NULL)); /* no NUL bytes in names */
    free(h);
    free(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_catalogue_loads),
        cmocka_unit_test(bad_catalogues_refused_with_line),
        cmocka_unit_test(policies),
        cmocka_unit_test(sha256_vectors),
        cmocka_unit_test(odd_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
