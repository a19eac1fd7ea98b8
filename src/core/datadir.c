/* datadir.c — the one lookup of Warden's data directory (datadir.h). */
#include "core/datadir.h"
#include "core/xalloc.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir_found;
static const char *origin_found;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int is_dir(const char *p)
{
    struct stat st;
    return p && *p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* <directory of the running binary>/../share/warden, or NULL. */
static char *installed_dir(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return NULL;
    *slash = '\0';
    char *d = warden_xasprintf("%s/../share/warden", exe);
    char real[PATH_MAX];
    if (is_dir(d) && realpath(d, real)) {
        free(d);
        return warden_xstrdup(real);
    }
    free(d);
    return NULL;
}

static void find(void)
{
    const char *e = getenv("WARDEN_DATA_DIR");
    if (e && *e) {
        dir_found = warden_xstrdup(e);
        origin_found = "WARDEN_DATA_DIR";
        return;
    }
    if ((dir_found = installed_dir())) {
        origin_found = "installed";
        return;
    }
#if defined(WARDEN_SOURCE_DIR) && !defined(WARDEN_PACKAGED)
    if (is_dir(WARDEN_SOURCE_DIR "/data")) {
        dir_found = warden_xstrdup(WARDEN_SOURCE_DIR "/data");
        origin_found = "source tree";
        return;
    }
#endif
    dir_found = warden_xstrdup("/usr/share/warden");
    origin_found = "default";
}

const char *warden_data_dir(void)
{
    pthread_once(&once, find);
    return dir_found;
}

const char *warden_data_dir_origin(void)
{
    pthread_once(&once, find);
    return origin_found;
}

char *warden_data_path(const char *dir, const char *rel)
{
    if (rel[0] == '/') return warden_xstrdup(rel);
    return warden_xasprintf("%s/%s", dir && *dir ? dir : warden_data_dir(), rel);
}
