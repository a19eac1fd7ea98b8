/* static_files.c — read the console's files for `warden serve` (see
 * static_files.h): path checks, content types, the data dir. */
#include "serve/static_files.h"
#include "core/datadir.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <libgen.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE (16u << 20)

char *warden_serve_web_dir(const char *configured)
{
    if (configured && *configured) return warden_xstrdup(configured);
    /* a build tree: web/ beside the binary (scripts/web.sh puts it there) */
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *beside = warden_xasprintf("%s/web", dirname(exe));
        struct stat st;
        if (stat(beside, &st) == 0 && S_ISDIR(st.st_mode)) return beside;
        free(beside);
    }
    /* installed: the data directory's web/ (core/datadir.h) */
    return warden_xasprintf("%s/web", warden_data_dir());
}

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
};

static bool servable(const char *p)
{
    if (*p == '\0' || strlen(p) > 200) return false;
    for (const char *c = p; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || strchr("._-/", *c);
        if (!ok) return false;
        /* no "..", no dot files, no empty segments */
        if ((c == p || c[-1] == '/') && (*c == '.' || *c == '/')) return false;
    }
    return true;
}

int warden_serve_static_load(const char *dir, const char *url, char **data, size_t *len,
                             const char **type)
{
    const char *rel = url[0] == '/' ? url + 1 : url;
    if (*rel == '\0') rel = "index.html";
    if (!servable(rel)) return WARDEN_ENOENT;
    *type = NULL;
    size_t rl = strlen(rel);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t el = strlen(types[i].ext);
        if (rl > el && strcmp(rel + rl - el, types[i].ext) == 0) *type = types[i].type;
    }
    if (!*type) return WARDEN_ENOENT;
    char *path = warden_xasprintf("%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f) return WARDEN_ENOENT;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return WARDEN_ENOENT;
    }
    if ((size_t)st.st_size > MAX_FILE) {
        fclose(f);
        return WARDEN_ETOOBIG;
    }
    *data = warden_xmalloc((size_t)st.st_size + 1);
    *len = fread(*data, 1, (size_t)st.st_size, f);
    fclose(f);
    return 0;
}
