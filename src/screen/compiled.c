/* compiled.c — the compiled list file: the finished list set saved in one
 * file and mapped back in milliseconds (`warden lists build`).
 *
 * Loading the lists from their sources parses CSV/XML, transliterates every
 * name with ICU and builds the token index: about a second. A compiled file
 * holds the result — entities, names, attributes, tokens with their weights,
 * the index, the lists' ownership verdicts and the normaliser's tables — so
 * that `warden scan` and `warden serve` start screening at once.
 * Layout: a fixed header (magic, format version, byte-order mark, file size,
 * XXH3-64 checksum of everything after the header, counts, section offsets and
 * lengths), then 8-byte aligned sections. Strings are offsets into one
 * NUL-separated string section. Mapping checks the size, the checksum and then
 * every offset and index, so a truncated, corrupt or foreign file is refused
 * with a reason instead of crashing a query later. The token index and the
 * name-token array are used in place; the small record arrays are rebuilt
 * with pointers (a few milliseconds). Saving writes PATH.tmp.PID and renames
 * it over PATH, so readers see the old file or the new one, never half. */
#include "screen/internal.h"
#include "screen/normalizer_impl.h"

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

#define LISTS_MAGIC "WRDNSCR\0"
#define LISTS_VERSION                                                                              \
    10u /* 10: other-script flag (a name read from another script); 9: Hangul script flag, Han     \
           legal forms read whole; 8: short legal forms for typos, Japanese name words */
#define LISTS_BOM 0x01020304u

enum {
    S_STR,
    S_LISTS,
    S_ENTS,
    S_NAMES,
    S_ATTRS,
    S_TOKS,
    S_NAMETOKS,
    S_IX,
    S_POST,
    S_LEVEL,
    S_RELS,
    S_NZLEGAL,
    S_NZTERMS,
    S_NZCOUNTRIES,
    S_NZSTOP,
    S_NZCANON,
    S_NZCODES,
    S_NZCLASSES,
    S_NZFUZZY,
    S_NAMEINITS,
    S_NZQUAL,
    S_NZART,
    S_NZSUFFIX,
    S_NZHAN,
    S_NZHANREAD,
    S_NAMESURF,
    S_NZSTEMS,
    S_NZFAMILY,
    S_N
};

struct lists_hdr {
    char magic[8];
    uint32_t version, bom;
    uint64_t file_size;
    uint64_t checksum; /* XXH3-64 of bytes [sizeof hdr, file_size) */
    int64_t created;
    uint64_t n_lists, n_ents, n_names, n_attrs, n_toks, n_name_toks, ix_cap, ix_n, n_postings,
        n_rels;
    double max_weight, ownership_threshold;
    uint32_t n_classes, legal_maxlen, terms_maxlen, n_canon, n_codes, n_fuzzy;
    uint32_t qual_maxlen, n_suffixes, n_han, n_generic;
    uint64_t off[S_N], len[S_N];
};

struct f_list {
    uint32_t name, entities, names, as_of_day; /* as_of_day: 0 unknown */
};
struct f_ent {
    uint32_t list, source_id, program, kind, flags, name0, n_names, attr0, n_attrs;
};
struct f_name {
    uint32_t entity, raw, tok0, legal, seq, qual;
    uint8_t n_tok, abjad, script, pad;
    char legal_init[WARDEN_NORM_INIT];
};
struct f_attr {
    uint32_t type, value, ent;
};
struct f_tok {
    uint32_t str, len, df, minor;
    float weight;
};
struct f_rel {
    uint32_t owner, asset, owner_ref, asset_ref, list, pad;
    double share;
};
struct f_kv {
    uint32_t key, val;
};
struct f_fuzzy {
    uint32_t variant, repl, len;
};

/* ---- writing ---- */

struct wbuf {
    char *p;
    size_t n, cap;
};

static void wput(struct wbuf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        while (b->n + n > b->cap) b->cap = b->cap ? b->cap * 2 : 1 << 16;
        b->p = warden_xrealloc(b->p, b->cap);
    }
    if (n) memcpy(b->p + b->n, d, n);
    b->n += n;
}

struct writer {
    struct wbuf sec[S_N];
    struct warden_smap seen; /* string pointer text -> offset (dedup) */
};

static uint32_t str_off(struct writer *w, const char *s)
{
    if (!s) s = "";
    bool found;
    uint32_t *slot = warden_smap_put(&w->seen, s, &found);
    if (!found) {
        *slot = (uint32_t)w->sec[S_STR].n;
        wput(&w->sec[S_STR], s, strlen(s) + 1);
    }
    return *slot;
}

static void put_smap(struct writer *w, int sec, const struct warden_smap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        struct f_kv kv = {str_off(w, m->keys[i]), m->vals[i]};
        wput(&w->sec[sec], &kv, sizeof kv);
    }
}

