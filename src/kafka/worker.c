/* worker.c — `warden worker`: one member of the consumer group on the
 * events topic (kafka.h has the picture).
 *
 * Each partition of the events topic is one engine shard of one runtime, so
 * an account (the record key) has its state in exactly one worker and its
 * events are seen in partition order. Events are decoded with the scan
 * decoder; a bad record goes to the rejects topic with its partition and
 * offset. Findings, verdicts (an account's verdict each time a finding or an
 * action change touches it), rejects and a progress record per partition
 * are produced in a transaction that also commits the consumed offsets
 * (send_offsets_to_transaction): a transaction's outputs and its input
 * offsets become visible together, or not at all. The consumer reads
 * read_committed and never auto-commits.
 *
 * State hand-off (restore()): a partition given to this worker is replayed
 * with outputs suppressed up to the group's committed offset — from its
 * snapshot (state_dir, snap_load()) when one is at or before that offset,
 * else from its beginning — then processed live; one it kept, whose state is already at the
 * committed offset, goes on where it was (partitions being taken away
 * commit their open transaction first). The engine is deterministic in
 * partition order, so replayed state is the state the previous owner had at
 * that offset. After an aborted transaction every partition is replayed. Every output carries a
 * header `warden-pos` (PARTITION:OFFSET:N, the event and the N-th output it caused), the same
 * whoever produces it, and `warden-txn` (TID.INSTANCE.N, its transaction); each transaction's
 * progress records say what input it consumed, so a reader that sees aborted transactions can
 * keep the committed outputs only (dump.c). Once the replayed partitions are done, what the
 * replay decided that the verdict and findings topics do not have (a worker started with a
 * newer accounts file or policy) is published (vsync()).
 *
 * Linking (link/remote.h). When the policy enables the link detector, it
 * runs in remote mode: its observations (identifier kind and key, the
 * account's own action changes) go to the linking topic in the transaction
 * of the event that caused them, and the membership topic (partition p holds
 * the notices for the accounts of events partition p) is read for the
 * partitions this worker owns. A notice is applied by flushing the shard's
 * link detector with it set: cluster id and cluster.* findings through the
 * engine and the policy; the account's verdict follows. Membership offsets
 * are committed in the same transactions as the events offsets. On restore
 * a partition's notices up to the committed membership offset are applied
 * after its events are replayed, outputs suppressed (so a replayed shard
 * has every notice its previous owner had applied, at the end of the replay
 * rather than where they fell between events), and before its first live
 * event (catch_up_notices()). Without the link detector
 * its cluster.* rules match no detector and are tolerated.
 *
 * The same loop, in stage mode, is the linking stage (`warden link-stage`):
 * input the linking topic in its own group, the link state instead of a
 * runtime, notices out to the membership topic (kafka.h). */
#include "core/clock.h"
#include "core/error.h"
#include "core/event_decode.h"
#include "core/hash.h"
#include "core/jbuf.h"
#include "core/snapio.h"
#include "core/u64map.h"
#include "core/xalloc.h"
#include "detect/detector.h"
#include "detect/distill_prior.h"
#include "detect/distill_crowd.h"
#include "engine/engine.h"
#include "io/outputs.h"
#include "kafka/kafka.h"
#include "kafka/metrics_http.h"
#include "link/remote.h"
#include "policy/policy.h"
#include "policy/review_allow.h"
#include "registry/registry.h"
#include "runtime/coverage.h"
#include "runtime/runtime.h"

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct worker {
    const struct warden_worker_conf *c;
    bool stage;           /* the linking stage: input the linking topic, no runtime */
    bool linking;         /* a worker whose link detector runs in remote mode */
    const char *in_topic; /* events (worker) or linking (stage) topic */
    rd_kafka_t *cons, *prod;
    rd_kafka_t *mcons;                /* membership reader (linking workers) */
    struct warden_link_remote remote; /* the link detector's hook */
    struct warden_policy *pol;        /* stage: the policy and registry, loaded once */
    struct warden_registry *reg;
    struct warden_link_stage *st; /* stage: the link state */
    int m_parts;                  /* membership topic partitions */
    bool *owned;                  /* per partition: assigned here */
    bool *m_paused;               /* per partition: notices wait for the events replay */
    int64_t *m_at;                /* per partition: next notice offset the state reflects */
    int64_t *m_until;             /* per partition: first notice offset applied live */
    int64_t *m_next;              /* per partition: notice offset to commit, -1 none */
    int64_t *m_first;             /* per partition: first notice offset of this transaction */
    int64_t cur_moff;             /* >= 0: outputs are caused by this notice */
    uint64_t notices_live, notices_replayed, bad_links, published;
    bool links_applied; /* stage: observations applied since the clusters' walk */
    /* stage: what the membership topic told each account (remote.h,
     * warden_link_told_fold; keyed by the account id's hash), read when the
     * state is rebuilt and kept up with what is told live; resync: the
     * rebuilt state's dues are still to be compared with it */
    struct warden_u64map told;
    bool resync;
    size_t owed;       /* notices the comparison found owed (a count before they are sent) */
    uint64_t resynced; /* notices the comparisons handed on */
    /* worker: a replay decides with its outputs held back. A worker started
     * with a newer accounts file (or policy) may decide a replayed account
     * otherwise than the run that published its outputs; once the replayed
     * partitions are done, what they decided is compared with what the
     * verdict topic has (vsync()) and what was never published is. */
    bool *vpart;                   /* per partition: replayed, not compared yet */
    bool vsync;                    /* a comparison is due once vpart's replays are done */
    FILE *held;                    /* the findings the replays held back (hold_finding()) */
    struct warden_u64map pub;      /* account hash -> verdict digest (vdigest()) */
    struct warden_u64map pubev;    /* account hash -> its events when that verdict went out */
    struct warden_u64map pubcodes; /* pair_hash(account, code) -> 1: a finding published */
    struct warden_u64map pending;  /* pair_hash(account, code) -> 1: a finding held back */
    bool *vsync_out;               /* per partition: owed outputs in the open transaction */
    bool pos_owed;                 /* outputs produced now are owed ones (warden-pos ...:rTAG.N) */
    uint32_t owed_tag;
    uint64_t owed_findings, owed_verdicts;
    uint64_t bad_readback; /* records read back that are no verdict or finding (skipped) */
    uint64_t clusters_put, clusters_gone; /* stage: cluster records and tombstones produced */
    uint64_t frames_sent, frames_added;   /* distill prior frames (distill_prior.h) */
    struct warden_distill_prior_remote prior_remote;
    double *snap_t; /* per partition: wall clock of its last snapshot */
    uint64_t snaps_saved, snaps_loaded, skipped; /* skipped: records a snapshot spared replaying */
    struct warden_runtime *rt;
    const struct warden_detector **dets;
    size_t n_dets;
    int n_parts;
    int64_t *state_at;     /* per partition: next offset its shard's state reflects, -1 none */
    int64_t *replay_until; /* per partition: first offset processed live */
    int64_t *txn_first;    /* per partition: first offset of this transaction, -1 none */
    int64_t *txn_next;     /* per partition: offset to commit */
    uint64_t *txn_events;  /* per partition: events in this transaction */
    bool in_txn, live, dirty, quiet, loaded_once, rebalanced, state_lost;
    /* other accounts the current record made findings for (a declared
     * reseller's end-user lanes, "ACCOUNT/END_USER"): their verdicts follow */
    char *others[4];
    size_t n_others;
    double txn_t0;
    uint64_t txn_n;
    char tid[512];     /* transactional id */
    uint32_t instance; /* tells this process from an earlier one with the same id */
    uint64_t txn_seq;  /* transactions begun */
    char txn_tag[560]; /* warden-txn header: TID.INSTANCE.SEQ of the open transaction */
    int cur_part;
    int64_t cur_off;
    unsigned cur_seq;
    struct warden_jbuf jb;
    FILE *devnull; /* warden_write_* format into jb and also write here */
    char *scratch;
    size_t scratch_cap;
    char run_id[300];
    struct warden_run_info ri;
    char *err;
    size_t errlen;
    int fatal; /* set from callbacks: a WARDEN_E* code */
    uint64_t live_events, replayed_events, txns, aborts;
    /* input records the broker deleted (retention) before this worker read
     * them: offsets it should have processed live, and offsets its replay
     * should have rebuilt state from; gone_to: per partition, the end of the
     * deleted ranges already counted */
    uint64_t gone_live, gone_replay;
    uint64_t late_live; /* live events older than their partition's newest by > lateness_s */
    int64_t *gone_to;
    double first_live, last_live;   /* wall clock of the first and last live event */
    struct warden_metrics_http *mh; /* /metrics and /healthz (metrics_port), or NULL */
    /* review decisions read from the events topic (warden-review records):
     * (account, reason) pairs dismissed, for the policy; only grows, so a
     * rebuilt runtime keeps them and a replay adds the same again */
    struct warden_review_allow *allow;
    uint64_t reviews_live, reviews_replayed, reviews_bad;
    double metrics_t; /* warden_now_s() of the last text handed to mh */
};

static volatile sig_atomic_t worker_stop;

static void on_signal(int sig)
{
    (void)sig;
    worker_stop = 1;
}

/* ---- producing, with back-pressure ---- */

static void produce_to(struct worker *w, const char *topic, int32_t part, const char *key,
                       size_t keylen, const char *val, size_t len)
{
    char pos[80];
    int pn;
    if (w->pos_owed) /* owed after a rebuild: caused by no record (vsync()) */
        pn = snprintf(pos, sizeof pos, "%d:%lld:r%08x.%u", w->cur_part, (long long)w->cur_off,
                      w->owed_tag, w->cur_seq++);
    else if (w->cur_moff >=
             0) /* caused by a notice: its offset, not the event offset, identifies it */
        pn = snprintf(pos, sizeof pos, "%d:%lld:m%lld.%u", w->cur_part, (long long)w->cur_off,
                      (long long)w->cur_moff, w->cur_seq++);
    else
        pn = snprintf(pos, sizeof pos, "%d:%lld:%u", w->cur_part, (long long)w->cur_off,
                      w->cur_seq++);
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            w->prod, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part),
            RD_KAFKA_V_KEY(key, keylen), RD_KAFKA_V_VALUE((void *)val, len),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADER("warden-pos", pos, pn),
            RD_KAFKA_V_HEADER("warden-txn", w->txn_tag, -1), RD_KAFKA_V_END);
        if (!e) return;
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            /* never commit a transaction that lacks a record: stop, the
             * open transaction is aborted and the next owner redoes it */
            if (!w->fatal) {
                snprintf(w->err, w->errlen, "produce to %s: %s", topic, rd_kafka_err2str(e));
                w->fatal = WARDEN_ELIB;
            }
            return;
        }
        rd_kafka_poll(w->prod, 50); /* queue full: wait for deliveries, then retry */
    }
}

static void produce(struct worker *w, const char *topic, const char *key, size_t keylen,
                    const char *val, size_t len)
{
    produce_to(w, topic, RD_KAFKA_PARTITION_UA, key, keylen, val, len);
}

/* jb holds one formatted line ending in a newline. */
static void produce_jb(struct worker *w, const char *topic, const char *key, size_t keylen)
{
    size_t n = w->jb.len;
    if (n && w->jb.p[n - 1] == '\n') n--;
    produce(w, topic, key, keylen, w->jb.p, n);
}

/* ---- what a replay held back (vsync()) ---- */

