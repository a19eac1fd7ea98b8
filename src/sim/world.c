/* world.c — countries, clients, id formats: the scenario data of world.h. */
#include "sim/world.h"

#include <stdio.h>
#include <string.h>

/* cc, IANA zone, locale, UTC offset (standard time), weight, national mail */
const struct warden_country warden_countries[] = {
    {"US", "America/New_York", "en-US", -300, 14, NULL},
    {"US", "America/Chicago", "en-US", -360, 6, NULL},
    {"US", "America/Los_Angeles", "en-US", -480, 8, NULL},
    {"CA", "America/Toronto", "en-CA", -300, 4, NULL},
    {"MX", "America/Mexico_City", "es-MX", -360, 2, NULL},
    {"BR", "America/Sao_Paulo", "pt-BR", -180, 4, NULL},
    {"AR", "America/Argentina/Buenos_Aires", "es-AR", -180, 1, NULL},
    {"CO", "America/Bogota", "es-CO", -300, 1, NULL},
    {"CL", "America/Santiago", "es-CL", -180, 1, NULL},
    {"GB", "Europe/London", "en-GB", 0, 7, NULL},
    {"IE", "Europe/Dublin", "en-IE", 0, 1, NULL},
    {"FR", "Europe/Paris", "fr-FR", 60, 4, "orange.fr"},
    {"DE", "Europe/Berlin", "de-DE", 60, 5, "gmx.de"},
    {"NL", "Europe/Amsterdam", "nl-NL", 60, 2, NULL},
    {"BE", "Europe/Brussels", "fr-BE", 60, 1, NULL},
    {"ES", "Europe/Madrid", "es-ES", 60, 2, NULL},
    {"IT", "Europe/Rome", "it-IT", 60, 2, "libero.it"},
    {"PL", "Europe/Warsaw", "pl-PL", 60, 2, "wp.pl"},
    {"SE", "Europe/Stockholm", "sv-SE", 60, 1, NULL},
    {"CH", "Europe/Zurich", "de-CH", 60, 1, NULL},
    {"AT", "Europe/Vienna", "de-AT", 60, 1, NULL},
    {"CZ", "Europe/Prague", "cs-CZ", 60, 1, "seznam.cz"},
    {"RO", "Europe/Bucharest", "ro-RO", 120, 1, NULL},
    {"UA", "Europe/Kyiv", "uk-UA", 120, 1, "ukr.net"},
    {"FI", "Europe/Helsinki", "fi-FI", 120, 1, NULL},
    {"GR", "Europe/Athens", "el-GR", 120, 1, NULL},
    {"TR", "Europe/Istanbul", "tr-TR", 180, 2, NULL},
    {"IL", "Asia/Jerusalem", "he-IL", 120, 1, NULL},
    {"AE", "Asia/Dubai", "en-AE", 240, 1, NULL},
    {"SA", "Asia/Riyadh", "ar-SA", 180, 1, NULL},
    {"EG", "Africa/Cairo", "ar-EG", 120, 1, NULL},
    {"NG", "Africa/Lagos", "en-NG", 60, 1, NULL},
    {"KE", "Africa/Nairobi", "en-KE", 180, 1, NULL},
    {"ZA", "Africa/Johannesburg", "en-ZA", 120, 1, NULL},
    {"IN", "Asia/Kolkata", "en-IN", 330, 8, "rediffmail.com"},
    {"PK", "Asia/Karachi", "en-PK", 300, 1, NULL},
    {"KZ", "Asia/Almaty", "ru-KZ", 300, 1, NULL},
    {"GE", "Asia/Tbilisi", "ka-GE", 240, 1, NULL},
    {"AM", "Asia/Yerevan", "hy-AM", 240, 1, NULL},
    {"SG", "Asia/Singapore", "en-SG", 480, 2, NULL},
    {"MY", "Asia/Kuala_Lumpur", "ms-MY", 480, 1, NULL},
    {"ID", "Asia/Jakarta", "id-ID", 420, 2, NULL},
    {"VN", "Asia/Ho_Chi_Minh", "vi-VN", 420, 2, NULL},
    {"TH", "Asia/Bangkok", "th-TH", 420, 1, NULL},
    {"PH", "Asia/Manila", "en-PH", 480, 1, NULL},
    {"TW", "Asia/Taipei", "zh-TW", 480, 1, NULL},
    {"HK", "Asia/Hong_Kong", "zh-HK", 480, 1, NULL},
    {"JP", "Asia/Tokyo", "ja-JP", 540, 3, "yahoo.co.jp"},
    {"KR", "Asia/Seoul", "ko-KR", 540, 2, "naver.com"},
    {"AU", "Australia/Sydney", "en-AU", 600, 2, NULL},
    {"NZ", "Pacific/Auckland", "en-NZ", 720, 1, NULL},
    {"CY", "Asia/Nicosia", "el-CY", 120, 0.3, NULL},
    /* countries a policy commonly restricts (weights are for circumvention
     * scenarios; ordinary users are only drawn from allowed countries) */
    {"RU", "Europe/Moscow", "ru-RU", 180, 3, "yandex.ru"},
    {"BY", "Europe/Minsk", "be-BY", 180, 1, "mail.ru"},
    {"IR", "Asia/Tehran", "fa-IR", 210, 2, NULL},
    {"KP", "Asia/Pyongyang", "ko-KP", 540, 0.2, NULL},
    {"SY", "Asia/Damascus", "ar-SY", 180, 0.5, NULL},
    {"CU", "America/Havana", "es-CU", -300, 0.5, NULL},
    {"CN", "Asia/Shanghai", "zh-CN", 480, 4, "qq.com"},
    {"VE", "America/Caracas", "es-VE", -240, 0.5, NULL},
};
const size_t warden_ncountries = sizeof warden_countries / sizeof warden_countries[0];