static void put_normalizer(struct writer *w, const struct warden_normalizer *nz,
                           struct lists_hdr *h)
{
    put_smap(w, S_NZLEGAL, &nz->legal);
    put_smap(w, S_NZTERMS, &nz->terms);
    put_smap(w, S_NZCOUNTRIES, &nz->countries);
    put_smap(w, S_NZSTOP, &nz->stop);
    for (size_t i = 0; i < nz->n_canon; i++) {
        uint32_t o = str_off(w, nz->canon[i]);
        wput(&w->sec[S_NZCANON], &o, 4);
    }
    wput(&w->sec[S_NZCODES], nz->codes, nz->n_codes * 3);
    for (int i = 0; i < nz->n_classes; i++) {
        uint32_t o = str_off(w, nz->classes[i]);
        wput(&w->sec[S_NZCLASSES], &o, 4);
    }
    for (size_t i = 0; i < nz->n_fuzzy; i++) {
        struct f_fuzzy f = {str_off(w, nz->fuzzy[i].variant), str_off(w, nz->fuzzy[i].repl),
                            nz->fuzzy[i].len};
        wput(&w->sec[S_NZFUZZY], &f, sizeof f);
    }
    put_smap(w, S_NZQUAL, &nz->qual);
    put_smap(w, S_NZART, &nz->articles);
    put_smap(w, S_NZHAN, &nz->han);
    put_smap(w, S_NZSTEMS, &nz->stems);
    wput(&w->sec[S_NZFAMILY], nz->family, sizeof nz->family);
    for (size_t i = 0; i < nz->n_suffixes; i++) {
        uint32_t o = str_off(w, nz->suffixes[i]);
        wput(&w->sec[S_NZSUFFIX], &o, 4);
    }
    for (size_t i = 0; i < nz->n_han; i++) {
        uint32_t o[2] = {str_off(w, nz->han_read[i][0]), str_off(w, nz->han_read[i][1])};
        wput(&w->sec[S_NZHANREAD], o, 8);
    }
    h->qual_maxlen = (uint32_t)nz->qual_maxlen;
    h->n_suffixes = (uint32_t)nz->n_suffixes;
    h->n_han = (uint32_t)nz->n_han;
    h->n_classes = (uint32_t)nz->n_classes;
    h->legal_maxlen = (uint32_t)nz->legal_maxlen;
    h->terms_maxlen = (uint32_t)nz->terms_maxlen;
    h->n_canon = (uint32_t)nz->n_canon;
    h->n_generic = (uint32_t)nz->n_generic;
    h->n_codes = (uint32_t)nz->n_codes;
    h->n_fuzzy = (uint32_t)nz->n_fuzzy;
}

static void put_lists(struct writer *w, const struct warden_screen *s)
{
    for (size_t i = 0; i < s->n_lists; i++) {
        struct f_list l = {str_off(w, s->lists[i].name), (uint32_t)s->lists[i].entities,
                           (uint32_t)s->lists[i].names, (uint32_t)s->lists[i].as_of_day};
        wput(&w->sec[S_LISTS], &l, sizeof l);
    }
    for (size_t i = 0; i < s->n_ents; i++) {
        const struct warden_screen_entity *e = &s->ents[i];
        struct f_ent f = {str_off(w, e->list),
                          str_off(w, e->source_id),
                          str_off(w, e->program),
                          (uint32_t)e->kind,
                          (uint32_t)e->listed | (uint32_t)e->owned_by_listed << 1,
                          e->name0,
                          e->n_names,
                          e->attr0,
                          e->n_attrs};
        wput(&w->sec[S_ENTS], &f, sizeof f);
    }
    for (size_t i = 0; i < s->n_names; i++) {
        const struct warden_screen_name_rec *r = &s->names[i];
        struct f_name f = {r->entity, str_off(w, r->raw), r->tok0,   r->legal, r->seq, r->qual,
                           r->n_tok,  r->abjad,           r->script, 0,        {0}};
        memcpy(f.legal_init, r->legal_init, sizeof f.legal_init);
        wput(&w->sec[S_NAMES], &f, sizeof f);
    }
    for (size_t i = 0; i < s->n_attrs; i++) {
        struct f_attr f = {(uint32_t)s->attrs[i].type, str_off(w, s->attrs[i].value),
                           s->attr_ent[i]};
        wput(&w->sec[S_ATTRS], &f, sizeof f);
    }
    for (size_t i = 0; i < s->n_toks; i++) {
        const struct warden_screen_token *t = &s->toks[i];
        struct f_tok f = {str_off(w, t->str), t->len, t->df, t->minor, t->weight};
        wput(&w->sec[S_TOKS], &f, sizeof f);
    }
    for (size_t i = 0; i < s->n_rels; i++) {
        const struct warden_screen_rel *r = &s->rels[i];
        struct f_rel f = {r->owner,
                          r->asset,
                          str_off(w, r->owner_ref),
                          str_off(w, r->asset_ref),
                          str_off(w, r->list),
                          0,
                          r->share};
        wput(&w->sec[S_RELS], &f, sizeof f);
    }
    wput(&w->sec[S_NAMETOKS], s->name_toks, s->n_name_toks * 4);
    wput(&w->sec[S_NAMEINITS], s->name_inits, s->n_name_toks * WARDEN_NORM_INIT);
    for (size_t i = 0; i < s->n_name_toks; i++) {
        uint32_t o = s->name_surf && s->name_surf[i] ? str_off(w, s->name_surf[i]) : 0;
        wput(&w->sec[S_NAMESURF], &o, 4);
    }
    wput(&w->sec[S_IX], s->ix, s->ix_cap * sizeof *s->ix);
    wput(&w->sec[S_POST], s->postings, s->n_postings * 4);
    for (size_t i = 0; i < s->n_ents; i++) {
        int32_t l = s->ent_level ? (int32_t)s->ent_level[i] : -1;
        wput(&w->sec[S_LEVEL], &l, 4);
    }
}

