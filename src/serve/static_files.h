/* static_files.h — the review console's files (web/, assembled into the
 * data dir at build time) served by `warden serve` at /.
 *
 * Only plain relative paths are served (letters, digits, "._-/", no "..",
 * no dot files), from one directory, with a content type by extension; "/"
 * is index.html. Every answer carries a strict Content-Security-Policy
 * (scripts, styles, images and requests from this origin only), so the
 * console can load nothing from elsewhere and injected markup cannot run. */
#ifndef WARDEN_SERVE_STATIC_FILES_H
#define WARDEN_SERVE_STATIC_FILES_H
#include <stddef.h>

#define WARDEN_CONSOLE_CSP                                                                         \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "                   \
    "frame-ancestors 'none'"

/* The console directory: configured, else $WARDEN_DATA_DIR/web, else web/
 * beside the running binary. malloc-ed. */
char *warden_serve_web_dir(const char *configured);
/* Read the file url names under dir: 0 with *data (malloc-ed), *len and
 * *type; WARDEN_ENOENT (not there, or not a servable path); WARDEN_ETOOBIG. */
int warden_serve_static_load(const char *dir, const char *url, char **data, size_t *len,
                             const char **type);

#endif
