/* datadir.h — where Warden's own data lives (lists, prompt corpora, IP
 * lists, patterns, catalogues), found the same way by every command.
 *
 * In order: the WARDEN_DATA_DIR environment variable; the installed layout
 * next to the binary (<bin>/../share/warden, as `cmake --install` and the
 * Debian package lay it out); the source tree's data/ when the binary was
 * built in a source tree that is still there (not in packaged builds); the
 * FHS default /usr/share/warden. The first directory that exists wins. */
#ifndef WARDEN_CORE_DATADIR_H
#define WARDEN_CORE_DATADIR_H

/* The data directory (computed once; never NULL). */
const char *warden_data_dir(void);
/* Where warden_data_dir() came from: "WARDEN_DATA_DIR", "installed",
 * "source tree" or "default". */
const char *warden_data_dir_origin(void);
/* A data-relative path resolved against dir (NULL: warden_data_dir());
 * absolute paths are returned unchanged. malloc-ed. */
char *warden_data_path(const char *dir, const char *rel);

#endif
