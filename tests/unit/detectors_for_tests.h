/* detectors_for_tests.h — two stand-in detectors for policy tests.
 *
 * detect/registry.c lists `jurisdiction` and `velocity`. A policy test defines
 * those two symbols here with small config tables of its own, so the policy's
 * `detectors:` loading is tested against known tables (one of every key type)
 * independently of the real detectors' settings. They also declare the real
 * detectors' keys that examples/policy.yaml sets (min_events, short_window_s,
 * max_requests_short, max_tokens_short), so the example loads here too.
 * Include from exactly one file per test program. */
#ifndef WARDEN_TESTS_DETECTORS_FOR_TESTS_H
#define WARDEN_TESTS_DETECTORS_FOR_TESTS_H
#include <stddef.h>

#include "detect/detector.h"

struct test_velocity_conf {
    int64_t short_window_s, max_requests_short, max_tokens_short;
    int64_t max_rpm;
    double score;
    bool per_key;
    char *label;
    struct warden_strlist endpoints;
};

static const struct warden_conf_key test_velocity_table[] = {
    {"short_window_s", WARDEN_CONF_INT, "60", offsetof(struct test_velocity_conf, short_window_s),
     "as the real detector", 12, 86400},
    {"max_requests_short", WARDEN_CONF_INT, "600",
     offsetof(struct test_velocity_conf, max_requests_short), "as the real detector", 0, 1e12},
    {"max_tokens_short", WARDEN_CONF_INT, "2000000",
     offsetof(struct test_velocity_conf, max_tokens_short), "as the real detector", 0, 1e15},
    {"max_rpm", WARDEN_CONF_INT, "600", offsetof(struct test_velocity_conf, max_rpm),
     "requests per minute before a finding", 1, 1000000},
    {"score", WARDEN_CONF_DOUBLE, "0.7", offsetof(struct test_velocity_conf, score),
     "score of the finding", 0, 1},
    {"per_key", WARDEN_CONF_BOOL, "false", offsetof(struct test_velocity_conf, per_key),
     "count per API key", 0, 0},
    {"label", WARDEN_CONF_STRING, "fast", offsetof(struct test_velocity_conf, label), "a label", 0,
     0},
    {"endpoints", WARDEN_CONF_STRLIST, "/v1/messages,/v1/complete",
     offsetof(struct test_velocity_conf, endpoints), "endpoints counted", 0, 0},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

struct test_jurisdiction_conf {
    int64_t min_events;
    bool check_card;
};

static const struct warden_conf_key test_jurisdiction_table[] = {
    {"min_events", WARDEN_CONF_INT, "1", offsetof(struct test_jurisdiction_conf, min_events),
     "as the real detector", 1, 1e9},
    {"check_card", WARDEN_CONF_BOOL, "true", offsetof(struct test_jurisdiction_conf, check_card),
     "also check the card's issuing country", 0, 0},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

static const char *const test_jurisdiction_codes[] = {WARDEN_REASON_RESTRICTED_IP,
                                                      WARDEN_REASON_RESTRICTED_BILLING,
                                                      WARDEN_REASON_RESTRICTED_CARD, NULL};
static const char *const test_velocity_codes[] = {"velocity.request_rate", "velocity.burst", NULL};

const struct warden_detector warden_detect_jurisdiction = {
    .name = "jurisdiction",
    .codes = test_jurisdiction_codes,
    .description = "test stand-in",
    .conf_table = test_jurisdiction_table,
    .conf_size = sizeof(struct test_jurisdiction_conf),
};

const struct warden_detector warden_detect_velocity = {
    .name = "velocity",
    .codes = test_velocity_codes,
    .description = "test stand-in",
    .conf_table = test_velocity_table,
    .conf_size = sizeof(struct test_velocity_conf),
};

#endif
