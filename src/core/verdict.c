/* verdict.c — the four actions by name.
 *
 * allow < review < throttle < block: the enum order is the strength order,
 * so "the strongest action" is the largest value. */
#include "core/verdict.h"
#include "core/error.h"

#include <string.h>

static const char *const names[] = {"allow", "review", "throttle", "block"};

const char *warden_action_name(enum warden_action a)
{
    return (unsigned)a <= WARDEN_BLOCK ? names[a] : "?";
}

int warden_action_parse(const char *s, enum warden_action *a)
{
    for (unsigned i = 0; s && i <= WARDEN_BLOCK; i++) {
        if (strcmp(s, names[i]) == 0) {
            *a = (enum warden_action)i;
            return 0;
        }
    }
    return WARDEN_EINVAL;
}