static uint64_t pair_hash(uint64_t acct, const char *code)
{
    return (acct * 0x9E3779B97F4A7C15ull) ^ warden_hash64(code, strlen(code)) ^ 1;
}

/* What a verdict says, for telling a rebuilt one from a published one: its
 * action (bits 0-1), its reason codes as a set and its cluster (the rest);
 * bit 2: published since the rebuild (live), bit 3: always set. */
static uint32_t vdigest(int action, uint64_t codes, const char *cluster, size_t clen)
{
    uint64_t h = codes ^ (cluster ? warden_hash64(cluster, clen) * 0xC2B2AE3D27D4EB4Full : 0);
    h ^= h >> 31;
    return ((uint32_t)h & ~0xFu) | 8u | ((uint32_t)action & 3u);
}

static uint32_t verdict_digest(const struct warden_verdict *v)
{
    uint64_t codes = 0;
    for (size_t i = 0; i < v->n_reasons; i++)
        codes += warden_hash64(v->reasons[i].code, strlen(v->reasons[i].code));
    return vdigest(v->action, codes, v->cluster_id, v->cluster_id ? strlen(v->cluster_id) : 0);
}

/* One held-back finding in w->held: this header, the account id, the line. */
struct held_rec {
    uint64_t acct, pair;
    int64_t ts_ms;
    double score;
    int32_t part;
    uint32_t idlen, codelen, linelen;
};

static void hold_finding(struct worker *w, const struct warden_finding *f)
{
    warden_write_finding(&w->jb, w->devnull, f, &w->ri);
    size_t n = w->jb.len;
    if (n && w->jb.p[n - 1] == '\n') n--;
    uint64_t acct = warden_hash64(f->account_id, f->account_id_len);
    struct held_rec r = {acct,
                         pair_hash(acct, f->code),
                         f->ts_ms,
                         f->score,
                         w->cur_part,
                         (uint32_t)f->account_id_len,
                         (uint32_t)strlen(f->code),
                         (uint32_t)n};
    if (fwrite(&r, sizeof r, 1, w->held) != 1 ||
        fwrite(f->account_id, 1, f->account_id_len, w->held) != f->account_id_len ||
        fwrite(f->code, 1, r.codelen, w->held) != r.codelen ||
        fwrite(w->jb.p, 1, n, w->held) != n) {
        snprintf(w->err, w->errlen, "held-back findings: %s", strerror(errno));
        w->fatal = WARDEN_EIO;
    }
}

/* A verdict produced: since a rebuild, remembered as published. */
static void publish_verdict(struct worker *w, const struct warden_verdict *v, const char *key,
                            size_t keylen)
{
    warden_write_verdict(&w->jb, w->devnull, v, &w->ri);
    produce_jb(w, w->c->verdicts_topic, key, keylen);
    if (w->vsync) {
        uint64_t acct = warden_hash64(key, keylen);
        warden_u64map_put(&w->pub, acct, verdict_digest(v) | 4u);
        warden_u64map_put(&w->pubev, acct,
                          v->events < UINT32_MAX ? (uint32_t)v->events : UINT32_MAX);
    }
}

/* ---- the sink the runtime fans out to ---- */

static void sink_finding(void *self, const struct warden_finding *f)
{
    struct worker *w = self;
    w->dirty = true;
    if (!w->live) {
        if (w->held) hold_finding(w, f);
        return;
    }
    if (w->vsync)
        warden_u64map_put(&w->pubcodes,
                          pair_hash(warden_hash64(f->account_id, f->account_id_len), f->code), 1);
    if (memchr(f->account_id, '/', f->account_id_len)) { /* a lane: its verdict follows */
        bool seen = false;
        for (size_t i = 0; i < w->n_others && !seen; i++)
            seen = strlen(w->others[i]) == f->account_id_len &&
                   memcmp(w->others[i], f->account_id, f->account_id_len) == 0;
        if (!seen && w->n_others < sizeof w->others / sizeof w->others[0])
            w->others[w->n_others++] = warden_xstrndup(f->account_id, f->account_id_len);
    }
    warden_write_finding(&w->jb, w->devnull, f, &w->ri);
    produce_jb(w, w->c->findings_topic, f->account_id, f->account_id_len);
}

static void sink_action(void *self, const struct warden_action_change *c)
{
    struct worker *w = self;
    w->dirty = true;
    if (!w->live) return;
    /* the audit trail: the event time of each change (a verdict carries its
     * first action's only), for the case database (warden case-stage) */
    const char *id = c->verdict->account_id;
    warden_write_action_change(&w->jb, w->devnull, c, &w->ri);
    produce_jb(w, w->c->audit_topic, id, strlen(id));
}

static const struct warden_sink_type worker_sink = {
    .name = "kafka",
    .finding = sink_finding,
    .action = sink_action,
};

/* ---- partition state ---- */

static int new_runtime(struct worker *w)
{
    if (w->stage) {
        warden_link_stage_free(w->st);
        w->st = NULL;
        return warden_link_stage_new(&w->st, w->pol, w->reg, w->err, w->errlen);
    }
    warden_runtime_free(w->rt);
    w->rt = NULL;
    struct warden_runtime_conf rc = {
        .policy_path = w->c->policy,
        .accounts_path = w->c->accounts,
        .orgs_path = w->c->orgs,
        .max_accounts = (size_t)w->c->max_accounts,
        .lateness_ms = w->c->lateness_s * 1000,
        .field_notice_events = (uint64_t)w->c->field_notice_events,
        .shards = (unsigned)w->n_parts,
        .quiet = w->quiet || w->loaded_once,
        .lenient_codes = true,
        .detectors = w->dets,
        .n_detectors = w->n_dets,
        .review_allow = w->allow,
    };
    int rc_ = warden_runtime_new(&w->rt, &rc, w->err, w->errlen);
    if (rc_) return rc_;
    w->loaded_once = true;
    const struct warden_policy *pol = warden_runtime_policy(w->rt);
    w->ri = (struct warden_run_info){w->run_id, pol->sha256, pol->shadow};
    warden_runtime_add_sink(w->rt, &worker_sink, w);
    return 0;
}

static void txn_clear(struct worker *w)
{
    for (int p = 0; p < w->n_parts; p++) {
        w->txn_first[p] = w->txn_next[p] = -1;
        w->txn_events[p] = 0;
        if (w->vsync_out) w->vsync_out[p] = false;
        if (w->m_next) w->m_next[p] = w->m_first[p] = -1;
    }
    w->in_txn = false;
    w->txn_n = 0;
}

/* Engine state for the partitions in parts, from the group's committed
 * offsets: a partition whose shard already reflects its committed offset
 * (this worker owned it and committed last) resumes there; any other is
 * replayed from its beginning into a fresh shard, outputs suppressed, up to
 * the committed offset. A shard holding state that does not match (another
 * worker went on with the partition meanwhile) cannot be emptied alone, so
 * then, or with force, the whole runtime is rebuilt and every partition
 * replayed. Sets the offsets in parts to where consumption must start; the
 * caller assigns. */
/* ---- partition snapshots (state_dir; not with linking: a shard's state
 * then also depends on the notices it applied, which the position does not
 * say) ---- */

static bool snapshots(const struct worker *w)
{
    return w->c->state_dir && *w->c->state_dir && !w->stage && !w->linking && w->rt;
}

static void snap_path(const struct worker *w, int p, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s.%s.%s.%d.snap", w->c->state_dir, w->c->transactional_id_prefix,
             w->c->group, w->c->events_topic, p);
}

/* The review allowlist beside a partition snapshot (PATH.allow, one
 * "ACCOUNT<TAB>REASON" line per pair, written whole and renamed): the
 * review records before the snapshot's position are not read again when a
 * worker starts from it. Lifts are in the snapshot itself. */
static void allow_line(void *ctx, const char *account, const char *reason)
{
    fprintf(ctx, "%s\t%s\n", account, reason);
}

static void allow_save(struct worker *w, const char *snap)
{
    char path[1100], tmp[1110];
    snprintf(path, sizeof path, "%s.allow", snap);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return;
    warden_review_allow_each(w->allow, allow_line, f);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        if (!w->quiet) fprintf(stderr, "warden worker: %s not saved\n", path);
    }
}

static void allow_load(struct worker *w, const char *snap)
{
    char path[1100], line[4096];
    snprintf(path, sizeof path, "%s.allow", snap);
    FILE *f = fopen(path, "r");
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');
        if (!tab || !nl) continue;
        *tab = *nl = '\0';
        if (*line && tab[1]) warden_review_allow_add(w->allow, line, tab + 1);
    }
    fclose(f);
}

/* Save partition p's shard at its committed state (position: the next offset). */
static void snap_save(struct worker *w, int p)
{
    if (!snapshots(w) || w->state_at[p] < 0) return;
    char path[1024], why[512];
    snap_path(w, p, path, sizeof path);
    struct warden_runtime_snapinfo si = {
        .position = (uint64_t)w->state_at[p], .one_shard = true, .shard = (unsigned)p};
    if (warden_runtime_save_file_ex(w->rt, path, &si, why, sizeof why)) {
        if (!w->quiet) fprintf(stderr, "warden worker: snapshot not saved: %s\n", why);
        return;
    }
    w->snap_t[p] = warden_now_s();
    w->snaps_saved++;
    allow_save(w, path);
}

/* Load partition p's snapshot into its fresh shard when it is at or before
 * the committed offset c; sets state_at[p]. 0, or an error when a checked
 * file failed while being applied (the runtime is then unusable). */
static int snap_load(struct worker *w, int p, int64_t c)
{
    if (!snapshots(w) || w->state_at[p] >= 0 || c <= 0) return 0;
    char path[1024], why[512];
    snap_path(w, p, path, sizeof path);
    struct warden_runtime_snapinfo si = {.one_shard = true, .shard = (unsigned)p};
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    int rc = warden_snap_verify(f, why, sizeof why);
    if (!rc && fseek(f, 0, SEEK_SET) != 0) rc = WARDEN_EIO;
    if (rc) { /* a torn or foreign file: replay instead */
        fclose(f);
        if (!w->quiet) fprintf(stderr, "warden worker: %s: %s; replaying\n", path, why);
        return 0;
    }
    /* the position first (the runtime's META section opens with the shard
     * count and the position): a snapshot beyond the committed offset is of
     * no use (its transaction's offsets were not stored; librdkafka's mock
     * cluster does that) */
    struct warden_snapreader *r = warden_snap_reader_new(f);
    warden_snap_section_enter(r, WARDEN_SNAP_TAG('M', 'E', 'T', 'A'));
    warden_snap_get_u32(r);
    uint64_t pos = warden_snap_get_u64(r);
    bool bad = warden_snap_failed(r);
    warden_snap_reader_free(r);
    if (bad || (int64_t)pos > c || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        if (!w->quiet)
            fprintf(stderr,
                    "warden worker: %s: position %llu beyond the committed offset %lld; "
                    "replaying\n",
                    path, (unsigned long long)pos, (long long)c);
        return 0;
    }
    allow_load(w, path); /* before the state: loading decides it again under the policy */
    rc = warden_runtime_load_ex(w->rt, f, &si, why, sizeof why);
    fclose(f);
    if (rc) {
        snprintf(w->err, w->errlen, "%s: %s", path, why);
        return rc;
    }
    w->state_at[p] = (int64_t)si.position;
    w->snaps_loaded++;
    w->skipped += si.position;
    return 0;
}

static int load_told(struct worker *w);

