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
 * State hand-off (restore(), in worker_state.c): a partition given to this worker is replayed
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
 * newer accounts file or policy) is published (vsync(), worker_state.c).
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
#include "core/u64map.h"
#include "core/xalloc.h"
#include "detect/detector.h"
#include "detect/distill_prior.h"
#include "detect/distill_crowd.h"
#include "engine/engine.h"
#include "io/outputs.h"
#include "kafka/kafka.h"
#include "kafka/metrics_http.h"
#include "kafka/worker_impl.h"
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

volatile sig_atomic_t warden_worker_stop;

static void on_signal(int sig)
{
    (void)sig;
    warden_worker_stop = 1;
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

void warden_worker_produce(struct worker *w, const char *topic, const char *key, size_t keylen,
                           const char *val, size_t len)
{
    produce_to(w, topic, RD_KAFKA_PARTITION_UA, key, keylen, val, len);
}

/* jb holds one formatted line ending in a newline. */
void warden_worker_produce_jb(struct worker *w, const char *topic, const char *key, size_t keylen)
{
    size_t n = w->jb.len;
    if (n && w->jb.p[n - 1] == '\n') n--;
    warden_worker_produce(w, topic, key, keylen, w->jb.p, n);
}

/* A verdict produced: since a rebuild, remembered as published. */
void warden_worker_publish_verdict(struct worker *w, const struct warden_verdict *v,
                                   const char *key, size_t keylen)
{
    warden_write_verdict(&w->jb, w->devnull, v, &w->ri);
    warden_worker_produce_jb(w, w->c->verdicts_topic, key, keylen);
    if (w->vsync) {
        uint64_t acct = warden_hash64(key, keylen);
        warden_u64map_put(&w->pub, acct, warden_worker_verdict_digest(v) | 4u);
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
        if (w->held) warden_worker_hold_finding(w, f);
        return;
    }
    if (w->vsync)
        warden_u64map_put(
            &w->pubcodes,
            warden_worker_pair_hash(warden_hash64(f->account_id, f->account_id_len), f->code), 1);
    if (memchr(f->account_id, '/', f->account_id_len)) { /* a lane: its verdict follows */
        bool seen = false;
        for (size_t i = 0; i < w->n_others && !seen; i++)
            seen = strlen(w->others[i]) == f->account_id_len &&
                   memcmp(w->others[i], f->account_id, f->account_id_len) == 0;
        if (!seen && w->n_others < sizeof w->others / sizeof w->others[0])
            w->others[w->n_others++] = warden_xstrndup(f->account_id, f->account_id_len);
    }
    warden_write_finding(&w->jb, w->devnull, f, &w->ri);
    warden_worker_produce_jb(w, w->c->findings_topic, f->account_id, f->account_id_len);
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
    warden_worker_produce_jb(w, w->c->audit_topic, id, strlen(id));
}

static const struct warden_sink_type worker_sink = {
    .name = "kafka",
    .finding = sink_finding,
    .action = sink_action,
};

/* ---- partition state ---- */

int warden_worker_new_runtime(struct worker *w)
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

void warden_worker_txn_clear(struct worker *w)
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

int warden_worker_begin(struct worker *w)
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
    warden_worker_txn_clear(w);
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
    int rc = warden_worker_restore(w, a, true);
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
        warden_worker_produce(w, w->c->progress_topic, key, (size_t)kn, w->jb.p, w->jb.len);
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
        for (int p = 0; p < w->n_parts && warden_worker_snapshots(w); p++)
            if (w->txn_next[p] >= 0 &&
                warden_now_s() - w->snap_t[p] >= (double)w->c->snapshot_interval_s)
                warden_worker_snap_save(w, p);
        warden_worker_txn_clear(w);
        return 0;
    }
    if (rc < 0 || rc == 2) return rc < 0 ? rc : WARDEN_EIO;
    /* abortable: discard; the caller rebuilds the state from the committed offsets */
    if (!w->quiet) fprintf(stderr, "warden worker: %s; transaction aborted, redoing\n", w->err);
    if ((rc = abort_txn(w))) return rc;
    return 1;
}

/* Commit; after an abort, rebuild the state and redo from the committed offsets. */
int warden_worker_commit_or_redo(struct worker *w)
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
        int rc = warden_worker_restore(w, parts, w->state_lost);
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
            if (p >= 0 && p < w->n_parts && w->owned[p]) warden_worker_snap_save(w, p);
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
        warden_worker_produce(w, w->c->rejects_topic, key, (size_t)kn, w->jb.p, w->jb.len);
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
            warden_worker_publish_verdict(w, v, acct, alen);
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
        warden_worker_produce(
            w, w->c->linking_topic, key,
            (size_t)snprintf(key, sizeof key, "%016llx", (unsigned long long)o->key), buf, n);
    else
        warden_worker_produce(w, w->c->linking_topic, o->account_id, o->len, buf, n);
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
void warden_worker_stage_notify(void *ctx, const struct warden_link_notice *x, int partition)
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
        int rc = warden_worker_begin(w);
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
                warden_worker_publish_verdict(w, v, x.account_id, x.len);
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
    while (w->m_at[p] < w->m_until[p] && !w->fatal && !warden_worker_stop) {
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
        for (int p = 0; p < w->m_parts; p++) warden_worker_stage_notify(w, &x, p);
        w->frames_sent++;
    } else {
        warden_link_stage_apply(w->st, &o, part, warden_worker_stage_notify, w);
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
        int rc = warden_worker_begin(w);
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
            warden_worker_produce(w, w->c->rejects_topic, m->key, m->key_len, w->jb.p, w->jb.len);
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
                warden_worker_publish_verdict(w, v, ev.account_id.p, ev.account_id.n);
            }
        }
        for (size_t i = 0; i < w->n_others; i++) { /* end-user lanes */
            size_t n = strlen(w->others[i]);
            const struct warden_verdict *v =
                warden_engine_verdict(warden_runtime_shard(w->rt, shard), w->others[i], n);
            if (v) {
                warden_worker_publish_verdict(w, v, w->others[i], n);
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
rd_kafka_t *warden_worker_notice_reader(struct worker *w, const char *group, const char *suffix,
                                        bool eof)
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
    w->mcons = warden_worker_notice_reader(w, w->c->group, "membership-reader", false);
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
    warden_u64map_init(&w->unact);
    if (w->linking) {
        w->m_paused = warden_xcalloc(np, sizeof *w->m_paused);
        w->m_at = warden_xcalloc(np, sizeof *w->m_at);
        w->m_until = warden_xcalloc(np, sizeof *w->m_until);
        w->m_next = warden_xcalloc(np, sizeof *w->m_next);
        w->m_first = warden_xcalloc(np, sizeof *w->m_first);
    }
    warden_worker_txn_clear(w);
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
    while (!warden_worker_stop && !w->fatal) {
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
        if (w->stage && w->resync && w->st &&
            !warden_worker_stop) { /* a stop may cut load_told short */
            rc = warden_worker_resync(w);
            if (rc) w->fatal = rc;
        }
        if (!w->stage && w->vsync && !w->fatal && (rc = warden_worker_vsync(w))) w->fatal = rc;
        rd_kafka_poll(w->prod, 0);
        if (w->in_txn && ((int64_t)w->txn_n >= c->commit_events ||
                          (warden_now_s() - w->txn_t0) * 1000 >= (double)c->commit_interval_ms)) {
            if ((rc = warden_worker_commit_or_redo(w))) w->fatal = rc;
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
    warden_worker_unact_free(w);
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
