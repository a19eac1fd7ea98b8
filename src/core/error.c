/* error.c — text for Warden's error codes. */
#include "core/error.h"

const char *warden_strerror(int err)
{
    switch (err) {
    case WARDEN_OK:
        return "success";
    case WARDEN_EIO:
        return "input/output error";
    case WARDEN_EPARSE:
        return "parse error";
    case WARDEN_EINVAL:
        return "invalid value";
    case WARDEN_ENOENT:
        return "not found";
    case WARDEN_ECONFIG:
        return "configuration error";
    case WARDEN_ELIB:
        return "library error";
    case WARDEN_EFORMAT:
        return "wrong file format";
    case WARDEN_ETOOBIG:
        return "too large";
    case WARDEN_EEXIST:
        return "already exists";
    case WARDEN_EPERM:
        return "permission denied";
    case WARDEN_EREJECTS:
        return "too much input rejected";
    default:
        return "unknown error";
    }
}
