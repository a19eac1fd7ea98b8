/* backtest.h — scores Warden's verdicts against simulator ground truth.
 *
 * Pure functions over two files: truth.jsonl (formats.md §6) and
 * verdicts.jsonl (§4). "Actioned" means review or stronger, "enforced" means
 * throttle or block. An account with no verdict line was allowed, with score
 * 0. Positives are accounts whose label is not "benign".
 *
 * Definitions (also printed in the reports):
 * - recall of a label or kind: its accounts actioned / its accounts;
 * - precision of a label or kind (one-vs-benign): its actioned accounts /
 *   (its actioned accounts + benign accounts actioned); overall precision
 *   counts every non-benign label as positive;
 * - false-positive rate of a benign kind: its accounts actioned / its accounts;
 * - served before action: first_action_event - 1, per actioned attacker
 *   account; median and p90 by nearest rank; accounts never actioned are
 *   counted separately;
 * - cluster coverage: share of a truth cluster's accounts actioned;
 * - ROC of the verdict score over all accounts (no verdict = score 0);
 * - precision-recall curve of the same scores (one point per distinct score,
 *   an account counted at or above it) and its average precision, the sum
 *   over points of (recall step) x precision;
 * - wrong accounts (wrong.c): benign accounts actioned (false positives) and
 *   attack accounts not actioned (misses), each with its kind, action, score,
 *   reasons and, when the scan's findings.jsonl is there, its strongest
 *   findings with a short evidence summary (up to WARDEN_BT_WRONG_MAX of each);
 * - zero-recall kinds: attack kinds with accounts of which none was actioned;
 * - cross-account (clusters.c): attack clusters with >= 90 % of their
 *   accounts actioned; slow-and-low recall over the members of attack
 *   clusters of the kinds whose median member sent 15-40 requests
 *   (verdict `events`; an account
 *   without a verdict sent none), so it follows the traffic, not a kind
 *   name; joiners (kind distillation.joiner): requests served before the
 *   first action, median and p90, where a joiner never actioned counts
 *   every request it sent; the same over late joiners only, those whose
 *   first request (from the events, when the backtest read them) came
 *   after another member of their truth cluster was first actioned
 *   (verdict first_action_ts): what cluster-aware enforcement promises;
 *   benign clusters formed: benign accounts whose
 *   verdict carries a cluster_id, by kind, and the clusters holding them
 *   (benign only, or mixed with attack accounts). Event counts and cluster
 *   ids of allowed accounts need every-account verdicts (`warden scan
 *   --all-verdicts`, which the backtest passes itself). */
#ifndef WARDEN_BACKTEST_BACKTEST_H
#define WARDEN_BACKTEST_BACKTEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum warden_bt_action {
    WARDEN_BT_ALLOW = 0,
    WARDEN_BT_REVIEW,
    WARDEN_BT_THROTTLE,
    WARDEN_BT_BLOCK
};

/* What a simulated circumvention account gives away of where it really is
 * (truth "tells", written by `warden sim`; other truth files have none). */
enum {
    WARDEN_BT_TELL_TZ = 1,     /* a declared zone of a restricted jurisdiction */
    WARDEN_BT_TELL_CARD = 2,   /* a card from one */
    WARDEN_BT_TELL_EMAIL = 4,  /* its national e-mail provider */
    WARDEN_BT_TELL_HOURS = 8,  /* activity on a clock 3 h or more from the declared one */
    WARDEN_BT_TELL_LOCALE = 16 /* the real country's locale (never a signal alone) */
};

struct warden_bt_truth {
    char *account_id, *label, *kind, *cluster; /* kind, cluster may be NULL */
    int tells; /* WARDEN_BT_TELL_* bits; -1 when the line has no "tells" */
    int64_t
        first_ts; /* the account's first event (epoch ms) when the events were read; 0 unknown */
};

struct warden_bt_verdict {
    char *account_id;
    enum warden_bt_action action;
    double score;
    int64_t first_action_event; /* 0 when absent */
    int64_t first_action_ts;    /* epoch ms; 0 when absent */
    int64_t events;             /* -1 when absent */
    char *reason;               /* first (most important) reason code, or NULL */
    char *reasons;              /* every reason code, comma-separated, or NULL */
    char *cluster_id;           /* linked-account cluster, or NULL */
};

/* What was scored (the report's header): from the verdicts (policy hash, run
 * id, shadow), the truth (scenario and seed, when its lines carry them) and
 * the caller (policy path, inputs with their SHA-256, version, date). */