static int write_file(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
    char *tmp = warden_xasprintf("%s.tmp.%ld", path, (long)getpid());
    int rc = WARDEN_EIO;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    const char *p = buf;
    size_t left = len;
    while (left) {
        ssize_t k = write(fd, p, left);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            snprintf(err, errlen, "%s: write failed: %s", tmp, strerror(errno));
            goto out;
        }
        p += k;
        left -= (size_t)k;
    }
    if (fsync(fd) != 0) {
        snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0) close(fd);
    if (rc) unlink(tmp);
    free(tmp);
    return rc;
}

int warden_screen_save(const struct warden_screen *s, const char *path, char *err, size_t errlen)
{
    if (!s->finished) {
        snprintf(err, errlen, "lists not finished");
        return WARDEN_EINVAL;
    }
    struct writer w;
    memset(&w, 0, sizeof w);
    warden_smap_init(&w.seen);
    struct lists_hdr h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, LISTS_MAGIC, 8);
    h.version = LISTS_VERSION;
    h.bom = LISTS_BOM;
    h.created = (int64_t)time(NULL);
    h.n_lists = s->n_lists;
    h.n_ents = s->n_ents;
    h.n_names = s->n_names;
    h.n_attrs = s->n_attrs;
    h.n_toks = s->n_toks;
    h.n_name_toks = s->n_name_toks;
    h.ix_cap = s->ix_cap;
    h.ix_n = s->ix_n;
    h.n_postings = s->n_postings;
    h.n_rels = s->n_rels;
    h.max_weight = s->max_weight;
    h.ownership_threshold = s->built_ownership_threshold;
    wput(&w.sec[S_STR], "", 1); /* offset 0 is "" */
    put_lists(&w, s);
    put_normalizer(&w, s->nz, &h);
    uint64_t pos = sizeof h;
    for (int i = 0; i < S_N; i++) {
        pos = (pos + 7) & ~(uint64_t)7;
        h.off[i] = pos;
        h.len[i] = w.sec[i].n;
        pos += w.sec[i].n;
    }
    h.file_size = pos;
    char *buf = warden_xcalloc(1, (size_t)pos);
    for (int i = 0; i < S_N; i++) {
        if (w.sec[i].n) memcpy(buf + h.off[i], w.sec[i].p, w.sec[i].n);
        free(w.sec[i].p);
    }
    warden_smap_fini(&w.seen);
    h.checksum = XXH3_64bits(buf + sizeof h, (size_t)(pos - sizeof h));
    memcpy(buf, &h, sizeof h);
    int rc = write_file(path, buf, (size_t)pos, err, errlen);
    free(buf);
    return rc;
}

/* ---- mapping ---- */

struct reader {
    const char *base;
    const struct lists_hdr *h;
    const char *str;
    size_t str_len;
    char *why;
    size_t whylen;
};

static const void *sec(const struct reader *r, int i)
{
    return r->base + r->h->off[i];
}

static bool str_ok(const struct reader *r, uint32_t o)
{
    return o < r->str_len;
}

#define BAD(...)                                                                                   \
    do {                                                                                           \
        snprintf(r->why, r->whylen, __VA_ARGS__);                                                  \
        return false;                                                                              \
    } while (0)

