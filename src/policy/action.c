/* action.c — the four actions a policy can take, by name.
 *
 * allow < review < throttle < block: the enum order is the strength order,
 * so "the strongest action" is the largest value. */
#include "policy/policy.h"
#include "policy/sections.h"
#include "core/error.h"

#include <string.h>

const char *const warden_action_names[] = {"allow", "review", "throttle", "block", NULL};

const char *warden_action_name(enum warden_action a)
{
    return (unsigned)a <= WARDEN_BLOCK ? warden_action_names[a] : "?";
}

int warden_action_parse(const char *s, enum warden_action *a)
{
    for (unsigned i = 0; warden_action_names[i]; i++) {
        if (strcmp(s, warden_action_names[i]) == 0) {
            *a = (enum warden_action)i;
            return 0;
        }
    }
    return WARDEN_EINVAL;
}