#define WARDEN_BT_MAX_INPUTS 16
struct warden_bt_meta {
    char *policy_sha256, *run_id, *policy_path, *version, *date, *scenario;
    bool shadow, shadow_known;
    int64_t seed;
    bool seed_known;
    struct {
        char *role, *path, *sha256; /* sha256 NULL when unreadable */
    } inputs[WARDEN_BT_MAX_INPUTS];
    size_t ninputs;
};

struct warden_bt_input {
    struct warden_bt_truth *truth;
    size_t ntruth;
    struct warden_bt_verdict *verdicts;
    size_t nverdicts;
    size_t bad_lines; /* lines skipped while loading */
    struct warden_bt_meta meta;
    bool first_seen; /* truth first_ts was filled from the events */
};

/* Add an input file to meta with its SHA-256 (role: "events", "truth", ...). */
void warden_bt_meta_input(struct warden_bt_meta *m, const char *role, const char *path);

/* Load files into in (which must be zeroed first, or already hold data).
 * Bad lines are counted, reported and skipped. Returns 0 or WARDEN_EIO. */
int warden_bt_load_truth(struct warden_bt_input *in, const char *path);
int warden_bt_load_verdicts(struct warden_bt_input *in, const char *path);
/* Read event files (JSON lines, as `warden scan` reads them) for the first
 * event time of every clustered truth account (truth first_ts). Lines that
 * do not decode are skipped silently: the scan reports them. Returns 0 or
 * WARDEN_EIO when a file cannot be read. */
int warden_bt_first_seen(struct warden_bt_input *in, char *const *files, int nfiles);
void warden_bt_input_fini(struct warden_bt_input *in);
/* Parse an action name; -1 when unknown. */
int warden_bt_action_parse(const char *s);

#define WARDEN_BT_MAX_REASONS 6

struct warden_bt_reason {
    char *code;
    size_t accounts;
};

struct warden_bt_group {
    char *name; /* label or kind */
    bool benign;
    size_t accounts, actioned, enforced;
    double precision_actioned, recall_actioned; /* attack groups; benign: -1 */
    double precision_enforced, recall_enforced;
    double fpr_actioned, fpr_enforced; /* benign groups; attack: -1 */
    size_t never_actioned;             /* attack accounts with no action */
    double served_p50, served_p90;     /* -1 when no actioned account */
    /* leading reason codes of its actioned accounts, most frequent first */
    struct warden_bt_reason reasons[WARDEN_BT_MAX_REASONS];
    size_t nreasons;
};

struct warden_bt_cluster {
    char *name, *kind;
    size_t accounts, actioned;
    double coverage;
};

/* Benign accounts of one kind that the verdicts put in clusters. */
struct warden_bt_benign_kind {
    char *kind;
    bool lookalike;   /* a kind built to share identifiers with strangers */
    size_t accounts;  /* benign accounts of the kind */
    size_t clustered; /* of them, with a cluster_id */
    size_t clusters;  /* distinct cluster ids they are in */
};

struct warden_bt_cross {
    size_t attack_clusters, clusters_90; /* truth clusters of attack accounts; >= 90 % actioned */
    char slow_kinds[512]; /* comma-separated kinds whose cluster members count as slow-and-low */
    size_t slow_accounts, slow_actioned;
    double slow_recall; /* -1 when no kind qualifies */
    size_t joiners, joiners_actioned;
    double joiner_p50, joiner_p90; /* -1 when no joiner */
    /* joiners whose first request came after another member of their truth
     * cluster was actioned (needs the events: truth first_ts) */
    bool late_known; /* false when the backtest did not read the events */
    size_t late_joiners, late_joiners_actioned;
    double late_joiner_p50, late_joiner_p90; /* -1 when none or unknown */
    struct warden_bt_benign_kind *benign;
    size_t nbenign;
    size_t benign_clustered;     /* benign accounts with a cluster_id */
    size_t benign_only_clusters; /* cluster ids of benign accounts only */
    size_t mixed_clusters;       /* cluster ids holding benign and attack accounts */
};

/* Recall by the tells the truth gives (tells.c): per attack kind with any,
 * its accounts in four classes: a restricted zone, card or e-mail; else the
 * hours; else the locale only; nothing at all. */
#define WARDEN_BT_TELL_CLASSES 4
extern const char *const warden_bt_tell_class_names[WARDEN_BT_TELL_CLASSES];
struct warden_bt_tell_row {
    char *kind; /* borrowed from the input */
    size_t accounts[WARDEN_BT_TELL_CLASSES], actioned[WARDEN_BT_TELL_CLASSES],
        enforced[WARDEN_BT_TELL_CLASSES];
};

struct warden_bt_rocpt {
    double threshold, fpr, tpr;
};

struct warden_bt_prpt {
    double threshold, precision, recall;
};

