/* worker_impl.h — the state `warden worker` and `warden link-stage` share
 * between their files (worker.c: the loop, transactions and outputs;
 * worker_state.c: restore, snapshots and what a rebuild owes). Nothing
 * outside kafka/worker*.c includes this. */
#ifndef WARDEN_KAFKA_WORKER_IMPL_H
#define WARDEN_KAFKA_WORKER_IMPL_H
#include "core/jbuf.h"
#include "core/u64map.h"
#include "detect/distill_prior.h"
#include "io/outputs.h"
#include "kafka/kafka.h"
#include "kafka/metrics_http.h"
#include "link/remote.h"

#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct warden_runtime;
struct warden_detector;
struct warden_policy;
struct warden_registry;
struct warden_link_stage;
struct warden_review_allow;
struct warden_verdict;
struct warden_finding;

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
    bool *vpart;                /* per partition: replayed, not compared yet */
    bool vsync;                 /* a comparison is due once vpart's replays are done */
    FILE *held;                 /* the findings the replays held back (hold_finding()) */
    struct warden_u64map pub;   /* account hash -> verdict digest (vdigest()) */
    struct warden_u64map pubev; /* account hash -> its events when that verdict went out */
    struct warden_u64map
        pubcodes; /* warden_worker_pair_hash(account, code) -> 1: a finding published */
    struct warden_u64map
        pending; /* warden_worker_pair_hash(account, code) -> 1: a finding held back */
    /* the accounts the verdict topic has a verdict for that a replayed shard
     * tracks without one of its own (its newer accounts file took away what
     * actioned it): owed an "allow" when the topic says more */
    struct warden_u64map unact; /* account hash -> index + 1 in unact_v; UINT32_MAX: has one */
    struct worker_unact {
        int part;
        char *id;
    } * unact_v;
    size_t n_unact, cap_unact;
    bool *vsync_out; /* per partition: owed outputs in the open transaction */
    bool pos_owed;   /* outputs produced now are owed ones (warden-pos ...:rTAG.N) */
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

/* SIGINT / SIGTERM: the loop stops at its next turn. */
extern volatile sig_atomic_t warden_worker_stop;

/* worker.c */
void warden_worker_produce(struct worker *w, const char *topic, const char *key, size_t keylen,
                           const char *val, size_t len);
/* w->jb holds one formatted line ending in a newline. */
void warden_worker_produce_jb(struct worker *w, const char *topic, const char *key, size_t keylen);
/* A verdict produced: since a rebuild, remembered as published. */
void warden_worker_publish_verdict(struct worker *w, const struct warden_verdict *v,
                                   const char *key, size_t keylen);
int warden_worker_new_runtime(struct worker *w);
void warden_worker_txn_clear(struct worker *w);
int warden_worker_begin(struct worker *w);
/* Commit; after an abort, rebuild the state and redo from the committed offsets. */
int warden_worker_commit_or_redo(struct worker *w);
/* Stage: a notice to the account's events partition of the membership topic. */
void warden_worker_stage_notify(void *ctx, const struct warden_link_notice *x, int partition);
/* A read_committed reader in group GROUP-SUFFIX that never commits;
 * eof: partition ends are reported. */
rd_kafka_t *warden_worker_notice_reader(struct worker *w, const char *group, const char *suffix,
                                        bool eof);

/* worker_state.c */
uint64_t warden_worker_pair_hash(uint64_t acct, const char *code);
uint32_t warden_worker_verdict_digest(const struct warden_verdict *v);
void warden_worker_hold_finding(struct worker *w, const struct warden_finding *f);
/* Partition snapshots are kept (state_dir, no linking). */
bool warden_worker_snapshots(const struct worker *w);
void warden_worker_snap_save(struct worker *w, int p);
int warden_worker_restore(struct worker *w, rd_kafka_topic_partition_list_t *parts, bool force);
int warden_worker_resync(struct worker *w);
int warden_worker_vsync(struct worker *w);
void warden_worker_unact_free(struct worker *w);

#endif
