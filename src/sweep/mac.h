/* mac.h — a keyed MAC over the quarantine manifest.
 *
 * `warden sweep --restore` runs as root and does what the manifest says, so a
 * manifest changed after the quarantine wrote it must be refused. The
 * quarantine creates a random 32-byte key in DIR/.warden-key (mode 0600,
 * owned by the user who quarantined) and stores HMAC-SHA256 (RFC 2104) of the
 * manifest in its "mac" member; restore recomputes it with the same key. The
 * MAC covers the manifest's JSON with "mac" removed, serialised compactly
 * with sorted keys (jansson's output for the same values is byte-stable; the
 * manifest holds only strings, integers, booleans, arrays and objects). */
#ifndef WARDEN_SWEEP_MAC_H
#define WARDEN_SWEEP_MAC_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define WARDEN_SWEEP_KEY_FILE ".warden-key"
#define WARDEN_SWEEP_KEY_LEN 32

/* HMAC-SHA256 of msg under key, as 64 hex digits into hex[65]. */
void warden_sweep_hmac_hex(const unsigned char *key, size_t keylen, const void *msg, size_t n,
                           char hex[65]);
/* Create DIR/.warden-key in qfd (O_EXCL, 0600) from getrandom(), or read an
 * existing one that passes warden_sweep_key_read's checks. 0 or -errno. */
int warden_sweep_key_create(int qfd, unsigned char key[WARDEN_SWEEP_KEY_LEN]);
/* Read the key without following a symlink; refuses (-EPERM) a key that is
 * not a regular file, is readable or writable by group or others, or is owned
 * by someone other than the invoking user or root. 0 or -errno. */
int warden_sweep_key_read(int qfd, unsigned char key[WARDEN_SWEEP_KEY_LEN]);
/* Set m's "mac" member for key. */
void warden_sweep_manifest_sign(json_t *m, const unsigned char key[WARDEN_SWEEP_KEY_LEN]);
/* Whether m carries a "mac" member that matches key (constant-time compare). */
bool warden_sweep_manifest_mac_ok(json_t *m, const unsigned char key[WARDEN_SWEEP_KEY_LEN]);

#endif