/* A new runtime: nothing held back, nothing to compare. */
static void vsync_reset(struct worker *w)
{
    w->vsync = false;
    for (int p = 0; p < w->n_parts; p++) w->vpart[p] = false;
    if (w->held) fclose(w->held);
    w->held = NULL;
    warden_u64map_fini(&w->pub);
    warden_u64map_init(&w->pub);
    warden_u64map_fini(&w->pubcodes);
    warden_u64map_init(&w->pubcodes);
    warden_u64map_fini(&w->pending);
    warden_u64map_init(&w->pending);
    warden_u64map_fini(&w->pubev);
    warden_u64map_init(&w->pubev);
}

static int restore(struct worker *w, rd_kafka_topic_partition_list_t *parts, bool force)
{
    rd_kafka_resp_err_t e = rd_kafka_committed(w->cons, parts, 30000);
    rd_kafka_topic_partition_list_t *mp = rd_kafka_topic_partition_list_new(parts->cnt + 1);
    if (!e && w->linking) { /* the membership offsets committed with them */
        for (int i = 0; i < parts->cnt; i++)
            rd_kafka_topic_partition_list_add(mp, w->c->membership_topic,
                                              parts->elems[i].partition);
        e = rd_kafka_committed(w->cons, mp, 30000);
    }
    if (e) {
        snprintf(w->err, w->errlen, "committed offsets: %s", rd_kafka_err2str(e));
        rd_kafka_topic_partition_list_destroy(mp);
        return WARDEN_EIO;
    }
    bool rebuild = force || (w->stage ? !w->st : !w->rt);
    for (int i = 0; i < parts->cnt; i++) {
        int p = parts->elems[i].partition;
        int64_t c = parts->elems[i].offset >= 0 ? parts->elems[i].offset : 0;
        if (p < 0 || p >= w->n_parts || w->state_at[p] < 0) continue;
        if (w->state_at[p] != c) rebuild = true;
        if (w->linking && w->m_at[p] != (mp->elems[i].offset >= 0 ? mp->elems[i].offset : 0))
            rebuild = true;
    }
    if (rebuild) {
        for (int p = 0; p < w->n_parts; p++) {
            w->state_at[p] = -1;
            if (w->m_at) w->m_at[p] = 0;
        }
        int rc = new_runtime(w);
        if (!w->stage) vsync_reset(w);
        if (!rc && w->stage) { /* what the replay holds back is compared with this, after it */
            rc = load_told(w);
            w->resync = true;
        }
        if (rc) {
            rd_kafka_topic_partition_list_destroy(mp);
            return rc;
        }
    }
    for (int p = 0; p < w->n_parts; p++) w->owned[p] = false;
    for (int i = 0; i < parts->cnt; i++) {
        int p = parts->elems[i].partition;
        if (p < 0 || p >= w->n_parts) continue;
        int64_t c = parts->elems[i].offset >= 0 ? parts->elems[i].offset : 0;
        w->replay_until[p] = c;
        w->owned[p] = true;
        int rc = snap_load(w, p, c);
        if (rc) {
            rd_kafka_topic_partition_list_destroy(mp);
            return rc;
        }
        parts->elems[i].offset = w->state_at[p] >= 0 ? w->state_at[p] : RD_KAFKA_OFFSET_BEGINNING;
        if (!w->stage && c > (w->state_at[p] >= 0 ? w->state_at[p] : 0)) { /* a replay */
            w->vpart[p] = w->vsync = true;
            if (!w->held && !(w->held = tmpfile())) {
                snprintf(w->err, w->errlen, "a file for held-back findings: %s", strerror(errno));
                rd_kafka_topic_partition_list_destroy(mp);
                return WARDEN_EIO;
            }
        }
        if (w->linking) {
            w->m_until[p] = mp->elems[i].offset >= 0 ? mp->elems[i].offset : 0;
            mp->elems[i].offset = w->m_at[p];
            w->m_paused[p] = true;
        }
    }
    if (w->linking) { /* notices wait until the partition's events are replayed */
        rd_kafka_assign(w->mcons, mp);
        rd_kafka_pause_partitions(w->mcons, mp);
    }
    rd_kafka_topic_partition_list_destroy(mp);
    txn_clear(w);
    return 0;
}

/* Resume the notices of partitions whose events replay is done. */
static void resume_notices(struct worker *w)
{
    for (int p = 0; p < w->n_parts; p++) {
        if (!w->m_paused[p] || !w->owned[p]) continue;
        if (w->replay_until[p] > 0 && w->state_at[p] < w->replay_until[p]) continue;
        w->m_paused[p] = false;
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, w->c->membership_topic, p);
        rd_kafka_resume_partitions(w->mcons, l);
        rd_kafka_topic_partition_list_destroy(l);
    }
}

/* ---- transactions ---- */

static int txn_error(struct worker *w, rd_kafka_error_t *e, const char *what)
{
    int rc;
    if (rd_kafka_error_is_fatal(e)) {
        snprintf(w->err, w->errlen, "%s: %s (fatal: fenced by a newer worker with this id?)", what,
                 rd_kafka_error_string(e));
        rc = WARDEN_ELIB;
    } else if (rd_kafka_error_txn_requires_abort(e)) {
        snprintf(w->err, w->errlen, "%s: %s", what, rd_kafka_error_string(e));
        rc = 1;
    } else {
        snprintf(w->err, w->errlen, "%s: %s", what, rd_kafka_error_string(e));
        rc = rd_kafka_error_is_retriable(e) ? 2 : WARDEN_ELIB;
    }
    rd_kafka_error_destroy(e);
    return rc;
}

static int begin(struct worker *w)
{
    rd_kafka_error_t *e = rd_kafka_begin_transaction(w->prod);
    if (e) {
        txn_error(w, e, "begin transaction");
        return WARDEN_ELIB;
    }
    w->in_txn = true;
    snprintf(w->txn_tag, sizeof w->txn_tag, "%s.%08x.%llu", w->tid, w->instance,
             (unsigned long long)++w->txn_seq);
    w->txn_t0 = warden_now_s();
    w->txn_n = 0;
    return 0;
}

/* Abort the open transaction (its outputs are discarded, its offsets not committed). */
static int abort_txn(struct worker *w)
{
    if (!w->in_txn) return 0;
    w->aborts++;
    for (int tries = 0; tries < 10; tries++) {
        rd_kafka_error_t *e = rd_kafka_abort_transaction(w->prod, 30000);
        if (!e) break;
        int rc = txn_error(w, e, "abort transaction");
        if (rc < 0) return rc;
    }
    txn_clear(w);
    return 0;
}

/* Rebuild state and rewind every assigned partition to its beginning. */
static int rewind_all(struct worker *w)
{
    rd_kafka_topic_partition_list_t *a = NULL;
    rd_kafka_resp_err_t e = rd_kafka_assignment(w->cons, &a);
    if (e) {
        snprintf(w->err, w->errlen, "assignment: %s", rd_kafka_err2str(e));
        return WARDEN_ELIB;
    }
    int rc = restore(w, a, true);
    if (!rc) rd_kafka_assign(w->cons, a);
    rd_kafka_topic_partition_list_destroy(a);
    return rc;
}

/* ---- the stage's cluster records (clusters_topic) ---- */

/* One record, keyed by cluster id, in the open transaction; val NULL: a
 * tombstone. No warden-pos: a record is the cluster's state, not an
 * event's output, and the newest one per key is what counts. */
static void produce_cluster(struct worker *w, const char *id, const char *val, size_t len)
{
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            w->prod, RD_KAFKA_V_TOPIC(w->c->clusters_topic), RD_KAFKA_V_KEY(id, strlen(id)),
            RD_KAFKA_V_VALUE((void *)val, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADER("warden-txn", w->txn_tag, -1), RD_KAFKA_V_END);
        if (!e) return;
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            if (!w->fatal) {
                snprintf(w->err, w->errlen, "produce to %s: %s", w->c->clusters_topic,
                         rd_kafka_err2str(e));
                w->fatal = WARDEN_ELIB;
            }
            return;
        }
        rd_kafka_poll(w->prod, 50);
    }
}

static void cluster_put(void *ctx, const struct warden_cluster_record *r)
{
    struct worker *w = ctx;
    warden_write_cluster(&w->jb, w->devnull, r, &w->ri);
    size_t n = w->jb.len;
    if (n && w->jb.p[n - 1] == '\n') n--;
    produce_cluster(w, r->cluster_id, w->jb.p, n);
    w->clusters_put++;
}

static void cluster_gone(void *ctx, const char *cluster_id)
{
    struct worker *w = ctx;
    produce_cluster(w, cluster_id, NULL, 0);
    w->clusters_gone++;
}

/* Stage: the records of the clusters the transaction's observations
 * changed, in the transaction (an aborted one is replayed into a new state,
 * whose first walk hands every cluster on again). */
static void publish_clusters(struct worker *w)
{
    if (!w->stage || !w->st || !w->links_applied || !*w->c->clusters_topic) return;
    w->links_applied = false;
    warden_link_stage_clusters(w->st, cluster_put, cluster_gone, w);
}

/* Commit the open transaction with the consumed offsets: 0, 1 when it had
 * to be aborted (nothing of it is visible), or a negative WARDEN_E* code. */
static int commit(struct worker *w)
{
    if (!w->in_txn) return 0;
    publish_clusters(w);
    if (w->fatal) return w->fatal;
    rd_kafka_topic_partition_list_t *offs = rd_kafka_topic_partition_list_new(8);
    for (int p = 0; p < w->n_parts; p++) {
        bool notices = w->linking && w->m_first[p] >= 0;
        bool owed = !w->stage && w->vsync_out[p];
        if (w->txn_next[p] >= 0)
            rd_kafka_topic_partition_list_add(offs, w->in_topic, p)->offset = w->txn_next[p];
        else if (!notices && !owed)
            continue;
        if (w->stage) continue; /* progress records count events */
        /* what this transaction consumed of partition p: its events and its
         * notices (a reader that sees aborted transactions, as on
         * librdkafka's mock cluster, tells committed outputs by them) */
        warden_jbuf_reset(&w->jb);
        warden_jbuf_obj_open(&w->jb);
        warden_jbuf_kv_int(&w->jb, "partition", p);
        if (w->txn_next[p] >= 0) {
            warden_jbuf_kv_int(&w->jb, "from", w->txn_first[p]);
            warden_jbuf_kv_int(&w->jb, "to", w->txn_next[p]);
        } else if (owed) { /* outputs owed after a rebuild, no input: an empty range */
            warden_jbuf_kv_int(&w->jb, "from", w->state_at[p]);
            warden_jbuf_kv_int(&w->jb, "to", w->state_at[p]);
        }
        warden_jbuf_kv_int(&w->jb, "events", (int64_t)w->txn_events[p]);
        if (notices) {
            warden_jbuf_kv_int(&w->jb, "notices_from", w->m_first[p]);
            warden_jbuf_kv_int(&w->jb, "notices_to", w->m_next[p]);
        }
        warden_jbuf_obj_close(&w->jb);
        char key[32];
        int kn = snprintf(key, sizeof key, "%d", p);
        w->cur_part = p;
        w->cur_off = w->txn_next[p] >= 0 ? w->txn_first[p] : w->state_at[p] - 1;
        w->cur_seq = 0;
        w->cur_moff = w->txn_next[p] >= 0 ? -1 : w->m_first[p];
        produce(w, w->c->progress_topic, key, (size_t)kn, w->jb.p, w->jb.len);
    }
    for (int p = 0; w->linking && p < w->n_parts; p++)
        if (w->m_next[p] >= 0)
            rd_kafka_topic_partition_list_add(offs, w->c->membership_topic, p)->offset =
                w->m_next[p];
    rd_kafka_consumer_group_metadata_t *gm = rd_kafka_consumer_group_metadata(w->cons);
    int rc = 0;
    for (int tries = 0;; tries++) {
        rd_kafka_error_t *e = rd_kafka_send_offsets_to_transaction(w->prod, offs, gm, 30000);
        if (!e) e = rd_kafka_commit_transaction(w->prod, 30000);
        if (!e) break;
        rc = txn_error(w, e, "commit transaction");
        if (rc == 2 && tries < 10) continue; /* retriable: try again */
        break;
    }
    rd_kafka_consumer_group_metadata_destroy(gm);
    /* The same offsets again, outside the transaction, once it is committed:
     * on a real cluster a no-op rewrite; librdkafka's mock cluster (2.0.2)
     * acknowledges transactional offset commits without storing them. */
    if (rc == 0) rd_kafka_commit(w->cons, offs, 0);
    rd_kafka_topic_partition_list_destroy(offs);
    if (rc == 0) {
        w->txns++;
        for (int p = 0; p < w->n_parts && snapshots(w); p++)
            if (w->txn_next[p] >= 0 &&
                warden_now_s() - w->snap_t[p] >= (double)w->c->snapshot_interval_s)
                snap_save(w, p);
        txn_clear(w);
        return 0;
    }
    if (rc < 0 || rc == 2) return rc < 0 ? rc : WARDEN_EIO;
    /* abortable: discard; the caller rebuilds the state from the committed offsets */
    if (!w->quiet) fprintf(stderr, "warden worker: %s; transaction aborted, redoing\n", w->err);
    if ((rc = abort_txn(w))) return rc;
    return 1;
}

