/* dump.c — `warden kafka-dump`: the verdict topic back into the files
 * `warden backtest` scores.
 *
 * An account's verdict is the last committed record of its key in the
 * verdict topic: what log compaction keeps. One worker at a time owns the
 * account's events partition and produces its verdicts, in order, into the
 * one verdict partition its key maps to; a new owner starts after its
 * predecessor's last commit. So topic order is the order in which the
 * account's state changed, whether an event or a linking stage's notice
 * changed it (a notice is applied between two events at whatever point it
 * arrives, and the verdict it causes follows the one of the event before).
 *
 * Reads every partition of the verdict topic from its beginning to its end
 * (read_committed) and keeps the last record of each account; writes them
 * sorted by account id to OUT/verdicts.jsonl, as `warden scan` does.
 *
 * Committed only. A cluster that filters aborted transactions shows only
 * committed records. librdkafka's mock cluster does not (it shows aborted
 * and open transactions too), so with the progress topic the committed ones
 * are told apart: every output carries a `warden-txn` header naming its
 * transaction, and every transaction writes one progress record per input
 * partition it consumed (events [from, to), notices [notices_from,
 * notices_to)). An output is kept when a progress record of its transaction
 * names its partition and no later transaction consumed the input that
 * caused it (its event or notice) again (committed input ranges never
 * overlap; a worker redoes input only when the transaction that had
 * consumed it did not commit). The
 * progress topic is read first and also gives the number of events the
 * workers processed and the input offsets covered: once, more than once, or
 * not at all (a gap: events lost).
 *
 * Each record also carries `warden-pos`, PARTITION:OFFSET:N, the input event
 * that caused it and its rank among that event's outputs, or
 * PARTITION:OFFSET:mNOTICE.N for a notice's outputs (OFFSET: the last event
 * of the partition before it; the notice's offset identifies them), or
 * PARTITION:OFFSET:rTAG.N for what a rebuilt worker owed (OFFSET: the
 * partition's last replayed event; TAG: its transaction's; its progress
 * record names the partition with an empty range, so it covers no input
 * and is kept like any output of a committed transaction). A record
 * whose position was already read is a duplicate, counted and skipped; a
 * duplicate verdict that differs from the one kept at its position is
 * counted as a conflict. With exactly-once delivery there are none. The
 * findings, once each, also go to OUT/findings.jsonl (in topic order:
 * cluster membership from cluster.* evidence can be compared with a scan's),
 * and the action changes of the audit topic to OUT/audit.jsonl. */
#include "core/error.h"
#include "core/hash.h"
#include "core/u64map.h"
#include "core/xalloc.h"
#include "io/outputs.h"
#include "kafka/kafka.h"

#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <string.h>

struct kept {
    char *account;
    char *line;
    size_t len;
    int part;
    int64_t off;
};

struct range {
    int part;
    int64_t from, to; /* input offsets [from, to) of one transaction */
};

/* What one transaction consumed of one input partition (a progress record). */
struct txn_part {
    uint64_t key; /* hash of its warden-txn tag and the partition */
    int part;
    int64_t from, to;   /* events [from, to), -1: none */
    int64_t mfrom, mto; /* membership notices [mfrom, mto), -1: none */
    int64_t events;
    size_t order; /* rank in the progress topic's partition order */
    /* a later transaction consumed this one's input again from cut (events)
     * and mcut (notices) on: its outputs caused from there were aborted */
    int64_t cut, mcut;
};

struct dump {
    struct kept *v;
    size_t n, cap;
    struct range *r;
    size_t nr, rcap;
    struct warden_u64map by_account; /* account hash -> index + 1 */
    struct warden_u64map seen;       /* hash of topic + position -> 1 */
    FILE *copy;         /* unique findings or action changes of the topic read, or NULL */
    struct txn_part *t; /* from the progress topic */
    size_t nt, tcap;
    bool filter;                    /* keep only outputs of committed transactions */
    struct warden_u64map committed; /* txn_part keys -> 1 */
};