/* One of a wrong account's strongest findings (findings.jsonl). */
#define WARDEN_BT_WRONG_FINDINGS 3
struct warden_bt_wrong_finding {
    char *code;
    double score;
    char *evidence; /* the evidence object, compact, cut at 240 bytes */
};

#define WARDEN_BT_WRONG_MAX 1000
struct warden_bt_wrong {
    char *account_id, *label, *kind; /* borrowed from the input */
    bool false_positive;             /* benign and actioned; else an attack account not actioned */
    enum warden_bt_action action;
    double score;
    const char *reasons; /* borrowed: comma-separated, or NULL */
    struct warden_bt_wrong_finding top[WARDEN_BT_WRONG_FINDINGS];
    size_t ntop, nfindings; /* shown, and findings of the account in all */
};

#define WARDEN_BT_DELAY_BUCKETS 8
extern const char *const warden_bt_delay_bucket_names[WARDEN_BT_DELAY_BUCKETS];

struct warden_bt_result {
    size_t accounts, positives, negatives, with_verdict, unknown_verdicts;
    size_t tp_actioned, fp_actioned, tp_enforced, fp_enforced;
    double precision_actioned, recall_actioned, precision_enforced, recall_enforced;
    double fpr_actioned, fpr_enforced;
    struct warden_bt_group *labels, *kinds;
    size_t nlabels, nkinds;
    struct warden_bt_cluster *clusters;
    size_t nclusters;
    double cluster_mean_coverage;
    size_t clusters_full, clusters_untouched;
    struct warden_bt_rocpt *roc;
    size_t nroc;
    double auc;
    size_t delay_hist[WARDEN_BT_DELAY_BUCKETS]; /* served before first action */
    double served_p50, served_p90;              /* over all actioned attackers */
    struct warden_bt_cross cross;               /* cross-account metrics (clusters.c) */
    struct warden_bt_prpt *pr;
    size_t npr;
    double average_precision;               /* -1 without positives */
    struct warden_bt_wrong *wrong;          /* false positives first, then misses by kind */
    size_t nwrong, false_positives, misses; /* listed; all of each */
    bool evidence_loaded;                   /* findings.jsonl was read */
    struct warden_bt_tell_row *tells;       /* by kind, when the truth gives tells */
    size_t ntells;
    const struct warden_bt_meta *meta; /* borrowed from the input */
};

/* The wrong accounts into r->wrong (wrong.c, called by warden_bt_score). */
void warden_bt_wrong_accounts(const struct warden_bt_input *in,
                              const struct warden_bt_verdict *const *v, struct warden_bt_result *r);
/* Attach each wrong account's strongest findings from a findings.jsonl;
 * 0, or WARDEN_EIO when it cannot be read (the list stays without). */
int warden_bt_wrong_evidence(struct warden_bt_result *r, const char *findings_path);
void warden_bt_wrong_fini(struct warden_bt_result *r);

/* The cross-account metrics into r->cross; v[i] is the verdict of
 * in->truth[i] or NULL (clusters.c, called by warden_bt_score). */
void warden_bt_cross_account(const struct warden_bt_input *in,
                             const struct warden_bt_verdict *const *v, struct warden_bt_result *r);
void warden_bt_cross_fini(struct warden_bt_cross *x);
/* Recall by tells into r->tells (tells.c, called by warden_bt_score). */
void warden_bt_tells(const struct warden_bt_input *in, const struct warden_bt_verdict *const *v,
                     struct warden_bt_result *r);

/* Compute every metric. Returns 0. */
int warden_bt_score(const struct warden_bt_input *in, struct warden_bt_result *r);
void warden_bt_result_fini(struct warden_bt_result *r);
/* Nearest-rank percentile (p in 0..1) of v[0..n) (sorted in place); -1 if n == 0. */
double warden_bt_percentile(double *v, size_t n, double p);

/* An attack kind with accounts of which none was actioned. */
static inline bool warden_bt_zero_recall(const struct warden_bt_group *g)
{
    return !g->benign && g->accounts > 0 && g->actioned == 0;
}
/* The HTML anchor of wrong account i: "acct-ID", characters outside
 * [A-Za-z0-9_.-] as "_" and then "-i" appended so it stays unique. */
void warden_bt_anchor(char *buf, size_t n, const struct warden_bt_result *r, size_t i);

/* Reports. */
void warden_bt_report_text(FILE *out, const struct warden_bt_result *r);
void warden_bt_report_json(FILE *out, const struct warden_bt_result *r);
/* Self-contained HTML with inline SVG plots. Returns 0 or WARDEN_EIO. */
int warden_bt_report_html(const char *path, const struct warden_bt_result *r);

#endif
