/* sha256.h — SHA-256 (FIPS 180-4) for the quarantine manifest.
 *
 * The manifest records each file's SHA-256 so that a restore can prove it put
 * back the same bytes. Small and self-contained, so the sweep needs no crypto
 * library. */
#ifndef WARDEN_SWEEP_SHA256_H
#define WARDEN_SWEEP_SHA256_H
#include <stddef.h>
#include <stdint.h>

struct warden_sweep_sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t n;
};

void warden_sweep_sha256_init(struct warden_sweep_sha256 *s);
void warden_sweep_sha256_update(struct warden_sweep_sha256 *s, const void *data, size_t n);
/* The 32-byte digest (ends s). */
void warden_sweep_sha256_final(struct warden_sweep_sha256 *s, unsigned char out[32]);
/* 64 hex digits and a NUL into hex[65]. */
void warden_sweep_sha256_hex(struct warden_sweep_sha256 *s, char hex[65]);
/* Hash an open file descriptor from its current offset; 0 or -errno. */
int warden_sweep_sha256_fd(int fd, char hex[65]);

#endif