/* The warden-pos header as partition and offset; false when absent. */
static bool position(const rd_kafka_message_t *m, char *pos, size_t n, int *part, int64_t *off)
{
    rd_kafka_headers_t *h = NULL;
    const void *val;
    size_t len;
    if (rd_kafka_message_headers(m, &h) || !h ||
        rd_kafka_header_get_last(h, "warden-pos", &val, &len) || len >= n)
        return false;
    memcpy(pos, val, len);
    pos[len] = 0;
    long long o = 0;
    if (sscanf(pos, "%d:%lld", part, &o) != 2) return false;
    *off = o;
    return true;
}

/* First sight of (topic, position)? */
static bool first_sight(struct dump *d, const char *topic, const char *pos)
{
    char key[64];
    const char *m = strstr(pos, ":m"), *at = strchr(pos, ':');
    if (m && at && m > at) { /* a notice's output: PARTITION + the notice part */
        snprintf(key, sizeof key, "%.*s%s", (int)(at - pos), pos, m);
        pos = key;
    }
    uint64_t h = warden_hash64_seed(pos, strlen(pos), warden_hash64(topic, strlen(topic)));
    if (!h) h = 1;
    if (warden_u64map_get(&d->seen, h)) return false;
    warden_u64map_put(&d->seen, h, 1);
    return true;
}

static void keep_verdict(struct dump *d, const rd_kafka_message_t *m, int part, int64_t off,
                         struct warden_kafka_dump_stats *st)
{
    uint64_t h = warden_hash64(m->key, m->key_len);
    uint32_t i = warden_u64map_get(&d->by_account, h);
    struct kept *k;
    if (i) { /* the later record in the topic is the newer verdict */
        k = &d->v[i - 1];
        free(k->line);
    } else {
        if (d->n == d->cap) {
            d->cap = d->cap ? d->cap * 2 : 1024;
            d->v = warden_xrealloc(d->v, d->cap * sizeof *d->v);
        }
        k = &d->v[d->n++];
        k->account = warden_xmalloc(m->key_len + 1);
        memcpy(k->account, m->key, m->key_len);
        k->account[m->key_len] = 0;
        warden_u64map_put(&d->by_account, h, (uint32_t)d->n);
        st->accounts++;
    }
    k->line = warden_xmalloc(m->len + 1); /* a tombstone (clusters topic) has no payload */
    if (m->len) memcpy(k->line, m->payload, m->len);
    k->len = m->len;
    k->part = part;
    k->off = off;
}

/* A repeated verdict must equal the one kept for its position: the engine
 * is deterministic in partition order, whoever produced it. */
static void check_same(struct dump *d, const rd_kafka_message_t *m, int part, int64_t off,
                       struct warden_kafka_dump_stats *st)
{
    uint32_t i = m->key ? warden_u64map_get(&d->by_account, warden_hash64(m->key, m->key_len)) : 0;
    if (!i) return;
    const struct kept *k = &d->v[i - 1];
    if (k->part == part && k->off == off &&
        (k->len != m->len || memcmp(k->line, m->payload, m->len)))
        st->verdict_conflicts++;
}

static int cmp_kept(const void *a, const void *b)
{
    return strcmp(((const struct kept *)a)->account, ((const struct kept *)b)->account);
}

/* A number field of a small JSON record (the worker's progress records). */
static int64_t field(const rd_kafka_message_t *m, const char *key)
{
    char buf[256], k[32];
    size_t n = m->len < sizeof buf - 1 ? m->len : sizeof buf - 1;
    memcpy(buf, m->payload, n);
    buf[n] = 0;
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *e = strstr(buf, k);
    return e ? strtoll(e + strlen(k), NULL, 10) : -1;
}

static void add_range(struct dump *d, const rd_kafka_message_t *m)
{
    struct range r = {(int)field(m, "partition"), field(m, "from"), field(m, "to")};
    if (r.part < 0 || r.from < 0 || r.to < r.from) return;
    if (d->nr == d->rcap) {
        d->rcap = d->rcap ? d->rcap * 2 : 256;
        d->r = warden_xrealloc(d->r, d->rcap * sizeof *d->r);
    }
    d->r[d->nr++] = r;
}

/* The warden-txn header hashed with the input partition; 0 when absent. */
static uint64_t txn_key(const rd_kafka_message_t *m, int part)
{
    rd_kafka_headers_t *h = NULL;
    const void *val;
    size_t len;
    if (rd_kafka_message_headers(m, &h) || !h ||
        rd_kafka_header_get_last(h, "warden-txn", &val, &len))
        return 0;
    uint64_t k = warden_hash64_seed(val, len, (uint64_t)(uint32_t)part * 0x9e3779b97f4a7c15ull);
    return k ? k : 1;
}

