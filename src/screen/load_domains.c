/* load_domains.c — a plain list of web domains and e-mail addresses, one per
 * line ('#' comments allowed), such as the domains extracted from the SDN list.
 * Each line becomes a nameless entity carrying the domain (or e-mail), so a
 * domain hit reports which list and line it came from. */
#include "screen/internal.h"

#include "core/error.h"
#include "core/log.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int warden_screen_load_domains(struct warden_screen *s, const char *list, const char *path,
                               char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return WARDEN_EIO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long ln = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        ln++;
        while (n > 0 && (isspace((unsigned char)line[n - 1]) || line[n - 1] == '\x1a'))
            line[--n] = '\0';
        char *p = line;
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p || *p == '#') continue;
        /* "Email:a@b.c", "http://host/", "host/path" (a page, not a whole domain) */
        enum warden_screen_attr_type type = WARDEN_SCREEN_ATTR_DOMAIN;
        if (strncasecmp(p, "email:", 6) == 0) p += 6;
        if (strncasecmp(p, "http://", 7) == 0)
            p += 7;
        else if (strncasecmp(p, "https://", 8) == 0)
            p += 8;
        char *slash = strchr(p, '/');
        if (slash) {
            if (slash[1] == '\0')
                *slash = '\0';
            else
                type = WARDEN_SCREEN_ATTR_REMARK; /* a URL: kept, not screened as a domain */
        }
        if (strchr(p, '@')) type = WARDEN_SCREEN_ATTR_EMAIL;
        if (strncasecmp(p, "www.", 4) == 0 && type == WARDEN_SCREEN_ATTR_DOMAIN) p += 4;
        bool ok = strchr(p, '.') != NULL;
        for (char *c = p; *c && ok; c++)
            ok = isalnum((unsigned char)*c) || strchr(".-_@+/%?=&~", *c) ||
                 (unsigned char)*c >= 0x80;
        if (!ok) {
            warden_warn("%s:%ld: not a domain or e-mail address; skipped", path, ln);
            continue;
        }
        char id[32];
        snprintf(id, sizeof id, "line-%ld", ln);
        uint32_t e = warden_screen_add_entity(s, list, id, WARDEN_SCREEN_KIND_UNKNOWN, "");
        warden_screen_add_attr(s, e, type, p, strlen(p));
    }
    free(line);
    fclose(f);
    return 0;
}
