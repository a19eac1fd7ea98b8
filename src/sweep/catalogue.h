/* catalogue.h — the sweep catalogue: footprints of AI coding tools, as data.
 *
 * The catalogue (data/sweep/catalogue.yaml) lists, per tool, where its
 * binaries, packages, configs, credentials, extensions and models live, how to
 * verify a match, where to read its version, which environment variables hold
 * its API keys and which hosts and IP ranges it talks to. Nothing about a tool
 * is written in C: the scanner and the blocklist only interpret this table.
 * Loaded once, read-only afterwards (shared by the walker threads). */
#ifndef WARDEN_SWEEP_CATALOGUE_H
#define WARDEN_SWEEP_CATALOGUE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"

enum warden_sweep_kind {
    WARDEN_SWEEP_BINARY = 0,
    WARDEN_SWEEP_PACKAGE,
    WARDEN_SWEEP_CONFIG,
    WARDEN_SWEEP_CREDENTIAL,
    WARDEN_SWEEP_EXTENSION,
    WARDEN_SWEEP_MODEL,
    WARDEN_SWEEP_ENV,
    WARDEN_SWEEP_NKINDS
};

const char *warden_sweep_kind_name(enum warden_sweep_kind k);

/* Magic checks, a bit set (verify: magic: [...]). */
enum {
    WARDEN_SWEEP_MAGIC_ELF = 1u << 0,
    WARDEN_SWEEP_MAGIC_MACHO = 1u << 1,
    WARDEN_SWEEP_MAGIC_PE = 1u << 2,
    WARDEN_SWEEP_MAGIC_SCRIPT = 1u << 3,
    WARDEN_SWEEP_MAGIC_JSON = 1u << 4,
    WARDEN_SWEEP_MAGIC_GGUF = 1u << 5,
    WARDEN_SWEEP_MAGIC_ZIP = 1u << 6,
    WARDEN_SWEEP_MAGIC_SQLITE = 1u << 7,
    WARDEN_SWEEP_MAGIC_SYMLINK = 1u << 8,
    WARDEN_SWEEP_MAGIC_DIR = 1u << 9,
    WARDEN_SWEEP_MAGIC_FILE = 1u << 10, /* any regular file */
};

/* Where a path pattern is anchored. */
enum warden_sweep_anchor {
    WARDEN_SWEEP_AT_HOME = 0, /* ~/X: under every user's home */
    WARDEN_SWEEP_AT_ROOT,     /* /X: relative to the scanned root */
    WARDEN_SWEEP_AT_ANY,      /* **\/X: the last components of any path */
};

enum warden_sweep_vfrom {
    WARDEN_SWEEP_V_NONE = 0,
    WARDEN_SWEEP_V_PACKAGE_JSON,
    WARDEN_SWEEP_V_PATH,
    WARDEN_SWEEP_V_LINK_TARGET,
    WARDEN_SWEEP_V_FILE,
    WARDEN_SWEEP_V_EXEC, /* `binary --version`, only with --exec-version */
};

struct warden_sweep_pattern {
    enum warden_sweep_anchor anchor;
    char *glob;              /* the pattern without its anchor ("~/", "/", "**\/") */
    int ncomp;               /* components in glob */
    char *last;              /* last component of glob */
    bool literal;            /* last has no wildcard */
    size_t pre_len, suf_len; /* literal prefix/suffix of last around wildcards */
    int tool, fp;            /* indexes into the catalogue */
};

struct warden_sweep_footprint {
    enum warden_sweep_kind kind;
    struct warden_strlist paths; /* for the selected OS, as written */
    char *package_json;          /* verify: package.json name glob, or NULL */
    unsigned magic;              /* verify: WARDEN_SWEEP_MAGIC_* any-of, 0 for none */
    char *link_target;           /* verify: symlink target glob, or NULL */
    enum warden_sweep_vfrom vfrom;
    char *vregex; /* ERE whose first group is the version, or NULL */
    void *vre;    /* compiled regex_t, or NULL */
    bool wrapper; /* on quarantine, leave a wrapper that refuses to run */
};

struct warden_sweep_tool {
    char *id, *name, *vendor;
    struct warden_strlist env;   /* API-key variable names */
    struct warden_strlist hosts; /* egress: host names (subdomains included) */
    struct warden_strlist ipv4, ipv6;
    char *source;          /* where the endpoints are published */
    char *disable_path;    /* managed-policy file to write on quarantine (root-anchored), or NULL */
    char *disable_content; /* its content */
    struct warden_sweep_footprint *fps;
    size_t n_fps;
};

struct warden_sweep_catalogue {
    char *path;
    int64_t as_of_day; /* `as_of:` (days since 1970-01-01, core/day.h); 0: undated */
    struct warden_sweep_tool *tools;
    size_t n_tools;
    struct warden_strlist env_files;   /* patterns of files that may export keys */
    struct warden_sweep_pattern *pats; /* every footprint path, compiled */
    size_t n_pats;
    struct warden_sweep_pattern *env_pats; /* env_files, compiled (tool = fp = -1) */
    size_t n_env_pats;
};

/* Load the catalogue for one OS ("linux", "macos" or "windows"). On error
 * returns WARDEN_ECONFIG (or WARDEN_EIO) with "FILE:LINE: reason" in err. */
int warden_sweep_catalogue_load(struct warden_sweep_catalogue **out, const char *path,
                                const char *os, char *err, size_t errlen);
void warden_sweep_catalogue_free(struct warden_sweep_catalogue *c);
/* The catalogue's freshness: "as of 2026-11-23, 7 days" (": STALE
 * (sweep.max_age_days N)" when older than max_age_days or undated) into buf. */
char *warden_sweep_catalogue_age_text(const struct warden_sweep_catalogue *c, int64_t max_age_days,
                                      char *buf, size_t n);
/* Warn (core/log.h) when the catalogue is older than max_age_days, or
 * undated: tools released or moved since would be missed. 0 never warns.
 * Returns whether it warned. */
bool warden_sweep_catalogue_warn_stale(const struct warden_sweep_catalogue *c,
                                       int64_t max_age_days);
/* Index of a tool by id, or -1. */
int warden_sweep_catalogue_find(const struct warden_sweep_catalogue *c, const char *id);
/* The catalogue path to use when none is given: $WARDEN_SWEEP_CATALOGUE, then
 * the source tree's data/sweep/catalogue.yaml, then /usr/share/warden/. */
const char *warden_sweep_catalogue_default(void);

#endif
