/* worker_state.c — a worker's and the linking stage's state hand-off
 * (worker.c has the loop; worker_impl.h the struct they share).
 *
 * A partition given to a process is rebuilt before it is processed live
 * (restore()): from its snapshot (state_dir) when one is at or before the
 * group's committed offset, else by replaying it from its beginning with
 * outputs suppressed. What a replay decides is what the previous owner
 * decided, unless the process started with a newer accounts file or policy:
 * then, once the replayed partitions are done, a worker compares what its
 * replay decided with what the verdict and findings topics have and
 * publishes what they never had (vsync()), and the stage compares its
 * rebuilt clusters with what the membership topic told each account
 * (resync()). Both read a topic back to its end (read_back()). */
#include "core/clock.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/snapio.h"
#include "core/u64map.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "io/outputs.h"
#include "kafka/kafka.h"
#include "kafka/worker_impl.h"
#include "link/remote.h"
#include "policy/policy.h"
#include "policy/review_allow.h"
#include "runtime/runtime.h"

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- what a replay held back (vsync()) ---- */

uint64_t warden_worker_pair_hash(uint64_t acct, const char *code)
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

uint32_t warden_worker_verdict_digest(const struct warden_verdict *v)
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

void warden_worker_hold_finding(struct worker *w, const struct warden_finding *f)
{
    warden_write_finding(&w->jb, w->devnull, f, &w->ri);
    size_t n = w->jb.len;
    if (n && w->jb.p[n - 1] == '\n') n--;
    uint64_t acct = warden_hash64(f->account_id, f->account_id_len);
    struct held_rec r = {acct,
                         warden_worker_pair_hash(acct, f->code),
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

/* ---- partition snapshots (state_dir; not with linking: a shard's state
 * then also depends on the notices it applied, which the position does not
 * say) ---- */

bool warden_worker_snapshots(const struct worker *w)
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
void warden_worker_snap_save(struct worker *w, int p)
{
    if (!warden_worker_snapshots(w) || w->state_at[p] < 0) return;
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
    if (!warden_worker_snapshots(w) || w->state_at[p] >= 0 || c <= 0) return 0;
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

/* ---- reading a topic back ---- */

/* Every committed record of topic (a reader in group GROUP-SUFFIX), from
 * its beginning to its end now, to fn; 0 or the error. */
static int read_back(struct worker *w, const char *group, const char *suffix, const char *topic,
                     void (*fn)(struct worker *w, const rd_kafka_message_t *m))
{
    rd_kafka_t *rk = warden_worker_notice_reader(w, group, suffix, true);
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
    while (!rc && left > 0 && !warden_worker_stop) {
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

/* ---- the stage: what the membership topic told ---- */

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

/* Stage: what the membership topic told each account, into w->told: every
 * committed notice from the beginning to the topic's end now (only this
 * stage writes it, and its transactional id has fenced any earlier
 * instance, so nothing comes after). Notices deleted by retention are not
 * known: what they told is then told again after the replay. */
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

/* Stage: once every owned partition is replayed after a rebuild, hand on
 * what the rebuilt state owes beyond what the membership topic told
 * (warden_link_stage_resync), in a transaction of its own. */
int warden_worker_resync(struct worker *w)
{
    for (int p = 0; p < w->n_parts; p++)
        if (w->owned[p] && w->replay_until[p] > 0 && w->state_at[p] < w->replay_until[p]) return 0;
    w->resync = false;
    w->owed = 0;
    warden_link_stage_resync(w->st, told_get, count_notice, w);
    size_t n = w->owed;
    if (!n) return 0;
    if (!w->in_txn) {
        int rc = warden_worker_begin(w);
        if (rc) return rc;
    }
    w->live = true;
    w->cur_part = -1; /* caused by no one record */
    w->cur_off = -1;
    w->cur_seq = 0;
    w->cur_moff = -1;
    w->resynced += warden_link_stage_resync(w->st, told_get, warden_worker_stage_notify, w);
    w->txn_n += n;
    w->links_applied = true;
    return w->fatal;
}

/* ---- rebuilding ---- */

void warden_worker_unact_free(struct worker *w)
{
    for (size_t i = 0; i < w->n_unact; i++) free(w->unact_v[i].id);
    free(w->unact_v);
    w->unact_v = NULL;
    w->n_unact = w->cap_unact = 0;
    if (w->unact.keys) warden_u64map_fini(&w->unact);
}

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
    warden_worker_unact_free(w);
    warden_u64map_init(&w->unact);
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
int warden_worker_restore(struct worker *w, rd_kafka_topic_partition_list_t *parts, bool force)
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
        int rc = warden_worker_new_runtime(w);
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
    warden_worker_txn_clear(w);
    return 0;
}

/* ---- the worker: what a rebuild owes ---- */

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

/* An account with a published verdict (hash acct, id key): when a replayed
 * shard tracks it and holds no verdict of its own, into w->unact_v; the
 * comparison then owes it an "allow" unless the topic says that already. */
static void unactioned(struct worker *w, uint64_t acct, const void *key, size_t len)
{
    uint32_t mark = UINT32_MAX;
    for (int p = 0; p < w->n_parts; p++) {
        if (!w->vpart[p] || !w->owned[p]) continue;
        const struct warden_engine *e = warden_runtime_shard(w->rt, (size_t)p);
        struct warden_verdict v;
        if (warden_engine_verdict(e, key, len)) break; /* compared with its own */
        /* its own events are in the shard (another partition's account may
         * be tracked on a notice alone) */
        if (!warden_engine_unactioned(e, key, len, &v, NULL) || !v.events) continue;
        if (w->n_unact == w->cap_unact)
            w->unact_v =
                warden_xrealloc(w->unact_v, (w->cap_unact = w->cap_unact ? w->cap_unact * 2 : 16) *
                                                sizeof *w->unact_v);
        w->unact_v[w->n_unact] = (struct worker_unact){p, warden_xstrndup(key, len)};
        mark = (uint32_t)++w->n_unact;
        break;
    }
    warden_u64map_put(&w->unact, acct, mark);
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
        if (!warden_u64map_get(&w->unact, acct)) unactioned(w, acct, m->key, m->key_len);
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
        uint64_t pr = warden_worker_pair_hash(warden_hash64(m->key, m->key_len), code);
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
 * the audit trail when the action differs; and an "allow" for each account
 * a replayed shard tracks without a verdict whose published one says more
 * (unactioned()). Outputs of a run without a newer
 * accounts file or policy are all published already: nothing is owed. */
int warden_worker_vsync(struct worker *w)
{
    if (!w->vsync || !w->rt || warden_worker_stop) return 0;
    for (int p = 0; p < w->n_parts; p++)
        if (w->vpart[p] && w->owned[p] && !replayed(w, p)) return 0;
    /* what went out live since (partitions whose replay ended first) is
     * remembered as published; commit it first: a read_committed reader
     * would wait on this worker's own open transaction */
    if (w->in_txn) {
        int rc = warden_worker_commit_or_redo(w);
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
    if (!w->in_txn && (rc = warden_worker_begin(w))) {
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
        warden_worker_produce(w, w->c->findings_topic, buf, r->idlen, buf + r->idlen + r->codelen,
                              r->linelen);
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
            uint32_t was = warden_u64map_get(&w->pub, acct), now = warden_worker_verdict_digest(v);
            uint32_t k = warden_u64map_get(&told, acct);
            if ((was | 4u) == (now | 4u)) continue;
            /* published from a later state than the replay's (input committed
             * again after a lost offset commit): the redo publishes it again */
            if (was && warden_u64map_get(&w->pubev, acct) > v->events) continue;
            owed_position(w, p);
            warden_worker_publish_verdict(w, v, v->account_id, len);
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
            warden_worker_produce_jb(w, w->c->audit_topic, v->account_id, len);
        }
    }
    /* the accounts the replay never actioned that the topic has a verdict
     * for: an "allow" when the topic's says another action or reasons */
    for (size_t i = 0; i < w->n_unact && !w->fatal; i++) {
        const struct worker_unact *u = &w->unact_v[i];
        size_t len = strlen(u->id);
        uint64_t acct = warden_hash64(u->id, len);
        uint32_t was = warden_u64map_get(&w->pub, acct);
        struct warden_verdict v;
        int64_t last_ts = 0;
        if (!was || (was & 4u)) continue; /* published live since: from this state */
        if (!warden_engine_unactioned(warden_runtime_shard(w->rt, (size_t)u->part), u->id, len, &v,
                                      &last_ts))
            continue;
        if ((was | 4u) == (warden_worker_verdict_digest(&v) | 4u)) continue;
        if (warden_u64map_get(&w->pubev, acct) > v.events) continue; /* as above */
        owed_position(w, u->part);
        warden_worker_publish_verdict(w, &v, u->id, len);
        nv++;
        enum warden_action from = (enum warden_action)(was & 3u);
        if (from == WARDEN_ALLOW) continue;
        uint32_t k = warden_u64map_get(&told, acct);
        struct warden_action_change ch = {
            .ts_ms = k ? of[k - 1].r.ts_ms : last_ts,
            .verdict = &v,
            .from = from,
            .to = WARDEN_ALLOW,
            .code = v.n_reasons ? v.reasons[0].code : "",
            .score = v.score,
            .shadow = pol->shadow,
        };
        warden_write_action_change(&w->jb, w->devnull, &ch, &w->ri);
        warden_worker_produce_jb(w, w->c->audit_topic, u->id, len);
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