/* Commit; after an abort, rebuild the state and redo from the committed offsets. */
static int commit_or_redo(struct worker *w)
{
    int rc = commit(w);
    return rc == 1 ? rewind_all(w) : rc;
}

/* ---- the rebalance callback: state follows the partitions ---- */

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct worker *w = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        int rc = restore(w, parts, w->state_lost);
        w->state_lost = false;
        if (rc && !w->fatal) w->fatal = rc;
        w->rebalanced = true;
        if (!w->quiet)
            fprintf(stderr, "warden %s: assigned %d partition(s)\n",
                    w->stage ? "link-stage" : "worker", parts->cnt);
        rd_kafka_assign(rk, parts);
    } else {
        /* commit what was done while the partitions are still ours; if
         * that fails, the next owner redoes it and this state is stale */
        int rc = w->fatal ? abort_txn(w) : commit(w);
        if (rc < 0 && !w->fatal) w->fatal = rc;
        if (rc || w->fatal) w->state_lost = true;
        for (int i = 0; i < parts->cnt && !rc && !w->fatal; i++) { /* for the next owner */
            int p = parts->elems[i].partition;
            if (p >= 0 && p < w->n_parts && w->owned[p]) snap_save(w, p);
        }
        for (int p = 0; p < w->n_parts; p++) w->owned[p] = false;
        if (w->mcons) rd_kafka_assign(w->mcons, NULL);
        rd_kafka_assign(rk, NULL);
    }
}

/* ---- records deleted before they were read ---- */

/* The record at offset `at` of partition p arrived while the next expected
 * was `want`. A gap is normal with transactional producers (their markers
 * and aborted records take offsets) and after a compaction; it is a loss
 * when the broker's log now starts after `want`: retention deleted records
 * no worker of the group had read. Counted (once per offset), reported, and
 * for live offsets recorded on the rejects topic, so the audit trail shows
 * which input was never judged. The log start is the consumer's cached low
 * watermark (fetch responses carry it), so this costs no round trip. */
static void check_gap(struct worker *w, int p, int64_t want, int64_t at)
{
    if (w->gone_to[p] > want) want = w->gone_to[p];
    if (at <= want) return;
    int64_t lo = -1, hi = -1;
    if (rd_kafka_get_watermark_offsets(w->cons, w->in_topic, p, &lo, &hi) || lo <= want) return;
    int64_t end = lo < at ? lo : at; /* [want, end) deleted unread */
    w->gone_to[p] = end;
    int64_t split = w->replay_until[p];
    int64_t replay = (end < split ? end : split) - want;
    int64_t live = end - (want > split ? want : split);
    if (replay > 0) w->gone_replay += (uint64_t)replay;
    if (live > 0) w->gone_live += (uint64_t)live;
    if (!w->quiet)
        fprintf(stderr,
                "warden %s: %s [%d]: offsets %lld-%lld were deleted by the broker (retention) "
                "before this group read them: %s\n",
                w->stage ? "link-stage" : "worker", w->in_topic, p, (long long)want,
                (long long)end - 1,
                live > 0 ? "never judged; keep the topic's retention longer than workers can be "
                           "down, or add workers"
                         : "the partition's state is rebuilt without them");
    if (live > 0 && w->live && w->c->rejects_topic) {
        warden_jbuf_reset(&w->jb);
        warden_jbuf_obj_open(&w->jb);
        warden_jbuf_kv_str(&w->jb, "topic", w->in_topic);
        warden_jbuf_kv_int(&w->jb, "partition", p);
        warden_jbuf_kv_int(&w->jb, "offset", end - live);
        warden_jbuf_kv_int(&w->jb, "count", live);
        warden_jbuf_kv_str(&w->jb, "reason", "deleted by the broker before being read");
        warden_jbuf_obj_close(&w->jb);
        char key[32];
        int kn = snprintf(key, sizeof key, "%d", p);
        produce(w, w->c->rejects_topic, key, (size_t)kn, w->jb.p, w->jb.len);
    }
}

/* ---- review decisions (warden case-stage writes them to the events topic) ---- */

