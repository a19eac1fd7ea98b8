/* blocklist.c — hosts, dnsmasq, unbound, squid and nftables rules (see blocklist.h). */
#include "sweep/blocklist.h"
#include "core/error.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int warden_blocklist_format_parse(const char *s, enum warden_blocklist_format *f)
{
    static const char *const names[] = {"hosts", "dnsmasq", "unbound", "squid", "nftables"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) {
            *f = (enum warden_blocklist_format)i;
            return 0;
        }
    if (strcmp(s, "nft") == 0) {
        *f = WARDEN_BLOCKLIST_NFTABLES;
        return 0;
    }
    return WARDEN_EINVAL;
}

/* Whether h is d or a subdomain of d. */
static bool within(const char *h, const char *d)
{
    size_t hl = strlen(h), dl = strlen(d);
    if (hl == dl) return strcmp(h, d) == 0;
    return hl > dl && h[hl - dl - 1] == '.' && strcmp(h + hl - dl, d) == 0;
}

/* Hosts of the selected tools, without duplicates; with suffixes=true, also
 * without names already covered by a listed parent domain. */
static size_t collect_hosts(const struct warden_sweep_catalogue *c, const int *tools, size_t n,
                            bool suffixes, const char ***out)
{
    const char **v = NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct warden_sweep_tool *t = &c->tools[tools[i]];
        for (size_t j = 0; j < t->hosts.n; j++) {
            v = warden_xrealloc(v, sizeof *v * (k + 1));
            v[k++] = t->hosts.v[j];
        }
    }
    size_t w = 0;
    for (size_t i = 0; i < k; i++) {
        bool drop = false;
        for (size_t j = 0; j < k && !drop; j++) {
            if (i == j) continue;
            if (strcmp(v[i], v[j]) == 0)
                drop = j < i;
            else if (suffixes && within(v[i], v[j]))
                drop = true;
        }
        if (!drop) v[w++] = v[i];
    }
    *out = v;
    return w;
}

static void header(FILE *out, const struct warden_sweep_catalogue *c, const int *tools, size_t n,
                   const char *what)
{
    fprintf(out, "# warden blocklist (%s) generated from %s\n", what, c->path);
    for (size_t i = 0; i < n; i++) {
        const struct warden_sweep_tool *t = &c->tools[tools[i]];
        fprintf(out, "# %s (%s): %zu host(s), %zu IPv4 and %zu IPv6 range(s); source: %s\n",
                t->name, t->id, t->hosts.n, t->ipv4.n, t->ipv6.n, t->source ? t->source : "-");
    }
}