/* every section's length agrees with its count and record size */
static bool check_sections(const struct reader *r, size_t file_len)
{
    const struct lists_hdr *h = r->h;
    const uint64_t want[S_N] = {
        [S_LISTS] = h->n_lists * sizeof(struct f_list),
        [S_ENTS] = h->n_ents * sizeof(struct f_ent),
        [S_NAMES] = h->n_names * sizeof(struct f_name),
        [S_ATTRS] = h->n_attrs * sizeof(struct f_attr),
        [S_TOKS] = h->n_toks * sizeof(struct f_tok),
        [S_NAMETOKS] = h->n_name_toks * 4,
        [S_IX] = h->ix_cap * sizeof(struct warden_ix_slot),
        [S_POST] = h->n_postings * 4,
        [S_LEVEL] = h->n_ents * 4,
        [S_RELS] = h->n_rels * sizeof(struct f_rel),
        [S_NZCANON] = (uint64_t)h->n_canon * 4,
        [S_NZCODES] = (uint64_t)h->n_codes * 3,
        [S_NZCLASSES] = (uint64_t)h->n_classes * 4,
        [S_NZFUZZY] = (uint64_t)h->n_fuzzy * sizeof(struct f_fuzzy),
        [S_NAMEINITS] = h->n_name_toks * WARDEN_NORM_INIT,
        [S_NAMESURF] = h->n_name_toks * 4,
        [S_NZFAMILY] = (MAX_CLASSES + 1) * 4,
        [S_NZSUFFIX] = (uint64_t)h->n_suffixes * 4,
        [S_NZHANREAD] = (uint64_t)h->n_han * 8,
    };
    for (int i = 0; i < S_N; i++) {
        if (h->off[i] < sizeof *h || h->off[i] % 8 || h->off[i] > file_len ||
            h->len[i] > file_len - h->off[i])
            BAD("section %d lies outside the file", i);
        bool kv = (i >= S_NZLEGAL && i <= S_NZSTOP) || i == S_NZQUAL || i == S_NZART ||
                  i == S_NZHAN || i == S_NZSTEMS;
        if (kv ? h->len[i] % sizeof(struct f_kv) : (i != S_STR && h->len[i] != want[i]))
            BAD("section %d has %llu bytes, expected %llu", i, (unsigned long long)h->len[i],
                (unsigned long long)want[i]);
    }
    if (h->len[S_STR] == 0 || r->base[h->off[S_STR] + h->len[S_STR] - 1] != '\0')
        BAD("string section not terminated");
    if (h->ix_cap & (h->ix_cap - 1) || h->ix_n > h->ix_cap) BAD("index size not a power of two");
    if (h->n_classes > MAX_CLASSES) BAD("too many legal-form classes");
    if (h->n_suffixes > WARDEN_NZ_MAX_SUFFIXES) BAD("too many case endings");
    if (h->n_ents > UINT32_MAX || h->n_names > UINT32_MAX || h->n_toks > UINT32_MAX)
        BAD("counts too large");
    return true;
}

/* every offset and index inside the records points where it may */
static bool check_records(const struct reader *r)
{
    const struct lists_hdr *h = r->h;
    const struct f_list *li = sec(r, S_LISTS);
    for (uint64_t i = 0; i < h->n_lists; i++)
        if (!str_ok(r, li[i].name)) BAD("list %llu: bad name", (unsigned long long)i);
    const struct f_ent *en = sec(r, S_ENTS);
    for (uint64_t i = 0; i < h->n_ents; i++) {
        const struct f_ent *e = &en[i];
        if (!str_ok(r, e->list) || !str_ok(r, e->source_id) || !str_ok(r, e->program) ||
            e->kind > WARDEN_SCREEN_KIND_AIRCRAFT ||
            (uint64_t)e->name0 + e->n_names > h->n_names + (e->n_names == 0) ||
            (uint64_t)e->attr0 + e->n_attrs > h->n_attrs + (e->n_attrs == 0))
            BAD("entity %llu: index out of range", (unsigned long long)i);
    }
    const struct f_name *nm = sec(r, S_NAMES);
    for (uint64_t i = 0; i < h->n_names; i++)
        if (nm[i].entity >= h->n_ents || !str_ok(r, nm[i].raw) ||
            (uint64_t)nm[i].tok0 + nm[i].n_tok > h->n_name_toks ||
            nm[i].n_tok > WARDEN_NORM_MAX_TOK || !memchr(nm[i].legal_init, '\0', WARDEN_NORM_INIT))
            BAD("name %llu: index out of range", (unsigned long long)i);
    const struct f_attr *at = sec(r, S_ATTRS);
    for (uint64_t i = 0; i < h->n_attrs; i++)
        if (at[i].ent >= h->n_ents || !str_ok(r, at[i].value) ||
            at[i].type > WARDEN_SCREEN_ATTR_REMARK)
            BAD("attribute %llu: index out of range", (unsigned long long)i);
    const struct f_tok *tk = sec(r, S_TOKS);
    for (uint64_t i = 0; i < h->n_toks; i++)
        if (!str_ok(r, tk[i].str) || tk[i].len >= WARDEN_NORM_TOKLEN ||
            (uint64_t)tk[i].str + tk[i].len >= r->str_len || r->str[tk[i].str + tk[i].len])
            BAD("token %llu: bad string", (unsigned long long)i);
    const uint32_t *nt = sec(r, S_NAMETOKS);
    for (uint64_t i = 0; i < h->n_name_toks; i++)
        if (nt[i] >= h->n_toks) BAD("name token %llu out of range", (unsigned long long)i);
    const struct warden_ix_slot *ix = sec(r, S_IX);
    const uint32_t *po = sec(r, S_POST);
    for (uint64_t i = 0; i < h->ix_cap; i++)
        if (ix[i].key && (uint64_t)ix[i].off + ix[i].cnt > h->n_postings)
            BAD("index slot %llu out of range", (unsigned long long)i);
    for (uint64_t i = 0; i < h->n_postings; i++)
        if (po[i] >= h->n_names) BAD("posting %llu out of range", (unsigned long long)i);
    const struct f_rel *rl = sec(r, S_RELS);
    for (uint64_t i = 0; i < h->n_rels; i++)
        if ((rl[i].owner != UINT32_MAX && rl[i].owner >= h->n_ents) ||
            (rl[i].asset != UINT32_MAX && rl[i].asset >= h->n_ents) ||
            !str_ok(r, rl[i].owner_ref) || !str_ok(r, rl[i].asset_ref) || !str_ok(r, rl[i].list))
            BAD("ownership relation %llu out of range", (unsigned long long)i);
    const int32_t *lv = sec(r, S_LEVEL);
    for (uint64_t i = 0; i < h->n_ents; i++)
        if (lv[i] < -1) BAD("entity %llu: bad ownership level", (unsigned long long)i);
    return true;
}