static bool review_record(const rd_kafka_message_t *m)
{
    rd_kafka_headers_t *h = NULL;
    const void *v = NULL;
    size_t n = 0;
    return rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR &&
           rd_kafka_header_get_last(h, "warden-review", &v, &n) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* An analyst's decision on an account of partition p, at its place among
 * the account's events (a replay applies it at the same place): the
 * reasons allowlisted join the set the policy consults, the action is
 * lifted, and the account's verdict (allow now) is published. 0, or the
 * reason it is refused in why. */
static int apply_review(struct worker *w, size_t shard, const char *buf, size_t len, char *why,
                        size_t whylen)
{
    json_error_t je;
    json_t *o = json_loadb(buf, len, 0, &je);
    const char *acct = json_string_value(json_object_get(o, "account_id"));
    json_t *allow = json_object_get(o, "allow");
    if (!json_is_object(o) || !acct || !*acct || (allow && !json_is_array(allow))) {
        snprintf(why, whylen, "a review record needs account_id, and allow as an array");
        json_decref(o);
        return WARDEN_EFORMAT;
    }
    size_t alen = strlen(acct), i;
    json_t *r;
    json_array_foreach(allow, i, r)
    {
        if (json_is_string(r) && *json_string_value(r))
            warden_review_allow_add(w->allow, acct, json_string_value(r));
    }
    if (json_is_true(json_object_get(o, "lift"))) {
        warden_runtime_lift_shard(w->rt, shard, acct, alen);
        w->dirty = true;
    }
    if (w->live) {
        w->reviews_live++;
        const struct warden_verdict *v =
            warden_engine_verdict(warden_runtime_shard(w->rt, shard), acct, alen);
        if (v) {
            publish_verdict(w, v, acct, alen);
        }
    } else {
        w->reviews_replayed++;
    }
    json_decref(o);
    return 0;
}

/* ---- one event ---- */

/* ---- linking ---- */

/* The link detector's observations (remote mode), in the event's transaction. */
static void publish_obs(void *ctx, const struct warden_link_obs *o)
{
    struct worker *w = ctx;
    if (!w->live) return;
    char buf[WARDEN_LINK_WIRE_MAX], key[24];
    size_t n = warden_link_obs_encode(o, w->cur_part, buf, sizeof buf);
    if (!n) {
        w->bad_links++;
        return;
    }
    w->published++;
    if (o->kind >= 0) /* keyed by identifier: one identifier's uses in one partition */
        produce(w, w->c->linking_topic, key,
                (size_t)snprintf(key, sizeof key, "%016llx", (unsigned long long)o->key), buf, n);
    else
        produce(w, w->c->linking_topic, o->account_id, o->len, buf, n);
}

/* The distill prior's frames of an enforced account (remote mode,
 * distill_prior.h): to the linking stage, in the event's transaction. */
static void publish_frame(void *ctx, const char *acct, size_t len, uint64_t sketch, uint8_t end,
                          int64_t ts_ms)
{
    struct worker *w = ctx;
    struct warden_link_obs o = {.account_id = acct,
                                .len = len,
                                .ts_ms = ts_ms,
                                .kind = WARDEN_LINK_OBS_FRAME,
                                .key = sketch,
                                .level = end};
    if (!w->live) return;
    w->frames_sent++;
    publish_obs(w, &o);
}

/* Stage: a notice to the account's events partition of the membership topic. */
static void stage_notify(void *ctx, const struct warden_link_notice *x, int partition)
{
    struct worker *w = ctx;
    if (!w->live) return;
    char buf[WARDEN_LINK_WIRE_MAX];
    size_t n = warden_link_notice_encode(x, buf, sizeof buf);
    if (!n || partition >= w->m_parts) {
        w->bad_links++;
        return;
    }
    produce_to(w, w->c->membership_topic, partition, x->account_id, x->len, buf, n);
    w->published++;
    if (!x->frame) {
        uint64_t h = warden_hash64(x->account_id, x->len);
        warden_u64map_put(&w->told, h, warden_link_told_fold(warden_u64map_get(&w->told, h), x));
    }
}

/* Worker: one notice of partition p's accounts. */
static int process_notice(struct worker *w, const rd_kafka_message_t *m)
{
    int p = m->partition;
    if (!w->rt || p < 0 || p >= w->n_parts || !w->owned[p] || m->offset < w->m_at[p]) return 0;
    w->live = m->offset >= w->m_until[p];
    if (w->live && !w->in_txn) {
        int rc = begin(w);
        if (rc) return rc;
    }
    struct warden_link_notice x;
    int dec = warden_link_notice_decode(m->payload, m->len, &x);
    if (dec == 0 && x.frame) {
        /* an enforced harvester's frame, sent to every partition: into this
         * process's distill prior (the same table whichever partition it
         * came through), live or replayed */
        struct warden_distill_prior *t = warden_distill_prior_find(warden_runtime_policy(w->rt));
        if (t) {
            warden_distill_prior_add(t, x.key, x.frame_end, x.ts_ms);
            w->frames_added++;
        }
        warden_distill_prior_free(t);
    } else if (dec == 0) {
        w->cur_part = p;
        w->cur_off = w->state_at[p] - 1;
        w->cur_moff = m->offset;
        w->cur_seq = 0;
        w->dirty = false;
        w->remote.notice = &x;
        warden_runtime_flush_detector(w->rt, (size_t)p, &warden_detect_link);
        w->remote.notice = NULL;
        if (w->dirty && w->live) {
            const struct warden_verdict *v =
                warden_engine_verdict(warden_runtime_shard(w->rt, (size_t)p), x.account_id, x.len);
            if (v) {
                publish_verdict(w, v, x.account_id, x.len);
            }
        }
        for (size_t i = 0; i < w->n_others; i++) free(w->others[i]); /* none expected here */
        w->n_others = 0;
        w->cur_moff = -1;
    } else {
        w->bad_links++;
    }
    w->m_at[p] = m->offset + 1;
    if (w->live) {
        if (w->m_first[p] < 0) w->m_first[p] = m->offset;
        w->m_next[p] = m->offset + 1;
        w->txn_n++;
        w->notices_live++;
    } else {
        w->notices_replayed++;
    }
    return 0;
}

/* Before partition p's first live event: apply every notice the group
 * committed for it (offsets below m_until[p]), outputs suppressed. Its
 * previous owner applied them before committing the events that follow, so
 * a live event decided without them would publish a verdict lacking the
 * cluster they set, and nothing would correct it (those notices are replayed,
 * not live). The notice reader fetches on its own, so wait for it here;
 * notices of other partitions read meanwhile are applied as usual. */
static int catch_up_notices(struct worker *w, int p)
{
    if (!w->linking || w->m_at[p] >= w->m_until[p]) return 0;
    resume_notices(w);
    double t0 = warden_now_s();
    while (w->m_at[p] < w->m_until[p] && !w->fatal && !worker_stop) {
        if (warden_now_s() - t0 > 60) {
            snprintf(w->err, w->errlen,
                     "membership %s partition %d: notices up to offset %lld not read within 60 s "
                     "(at %lld)",
                     w->c->membership_topic, p, (long long)w->m_until[p], (long long)w->m_at[p]);
            return WARDEN_EIO;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(w->mcons, 100);
        if (!m) continue;
        int rc = m->err ? 0 : process_notice(w, m);
        rd_kafka_message_destroy(m);
        if (rc) return rc;
    }
    return w->fatal;
}

/* Stage: one observation (the record's bytes are in w->scratch). */
static void stage_process(struct worker *w, const rd_kafka_message_t *m)
{
    struct warden_link_obs o;
    int part;
    if (warden_link_obs_decode(w->scratch, m->len, &o, &part) != 0) {
        w->bad_links++;
    } else if (o.kind == WARDEN_LINK_OBS_FRAME) {
        /* a frame for the distill prior: to every events partition's notices */
        struct warden_link_notice x = {.account_id = o.account_id,
                                       .len = o.len,
                                       .frame = true,
                                       .frame_end = (uint8_t)o.level,
                                       .key = o.key,
                                       .ts_ms = o.ts_ms};
        for (int p = 0; p < w->m_parts; p++) stage_notify(w, &x, p);
        w->frames_sent++;
    } else {
        warden_link_stage_apply(w->st, &o, part, stage_notify, w);
        w->links_applied = true;
    }
}

/* ---- one event ---- */

static int process(struct worker *w, const rd_kafka_message_t *m)
{
    int p = m->partition;
    if ((w->stage ? !w->st : !w->rt) || p < 0 || p >= w->n_parts) return 0;
    size_t shard = (size_t)p;
    if (m->offset >= w->replay_until[p] && !w->stage) {
        int rc = catch_up_notices(w, p);
        if (rc) return rc;
    }
    w->live = m->offset >= w->replay_until[p];
    if (w->live && !w->in_txn) {
        int rc = begin(w);
        if (rc) return rc;
    }
    w->cur_part = p;
    w->cur_off = m->offset;
    w->cur_seq = 0;
    w->cur_moff = -1;
    w->dirty = false;
    check_gap(w, p, w->state_at[p] >= 0 ? w->state_at[p] : 0, m->offset);
    if (m->len + 1 > w->scratch_cap) {
        w->scratch_cap = m->len + 1;
        w->scratch = warden_xrealloc(w->scratch, w->scratch_cap);
    }
    if (m->len) memcpy(w->scratch, m->payload, m->len);
    struct warden_event ev;
    char why[256];
    int review_rc = 0;
    bool review = false; /* an analyst's decision, not an event */
    if (w->stage) {
        stage_process(w, m);
        if (w->live) w->txn_events[p]++;
    } else if (review_record(m) &&
               (review_rc = apply_review(w, shard, w->scratch, m->len, why, sizeof why)) == 0) {
        review = true;
    } else if (review_rc != 0 ||
               warden_event_decode(w->scratch, m->len, &ev, why, sizeof why) != 0) {
        if (review_rc) w->reviews_bad++;
        if (w->live) {
            warden_jbuf_reset(&w->jb);
            warden_jbuf_obj_open(&w->jb);
            warden_jbuf_kv_str(&w->jb, "topic", w->c->events_topic);
            warden_jbuf_kv_int(&w->jb, "partition", p);
            warden_jbuf_kv_int(&w->jb, "offset", m->offset);
            warden_jbuf_kv_str(&w->jb, "reason", why);
            warden_jbuf_obj_close(&w->jb);
            produce(w, w->c->rejects_topic, m->key, m->key_len, w->jb.p, w->jb.len);
        }
    } else {
        ev.src_name = w->c->events_topic;
        ev.src_line = (uint64_t)m->offset;
        struct warden_decision d;
        warden_runtime_decide_shard(w->rt, shard, &ev, &d);
        if (w->live) w->txn_events[p]++;
        if (w->live && ev.late) w->late_live++;
        if (w->dirty && w->live) {
            const struct warden_verdict *v = warden_engine_verdict(
                warden_runtime_shard(w->rt, shard), ev.account_id.p, ev.account_id.n);
            if (v) {
                publish_verdict(w, v, ev.account_id.p, ev.account_id.n);
            }
        }
        for (size_t i = 0; i < w->n_others; i++) { /* end-user lanes */
            size_t n = strlen(w->others[i]);
            const struct warden_verdict *v =
                warden_engine_verdict(warden_runtime_shard(w->rt, shard), w->others[i], n);
            if (v) {
                publish_verdict(w, v, w->others[i], n);
            }
            free(w->others[i]);
        }
        w->n_others = 0;
    }
    w->state_at[p] = m->offset + 1;
    if (w->live) {
        if (w->txn_first[p] < 0) w->txn_first[p] = m->offset;
        w->txn_next[p] = m->offset + 1;
        w->txn_n++;
        if (!review) w->live_events++;
        w->last_live = warden_now_s();
        if (w->first_live == 0) w->first_live = w->last_live;
    } else if (!review) {
        w->replayed_events++;
    }
    return 0;
}

/* ---- set-up ---- */

static rd_kafka_t *client(struct worker *w, rd_kafka_type_t type, rd_kafka_conf_t *conf)
{
    char e[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, e, sizeof e);
    if (!rk) {
        snprintf(w->err, w->errlen, "%s", e);
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}

/* A reader of the membership topic (read_committed, offsets never
 * committed) in group GROUP-SUFFIX; eof: partition ends are reported. */
static rd_kafka_t *notice_reader(struct worker *w, const char *group, const char *suffix, bool eof)
{
    const struct warden_worker_conf *c = w->c;
    char e[512], gid[512];
    rd_kafka_conf_t *mc = warden_kafka_conf(c->brokers, &c->kafka, w->err, w->errlen);
    if (!mc) return NULL;
    snprintf(gid, sizeof gid, "%s-%s", group, suffix);
    rd_kafka_conf_set(mc, "group.id", gid, e, sizeof e);
    rd_kafka_conf_set(mc, "enable.auto.commit", "false", e, sizeof e);
    rd_kafka_conf_set(mc, "isolation.level", "read_committed", e, sizeof e);
    rd_kafka_conf_set(mc, "enable.partition.eof", eof ? "true" : "false", e, sizeof e);
    return client(w, RD_KAFKA_CONSUMER, mc);
}

/* Stage: what the membership topic told each account, into w->told: every
 * committed notice from the beginning to the topic's end now (only this
 * stage writes it, and its transactional id has fenced any earlier
 * instance, so nothing comes after). Notices deleted by retention are not
 * known: what they told is then told again after the replay. */
static int read_back(struct worker *w, const char *group, const char *suffix, const char *topic,
                     void (*fn)(struct worker *w, const rd_kafka_message_t *m));

/* A committed notice: what it told its account, into w->told. */
static void told_notice(struct worker *w, const rd_kafka_message_t *m)
{
    struct warden_link_notice x;
    if (warden_link_notice_decode(m->payload, m->len, &x) != 0) {
        w->bad_links++; /* counted in the stop summary and metrics, as a worker does */
    } else if (!x.frame) {
        uint64_t h = warden_hash64(x.account_id, x.len);
        warden_u64map_put(&w->told, h, warden_link_told_fold(warden_u64map_get(&w->told, h), &x));
    }
}

static int load_told(struct worker *w)
{
    warden_u64map_fini(&w->told);
    warden_u64map_init(&w->told);
    return read_back(w, w->c->link_group, "told-reader", w->c->membership_topic, told_notice);
}

static uint32_t told_get(void *ctx, const char *id, size_t len)
{
    struct worker *w = ctx;
    return warden_u64map_get(&w->told, warden_hash64(id, len));
}

static void count_notice(void *ctx, const struct warden_link_notice *n, int partition)
{
    (void)n;
    (void)partition;
    ((struct worker *)ctx)->owed++;
}

static void stage_notify(void *ctx, const struct warden_link_notice *x, int partition);

/* Stage: once every owned partition is replayed after a rebuild, hand on
 * what the rebuilt state owes beyond what the membership topic told
 * (warden_link_stage_resync), in a transaction of its own. */
static int resync(struct worker *w)
{
    for (int p = 0; p < w->n_parts; p++)
        if (w->owned[p] && w->replay_until[p] > 0 && w->state_at[p] < w->replay_until[p]) return 0;
    w->resync = false;
    w->owed = 0;
    warden_link_stage_resync(w->st, told_get, count_notice, w);
    size_t n = w->owed;
    if (!n) return 0;
    if (!w->in_txn) {
        int rc = begin(w);
        if (rc) return rc;
    }
    w->live = true;
    w->cur_part = -1; /* caused by no one record */
    w->cur_off = -1;
    w->cur_seq = 0;
    w->cur_moff = -1;
    w->resynced += warden_link_stage_resync(w->st, told_get, stage_notify, w);
    w->txn_n += n;
    w->links_applied = true;
    return w->fatal;
}

/* Worker: partition p's replay is done (its notices too). */
static bool replayed(struct worker *w, int p)
{
    if (w->state_at[p] < w->replay_until[p]) {
        /* the last offsets may be no records (transaction markers): the
         * consumer's position is past them then */
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, w->in_topic, p);
        bool past = !rd_kafka_position(w->cons, l) && l->elems[0].offset >= w->replay_until[p];
        rd_kafka_topic_partition_list_destroy(l);
        if (!past) return false;
    }
    return !w->linking || w->m_at[p] >= w->m_until[p];
}

/* Every committed record of topic (a reader in group GROUP-SUFFIX), from
 * its beginning to its end now, to fn; 0 or the error. */
static int read_back(struct worker *w, const char *group, const char *suffix, const char *topic,
                     void (*fn)(struct worker *w, const rd_kafka_message_t *m))
{
    rd_kafka_t *rk = notice_reader(w, group, suffix, true);
    if (!rk) return WARDEN_ELIB;
    int np = warden_kafka_partitions(rk, topic, 15000, w->err, w->errlen);
    int left = 0, rc = np < 0 ? np : 0;
    bool *done = warden_xcalloc((size_t)(np > 0 ? np : 1), sizeof *done);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np > 0 ? np : 1);
    for (int p = 0; !rc && p < np; p++) {
        int64_t lo = 0, hi = 0;
        rd_kafka_resp_err_t qe = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 15000);
        if (qe) {
            snprintf(w->err, w->errlen, "%s partition %d: %s", topic, p, rd_kafka_err2str(qe));
            rc = WARDEN_EIO;
        } else if (hi > lo) {
            rd_kafka_topic_partition_list_add(l, topic, p)->offset = lo;
            left++;
        }
    }
    if (!rc && left) rd_kafka_assign(rk, l);
    double t0 = warden_now_s(); /* the last record: a big topic takes as long as it takes */
    while (!rc && left > 0 && !worker_stop) {
        if (warden_now_s() - t0 > 60) {
            snprintf(w->err, w->errlen, "%s: nothing read for 60 s before its end", topic);
            rc = WARDEN_EIO;
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) continue;
        t0 = warden_now_s();
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (m->partition >= 0 && m->partition < np && !done[m->partition])
                done[m->partition] = true, left--;
        } else if (!m->err) {
            fn(w, m);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_topic_partition_list_destroy(l);
    free(done);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

/* A published verdict: its digest into w->pub (the newest per account; one
 * put since the rebuild stays). */
static void published_verdict(struct worker *w, const rd_kafka_message_t *m)
{
    if (!m->key || !m->len) {
        w->bad_readback++;
        return;
    }
    uint64_t acct = warden_hash64(m->key, m->key_len);
    if (warden_u64map_get(&w->pub, acct) & 4u) return;
    json_t *o = json_loadb(m->payload, m->len, 0, NULL);
    json_t *rs = o ? json_object_get(o, "reasons") : NULL;
    const char *an = o ? json_string_value(json_object_get(o, "action")) : NULL;
    enum warden_action a;
    if (an && json_is_array(rs) && !warden_action_parse(an, &a)) {
        uint64_t codes = 0;
        size_t i;
        json_t *r;
        json_array_foreach(rs, i, r)
        {
            const char *code = json_string_value(r);
            if (code) codes += warden_hash64(code, strlen(code));
        }
        const char *cl = json_string_value(json_object_get(o, "cluster_id"));
        warden_u64map_put(&w->pub, acct, vdigest(a, codes, cl, cl ? strlen(cl) : 0));
        json_int_t ev = json_integer_value(json_object_get(o, "events"));
        warden_u64map_put(&w->pubev, acct,
                          ev <= 0           ? 0
                          : ev < UINT32_MAX ? (uint32_t)ev
                                            : UINT32_MAX);
    } else { /* its account's verdict counts as never published */
        w->bad_readback++;
    }
    json_decref(o);
}

/* A published finding: its account and code into w->pubcodes when a held
 * one has them (w->pending). */
static void published_finding(struct worker *w, const rd_kafka_message_t *m)
{
    json_t *o = m->key && m->len ? json_loadb(m->payload, m->len, 0, NULL) : NULL;
    const char *code = o ? json_string_value(json_object_get(o, "code")) : NULL;
    if (!code) {
        w->bad_readback++;
    } else {
        uint64_t pr = pair_hash(warden_hash64(m->key, m->key_len), code);
        if (warden_u64map_get(&w->pending, pr)) warden_u64map_put(&w->pubcodes, pr, 1);
    }
    json_decref(o);
}

/* An owed finding: where it is in w->held. */
struct owed_finding {
    long at;
    struct held_rec r;
};

static int cmp_owed(const void *a, const void *b)
{
    long x = ((const struct owed_finding *)a)->at, y = ((const struct owed_finding *)b)->at;
    return x < y ? -1 : x > y;
}

static void owed_position(struct worker *w, int p)
{
    w->cur_part = p;
    w->cur_off = w->state_at[p] - 1;
    w->cur_moff = -1;
    w->vsync_out[p] = true;
}

/* Worker: once every partition replayed since the last comparison is done,
 * publish what the replays decided that the topics never had, in the open
 * transaction (begun if none): each held-back finding whose account's
 * published verdicts never gave its code (the newest per account and code),
 * and the verdict of each replayed account whose published one says
 * another action, reason set or cluster, with an action change record for
 * the audit trail when the action differs. Outputs of a run without a newer
 * accounts file or policy are all published already: nothing is owed. */
static int vsync(struct worker *w)
{
    if (!w->vsync || !w->rt || worker_stop) return 0;
    for (int p = 0; p < w->n_parts; p++)
        if (w->vpart[p] && w->owned[p] && !replayed(w, p)) return 0;
    /* what went out live since (partitions whose replay ended first) is
     * remembered as published; commit it first: a read_committed reader
     * would wait on this worker's own open transaction */
    if (w->in_txn) {
        int rc = commit_or_redo(w);
        if (rc || !w->vsync) return rc; /* redone: a new replay, a new comparison */
    }
    /* the findings held back: the newest per account and code */
    struct owed_finding *of = NULL;
    size_t nof = 0, cap = 0;
    if (w->held && fflush(w->held) == 0) {
        rewind(w->held);
        struct held_rec r;
        for (long pos = 0; fread(&r, sizeof r, 1, w->held) == 1;) {
            long body = (long)r.idlen + (long)r.codelen + (long)r.linelen;
            if (r.part >= 0 && r.part < w->n_parts && w->vpart[r.part] && w->owned[r.part]) {
                uint32_t k = warden_u64map_get(&w->pending, r.pair);
                if (!k) {
                    if (nof == cap)
                        of = warden_xrealloc(of, (cap = cap ? cap * 2 : 64) * sizeof *of);
                    k = (uint32_t)++nof;
                    warden_u64map_put(&w->pending, r.pair, k);
                }
                of[k - 1] = (struct owed_finding){pos, r};
            }
            pos += (long)sizeof r + body;
            if (fseek(w->held, pos, SEEK_SET)) break;
        }
    }
    /* what the topics have: those published are not owed */
    int rc = read_back(w, w->c->group, "read-back", w->c->verdicts_topic, published_verdict);
    if (!rc && nof)
        rc = read_back(w, w->c->group, "read-back", w->c->findings_topic, published_finding);
    if (rc) {
        free(of);
        return rc;
    }
    size_t keep = 0;
    for (size_t i = 0; i < nof; i++)
        if (!warden_u64map_get(&w->pubcodes, of[i].r.pair)) of[keep++] = of[i];
    nof = keep;
    if (nof > 1) qsort(of, nof, sizeof *of, cmp_owed);
    if (!w->in_txn && (rc = begin(w))) {
        free(of);
        return rc;
    }
    w->owed_tag = (uint32_t)warden_hash64(w->txn_tag, strlen(w->txn_tag));
    w->pos_owed = true;
    w->cur_seq = 0;
    struct warden_u64map told; /* account -> the latest owed finding's index + 1 */
    warden_u64map_init(&told);
    char *buf = NULL;
    size_t bufcap = 0;
    for (size_t i = 0; i < nof && !w->fatal; i++) {
        const struct held_rec *r = &of[i].r;
        size_t body = (size_t)r->idlen + r->codelen + r->linelen;
        if (body > bufcap) buf = warden_xrealloc(buf, bufcap = body);
        if (fseek(w->held, of[i].at + (long)sizeof *r, SEEK_SET) ||
            fread(buf, 1, body, w->held) != body) {
            snprintf(w->err, w->errlen, "held-back findings: %s", strerror(errno));
            w->fatal = WARDEN_EIO;
            break;
        }
        owed_position(w, r->part);
        produce(w, w->c->findings_topic, buf, r->idlen, buf + r->idlen + r->codelen, r->linelen);
        uint32_t k = warden_u64map_get(&told, r->acct);
        if (!k || of[k - 1].r.score <= r->score) warden_u64map_put(&told, r->acct, (uint32_t)i + 1);
        w->owed_findings++;
    }
    /* the verdicts owed */
    const struct warden_policy *pol = warden_runtime_policy(w->rt);
    size_t nv = 0;
    for (int p = 0; p < w->n_parts && !w->fatal; p++) {
        if (!w->vpart[p] || !w->owned[p]) continue;
        const struct warden_engine *e = warden_runtime_shard(w->rt, (size_t)p);
        for (size_t i = 0, n = warden_engine_n_verdicts(e); i < n; i++) {
            const struct warden_verdict *v = warden_engine_verdict_at(e, i);
            size_t len = strlen(v->account_id);
            uint64_t acct = warden_hash64(v->account_id, len);
            uint32_t was = warden_u64map_get(&w->pub, acct), now = verdict_digest(v);
            uint32_t k = warden_u64map_get(&told, acct);
            if ((was | 4u) == (now | 4u)) continue;
            /* published from a later state than the replay's (input committed
             * again after a lost offset commit): the redo publishes it again */
            if (was && warden_u64map_get(&w->pubev, acct) > v->events) continue;
            owed_position(w, p);
            publish_verdict(w, v, v->account_id, len);
            nv++;
            enum warden_action from = was ? (enum warden_action)(was & 3u) : WARDEN_ALLOW;
            if (from == v->action) continue;
            struct warden_action_change ch = {
                .ts_ms = k ? of[k - 1].r.ts_ms : v->first_action_ts,
                .verdict = v,
                .from = from,
                .to = v->action,
                .code = v->n_reasons ? v->reasons[0].code : "",
                .score = v->score,
                .shadow = pol->shadow,
            };
            warden_write_action_change(&w->jb, w->devnull, &ch, &w->ri);
            produce_jb(w, w->c->audit_topic, v->account_id, len);
        }
    }
    free(buf);
    free(of);
    warden_u64map_fini(&told);
    w->pos_owed = false;
    w->txn_n += nof + nv;
    w->owed_verdicts += nv;
    vsync_reset(w);
    return w->fatal;
}

/* Partitions of a topic into *n; 0 or the error. */
static int topic_parts(struct worker *w, const char *topic, int *n)
{
    int k = warden_kafka_partitions(w->prod, topic, 15000, w->err, w->errlen);
    if (k < 0) return k;
    if (n) *n = k;
    return 0;
}

/* The membership reader of a linking worker: partitions assigned by
 * restore() (those of the events partitions owned), never committed. */
static int membership_reader(struct worker *w)
{
    w->mcons = notice_reader(w, w->c->group, "membership-reader", false);
    return w->mcons ? 0 : WARDEN_ELIB;
}

static int setup(struct worker *w, const char *id)
{
    const struct warden_worker_conf *c = w->c;
    char e[512];
    rd_kafka_conf_t *pc = warden_kafka_conf(c->brokers, &c->kafka, w->err, w->errlen);
    if (!pc) return WARDEN_ECONFIG;
    char tid[512];
    snprintf(tid, sizeof tid, "%s-%s%s", c->transactional_id_prefix, w->stage ? "link-" : "", id);
    if (rd_kafka_conf_set(pc, "transactional.id", tid, e, sizeof e) != RD_KAFKA_CONF_OK) {
        snprintf(w->err, w->errlen, "transactional.id: %s", e);
        rd_kafka_conf_destroy(pc);
        return WARDEN_ECONFIG;
    }
    if (!(w->prod = client(w, RD_KAFKA_PRODUCER, pc))) return WARDEN_ELIB;
    snprintf(w->tid, sizeof w->tid, "%s", tid);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t seed[3] = {(uint64_t)now.tv_sec, (uint64_t)now.tv_nsec, (uint64_t)getpid()};
    w->instance = (uint32_t)warden_hash64(seed, sizeof seed);
    int rc;
    if (w->stage) {
        if ((rc = topic_parts(w, c->linking_topic, &w->n_parts)) ||
            (rc = topic_parts(w, c->membership_topic, &w->m_parts)) ||
            (*c->clusters_topic && (rc = topic_parts(w, c->clusters_topic, NULL))))
            return rc;
    } else {
        const char *topics[] = {c->events_topic,  c->verdicts_topic, c->findings_topic,
                                c->rejects_topic, c->progress_topic, c->audit_topic};
        for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++)
            if ((rc = topic_parts(w, topics[i], i == 0 ? &w->n_parts : NULL))) return rc;
        if (w->linking) {
            if ((rc = topic_parts(w, c->linking_topic, NULL)) ||
                (rc = topic_parts(w, c->membership_topic, &w->m_parts)))
                return rc;
            if (w->m_parts != w->n_parts) {
                snprintf(w->err, w->errlen,
                         "membership topic %s has %d partitions, events topic %s %d: they must be "
                         "equal (an account's notices go to its events partition)",
                         c->membership_topic, w->m_parts, c->events_topic, w->n_parts);
                return WARDEN_ECONFIG;
            }
            if ((rc = membership_reader(w))) return rc;
        }
    }
    rd_kafka_error_t *te = rd_kafka_init_transactions(w->prod, 60000);
    if (te) {
        snprintf(w->err, w->errlen, "init transactions (%s): %s", tid, rd_kafka_error_string(te));
        rd_kafka_error_destroy(te);
        return WARDEN_ELIB;
    }
    rd_kafka_conf_t *cc = warden_kafka_conf(c->brokers, &c->kafka, w->err, w->errlen);
    if (!cc) return WARDEN_ECONFIG;
    static const char *const fixed[][2] = {
        {"enable.auto.commit", "false"},       {"isolation.level", "read_committed"},
        {"auto.offset.reset", "earliest"},     {"enable.partition.eof", "false"},
        {"enable.auto.offset.store", "false"},
    };
    if (rd_kafka_conf_set(cc, "group.id", w->stage ? c->link_group : c->group, e, sizeof e) !=
        RD_KAFKA_CONF_OK) {
        snprintf(w->err, w->errlen, "group: %s", e);
        rd_kafka_conf_destroy(cc);
        return WARDEN_ECONFIG;
    }
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        rd_kafka_conf_set(cc, fixed[i][0], fixed[i][1], e, sizeof e);
    rd_kafka_conf_set_opaque(cc, w);
    rd_kafka_conf_set_rebalance_cb(cc, on_rebalance);
    if (!(w->cons = client(w, RD_KAFKA_CONSUMER, cc))) return WARDEN_ELIB;
    rd_kafka_poll_set_consumer(w->cons);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, w->in_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t se = rd_kafka_subscribe(w->cons, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (se) {
        snprintf(w->err, w->errlen, "subscribe to %s: %s", w->in_topic, rd_kafka_err2str(se));
        return WARDEN_ELIB;
    }
    return 0;
}

int warden_kafka_link_enabled(const struct warden_worker_conf *c, bool *on, char *err,
                              size_t errlen)
{
    struct warden_policy *pol = NULL;
    int rc = warden_policy_load(&pol, c->policy, err, errlen);
    if (rc) return rc;
    *on = false;
    for (size_t i = 0; i < warden_n_detectors; i++)
        if (warden_detectors[i] == &warden_detect_link)
            *on = warden_policy_detector_enabled(pol, i);
    warden_policy_free(pol);
    return 0;
}

/* Detectors of a worker: all but those sharing state across shards, the
 * link detector included when it runs in remote mode. */
static void worker_detectors(struct worker *w)
{
    w->dets = warden_xcalloc(warden_n_detectors ? warden_n_detectors : 1, sizeof *w->dets);
    for (size_t i = 0; i < warden_n_detectors; i++)
        if (!warden_detectors[i]->share ||
            (w->linking && warden_detectors[i] == &warden_detect_link))
            w->dets[w->n_dets++] = warden_detectors[i];
}

static void poll_notices(struct worker *w)
{
    resume_notices(w);
    for (int k = 0; k < 1000 && !w->fatal; k++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(w->mcons, 0);
        if (!m) break;
        if (m->err) {
            if (!w->quiet)
                fprintf(stderr, "warden worker: membership: %s\n", rd_kafka_message_errstr(m));
        } else {
            int rc = process_notice(w, m);
            if (rc) w->fatal = rc;
        }
        rd_kafka_message_destroy(m);
    }
}

/* ---- metrics (metrics_http.h) ---- */

static void gauge(FILE *f, const char *name, const char *help, const char *type)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* a counter with one label and two values */
static void pair(FILE *f, const char *name, const char *help, const char *label, const char *a,
                 uint64_t va, const char *b, uint64_t vb)
{
    gauge(f, name, help, "counter");
    fprintf(f, "%s{%s=\"%s\"} %llu\n%s{%s=\"%s\"} %llu\n", name, label, a, (unsigned long long)va,
            name, label, b, (unsigned long long)vb);
}

/* The loop's figures as Prometheus text, handed to the metrics server. */
static void publish_metrics(struct worker *w)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return;
    pair(f, "warden_worker_events_total",
         w->stage ? "Linking records read, live or replayed to rebuild state."
                  : "Events read, live or replayed to rebuild a partition's state.",
         "mode", "live", w->live_events, "replayed", w->replayed_events);
    pair(f, "warden_worker_transactions_total",
         "Output transactions, committed or aborted (and redone).", "result", "committed", w->txns,
         "aborted", w->aborts);
    gauge(f, "warden_worker_late_events_total",
          "Live events older than their partition's newest by more than lateness_s.", "counter");
    fprintf(f, "warden_worker_late_events_total %llu\n", (unsigned long long)w->late_live);
    pair(f, "warden_worker_deleted_records_total",
         "Input records the broker deleted (retention) before they were read.", "when", "live",
         w->gone_live, "replay", w->gone_replay);
    pair(f, "warden_worker_snapshots_total", "Partition snapshots saved and loaded.", "op", "saved",
         w->snaps_saved, "loaded", w->snaps_loaded);
    if (!w->stage)
        pair(f, "warden_worker_reviews_total",
             "Review decisions (warden-review records of the events topic) applied.", "mode",
             "live", w->reviews_live, "replayed", w->reviews_replayed);
    if (!w->stage)
        pair(f, "warden_worker_owed_outputs_total",
             "Outputs a rebuilt worker owed beyond what the findings and verdict topics had.",
             "topic", "findings", w->owed_findings, "verdicts", w->owed_verdicts);
    if (w->stage) {
        gauge(f, "warden_link_stage_owed_notices_total",
              "Notices a rebuilt stage owed beyond what the membership topic had told.", "counter");
        fprintf(f, "warden_link_stage_owed_notices_total %llu\n", (unsigned long long)w->resynced);
    }
    if (w->linking || w->stage)
        pair(f, "warden_worker_notices_total",
             "Cluster membership notices applied (worker) or produced (stage).", "mode", "live",
             w->notices_live, "replayed", w->notices_replayed);
    /* partitions held and how far behind the broker each is: the newest
     * offset the consumer has seen (cached from fetches, no broker call)
     * minus the next offset the partition's state reflects */
    int held = 0;
    for (int p = 0; w->owned && p < w->n_parts; p++) held += w->owned[p];
    gauge(f, "warden_worker_partitions", "Input partitions assigned to this process.", "gauge");
    fprintf(f, "warden_worker_partitions %d\n", held);
    gauge(f, "warden_worker_lag_records",
          "Records of an assigned input partition not yet processed (broker's high watermark "
          "as last fetched, minus the next offset processed).",
          "gauge");
    for (int p = 0; w->owned && p < w->n_parts; p++) {
        if (!w->owned[p]) continue;
        int64_t lo = 0, hi = 0;
        if (rd_kafka_get_watermark_offsets(w->cons, w->in_topic, p, &lo, &hi) !=
                RD_KAFKA_RESP_ERR_NO_ERROR ||
            hi < 0)
            continue;
        int64_t at = w->state_at[p] >= 0 ? w->state_at[p] : lo;
        fprintf(f, "warden_worker_lag_records{partition=\"%d\"} %lld\n", p,
                (long long)(hi > at ? hi - at : 0));
    }
    if (w->rt) {
        uint64_t tracked = 0, actioned = 0;
        for (size_t s = 0; s < warden_runtime_n_shards(w->rt); s++) {
            struct warden_engine_stats st;
            warden_engine_stats(warden_runtime_shard(w->rt, s), &st);
            tracked += st.accounts_tracked;
            actioned += st.accounts_actioned;
        }
        gauge(f, "warden_accounts_tracked", "Accounts held in the engine shards.", "gauge");
        fprintf(f, "warden_accounts_tracked %llu\n", (unsigned long long)tracked);
        gauge(f, "warden_accounts_actioned", "Accounts of the engine shards with an action.",
              "gauge");
        fprintf(f, "warden_accounts_actioned %llu\n", (unsigned long long)actioned);
        struct warden_counters *cn = warden_xmalloc(sizeof *cn);
        warden_runtime_counters(w->rt, cn);
        warden_counters_prometheus(f, cn); /* the same counters as warden serve's */
        free(cn);
    }
    if (w->st) {
        struct warden_link_stats ls;
        warden_link_stage_stats(w->st, &ls);
        gauge(f, "warden_link_accounts", "Accounts in the linking state.", "gauge");
        fprintf(f, "warden_link_accounts %llu\n", (unsigned long long)ls.accounts);
        gauge(f, "warden_link_clusters", "Clusters in the linking state.", "gauge");
        fprintf(f, "warden_link_clusters %llu\n", (unsigned long long)ls.clusters);
    }
    fclose(f);
    warden_metrics_http_publish(w->mh, buf, len);
    free(buf);
    w->metrics_t = warden_now_s();
}

static int run(struct worker *w, const char *id, int64_t idle_exit_ms)
{
    const struct warden_worker_conf *c = w->c;
    const char *who = w->stage ? "link-stage" : "worker";
    int rc = setup(w, id);
    if (rc) return rc;
    if (c->metrics_port >= 0) {
        unsigned bound = 0;
        rc = warden_metrics_http_start(&w->mh, c->metrics_listen, (unsigned)c->metrics_port,
                                       WARDEN_KAFKA_HEALTHZ_STALE_S, &bound, w->err, w->errlen);
        if (rc) return rc;
        if (!w->quiet)
            fprintf(stderr, "warden %s: %s: metrics on %s port %u (/metrics, /healthz)\n", who, id,
                    c->metrics_listen, bound);
    }
    size_t np = (size_t)w->n_parts;
    w->replay_until = warden_xcalloc(np, sizeof *w->replay_until);
    w->state_at = warden_xcalloc(np, sizeof *w->state_at);
    for (int p = 0; p < w->n_parts; p++) w->state_at[p] = -1;
    w->gone_to = warden_xcalloc(np, sizeof *w->gone_to);
    w->txn_first = warden_xcalloc(np, sizeof *w->txn_first);
    w->txn_next = warden_xcalloc(np, sizeof *w->txn_next);
    w->txn_events = warden_xcalloc(np, sizeof *w->txn_events);
    w->owned = warden_xcalloc(np, sizeof *w->owned);
    w->snap_t = warden_xcalloc(np, sizeof *w->snap_t);
    w->vpart = warden_xcalloc(np, sizeof *w->vpart);
    w->vsync_out = warden_xcalloc(np, sizeof *w->vsync_out);
    warden_u64map_init(&w->told);
    warden_u64map_init(&w->pub);
    warden_u64map_init(&w->pubcodes);
    warden_u64map_init(&w->pending);
    warden_u64map_init(&w->pubev);
    if (w->linking) {
        w->m_paused = warden_xcalloc(np, sizeof *w->m_paused);
        w->m_at = warden_xcalloc(np, sizeof *w->m_at);
        w->m_until = warden_xcalloc(np, sizeof *w->m_until);
        w->m_next = warden_xcalloc(np, sizeof *w->m_next);
        w->m_first = warden_xcalloc(np, sizeof *w->m_first);
    }
    txn_clear(w);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (!w->quiet)
        fprintf(stderr, "warden %s: %s joined group %s%s\n", who, id,
                w->stage ? c->link_group : c->group, w->linking ? " (linking)" : "");
    double last_msg = warden_now_s();
    bool had_parts = false;
    while (!worker_stop && !w->fatal) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(w->cons, 100);
        /* a worker's idle time counts once it has partitions, the stage's
         * once it has had a record (the workers may take a while to start) */
        if (w->stage ? w->live_events > 0 : w->rt != NULL) had_parts = true;
        if (w->rebalanced) { /* idle time counts from the last assignment */
            w->rebalanced = false;
            last_msg = warden_now_s();
        }
        if (m) {
            if (m->err) {
                if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                    m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                    m->err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED) {
                    snprintf(w->err, w->errlen, "consumer: %s", rd_kafka_message_errstr(m));
                    w->fatal = WARDEN_ELIB;
                } else if (!w->quiet) {
                    fprintf(stderr, "warden %s: consumer: %s\n", who, rd_kafka_message_errstr(m));
                }
            } else {
                last_msg = warden_now_s();
                rc = process(w, m);
                if (rc) w->fatal = rc;
            }
            rd_kafka_message_destroy(m);
        }
        if (w->linking) {
            uint64_t before = w->notices_live + w->notices_replayed;
            poll_notices(w);
            if (w->notices_live + w->notices_replayed != before) last_msg = warden_now_s();
        }
        if (w->stage && w->resync && w->st && !worker_stop) { /* a stop may cut load_told short */
            rc = resync(w);
            if (rc) w->fatal = rc;
        }
        if (!w->stage && w->vsync && !w->fatal && (rc = vsync(w))) w->fatal = rc;
        rd_kafka_poll(w->prod, 0);
        if (w->in_txn && ((int64_t)w->txn_n >= c->commit_events ||
                          (warden_now_s() - w->txn_t0) * 1000 >= (double)c->commit_interval_ms)) {
            if ((rc = commit_or_redo(w))) w->fatal = rc;
        }
        if (w->mh && warden_now_s() - w->metrics_t >= 1) publish_metrics(w);
        if (idle_exit_ms > 0 && had_parts && !w->in_txn &&
            (warden_now_s() - last_msg) * 1000 >= (double)idle_exit_ms)
            break;
    }
    if (!w->fatal && w->in_txn && commit(w) != 0) {
        if (!w->fatal) w->fatal = WARDEN_EIO;
    }
    rc = w->fatal;
    if (!w->quiet) {
        fprintf(stderr,
                "warden %s: %s: %llu events live, %llu replayed, %llu transactions, %llu "
                "aborted; live from %.3f to %.3f\n",
                who, id, (unsigned long long)w->live_events, (unsigned long long)w->replayed_events,
                (unsigned long long)w->txns, (unsigned long long)w->aborts, w->first_live,
                w->last_live);
        if (w->reviews_live || w->reviews_replayed || w->reviews_bad)
            fprintf(stderr,
                    "warden worker: %s: review decisions applied: %llu live, %llu replayed; "
                    "%llu refused\n",
                    id, (unsigned long long)w->reviews_live,
                    (unsigned long long)w->reviews_replayed, (unsigned long long)w->reviews_bad);
        if (w->late_live)
            fprintf(stderr,
                    "warden worker: %s: %llu live events late (older than their partition's "
                    "newest by more than lateness_s, %lld s: counted, kept out of time windows); "
                    "produce events in time order (kafka-produce sorts a file)\n",
                    id, (unsigned long long)w->late_live, (long long)w->c->lateness_s);
        if (w->gone_live || w->gone_replay)
            fprintf(stderr,
                    "warden %s: %s: %llu input records deleted by the broker before being read "
                    "(%llu never judged, %llu missing from rebuilt state)\n",
                    who, id, (unsigned long long)(w->gone_live + w->gone_replay),
                    (unsigned long long)w->gone_live, (unsigned long long)w->gone_replay);
        if (w->c->state_dir && *w->c->state_dir && !w->stage)
            fprintf(stderr,
                    "warden worker: %s: %llu snapshots saved, %llu loaded, %llu records not "
                    "replayed thanks to them\n",
                    id, (unsigned long long)w->snaps_saved, (unsigned long long)w->snaps_loaded,
                    (unsigned long long)w->skipped);
        if (w->linking || w->stage)
            fprintf(stderr,
                    "warden %s: %s: %llu notices live, %llu replayed, %llu bad records, %llu "
                    "linking records produced\n",
                    who, id, (unsigned long long)w->notices_live,
                    (unsigned long long)w->notices_replayed, (unsigned long long)w->bad_links,
                    (unsigned long long)w->published);
        if (w->stage)
            fprintf(stderr,
                    "warden link-stage: %s: %llu notices owed after a rebuild (what the membership "
                    "topic had not told)\n",
                    id, (unsigned long long)w->resynced);
        else
            fprintf(stderr,
                    "warden worker: %s: %llu findings and %llu verdicts owed after a rebuild (what "
                    "the replay decided that the topics did not have); %llu records read back "
                    "that were no verdict or finding\n",
                    id, (unsigned long long)w->owed_findings, (unsigned long long)w->owed_verdicts,
                    (unsigned long long)w->bad_readback);
        if (w->linking || w->stage)
            fprintf(stderr, "warden %s: %s: distill prior: %llu frames sent, %llu added\n", who, id,
                    (unsigned long long)w->frames_sent, (unsigned long long)w->frames_added);
        if (w->rt) { /* what the events carried (since the runtime was last built) */
            struct warden_counters *cn = warden_xmalloc(sizeof *cn);
            warden_runtime_counters(w->rt, cn);
            fprintf(stderr, "warden worker: %s: what the events judged carried:\n", id);
            warden_coverage_print(stderr, cn, warden_runtime_registry(w->rt));
            free(cn);
        }
        if (w->st) {
            struct warden_link_stats ls;
            warden_link_stage_stats(w->st, &ls);
            fprintf(stderr,
                    "warden link-stage: %s: %llu accounts, %llu clusters, %llu joins, %llu "
                    "accounts replaced; %llu cluster records produced, %llu tombstones\n",
                    id, (unsigned long long)ls.accounts, (unsigned long long)ls.clusters,
                    (unsigned long long)ls.joins, (unsigned long long)ls.accounts_replaced,
                    (unsigned long long)w->clusters_put, (unsigned long long)w->clusters_gone);
        }
    }
    return rc;
}

