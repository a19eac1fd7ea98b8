/* mac.c — HMAC-SHA256 of the quarantine manifest and its key file (see mac.h). */
#include "sweep/mac.h"
#include "core/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

void warden_sweep_hmac_hex(const unsigned char *key, size_t keylen, const void *msg, size_t n,
                           char hex[65])
{
    unsigned char k[64] = {0}, pad[64], inner[32];
    struct warden_sha256 s;
    if (keylen > 64) {
        warden_sha256_init(&s);
        warden_sha256_update(&s, key, keylen);
        warden_sha256_final(&s, k);
    } else {
        memcpy(k, key, keylen);
    }
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x36;
    warden_sha256_init(&s);
    warden_sha256_update(&s, pad, 64);
    warden_sha256_update(&s, msg, n);
    warden_sha256_final(&s, inner);
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x5c;
    warden_sha256_init(&s);
    warden_sha256_update(&s, pad, 64);
    warden_sha256_update(&s, inner, 32);
    warden_sha256_hex(&s, hex);
}

int warden_sweep_key_read(int qfd, unsigned char key[WARDEN_SWEEP_KEY_LEN])
{
    int fd = openat(qfd, WARDEN_SWEEP_KEY_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat sb;
    int rc = 0;
    if (fstat(fd, &sb) != 0)
        rc = -errno;
    else if (!S_ISREG(sb.st_mode) || (sb.st_mode & 077) ||
             (sb.st_uid != geteuid() && sb.st_uid != 0))
        rc = -EPERM;
    else if (read(fd, key, WARDEN_SWEEP_KEY_LEN) != WARDEN_SWEEP_KEY_LEN)
        rc = -EIO;
    close(fd);
    return rc;
}

int warden_sweep_key_create(int qfd, unsigned char key[WARDEN_SWEEP_KEY_LEN])
{
    int fd = openat(qfd, WARDEN_SWEEP_KEY_FILE,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return errno == EEXIST ? warden_sweep_key_read(qfd, key) : -errno;
    int rc = 0;
    if (getrandom(key, WARDEN_SWEEP_KEY_LEN, 0) != WARDEN_SWEEP_KEY_LEN) rc = -EIO;
    if (!rc && write(fd, key, WARDEN_SWEEP_KEY_LEN) != WARDEN_SWEEP_KEY_LEN) rc = -EIO;
    if (!rc && fsync(fd) != 0) rc = -errno;
    if (close(fd) != 0 && !rc) rc = -errno;
    if (rc) unlinkat(qfd, WARDEN_SWEEP_KEY_FILE, 0);
    return rc;
}

static void mac_of(json_t *m, const unsigned char *key, char hex[65])
{
    json_t *c = json_copy(m); /* shallow: only the top-level "mac" is dropped */
    json_object_del(c, "mac");
    char *txt = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(c);
    if (!txt) abort();
    warden_sweep_hmac_hex(key, WARDEN_SWEEP_KEY_LEN, txt, strlen(txt), hex);
    free(txt);
}

void warden_sweep_manifest_sign(json_t *m, const unsigned char key[WARDEN_SWEEP_KEY_LEN])
{
    char hex[65];
    mac_of(m, key, hex);
    json_object_set_new(m, "mac", json_string(hex));
}

bool warden_sweep_manifest_mac_ok(json_t *m, const unsigned char key[WARDEN_SWEEP_KEY_LEN])
{
    const char *have = json_string_value(json_object_get(m, "mac"));
    if (!have || strlen(have) != 64) return false;
    char want[65];
    mac_of(m, key, want);
    unsigned char d = 0;
    for (int i = 0; i < 64; i++) d |= (unsigned char)(have[i] ^ want[i]);
    return d == 0;
}