/* A progress record naming its transaction into d->t; false without one. */
static bool add_txn_part(struct dump *d, const rd_kafka_message_t *m)
{
    int part = (int)field(m, "partition");
    uint64_t key = part >= 0 ? txn_key(m, part) : 0;
    if (!key) return false;
    if (d->nt == d->tcap) {
        d->tcap = d->tcap ? d->tcap * 2 : 256;
        d->t = warden_xrealloc(d->t, d->tcap * sizeof *d->t);
    }
    d->t[d->nt] = (struct txn_part){key,
                                    part,
                                    field(m, "from"),
                                    field(m, "to"),
                                    field(m, "notices_from"),
                                    field(m, "notices_to"),
                                    field(m, "events"),
                                    d->nt,
                                    0,
                                    0};
    d->t[d->nt].cut = d->t[d->nt].to;
    d->t[d->nt].mcut = d->t[d->nt].mto;
    d->nt++;
    return true;
}

static bool by_events = true; /* what cmp_txn_part sorts on */

static int cmp_txn_part(const void *a, const void *b)
{
    const struct txn_part *x = a, *y = b;
    if (x->part != y->part) return x->part < y->part ? -1 : 1;
    int64_t fx = by_events ? x->from : x->mfrom, fy = by_events ? y->from : y->mfrom;
    if (fx != fy) return fx < fy ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Committed input ranges never overlap: a worker redoes input only when the
 * transaction that had consumed it did not commit, from the offset its
 * successor found committed on. So where a transaction consumed input that
 * an earlier one (in the progress topic's order) had consumed too, the
 * earlier one's outputs caused from that offset on were aborted; those
 * caused before it stand. (A cluster that filters aborted transactions
 * never shows such a pair; librdkafka's mock cluster shows them, and also
 * at times loses a committed offset, so that a committed range is redone.) */
static void cut_redone(struct dump *d, bool events)
{
    by_events = events;
    qsort(d->t, d->nt, sizeof *d->t, cmp_txn_part);
    for (size_t i = 0; i < d->nt; i++) {
        struct txn_part *a = &d->t[i];
        int64_t af = events ? a->from : a->mfrom, at = events ? a->to : a->mto;
        if (af < 0 || at <= af) continue;
        for (size_t j = i + 1; j < d->nt && d->t[j].part == a->part; j++) {
            struct txn_part *b = &d->t[j];
            int64_t bf = events ? b->from : b->mfrom, bt = events ? b->to : b->mto;
            if (bf >= at) break; /* sorted by start: no later one overlaps a */
            if (bf < 0 || bt <= bf || b->key == a->key) continue;
            /* the later of the two cuts the earlier where it starts (bf >= af) */
            struct txn_part *earlier = b->order > a->order ? a : b;
            int64_t *cut = events ? &earlier->cut : &earlier->mcut;
            if (bf < *cut) *cut = bf;
        }
    }
}

/* The kept progress records by transaction and partition; counts. */
static void committed_set(struct dump *d, struct warden_kafka_dump_stats *st)
{
    cut_redone(d, true);
    cut_redone(d, false);
    for (size_t i = 0; i < d->nt; i++) {
        const struct txn_part *t = &d->t[i];
        warden_u64map_put(&d->committed, t->key, (uint32_t)(i + 1));
        if ((t->from >= 0 && t->cut < t->to) || (t->mfrom >= 0 && t->mcut < t->mto))
            st->txn_superseded++;
        int64_t ev = t->events;
        if (t->from >= 0 && t->cut - t->from < ev) ev = t->cut - t->from;
        if (ev > 0) st->events += (uint64_t)ev;
    }
    d->filter = true;
}

/* An output not to keep (filtering is on and the record has a warden-txn
 * header): no progress record of its transaction names its partition (the
 * transaction did not commit), or a later transaction consumed the input
 * that caused it again. pos is its warden-pos, off the event offset in it. */
static bool uncommitted(struct dump *d, const rd_kafka_message_t *m, const char *pos, int part,
                        int64_t off)
{
    if (!d->filter || !pos) return false;
    uint64_t k = txn_key(m, part);
    if (!k) return false;
    uint32_t i = warden_u64map_get(&d->committed, k);
    if (!i) return true;
    const struct txn_part *t = &d->t[i - 1];
    const char *mark = strstr(pos, ":m");
    if (mark) /* a notice's output: PARTITION:OFFSET:mNOTICE.N */
        return strtoll(mark + 2, NULL, 10) >= t->mcut;
    return off >= t->cut;
}

static int cmp_range(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    if (x->part != y->part) return x->part < y->part ? -1 : 1;
    return x->from < y->from ? -1 : x->from > y->from;
}

/* The [log start, end) offsets of each partition of the events topic into
 * lo[] and hi[] (parts of them); 0 or an error. */
static int input_bounds(rd_kafka_t *rk, const char *topic, int64_t **lo, int64_t **hi, int *parts,
                        char *err, size_t errlen)
{
    int n = warden_kafka_partitions(rk, topic, 15000, err, errlen);
    if (n < 0) return n;
    *lo = warden_xcalloc((size_t)n, sizeof **lo);
    *hi = warden_xcalloc((size_t)n, sizeof **hi);
    *parts = n;
    for (int p = 0; p < n; p++) {
        rd_kafka_resp_err_t e =
            rd_kafka_query_watermark_offsets(rk, topic, p, &(*lo)[p], &(*hi)[p], 15000);
        if (e) {
            snprintf(err, errlen, "offsets of %s [%d]: %s", topic, p, rd_kafka_err2str(e));
            return WARDEN_EIO;
        }
    }
    return 0;
}

/* Input offsets covered by committed transactions, covered more than once,
 * and left out between offset 0 and the last covered one; with the events
 * topic's bounds (lo, hi: NULL without), left-out offsets below a
 * partition's log start count as deleted, and those from the last covered
 * one to its end as unread. */
static void coverage(struct dump *d, const int64_t *lo, const int64_t *hi, int parts,
                     struct warden_kafka_dump_stats *st)
{
    if (d->nr > 1) qsort(d->r, d->nr, sizeof *d->r, cmp_range);
    size_t i = 0;
    while (i < d->nr && d->r[i].part < 0) i++;
    int np = d->nr ? d->r[d->nr - 1].part + 1 : 0;
    if (lo && parts > np) np = parts;
    for (int part = 0; part < np; part++) {
        bool known = lo && part < parts;
        int64_t start0 = known ? lo[part] : 0; /* below it: deleted, not missing */
        int64_t end = 0;
        for (; i < d->nr && d->r[i].part == part; i++) {
            const struct range *r = &d->r[i];
            if (r->from > end) { /* [end, from) not covered */
                int64_t del_to = r->from < start0 ? r->from : start0;
                if (del_to > end) st->offsets_deleted += (uint64_t)(del_to - end);
                int64_t miss_from = end > start0 ? end : start0;
                if (r->from > miss_from) st->offsets_missing += (uint64_t)(r->from - miss_from);
            }
            int64_t start = r->from > end ? r->from : end;
            if (r->to > start) st->offsets_covered += (uint64_t)(r->to - start);
            int64_t over = (r->to < end ? r->to : end) - r->from;
            if (over > 0) st->offsets_twice += (uint64_t)over;
            if (r->to > end) end = r->to;
        }
        if (known) {
            if (end < start0) { /* nothing covered past the deleted part */
                st->offsets_deleted += (uint64_t)(start0 - end);
                end = start0;
            }
            if (hi[part] > end) st->offsets_unread += (uint64_t)(hi[part] - end);
        }
    }
}

/* Read topic to its end, calling on each record. */
static int read_topic(rd_kafka_t *rk, const char *topic, struct dump *d,
                      struct warden_kafka_dump_stats *st, int kind, char *err, size_t errlen)
{
    int parts = warden_kafka_partitions(rk, topic, 15000, err, errlen);
    if (parts < 0) return parts;
    rd_kafka_topic_partition_list_t *a = rd_kafka_topic_partition_list_new(parts);
    for (int p = 0; p < parts; p++)
        rd_kafka_topic_partition_list_add(a, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, a);
    rd_kafka_topic_partition_list_destroy(a);
    int eof = 0, rc = 0, idle = 0;
    bool *at_end = warden_xcalloc((size_t)parts, sizeof *at_end);
    while (eof < parts) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) {
            if (++idle > 300) { /* 60 s without a record or an end of partition */
                snprintf(err, errlen, "%s: no end of partition within 60 s (open transaction?)",
                         topic);
                rc = WARDEN_EIO;
                break;
            }
            continue;
        }
        idle = 0;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (m->partition >= 0 && m->partition < parts && !at_end[m->partition]) {
                at_end[m->partition] = true;
                eof++;
            }
        } else if (m->err) {
            snprintf(err, errlen, "%s: %s", topic, rd_kafka_message_errstr(m));
            rc = WARDEN_EIO;
            rd_kafka_message_destroy(m);
            break;
        } else {
            char pos[64];
            int part = 0;
            int64_t off = 0;
            bool has = position(m, pos, sizeof pos, &part, &off);
            if (kind != 2 && uncommitted(d, m, has ? pos : NULL, part, off)) {
                st->uncommitted_records++;
                rd_kafka_message_destroy(m);
                continue;
            }
            bool fresh = !has || first_sight(d, topic, pos);
            if (kind == 0) {
                st->verdict_records++;
                if (!fresh) {
                    st->verdict_duplicates++;
                    check_same(d, m, part, off, st);
                } else if (m->key) {
                    keep_verdict(d, m, part, off, st);
                }
            } else if (kind == 1) {
                st->finding_records++;
                if (!fresh) {
                    st->finding_duplicates++;
                } else if (d->copy) {
                    fwrite(m->payload, 1, m->len, d->copy);
                    fputc('\n', d->copy);
                }
            } else if (kind == 4) {
                st->audit_records++;
                if (!fresh) {
                    st->audit_duplicates++;
                } else if (d->copy) {
                    fwrite(m->payload, 1, m->len, d->copy);
                    fputc('\n', d->copy);
                }
            } else if (kind == 5) { /* cluster records: the newest per cluster id */
                st->cluster_records++;
                if (m->key) keep_verdict(d, m, part, off, st);
            } else if (kind == 3) {
                st->reject_records++;
                if (!fresh) st->reject_duplicates++;
            } else {
                st->progress_records++;
                add_range(d, m);
                bool named = add_txn_part(d, m); /* its events are counted if it committed */
                if (!fresh)
                    st->progress_duplicates++;
                else if (!named)
                    st->events += (uint64_t)field(m, "events");
            }
        }
        rd_kafka_message_destroy(m);
    }
    free(at_end);
    rd_kafka_assign(rk, NULL);
    return rc;
}

