/* tablefile.c — saving the compiled IP table to a file and mapping it back.
 *
 * Building from libloc takes seconds; mapping a saved table takes
 * milliseconds, so servers and workers start from `warden intel build --out`.
 * Layout: a fixed header (magic, format version, byte-order mark, file size,
 * XXH3-64 checksum of everything after the header, counts and section
 * offsets), then 8-byte aligned sections: records, names, per family the
 * trie root, nodes and leaves, and the list files compiled in with the day
 * each is as of (version 2; version 1 tables had no dates: rebuild them). Mapping checks the size,
 * the checksum and then every index in the tries, so a truncated, corrupt or foreign file is
 * refused with a reason instead of crashing a lookup later. */
#include "intel/intel_impl.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#define TABLE_MAGIC "WRDNIPT\0"
#define TABLE_VERSION 2u
#define TABLE_BOM 0x01020304u

enum {
    S_RECS,
    S_STRINGS,
    S_V4ROOT,
    S_V4NODES,
    S_V4LEAVES,
    S_V6ROOT,
    S_V6NODES,
    S_V6LEAVES,
    S_SOURCES,
    S_N
};

struct table_hdr {
    char magic[8];
    uint32_t version;
    uint32_t bom;
    uint64_t file_size;
    uint64_t checksum;     /* XXH3-64 of bytes [sizeof hdr, file_size) */
    int64_t created;       /* unix time */
    int64_t locdb_created; /* libloc data date, 0 if none */
    uint32_t n_recs, strings_len;
    uint32_t v4_root_bits, v4_nodes, v4_leaves;
    uint32_t v6_root_bits, v6_nodes, v6_leaves;
    uint32_t n_sources, pad;
    uint64_t off[S_N];
};

static void sizes(const struct table_hdr *h, uint64_t sz[S_N])
{
    sz[S_RECS] = (uint64_t)h->n_recs * sizeof(struct warden_intel_rec);
    sz[S_STRINGS] = h->strings_len;
    sz[S_V4ROOT] = ((uint64_t)1 << h->v4_root_bits) * 4;
    sz[S_V4NODES] = (uint64_t)h->v4_nodes * sizeof(struct warden_ptnode);
    sz[S_V4LEAVES] = (uint64_t)h->v4_leaves * 4;
    sz[S_V6ROOT] = ((uint64_t)1 << h->v6_root_bits) * 4;
    sz[S_V6NODES] = (uint64_t)h->v6_nodes * sizeof(struct warden_ptnode);
    sz[S_V6LEAVES] = (uint64_t)h->v6_leaves * 4;
    sz[S_SOURCES] = (uint64_t)h->n_sources * sizeof(struct warden_intel_srcrec);
}

