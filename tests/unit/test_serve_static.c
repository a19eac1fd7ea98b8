/* test_serve_static.c — which console files `warden serve` hands out: "/"
 * is index.html, known extensions only, no "..", no dot files, no
 * directories, nothing outside the web directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "serve/static_files.h"

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void files(void **st)
{
    (void)st;
    char dir[] = "/tmp/warden-static-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[512];
    snprintf(p, sizeof p, "%s/index.html", dir);
    put(p, "<!doctype html>");
    snprintf(p, sizeof p, "%s/js", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/js/app.js", dir);
    put(p, "export {};");
    snprintf(p, sizeof p, "%s/.secret.js", dir);
    put(p, "no");
    snprintf(p, sizeof p, "%s/notes.md", dir);
    put(p, "no");

    char *data = NULL;
    size_t len = 0;
    const char *type = NULL;
    assert_int_equal(warden_serve_static_load(dir, "/", &data, &len, &type), 0);
    assert_int_equal(len, 15);
    assert_string_equal(type, "text/html; charset=utf-8");
    free(data);
    assert_int_equal(warden_serve_static_load(dir, "/js/app.js", &data, &len, &type), 0);
    assert_string_equal(type, "text/javascript; charset=utf-8");
    free(data);
    const char *refused[] = {"/../index.html", "/js/../index.html", "/.secret.js",  "/js",
                             "/notes.md",      "//index.html",      "/js/./app.js", "/nope.js",
                             "/index.html?x",  "/%2e%2e/x.js",      "/js/app.js/"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal(warden_serve_static_load(dir, refused[i], &data, &len, &type),
                         WARDEN_ENOENT);
    char *d = warden_serve_web_dir("/srv/console");
    assert_string_equal(d, "/srv/console");
    free(d);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(files)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