/* read_topic, its unique records also into outdir/name (renamed into place
 * when the whole topic was read). */
static int read_into(rd_kafka_t *rk, const char *topic, struct dump *d,
                     struct warden_kafka_dump_stats *st, int kind, const char *outdir,
                     const char *name, char *err, size_t errlen)
{
    struct warden_outfile o;
    memset(&o, 0, sizeof o);
    int rc = warden_outfile_open(&o, outdir, name, err, errlen);
    if (rc) return rc;
    d->copy = o.f;
    rc = read_topic(rk, topic, d, st, kind, err, errlen);
    d->copy = NULL;
    if (!rc) return warden_outfile_commit(&o, err, errlen) ? WARDEN_EIO : 0;
    warden_outfile_abort(&o);
    return rc;
}

/* The dump's consumer (assigned partitions, nothing committed); NULL with err. */
static rd_kafka_t *dump_consumer(const char *brokers, const struct warden_strlist *props, int *rc,
                                 char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = warden_kafka_conf(brokers, props, err, errlen);
    if (!conf) {
        *rc = WARDEN_ECONFIG;
        return NULL;
    }
    char e[256];
    rd_kafka_conf_set(conf, "group.id", "warden-kafka-dump", e, sizeof e);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", e, sizeof e);
    rd_kafka_conf_set(conf, "isolation.level", "read_committed", e, sizeof e);
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", e, sizeof e);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e);
    if (!rk) {
        snprintf(err, errlen, "%s", e);
        rd_kafka_conf_destroy(conf);
        *rc = WARDEN_ELIB;
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

int warden_kafka_dump_clusters(const char *brokers, const struct warden_strlist *props,
                               const char *topic, const char *outdir,
                               struct warden_kafka_dump_stats *st, char *err, size_t errlen)
{
    int rc = 0;
    rd_kafka_t *rk = dump_consumer(brokers, props, &rc, err, errlen);
    if (!rk) return rc;
    struct warden_kafka_dump_stats cs;
    memset(&cs, 0, sizeof cs);
    struct dump d;
    memset(&d, 0, sizeof d);
    warden_u64map_init(&d.by_account);
    warden_u64map_init(&d.seen);
    warden_u64map_init(&d.committed);
    rc = read_topic(rk, topic, &d, &cs, 5, err, errlen);
    struct warden_outfile out;
    memset(&out, 0, sizeof out);
    if (!rc && !(rc = warden_outfile_open(&out, outdir, "clusters.jsonl", err, errlen))) {
        if (d.n > 1) qsort(d.v, d.n, sizeof *d.v, cmp_kept);
        for (size_t i = 0; i < d.n; i++) {
            if (!d.v[i].len) { /* a tombstone: the cluster joined another */
                st->clusters_gone++;
                continue;
            }
            fwrite(d.v[i].line, 1, d.v[i].len, out.f);
            fputc('\n', out.f);
            st->clusters++;
        }
        rc = warden_outfile_commit(&out, err, errlen) ? WARDEN_EIO : 0;
    }
    st->cluster_records += cs.cluster_records;
    for (size_t i = 0; i < d.n; i++) {
        free(d.v[i].account);
        free(d.v[i].line);
    }
    free(d.v);
    warden_u64map_fini(&d.by_account);
    warden_u64map_fini(&d.seen);
    warden_u64map_fini(&d.committed);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

int warden_kafka_dump(const char *brokers, const struct warden_strlist *props,
                      const char *verdicts_topic, const char *findings_topic,
                      const char *audit_topic, const char *progress_topic,
                      const char *rejects_topic, const char *events_topic, const char *outdir,
                      struct warden_kafka_dump_stats *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    int rc0 = 0;
    rd_kafka_t *rk = dump_consumer(brokers, props, &rc0, err, errlen);
    if (!rk) return rc0;
    struct dump d;
    memset(&d, 0, sizeof d);
    warden_u64map_init(&d.by_account);
    warden_u64map_init(&d.seen);
    warden_u64map_init(&d.committed);
    struct warden_outfile out;
    memset(&out, 0, sizeof out);
    int rc = 0;
    if (progress_topic && !(rc = read_topic(rk, progress_topic, &d, st, 2, err, errlen)))
        committed_set(&d, st);
    if (!rc) rc = read_topic(rk, verdicts_topic, &d, st, 0, err, errlen);
    if (!rc && findings_topic)
        rc = read_into(rk, findings_topic, &d, st, 1, outdir, "findings.jsonl", err, errlen);
    if (!rc && audit_topic)
        rc = read_into(rk, audit_topic, &d, st, 4, outdir, "audit.jsonl", err, errlen);
    if (!rc && rejects_topic) rc = read_topic(rk, rejects_topic, &d, st, 3, err, errlen);
    int64_t *lo = NULL, *hi = NULL;
    int in_parts = 0;
    if (!rc && events_topic && progress_topic)
        rc = input_bounds(rk, events_topic, &lo, &hi, &in_parts, err, errlen);
    if (!rc) coverage(&d, lo, hi, in_parts, st);
    free(lo);
    free(hi);
    if (rc) goto out;
    if (d.n > 1) qsort(d.v, d.n, sizeof *d.v, cmp_kept);
    if ((rc = warden_outfile_open(&out, outdir, "verdicts.jsonl", err, errlen))) goto out;
    for (size_t i = 0; i < d.n; i++) {
        fwrite(d.v[i].line, 1, d.v[i].len, out.f);
        fputc('\n', out.f);
    }
    rc = warden_outfile_commit(&out, err, errlen) ? WARDEN_EIO : 0;
out:
    if (rc) warden_outfile_abort(&out);
    for (size_t i = 0; i < d.n; i++) {
        free(d.v[i].account);
        free(d.v[i].line);
    }
    free(d.v);
    free(d.r);
    warden_u64map_fini(&d.by_account);
    warden_u64map_fini(&d.seen);
    warden_u64map_fini(&d.committed);
    free(d.t);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}
