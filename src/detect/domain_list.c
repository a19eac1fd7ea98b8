/* domain_list.c — e-mail domain sets from data files (domain_list.h). */
#include "detect/domain_list.h"
#include "core/datadir.h"
#include "core/hash.h"
#include "core/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t warden_domain_hash(const char *s, size_t n)
{
    char buf[256];
    if (n >= sizeof buf) n = sizeof buf - 1;
    for (size_t i = 0; i < n; i++) buf[i] = (char)tolower((unsigned char)s[i]);
    return warden_hash64(buf, n);
}

long warden_domain_list_load(struct warden_u64map *set, const char *path)
{
    char *full = warden_data_path(NULL, path);
    FILE *f = fopen(full, "r");
    if (!f) {
        warden_err("cannot read the domain list %s: %s", full, strerror(errno));
        free(full);
        return -1;
    }
    long n = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        while (isspace((unsigned char)*p)) p++;
        size_t len = strcspn(p, " \t\r\n#");
        if (!len || *p == '#') continue;
        warden_u64map_put(set, warden_domain_hash(p, len), 1);
        n++;
    }
    fclose(f);
    free(full);
    return n;
}

int warden_domain_list_has(const struct warden_u64map *set, const char *s, size_t n)
{
    return warden_u64map_get(set, warden_domain_hash(s, n)) != 0;
}