const struct warden_country *warden_country_get(const char *cc)
{
    for (size_t i = 0; i < warden_ncountries; i++)
        if (strcmp(warden_countries[i].cc, cc) == 0) return &warden_countries[i];
    return NULL;
}

/* User-Agent strings as the official and common SDKs and HTTP stacks send them. */
const struct warden_client warden_clients[] = {
    {"Anthropic/Python 0.39.0", "/v1/messages", "python-httpx", 5},
    {"Anthropic/Python 0.49.0", "/v1/messages", "python-httpx", 8},
    {"Anthropic/Python 0.64.0", "/v1/messages", "python-httpx", 10},
    {"Anthropic/JS 0.32.1", "/v1/messages", "node", 3},
    {"Anthropic/JS 0.52.0", "/v1/messages", "node", 6},
    {"Anthropic/Go 1.4.0", "/v1/messages", "go", 2},
    {"Anthropic/Java 2.2.0", "/v1/messages", "okhttp", 1},
    {"OpenAI/Python 1.54.3", "/v1/chat/completions", "python-httpx", 6},
    {"OpenAI/Python 1.99.9", "/v1/chat/completions", "python-httpx", 8},
    {"OpenAI/JS 4.73.0", "/v1/chat/completions", "node", 4},
    {"OpenAI/JS 5.10.2", "/v1/chat/completions", "node", 4},
    {"python-httpx/0.28.1", "/v1/messages", "python-httpx", 2},
    {"python-requests/2.32.3", "/v1/messages", "python-urllib3", 3},
    {"python-requests/2.31.0", "/v1/chat/completions", "python-urllib3", 1},
    {"aiohttp/3.10.5", "/v1/messages", "python-aiohttp", 1},
    {"curl/8.5.0", "/v1/messages", "curl", 1},
    {"curl/7.88.1", "/v1/messages", "curl", 1},
    {"Go-http-client/2.0", "/v1/messages", "go", 1},
    {"okhttp/4.12.0", "/v1/chat/completions", "okhttp", 1},
    {"axios/1.7.9", "/v1/messages", "node", 1},
    {"node", "/v1/chat/completions", "node", 1},
    {"Faraday v2.12.2", "/v1/messages", "ruby", 0.5},
    {"Java-http-client/21.0.5", "/v1/chat/completions", "java", 0.5},
};
const size_t warden_nclients = sizeof warden_clients / sizeof warden_clients[0];

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

