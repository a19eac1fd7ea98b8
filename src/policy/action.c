/* action.c — checking an action name in the policy file (the actions
 * themselves are in core/verdict.h). */
#include "policy/policy.h"
#include "policy/sections.h"
#include "core/error.h"

int warden_policy_check_action(char *value, char *err, size_t errlen)
{
    enum warden_action a;
    if (warden_action_parse(value, &a) == 0) return 0;
    if (value)
        snprintf(err, errlen, "expected one of allow, review, throttle, block, got '%s'", value);
    else
        snprintf(err, errlen, "expected one of allow, review, throttle, block, got nothing");
    return WARDEN_EINVAL;
}
