/* detector.h — the detector interface.
 *
 * A detector is one `const struct warden_detector` value in its own file
 * (detect_<name>.c), listed once in detect/registry.c. The engine gives each
 * detector a fixed-size slice of every tracked account's state (state_size
 * bytes, zeroed when the account is first seen or re-admitted after eviction),
 * its read-only config struct (declared by conf_table, filled from the
 * policy's `detectors.<name>:` section), and an emitter for findings.
 *
 * observe() is called once per event, on the hot path: no allocation, no
 * locks, no I/O. A detector emits a finding when something becomes true (a
 * threshold crossed), not on every event. Evidence is a JSON object the
 * detector writes with the jbuf helpers; its keys are documented in the
 * detector's header comment. */
#ifndef WARDEN_DETECT_DETECTOR_H
#define WARDEN_DETECT_DETECTOR_H
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "core/event.h"
#include "core/jbuf.h"

struct warden_policy;

/* Handed to observe()/flush(); the engine stamps ts, account and detector. */
struct warden_emit {
    void (*finding)(struct warden_emit *em, const char *code, double score,
                    const char *evidence_json);
    void *engine;
    const struct warden_event *ev; /* the event being observed (NULL in flush) */
    const char *detector;
    struct warden_jbuf scratch; /* reusable buffer for evidence; reset before each use */
};

static inline void warden_emit_finding(struct warden_emit *em, const char *code, double score,
                                       const char *evidence_json)
{
    em->finding(em, code, score, evidence_json);
}

struct warden_detector {
    const char *name;
    const char *description;
    const struct warden_conf_key *conf_table; /* may be NULL: no settings */
    size_t conf_size;                         /* sizeof the config struct */
    size_t state_size;                        /* per-account bytes */
    /* Build the detector's shared context; conf is its filled config struct. */
    int (*init)(void **ctx, const struct warden_policy *policy, const void *conf);
    void (*observe)(void *ctx, const struct warden_event *ev, void *state, struct warden_emit *em);
    /* End of input: emit anything pending (may be NULL). */
    void (*flush)(void *ctx, struct warden_emit *em);
    void (*free)(void *ctx);
};

/* The registry (detect/registry.c). */
extern const struct warden_detector *const warden_detectors[];
extern const size_t warden_n_detectors;
/* Index of a detector by name, or -1. */
int warden_detector_index(const char *name);

#endif