static void set_name(char *buf, size_t n, const char *id, const char *suffix)
{
    size_t k = 0;
    for (const char *s = id; *s && k + 1 < n; s++)
        buf[k++] = (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ? *s : '_';
    buf[k] = '\0';
    strncat(buf, suffix, n - k - 1);
}

int warden_blocklist_write(FILE *out, const struct warden_sweep_catalogue *c, const int *tools,
                           size_t n, enum warden_blocklist_format f, char *err, size_t errlen)
{
    const char **hosts = NULL;
    size_t nh = collect_hosts(c, tools, n, f != WARDEN_BLOCKLIST_HOSTS, &hosts);
    size_t nv4 = 0, nv6 = 0;
    for (size_t i = 0; i < n; i++) {
        nv4 += c->tools[tools[i]].ipv4.n;
        nv6 += c->tools[tools[i]].ipv6.n;
    }
    int rc = 0;
    switch (f) {
    case WARDEN_BLOCKLIST_HOSTS:
        if (!nh) goto nohosts;
        header(out, c, tools, n, "hosts file; exact names only, no subdomains");
        for (size_t i = 0; i < nh; i++) fprintf(out, "0.0.0.0 %s\n:: %s\n", hosts[i], hosts[i]);
        break;
    case WARDEN_BLOCKLIST_DNSMASQ:
        if (!nh) goto nohosts;
        header(out, c, tools, n, "dnsmasq; NXDOMAIN for each name and its subdomains");
        for (size_t i = 0; i < nh; i++) fprintf(out, "address=/%s/\n", hosts[i]);
        break;
    case WARDEN_BLOCKLIST_UNBOUND:
        if (!nh) goto nohosts;
        header(out, c, tools, n, "unbound; NXDOMAIN for each name and its subdomains");
        fprintf(out, "server:\n");
        for (size_t i = 0; i < nh; i++)
            fprintf(out, "    local-zone: \"%s.\" always_nxdomain\n", hosts[i]);
        break;
    case WARDEN_BLOCKLIST_SQUID:
        if (!nh && !nv4 && !nv6) goto nohosts;
        header(out, c, tools, n, "squid; deny by destination domain and address");
        for (size_t i = 0; i < n; i++) {
            const struct warden_sweep_tool *t = &c->tools[tools[i]];
            char acl[96];
            set_name(acl, sizeof acl, t->id, "");
            bool any = false;
            for (size_t j = 0; j < t->hosts.n; j++) {
                bool kept = false;
                for (size_t k = 0; k < nh; k++)
                    if (hosts[k] == t->hosts.v[j]) kept = true;
                if (!kept) continue;
                fprintf(out, "acl warden_block_%s dstdomain .%s\n", acl, t->hosts.v[j]);
                any = true;
            }
            if (any) fprintf(out, "http_access deny warden_block_%s\n", acl);
            if (t->ipv4.n + t->ipv6.n) {
                fprintf(out, "acl warden_block_%s_ip dst", acl);
                for (size_t j = 0; j < t->ipv4.n; j++) fprintf(out, " %s", t->ipv4.v[j]);
                for (size_t j = 0; j < t->ipv6.n; j++) fprintf(out, " %s", t->ipv6.v[j]);
                fprintf(out, "\nhttp_access deny warden_block_%s_ip\n", acl);
            }
        }
        break;
    case WARDEN_BLOCKLIST_NFTABLES:
        if (!nv4 && !nv6) {
            snprintf(err, errlen,
                     "no selected tool publishes IP ranges, and nftables cannot match host "
                     "names: use --format dnsmasq, unbound, squid or hosts");
            rc = WARDEN_ENOENT;
            break;
        }
        header(out, c, tools, n, "nftables; rejects traffic to published IP ranges");
        fprintf(out, "# host names are not matched here; pair this with a DNS or proxy format\n");
        fprintf(out, "table inet warden_blocklist\ndelete table inet warden_blocklist\n"
                     "table inet warden_blocklist {\n");
        for (int pass = 0; pass < 2; pass++) {
            for (size_t i = 0; i < n; i++) {
                const struct warden_sweep_tool *t = &c->tools[tools[i]];
                for (int fam = 0; fam < 2; fam++) {
                    const struct warden_strlist *l = fam ? &t->ipv6 : &t->ipv4;
                    if (!l->n) continue;
                    char sn[96];
                    set_name(sn, sizeof sn, t->id, fam ? "_v6" : "_v4");
                    if (pass == 0) {
                        fprintf(out,
                                "    set %s {\n        type %s\n        flags interval\n"
                                "        elements = { ",
                                sn, fam ? "ipv6_addr" : "ipv4_addr");
                        for (size_t j = 0; j < l->n; j++)
                            fprintf(out, "%s%s", j ? ", " : "", l->v[j]);
                        fprintf(out, " }\n    }\n");
                    }
                }
            }
            if (pass == 0) continue;
            static const char *const hooks[] = {"output", "forward"};
            for (int h = 0; h < 2; h++) {
                fprintf(out,
                        "    chain %s {\n        type filter hook %s priority filter; policy "
                        "accept;\n",
                        hooks[h], hooks[h]);
                for (size_t i = 0; i < n; i++) {
                    const struct warden_sweep_tool *t = &c->tools[tools[i]];
                    for (int fam = 0; fam < 2; fam++) {
                        const struct warden_strlist *l = fam ? &t->ipv6 : &t->ipv4;
                        if (!l->n) continue;
                        char sn[96];
                        set_name(sn, sizeof sn, t->id, fam ? "_v6" : "_v4");
                        fprintf(out, "        %s daddr @%s counter reject comment \"warden: %s\"\n",
                                fam ? "ip6" : "ip", sn, t->id);
                    }
                }
                fprintf(out, "    }\n");
            }
        }
        fprintf(out, "}\n");
        break;
    }
    free(hosts);
    return rc;
nohosts:
    free(hosts);
    snprintf(err, errlen,
             "the selected tool(s) list no endpoints in the catalogue (a tool such as aider "
             "talks to whichever provider it is configured for: block that provider)");
    return WARDEN_ENOENT;
}