static void cleanup(struct worker *w)
{
    if (w->cons) {
        rd_kafka_consumer_close(w->cons);
        rd_kafka_destroy(w->cons);
    }
    if (w->mcons) {
        rd_kafka_consumer_close(w->mcons);
        rd_kafka_destroy(w->mcons);
    }
    if (w->prod) {
        if (w->in_txn) abort_txn(w);
        rd_kafka_flush(w->prod, 10000);
        rd_kafka_destroy(w->prod);
    }
    warden_metrics_http_stop(w->mh);
    warden_runtime_free(w->rt);
    warden_link_stage_free(w->st);
    warden_registry_free(w->reg);
    warden_u64map_fini(&w->told);
    if (w->pub.keys) warden_u64map_fini(&w->pub);
    if (w->pubcodes.keys) warden_u64map_fini(&w->pubcodes);
    if (w->pending.keys) warden_u64map_fini(&w->pending);
    if (w->pubev.keys) warden_u64map_fini(&w->pubev);
    if (w->held) fclose(w->held);
    free(w->vpart);
    free(w->vsync_out);
    warden_policy_free(w->pol);
    free(w->replay_until);
    free(w->state_at);
    free(w->gone_to);
    free(w->txn_first);
    free(w->txn_next);
    free(w->txn_events);
    free(w->owned);
    free(w->snap_t);
    free(w->m_paused);
    free(w->m_at);
    free(w->m_until);
    free(w->m_next);
    free(w->m_first);
    free(w->scratch);
    for (size_t i = 0; i < w->n_others; i++) free(w->others[i]);
    free(w->dets);
    warden_review_allow_free(w->allow);
    if (w->devnull) fclose(w->devnull);
    warden_jbuf_fini(&w->jb);
}

