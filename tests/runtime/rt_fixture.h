/* rt_fixture.h — the set-up the runtime tests share: a policy given as YAML
 * text is written to a private temporary file, loaded (as a policy or as a
 * whole runtime) and the file removed again; a load that fails prints the
 * loader's message and fails the test. Include after <cmocka.h>. */
#ifndef WARDEN_TEST_RT_FIXTURE_H
#define WARDEN_TEST_RT_FIXTURE_H

#include <stdio.h>
#include <unistd.h>

#include "detect/detector.h" /* warden_policy_load: the registered detectors */
#include "policy/policy.h"
#include "runtime/runtime.h"

/* Write yaml to /tmp/warden_test_policy_<pid>.yaml; returns the path (static). */
static inline const char *rt_fixture_policy_file(const char *yaml)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/warden_test_policy_%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(yaml, f);
    fclose(f);
    return path;
}

/* The policy of yaml, loaded; fails the test when it does not load. */
static inline struct warden_policy *rt_fixture_policy(const char *yaml)
{
    char err[512];
    struct warden_policy *pol = NULL;
    const char *path = rt_fixture_policy_file(yaml);
    int rc = warden_policy_load(&pol, path, err, sizeof err);
    unlink(path);
    if (rc) fprintf(stderr, "policy: %s\n", err);
    assert_int_equal(rc, 0);
    return pol;
}

/* A runtime built from c with the policy of yaml (c->policy_path is set to
 * the temporary file, gone again on return); fails the test when it does
 * not start. */
static inline struct warden_runtime *rt_fixture_runtime(struct warden_runtime_conf *c,
                                                        const char *yaml)
{
    char err[512];
    struct warden_runtime *rt = NULL;
    c->policy_path = rt_fixture_policy_file(yaml);
    int rc = warden_runtime_new(&rt, c, err, sizeof err);
    unlink(c->policy_path);
    c->policy_path = NULL;
    if (rc) fprintf(stderr, "runtime: %s\n", err);
    assert_int_equal(rc, 0);
    return rt;
}

#endif
