/* sha256.h — SHA-256 (FIPS 180-4): the quarantine manifest's file hashes
 * and MAC, and the policy hash that every verdict and finding carries.
 * Small and self-contained, so Warden needs no crypto library. */
#ifndef WARDEN_CORE_SHA256_H
#define WARDEN_CORE_SHA256_H
#include <stddef.h>
#include <stdint.h>

struct warden_sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t n;
};

void warden_sha256_init(struct warden_sha256 *s);
void warden_sha256_update(struct warden_sha256 *s, const void *data, size_t n);
/* The 32-byte digest (ends s). */
void warden_sha256_final(struct warden_sha256 *s, unsigned char out[32]);
/* 64 hex digits and a NUL into hex[65]. */
void warden_sha256_hex(struct warden_sha256 *s, char hex[65]);
/* Hash an open file descriptor from its current offset; 0 or -errno. */
int warden_sha256_fd(int fd, char hex[65]);

#endif