void warden_ja4_for_family(const char *family, char *buf, size_t len)
{
    uint64_t a = fnv(family), b = fnv(family) * 31 + 7;
    unsigned ciphers = 8 + (unsigned)(a % 10), exts = 8 + (unsigned)((a >> 8) % 9);
    snprintf(buf, len, "t13d%02u%02uh2_%012llx_%012llx", ciphers, exts,
             (unsigned long long)(a >> 16) & 0xffffffffffffULL,
             (unsigned long long)(b >> 8) & 0xffffffffffffULL);
}

const char *const warden_free_mail[] = {"gmail.com",      "outlook.com", "yahoo.com",
                                        "icloud.com",     "hotmail.com", "proton.me",
                                        "protonmail.com", "aol.com"};
const size_t warden_nfree_mail = sizeof warden_free_mail / sizeof warden_free_mail[0];

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
static const char hex[] = "0123456789abcdef";

static size_t put_rand(struct warden_rng *r, char *p, const char *alpha, unsigned na, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = alpha[warden_rng_below(r, na)];
    return n;
}

static void put_uuid(struct warden_rng *r, char *p)
{
    /* xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx */
    for (int i = 0; i < 36; i++) p[i] = hex[warden_rng_below(r, 16)];
    p[8] = p[13] = p[18] = p[23] = '-';
    p[14] = '4';
    p[19] = "89ab"[warden_rng_below(r, 4)];
    p[36] = '\0';
}

void warden_sim_id(struct warden_rng *r, enum warden_idkind kind, unsigned style, char *buf,
                   size_t len)
{
    char t[80];
    size_t n = 0;
    switch (kind) {
    case WARDEN_ID_ACCOUNT:
        switch (style % 3) {
        case 0:
            n = (size_t)snprintf(t, sizeof t, "acct_");
            n += put_rand(r, t + n, b62, 62, 24);
            break;
        case 1: /* ULID */
            n = (size_t)snprintf(t, sizeof t, "user_01");
            n += put_rand(r, t + n, crockford, 32, 24);
            break;
        default: /* legacy numeric customer number */
            n = (size_t)snprintf(t, sizeof t, "%u%08u", 1 + warden_rng_below(r, 9),
                                 warden_rng_below(r, 100000000));
            break;
        }
        break;
    case WARDEN_ID_ORG:
        if (style % 2 == 0) {
            n = (size_t)snprintf(t, sizeof t, "org_");
            n += put_rand(r, t + n, b62, 62, 20);
        } else {
            put_uuid(r, t);
            n = 36;
        }
        break;
    case WARDEN_ID_KEY:
        if (style % 2 == 0) {
            n = (size_t)snprintf(t, sizeof t, "apikey_01");
            n += put_rand(r, t + n, b62, 62, 22);
        } else {
            n = (size_t)snprintf(t, sizeof t, "key_");
            n += put_rand(r, t + n, b62, 62, 16);
        }
        break;
    case WARDEN_ID_REQUEST:
        n = (size_t)snprintf(t, sizeof t, "req_011C");
        n += put_rand(r, t + n, b62, 62, 20);
        break;
    case WARDEN_ID_END_USER:
        switch (style % 5) {
        case 0:
            put_uuid(r, t);
            n = 36;
            break;
        case 1:
            n = (size_t)snprintf(t, sizeof t, "user-%u", warden_rng_below(r, 9000000) + 1000);
            break;
        case 2:
            n = put_rand(r, t, hex, 16, 64);
            break; /* sha256 of an e-mail */
        case 3:
            n = (size_t)snprintf(t, sizeof t, "u_");
            n += put_rand(r, t + n, "0123456789abcdefghijklmnopqrstuvwxyz", 36, 10);
            break;
        default:
            n = (size_t)snprintf(t, sizeof t, "%u", warden_rng_below(r, 4000000) + 10);
            break;
        }
        break;
    case WARDEN_ID_PAYMENT:
        n = (size_t)snprintf(t, sizeof t, "pm_fp_");
        n += put_rand(r, t + n, b62, 62, 16);
        break;
    }
    t[n] = '\0';
    snprintf(buf, len, "%s", t);
}