static bool check_normalizer(const struct reader *r)
{
    const struct lists_hdr *h = r->h;
    const uint32_t limit[] = {UINT32_MAX, h->n_canon, h->n_codes, UINT32_MAX};
    /* legal forms: a mask of known classes, not empty */
    uint32_t classes = h->n_classes >= 32 ? UINT32_MAX : (1u << h->n_classes) - 1;
    for (int s = S_NZLEGAL; s <= S_NZSTOP; s++) {
        const struct f_kv *kv = sec(r, s);
        for (uint64_t i = 0; i < h->len[s] / sizeof *kv; i++)
            if (!str_ok(r, kv[i].key) || kv[i].val >= limit[s - S_NZLEGAL] ||
                (s == S_NZLEGAL && (!kv[i].val || (kv[i].val & ~classes))))
                BAD("normalisation table %d entry %llu out of range", s, (unsigned long long)i);
    }
    const int extra[4] = {S_NZQUAL, S_NZART, S_NZHAN, S_NZSTEMS};
    const uint32_t elimit[4] = {WARDEN_QUAL_BRANCH + 1, UINT32_MAX, h->n_han, h->n_canon};
    for (int e = 0; e < 4; e++) {
        const struct f_kv *kv = sec(r, extra[e]);
        for (uint64_t i = 0; i < h->len[extra[e]] / sizeof *kv; i++)
            if (!str_ok(r, kv[i].key) || kv[i].val >= elimit[e])
                BAD("normalisation table %d entry %llu out of range", extra[e],
                    (unsigned long long)i);
    }
    const uint32_t *sf = sec(r, S_NZSUFFIX), *hr = sec(r, S_NZHANREAD);
    for (uint32_t i = 0; i < h->n_suffixes; i++)
        if (!str_ok(r, sf[i])) BAD("case ending %u: bad string", i);
    for (uint32_t i = 0; i < 2 * h->n_han; i++)
        if (!str_ok(r, hr[i])) BAD("Han reading %u: bad string", i / 2);
    const uint32_t *ns = sec(r, S_NAMESURF);
    for (uint64_t i = 0; i < h->n_name_toks; i++)
        if (!str_ok(r, ns[i])) BAD("name token %llu: bad string", (unsigned long long)i);
    const char *ni = sec(r, S_NAMEINITS);
    for (uint64_t i = 0; i < h->n_name_toks; i++)
        if (!memchr(ni + i * WARDEN_NORM_INIT, '\0', WARDEN_NORM_INIT))
            BAD("name token %llu: initials not terminated", (unsigned long long)i);
    const uint32_t *cn = sec(r, S_NZCANON), *cl = sec(r, S_NZCLASSES);
    for (uint32_t i = 0; i < h->n_canon; i++)
        if (!str_ok(r, cn[i])) BAD("canonical term %u: bad string", i);
    if (h->n_generic > h->n_canon) BAD("%u generic terms of %u", h->n_generic, h->n_canon);
    for (uint32_t i = 0; i < h->n_classes; i++)
        if (!str_ok(r, cl[i])) BAD("legal-form class %u: bad string", i);
    const struct f_fuzzy *fz = sec(r, S_NZFUZZY);
    for (uint32_t i = 0; i < h->n_fuzzy; i++)
        if (!str_ok(r, fz[i].variant) || !str_ok(r, fz[i].repl) ||
            strlen(r->str + fz[i].variant) != fz[i].len)
            BAD("fuzzy variant %u: bad string", i);
    return true;
}