int warden_intel_save(const struct warden_intel *in, const char *path, char *err, size_t errlen)
{
    int rc = WARDEN_EIO;
    char *tmp = warden_xasprintf("%s.tmp.%ld", path, (long)getpid());
    char *buf = NULL;
    FILE *f = NULL;
    struct table_hdr h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, TABLE_MAGIC, 8);
    h.version = TABLE_VERSION;
    h.bom = TABLE_BOM;
    h.created = in->stats.built_at;
    h.locdb_created = in->stats.locdb_created;
    h.n_recs = (uint32_t)in->n_recs;
    h.strings_len = (uint32_t)in->strings_len;
    h.v4_root_bits = in->v4.root_bits;
    h.v4_nodes = in->v4.n_nodes;
    h.v4_leaves = in->v4.n_leaves;
    h.v6_root_bits = in->v6.root_bits;
    h.v6_nodes = in->v6.n_nodes;
    h.v6_leaves = in->v6.n_leaves;
    h.n_sources = (uint32_t)in->n_srcs;
    const void *src[S_N] = {in->recs,    in->strings,  in->v4.root,   in->v4.nodes, in->v4.leaves,
                            in->v6.root, in->v6.nodes, in->v6.leaves, in->srcs};
    uint64_t sz[S_N];
    sizes(&h, sz);
    uint64_t pos = sizeof h;
    for (int i = 0; i < S_N; i++) {
        pos = (pos + 7) & ~(uint64_t)7;
        h.off[i] = pos;
        pos += sz[i];
    }
    h.file_size = pos;
    buf = warden_xcalloc(1, (size_t)pos);
    for (int i = 0; i < S_N; i++)
        if (sz[i]) memcpy(buf + h.off[i], src[i], (size_t)sz[i]);
    h.checksum = XXH3_64bits(buf + sizeof h, (size_t)(pos - sizeof h));
    memcpy(buf, &h, sizeof h);
    f = fopen(tmp, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    if (fwrite(buf, 1, (size_t)pos, f) != pos || fflush(f) != 0) {
        snprintf(err, errlen, "%s: write failed: %s", tmp, strerror(errno));
        goto out;
    }
    if (fclose(f) != 0) {
        f = NULL;
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    f = NULL;
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (f) fclose(f);
    if (rc) unlink(tmp);
    free(tmp);
    free(buf);
    return rc;
}

int warden_intel_map(struct warden_intel **out, const char *path, char *err, size_t errlen)
{
    double t0 = warden_now_s();
    int rc = WARDEN_EFORMAT;
    *out = NULL;
    struct warden_intel *in = NULL;
    void *map = MAP_FAILED;
    size_t len = 0;
    char why[160];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? WARDEN_ENOENT : WARDEN_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    len = (size_t)st.st_size;
    struct table_hdr h;
    if (len < sizeof h) {
        snprintf(err, errlen, "%s: not a Warden IP table (only %zu bytes; truncated?)", path, len);
        goto out;
    }
    map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
        rc = WARDEN_EIO;
        goto out;
    }
    memcpy(&h, map, sizeof h);
    if (memcmp(h.magic, TABLE_MAGIC, 8) != 0) {
        snprintf(err, errlen, "%s: not a Warden IP table (bad magic)", path);
        goto out;
    }
    if (h.version != TABLE_VERSION || h.bom != TABLE_BOM) {
        snprintf(err, errlen,
                 "%s: table format version %u%s; this warden reads version %u (rebuild it: "
                 "warden intel build --out %s)",
                 path, h.version, h.bom != TABLE_BOM ? " (other byte order)" : "", TABLE_VERSION,
                 path);
        goto out;
    }
    if (h.file_size != len) {
        snprintf(err, errlen, "%s: truncated or extended: header says %llu bytes, file has %zu",
                 path, (unsigned long long)h.file_size, len);
        goto out;
    }
    if (XXH3_64bits((const char *)map + sizeof h, len - sizeof h) != h.checksum) {
        snprintf(err, errlen, "%s: checksum mismatch: the table file is corrupt", path);
        goto out;
    }
    if (h.v4_root_bits < 8 || h.v4_root_bits > 24 || h.v6_root_bits < 8 || h.v6_root_bits > 24 ||
        h.n_recs == 0 || h.strings_len == 0) {
        snprintf(err, errlen, "%s: corrupt header", path);
        goto out;
    }
    uint64_t sz[S_N];
    sizes(&h, sz);
    for (int i = 0; i < S_N; i++)
        if (h.off[i] % 8 || h.off[i] < sizeof h || h.off[i] > len || sz[i] > len - h.off[i]) {
            snprintf(err, errlen, "%s: corrupt header (section %d out of the file)", path, i);
            goto out;
        }
    const char *base = map;
    in = warden_xcalloc(1, sizeof *in);
    in->recs = (const struct warden_intel_rec *)(const void *)(base + h.off[S_RECS]);
    in->n_recs = h.n_recs;
    in->strings = base + h.off[S_STRINGS];
    in->strings_len = h.strings_len;
    if (in->strings[0] != '\0' || in->strings[in->strings_len - 1] != '\0') {
        snprintf(err, errlen, "%s: corrupt name table", path);
        goto out;
    }
    for (size_t i = 0; i < in->n_recs; i++)
        if (in->recs[i].as_name >= h.strings_len || in->recs[i].provider >= h.strings_len) {
            snprintf(err, errlen, "%s: record %zu names a string outside the table", path, i);
            goto out;
        }
    in->srcs = (const struct warden_intel_srcrec *)(const void *)(base + h.off[S_SOURCES]);
    in->n_srcs = h.n_sources;
    for (size_t i = 0; i < in->n_srcs; i++)
        if (in->srcs[i].name >= h.strings_len || in->srcs[i].as_of_day < 0) {
            snprintf(err, errlen, "%s: list %zu names a string outside the table", path, i);
            goto out;
        }
    in->v4 = (struct warden_iptrie){h.v4_root_bits,
                                    h.v4_nodes,
                                    h.v4_leaves,
                                    (const uint32_t *)(const void *)(base + h.off[S_V4ROOT]),
                                    (const void *)(base + h.off[S_V4NODES]),
                                    (const uint32_t *)(const void *)(base + h.off[S_V4LEAVES])};
    in->v6 = (struct warden_iptrie){h.v6_root_bits,
                                    h.v6_nodes,
                                    h.v6_leaves,
                                    (const uint32_t *)(const void *)(base + h.off[S_V6ROOT]),
                                    (const void *)(base + h.off[S_V6NODES]),
                                    (const uint32_t *)(const void *)(base + h.off[S_V6LEAVES])};
    if (warden_iptrie_validate(&in->v4, h.n_recs, why, sizeof why) ||
        warden_iptrie_validate(&in->v6, h.n_recs, why, sizeof why)) {
        snprintf(err, errlen, "%s: corrupt table: %s", path, why);
        goto out;
    }
    in->map = map;
    in->map_len = len;
    map = MAP_FAILED;
    warden_intel_make_info(in);
    in->stats.mapped = true;
    in->stats.built_at = h.created;
    in->stats.locdb_created = h.locdb_created;
    in->stats.load_seconds = warden_now_s() - t0;
    *out = in;
    in = NULL;
    rc = 0;
out:
    free(in);
    if (map != MAP_FAILED) munmap(map, len);
    close(fd);
    return rc;
}
