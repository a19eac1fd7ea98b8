/* jurisdictions.c — restricted jurisdictions: validating the codes and looking them up.
 *
 * The list comes only from the policy file (`jurisdictions.restricted`); the
 * code checks that a code is an assigned ISO 3166-1 alpha-2 code (the list is
 * data: DATA/iso/iso3166-1.tsv), never which ones are restricted. At load the list becomes a 26x26
 * bitmap so a per-event check is one bit test. */
#include "policy/policy.h"
#include "policy/sections.h"
#include "core/datadir.h"
#include "core/error.h"
#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ascii_letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static int bit_of(const char *cc)
{
    if (!cc || !ascii_letter(cc[0]) || !ascii_letter(cc[1]) || cc[2] != '\0') return -1;
    return (upper(cc[0]) - 'A') * 26 + (upper(cc[1]) - 'A');
}

/* The assigned codes, from DATA/iso/iso3166-1.tsv (one "CC<TAB>name" per
 * line), as a 26x26 bitmap read once. Without the file only the shape of a
 * code is checked (and a warning says so once). */
static uint64_t iso_bits[(26 * 26 + 63) / 64];
static bool iso_loaded;
static pthread_once_t iso_once = PTHREAD_ONCE_INIT;

static void iso_load(void)
{
    char *path = warden_data_path(NULL, "iso/iso3166-1.tsv");
    FILE *f = fopen(path, "r");
    if (!f) {
        warden_warn("%s: cannot open (%s): country codes are checked for their shape only", path,
                    strerror(errno));
        free(path);
        return;
    }
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || strlen(line) < 3 || (line[2] != '\t' && line[2] != '\n')) continue;
        line[2] = '\0';
        int b = bit_of(line);
        if (b < 0) continue;
        iso_bits[b / 64] |= UINT64_C(1) << (b % 64);
        iso_loaded = true;
    }
    fclose(f);
    free(path);
}

int warden_policy_check_country(char *value, char *err, size_t errlen)
{
    if (!value || strlen(value) != 2 || !ascii_letter(value[0]) || !ascii_letter(value[1])) {
        snprintf(err, errlen,
                 "expected an ISO 3166-1 alpha-2 country code (two letters, e.g. 'NL'), got '%s'",
                 value);
        return WARDEN_EINVAL;
    }
    value[0] = upper(value[0]);
    value[1] = upper(value[1]);
    pthread_once(&iso_once, iso_load);
    int b = bit_of(value);
    if (iso_loaded && !(iso_bits[b / 64] & (UINT64_C(1) << (b % 64)))) {
        snprintf(err, errlen,
                 "'%s' is not an ISO 3166-1 alpha-2 country code (e.g. the United Kingdom is "
                 "'GB'; the list: DATA/iso/iso3166-1.tsv)",
                 value);
        return WARDEN_EINVAL;
    }
    return 0;
}

void warden_policy_jurisdictions_compile(struct warden_policy *p)
{
    memset(p->restricted_bits, 0, sizeof p->restricted_bits);
    for (size_t i = 0; i < p->restricted.n; i++) {
        int b = bit_of(p->restricted.v[i]);
        if (b >= 0) p->restricted_bits[b / 64] |= UINT64_C(1) << (b % 64);
    }
    /* The names were checked at load; the defaults stand if ever they were not. */
    p->restricted_ip_action = p->restricted_billing_action = WARDEN_BLOCK;
    warden_action_parse(p->restricted_ip_action_name, &p->restricted_ip_action);
    warden_action_parse(p->restricted_billing_action_name, &p->restricted_billing_action);
    struct warden_rule *r = p->jurisdiction_rules;
    r[0] = (struct warden_rule){
        (char *)WARDEN_REASON_RESTRICTED_IP, 0.0, p->restricted_ip_action, 0, 0, false, 0};
    r[1] = (struct warden_rule){(char *)WARDEN_REASON_RESTRICTED_BILLING,
                                0.0,
                                p->restricted_billing_action,
                                0,
                                0,
                                false,
                                0};
    r[2] = (struct warden_rule){
        (char *)WARDEN_REASON_RESTRICTED_CARD, 0.0, p->restricted_billing_action, 0, 0, false, 0};
}

bool warden_policy_is_restricted(const struct warden_policy *p, const char *country)
{
    int b = bit_of(country);
    return b >= 0 && (p->restricted_bits[b / 64] >> (b % 64) & 1);
}
