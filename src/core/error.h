/* error.h — Warden's error codes.
 *
 * Functions return 0 on success or a negative WARDEN_E* code; warden_strerror()
 * turns a code into text. Allocation failure is not an error code: it aborts
 * (see xalloc.h), so error paths are for I/O, parsing and libraries. */
#ifndef WARDEN_CORE_ERROR_H
#define WARDEN_CORE_ERROR_H

enum warden_err {
    WARDEN_OK = 0,
    WARDEN_EIO = -1,       /* read/write failed; errno is kept */
    WARDEN_EPARSE = -2,    /* malformed input */
    WARDEN_EINVAL = -3,    /* invalid argument or value */
    WARDEN_ENOENT = -4,    /* not found */
    WARDEN_ECONFIG = -5,   /* bad configuration */
    WARDEN_ELIB = -6,      /* a library call failed */
    WARDEN_EFORMAT = -7,   /* file of the wrong format or version */
    WARDEN_ETOOBIG = -8,   /* input exceeds a limit */
    WARDEN_EEXIST = -9,    /* already exists */
    WARDEN_EPERM = -10,    /* permission denied */
    WARDEN_EREJECTS = -11, /* a run completed, but too much of its input was rejected */
};

const char *warden_strerror(int err);

#endif