static void init(struct worker *w, const struct warden_worker_conf *c, bool quiet, char *err,
                 size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->c = c;
    w->err = err;
    w->errlen = errlen;
    w->quiet = quiet;
    w->cur_moff = -1;
    w->allow = warden_review_allow_new();
    snprintf(w->run_id, sizeof w->run_id, "kafka:%s", c->group);
    warden_jbuf_init(&w->jb);
    w->devnull = fopen("/dev/null", "w");
}

int warden_kafka_worker_run(const struct warden_worker_conf *c, const char *id,
                            int64_t idle_exit_ms, bool quiet, char *err, size_t errlen)
{
    struct worker w;
    init(&w, c, quiet, err, errlen);
    w.in_topic = c->events_topic;
    int rc = warden_kafka_link_enabled(c, &w.linking, err, errlen);
    if (!rc && c->state_dir && *c->state_dir && mkdir(c->state_dir, 0750) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "state_dir %s: %s", c->state_dir, strerror(errno));
        rc = WARDEN_EIO;
    }
    if (!rc) {
        w.remote = (struct warden_link_remote){publish_obs, &w, NULL};
        w.prior_remote = (struct warden_distill_prior_remote){publish_frame, &w};
        if (w.linking) {
            warden_detect_link_remote(&w.remote);
            warden_distill_prior_remote(&w.prior_remote); /* frames through the stage */
        } else {
            warden_distill_prior_off(true); /* process-local otherwise: see distill_prior.h */
        }
        /* frames' new payloads across accounts: process-local, see distill_crowd.h */
        warden_distill_crowd_off(true);
        worker_detectors(&w);
        rc = run(&w, id, idle_exit_ms);
    }
    warden_detect_link_remote(NULL);
    warden_distill_prior_remote(NULL);
    warden_distill_prior_off(false);
    warden_distill_crowd_off(false);
    cleanup(&w);
    return rc;
}

int warden_kafka_link_stage_run(const struct warden_worker_conf *c, const char *id,
                                int64_t idle_exit_ms, bool quiet, char *err, size_t errlen)
{
    struct worker w;
    init(&w, c, quiet, err, errlen);
    w.stage = true;
    w.in_topic = c->linking_topic;
    int rc = warden_policy_load(&w.pol, c->policy, err, errlen);
    if (!rc && (c->accounts || c->orgs))
        rc = warden_registry_load(&w.reg, c->accounts, c->orgs, err, errlen);
    if (!rc) rc = warden_link_stage_new(&w.st, w.pol, w.reg, err, errlen); /* checks the policy */
    if (!rc) {
        w.ri = (struct warden_run_info){w.run_id, w.pol->sha256, w.pol->shadow};
        warden_link_stage_free(w.st);
        w.st = NULL;
        rc = run(&w, id, idle_exit_ms);
    }
    cleanup(&w);
    return rc;
}