static void get_smap(const struct reader *r, int s, struct warden_smap *m)
{
    const struct f_kv *kv = sec(r, s);
    for (uint64_t i = 0; i < r->h->len[s] / sizeof *kv; i++) {
        bool found;
        *warden_smap_put(m, r->str + kv[i].key, &found) = kv[i].val;
    }
}

static struct warden_normalizer *get_normalizer(const struct reader *r)
{
    const struct lists_hdr *h = r->h;
    struct warden_normalizer *nz = warden_xcalloc(1, sizeof *nz);
    warden_arena_init(&nz->arena);
    get_smap(r, S_NZLEGAL, &nz->legal);
    get_smap(r, S_NZTERMS, &nz->terms);
    get_smap(r, S_NZCOUNTRIES, &nz->countries);
    get_smap(r, S_NZSTOP, &nz->stop);
    nz->n_canon = nz->cap_canon = h->n_canon;
    nz->n_generic = h->n_generic;
    nz->canon = warden_xcalloc(h->n_canon + 1, sizeof *nz->canon);
    const uint32_t *cn = sec(r, S_NZCANON), *cl = sec(r, S_NZCLASSES);
    for (uint32_t i = 0; i < h->n_canon; i++) nz->canon[i] = r->str + cn[i];
    nz->n_codes = nz->cap_codes = h->n_codes;
    nz->codes = warden_xcalloc(h->n_codes + 1, sizeof *nz->codes);
    memcpy(nz->codes, sec(r, S_NZCODES), (size_t)h->n_codes * 3);
    nz->n_classes = (int)h->n_classes;
    for (uint32_t i = 0; i < h->n_classes; i++) nz->classes[i] = r->str + cl[i];
    nz->legal_maxlen = (int)h->legal_maxlen;
    nz->terms_maxlen = (int)h->terms_maxlen;
    nz->n_fuzzy = nz->cap_fuzzy = h->n_fuzzy;
    nz->fuzzy = warden_xcalloc(h->n_fuzzy + 1, sizeof *nz->fuzzy);
    const struct f_fuzzy *fz = sec(r, S_NZFUZZY);
    for (uint32_t i = 0; i < h->n_fuzzy; i++)
        nz->fuzzy[i] = (struct warden_nz_fuzzy){r->str + fz[i].variant, r->str + fz[i].repl,
                                                (uint8_t)fz[i].len, 0};
    warden_normalizer_fuzzy_buckets(nz);
    get_smap(r, S_NZQUAL, &nz->qual);
    get_smap(r, S_NZART, &nz->articles);
    get_smap(r, S_NZHAN, &nz->han);
    get_smap(r, S_NZSTEMS, &nz->stems);
    memcpy(nz->family, sec(r, S_NZFAMILY), sizeof nz->family);
    warden_normalizer_index_phrases(nz);
    nz->qual_maxlen = (int)h->qual_maxlen;
    nz->n_suffixes = h->n_suffixes;
    const uint32_t *sf = sec(r, S_NZSUFFIX), *hr = sec(r, S_NZHANREAD);
    for (uint32_t i = 0; i < h->n_suffixes; i++) nz->suffixes[i] = r->str + sf[i];
    nz->n_han = nz->cap_han = h->n_han;
    nz->han_read = warden_xcalloc(h->n_han + 1, sizeof *nz->han_read);
    for (uint32_t i = 0; i < h->n_han; i++) {
        nz->han_read[i][0] = r->str + hr[2 * i];
        nz->han_read[i][1] = r->str + hr[2 * i + 1];
    }
    return nz;
}

