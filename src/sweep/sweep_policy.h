/* sweep_policy.h — an organisation's sweep policy: which tools are banned.
 *
 * The policy is data (YAML, `sweep:` mapping): banned and allowed tool ids
 * from the catalogue, what to do with catalogued tools in neither list, and
 * walk limits. Without a policy file every catalogued tool counts as banned,
 * so an audit with no configuration errs on the side of reporting. */
#ifndef WARDEN_SWEEP_SWEEP_POLICY_H
#define WARDEN_SWEEP_SWEEP_POLICY_H
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "sweep/catalogue.h"

enum warden_sweep_status {
    WARDEN_SWEEP_BANNED = 0,
    WARDEN_SWEEP_ALLOWED,
    WARDEN_SWEEP_REPORTED, /* neither: reported, not counted as banned */
};

struct warden_sweep_policy {
    char *path;      /* NULL for the built-in default */
    char *catalogue; /* catalogue path, or NULL for the default */
    char *os;        /* "linux" unless set */
    struct warden_strlist banned, allowed;
    enum warden_sweep_status unlisted; /* status of tools in neither list */
    int max_depth, threads;
    int64_t max_age_days; /* warn when the catalogue's as_of is older (or absent); 0: never */
};

/* sweep.max_age_days when the policy does not say: footprints change with
 * tool releases, more slowly than network lists. */
#define WARDEN_SWEEP_MAX_AGE_DAYS 90

/* Load path (NULL: defaults). WARDEN_ECONFIG/WARDEN_EIO with "FILE:LINE: ..."
 * in err. */
int warden_sweep_policy_load(struct warden_sweep_policy **out, const char *path, char *err,
                             size_t errlen);
/* Every banned/allowed id must exist in c; else WARDEN_ECONFIG and err. */
int warden_sweep_policy_check(const struct warden_sweep_policy *p,
                              const struct warden_sweep_catalogue *c, char *err, size_t errlen);
enum warden_sweep_status warden_sweep_policy_status(const struct warden_sweep_policy *p,
                                                    const char *tool_id);
const char *warden_sweep_status_name(enum warden_sweep_status s);
void warden_sweep_policy_free(struct warden_sweep_policy *p);

#endif