static void get_lists(const struct reader *r, struct warden_screen *s)
{
    const struct lists_hdr *h = r->h;
    const char *S = r->str;
    s->n_lists = h->n_lists;
    s->lists = warden_xcalloc(h->n_lists + 1, sizeof *s->lists);
    const struct f_list *li = sec(r, S_LISTS);
    for (size_t i = 0; i < s->n_lists; i++) /* (OFAC kinds were shared when it was built) */
        s->lists[i] = (struct warden_screen_listinfo){S + li[i].name, li[i].entities, li[i].names,
                                                      li[i].as_of_day, false};
    s->n_attrs = s->cap_attrs = h->n_attrs;
    s->attrs = warden_xcalloc(h->n_attrs + 1, sizeof *s->attrs);
    s->attr_ent = warden_xcalloc(h->n_attrs + 1, sizeof *s->attr_ent);
    const struct f_attr *at = sec(r, S_ATTRS);
    for (size_t i = 0; i < s->n_attrs; i++) {
        s->attrs[i] =
            (struct warden_screen_attr){(enum warden_screen_attr_type)at[i].type, S + at[i].value};
        s->attr_ent[i] = at[i].ent;
    }
    s->n_ents = s->cap_ents = h->n_ents;
    s->ents = warden_xcalloc(h->n_ents + 1, sizeof *s->ents);
    const struct f_ent *en = sec(r, S_ENTS);
    for (size_t i = 0; i < s->n_ents; i++) {
        const struct f_ent *f = &en[i];
        s->ents[i] = (struct warden_screen_entity){S + f->list,
                                                   S + f->source_id,
                                                   S + f->program,
                                                   (enum warden_screen_kind)f->kind,
                                                   f->flags & 1,
                                                   (f->flags >> 1) & 1,
                                                   f->name0,
                                                   f->n_names,
                                                   f->attr0,
                                                   f->n_attrs,
                                                   f->n_attrs ? &s->attrs[f->attr0] : NULL};
    }
    s->n_names = s->cap_names = h->n_names;
    s->names = warden_xcalloc(h->n_names + 1, sizeof *s->names);
    const struct f_name *nm = sec(r, S_NAMES);
    for (size_t i = 0; i < s->n_names; i++) {
        struct warden_screen_name_rec *rec = &s->names[i];
        *rec = (struct warden_screen_name_rec){
            nm[i].entity, S + nm[i].raw, nm[i].tok0,   nm[i].n_tok, nm[i].legal,
            nm[i].seq,    nm[i].abjad,   nm[i].script, nm[i].qual,  {0}};
        memcpy(rec->legal_init, nm[i].legal_init, sizeof rec->legal_init);
    }
    s->n_toks = s->cap_toks = h->n_toks;
    s->toks = warden_xcalloc(h->n_toks + 1, sizeof *s->toks);
    const struct f_tok *tk = sec(r, S_TOKS);
    for (size_t i = 0; i < s->n_toks; i++) {
        s->toks[i] = (struct warden_screen_token){S + tk[i].str, tk[i].len, tk[i].df, tk[i].weight,
                                                  tk[i].minor};
        bool found;
        *warden_smap_put(&s->tokmap, s->toks[i].str, &found) = (uint32_t)i;
    }
    s->n_rels = s->cap_rels = h->n_rels;
    s->rels = warden_xcalloc(h->n_rels + 1, sizeof *s->rels);
    const struct f_rel *rl = sec(r, S_RELS);
    for (size_t i = 0; i < s->n_rels; i++)
        s->rels[i] =
            (struct warden_screen_rel){rl[i].owner,         rl[i].asset,         rl[i].share,
                                       S + rl[i].owner_ref, S + rl[i].asset_ref, S + rl[i].list};
    s->ent_level = warden_xcalloc(h->n_ents + 1, sizeof *s->ent_level);
    const int32_t *lv = sec(r, S_LEVEL);
    for (size_t i = 0; i < s->n_ents; i++) s->ent_level[i] = lv[i];
    /* used in place */
    s->n_name_toks = s->cap_name_toks = h->n_name_toks;
    s->name_toks = (uint32_t *)sec(r, S_NAMETOKS);
    s->name_inits = (char(*)[WARDEN_NORM_INIT])sec(r, S_NAMEINITS);
    s->name_surf = warden_xcalloc(h->n_name_toks + 1, sizeof *s->name_surf);
    const uint32_t *su = sec(r, S_NAMESURF);
    for (size_t i = 0; i < h->n_name_toks; i++) s->name_surf[i] = su[i] ? S + su[i] : NULL;
    s->ix_cap = h->ix_cap;
    s->ix_n = h->ix_n;
    s->ix = (struct warden_ix_slot *)sec(r, S_IX);
    s->n_postings = h->n_postings;
    s->postings = (uint32_t *)sec(r, S_POST);
    s->max_weight = (float)h->max_weight;
}

/* the policy's `lists` key, when set, must name exactly the file's lists */
static bool lists_agree(const struct warden_screen *s, char *why, size_t whylen)
{
    const struct warden_strlist *want = &s->conf.lists;
    if (!want->n) return true;
    size_t hit = 0;
    for (size_t i = 0; i < s->n_lists; i++) {
        bool ok = false;
        for (size_t j = 0; j < want->n && !ok; j++) ok = strcmp(want->v[j], s->lists[i].name) == 0;
        if (!ok) {
            snprintf(why, whylen, "holds list '%s' that screen.lists does not name: rebuild it",
                     s->lists[i].name);
            return false;
        }
        hit++;
    }
    if (hit != want->n) {
        snprintf(why, whylen, "holds %zu of the %zu lists screen.lists names: rebuild it", hit,
                 want->n);
        return false;
    }
    return true;
}

int warden_screen_map(struct warden_screen **out, const char *path,
                      const struct warden_screen_conf *conf, char *err, size_t errlen)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? WARDEN_ENOENT : WARDEN_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return WARDEN_EIO;
    }
    size_t len = (size_t)st.st_size;
    if (len < sizeof(struct lists_hdr)) {
        snprintf(err, errlen, "%s: not a Warden compiled list file (only %zu bytes; truncated?)",
                 path, len);
        close(fd);
        return WARDEN_EFORMAT;
    }
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
        return WARDEN_EIO;
    }
    char why[200] = "";
    const struct lists_hdr *h = map;
    struct reader r = {map, h, NULL, 0, why, sizeof why};
    bool ok = false;
    if (memcmp(h->magic, LISTS_MAGIC, 8) != 0)
        snprintf(why, sizeof why, "not a Warden compiled list file (bad magic)");
    else if (h->bom != LISTS_BOM)
        snprintf(why, sizeof why, "written on a machine of another byte order");
    else if (h->version != LISTS_VERSION)
        snprintf(why, sizeof why, "format version %u, this build reads %u: rebuild it", h->version,
                 LISTS_VERSION);
    else if (h->file_size != len)
        snprintf(why, sizeof why, "file is %zu bytes, header says %llu (truncated?)", len,
                 (unsigned long long)h->file_size);
    else if (XXH3_64bits((const char *)map + sizeof *h, len - sizeof *h) != h->checksum)
        snprintf(why, sizeof why, "checksum mismatch (corrupt)");
    else if (check_sections(&r, len)) {
        r.str = r.base + h->off[S_STR];
        r.str_len = h->len[S_STR];
        ok = check_records(&r) && check_normalizer(&r);
    }
    if (!ok) {
        snprintf(err, errlen, "%s: %s", path, why);
        munmap(map, len);
        return WARDEN_EFORMAT;
    }
    struct warden_screen *s = warden_screen_alloc(conf);
    s->map = map;
    s->map_len = len;
    s->map_path = warden_xstrdup(path);
    s->map_dev = (uint64_t)st.st_dev;
    s->map_ino = (uint64_t)st.st_ino;
    s->map_mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    s->nz = get_normalizer(&r);
    get_lists(&r, s);
    warden_screen_index_domains(s);
    s->built_ownership_threshold = h->ownership_threshold;
    s->finished = true;
    if (!lists_agree(s, why, sizeof why)) {
        snprintf(err, errlen, "%s: %s", path, why);
        warden_screen_free(s);
        return WARDEN_EFORMAT;
    }
    if (s->conf.ownership_threshold != h->ownership_threshold) {
        /* the ownership rule changed since the build: redo the lists' own verdicts */
        for (size_t i = 0; i < s->n_ents; i++) {
            char key[512];
            snprintf(key, sizeof key, "%s\x1f%s", s->ents[i].list, s->ents[i].source_id);
            bool found;
            *warden_smap_put(&s->ids, warden_arena_strdup(&s->arena, key), &found) = (uint32_t)i;
        }
        warden_screen_ownership_lists(s);
        s->built_ownership_threshold = s->conf.ownership_threshold;
    }
    *out = s;
    return 0;
}

void warden_screen_unmap(struct warden_screen *s)
{
    if (!s->map) return;
    munmap(s->map, s->map_len);
    s->map = NULL;
    free(s->map_path);
    s->map_path = NULL;
}

int warden_screen_open(struct warden_screen **out, const struct warden_screen_conf *conf, char *err,
                       size_t errlen)
{
    if (conf && conf->compiled && *conf->compiled) {
        int rc = warden_screen_map(out, conf->compiled, conf, err, errlen);
        if (!rc) {
            warden_screen_warn_stale(*out, conf->max_age_days);
            warden_screen_warn_review_programs(*out);
        }
        if (rc != WARDEN_ENOENT) return rc;
        fprintf(stderr,
                "warden: %s: no compiled list file; loading the lists from their sources "
                "(run 'warden lists build')\n",
                conf->compiled);
    }
    const char *dd = conf && conf->data_dir ? conf->data_dir : warden_screen_default_data_dir();
    char *manifest = warden_xasprintf("%s/lists/lists.tsv", dd);
    char *normdir = warden_xasprintf("%s/screen", dd);
    int rc = warden_screen_load(out, manifest, normdir, conf, err, errlen);
    free(manifest);
    free(normdir);
    if (!rc && conf) {
        warden_screen_warn_stale(*out, conf->max_age_days);
        warden_screen_warn_review_programs(*out);
    }
    return rc;
}

const char *warden_screen_source_file(const struct warden_screen *s)
{
    return s->map ? s->map_path : NULL;
}

bool warden_screen_file_changed(const struct warden_screen *s)
{
    if (!s->map) return false;
    struct stat st;
    if (stat(s->map_path, &st) != 0) return false; /* gone: keep what we have */
    int64_t mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    return (uint64_t)st.st_dev != s->map_dev || (uint64_t)st.st_ino != s->map_ino ||
           mt != s->map_mtime_ns;
}

int64_t warden_screen_built_at(const struct warden_screen *s)
{
    return s->map ? ((const struct lists_hdr *)s->map)->created : 0;
}
