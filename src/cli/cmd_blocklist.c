/* cmd_blocklist.c — `warden blocklist`: egress rules for banned tools' endpoints.
 *
 * The hosts and IP ranges come from the sweep catalogue (data, with the
 * vendor page they were taken from), so the scanner and the network edge
 * agree on what a tool is. */
#include "cli/cli.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "sweep/blocklist.h"
#include "sweep/catalogue.h"
#include "sweep/sweep_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct warden_cmd warden_cmd_blocklist;

static const struct warden_opt blocklist_opts[] = {
    {"tool", 't', "NAME", "a catalogue tool id (claude-code, codex-cli, ...)", true},
    {"policy", 'p', "FILE", "also every tool the sweep policy bans", false},
    {"format", 'f', "FORMAT", "hosts, dnsmasq, unbound, squid or nftables", false},
    {"catalogue", 0, "FILE", "footprint catalogue (default: the shipped one)", false},
    {"out", 'o', "FILE", "write the rules to FILE instead of standard output", false},
    {"list", 0, NULL, "list the catalogue's tools and their endpoints, then exit", false},
    {NULL, 0, NULL, NULL, false},
};

static void add_tool(int **v, size_t *n, int t)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i] == t) return;
    *v = warden_xrealloc(*v, sizeof **v * (*n + 1));
    (*v)[(*n)++] = t;
}

static int blocklist_main(int argc, char **argv)
{
    struct warden_args a;
    int pr = warden_args_parse(&a, &warden_cmd_blocklist, argc, argv);
    if (pr) {
        warden_args_free(&a);
        return pr > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    int ex = WARDEN_EXIT_OK;
    char err[1024];
    struct warden_sweep_catalogue *cat = NULL;
    struct warden_sweep_policy *pol = NULL;
    int *tools = NULL;
    size_t nt = 0;
    FILE *out = stdout;
    enum warden_blocklist_format fmt = WARDEN_BLOCKLIST_HOSTS;
    if (a.nrest) {
        fprintf(stderr, "warden blocklist: unexpected argument '%s'\n", a.rest[0]);
        ex = WARDEN_EXIT_USAGE;
        goto out;
    }
    const char *fs = warden_arg(&a, "format");
    if (!warden_flag(&a, "list") && (!fs || warden_blocklist_format_parse(fs, &fmt))) {
        fprintf(stderr, "warden blocklist: --format must be hosts, dnsmasq, unbound, squid or "
                        "nftables\n");
        ex = WARDEN_EXIT_USAGE;
        goto out;
    }
    if (warden_arg(&a, "policy") &&
        warden_sweep_policy_load(&pol, warden_arg(&a, "policy"), err, sizeof err)) {
        fprintf(stderr, "warden blocklist: %s\n", err);
        ex = WARDEN_EXIT_CONFIG;
        goto out;
    }
    const char *cp = warden_arg(&a, "catalogue");
    if (!cp && pol) cp = pol->catalogue;
    if (warden_sweep_catalogue_load(&cat, cp, pol ? pol->os : "linux", err, sizeof err)) {
        fprintf(stderr, "warden blocklist: %s\n", err);
        ex = WARDEN_EXIT_CONFIG;
        goto out;
    }
    /* a stale catalogue misses hosts of tools released or moved since */
    warden_sweep_catalogue_warn_stale(cat, pol ? pol->max_age_days : WARDEN_SWEEP_MAX_AGE_DAYS);
    if (warden_flag(&a, "list")) {
        for (size_t i = 0; i < cat->n_tools; i++) {
            const struct warden_sweep_tool *t = &cat->tools[i];
            printf("%-16s %-24s hosts:", t->id, t->name);
            for (size_t j = 0; j < t->hosts.n; j++) printf(" %s", t->hosts.v[j]);
            for (size_t j = 0; j < t->ipv4.n; j++) printf(" %s", t->ipv4.v[j]);
            for (size_t j = 0; j < t->ipv6.n; j++) printf(" %s", t->ipv6.v[j]);
            printf("\n");
        }
        goto out;
    }
    int n;
    const char **names = warden_arg_all(&a, "tool", &n);
    for (int i = 0; i < n; i++) {
        int t = warden_sweep_catalogue_find(cat, names[i]);
        if (t < 0) {
            fprintf(stderr, "warden blocklist: unknown tool '%s' (see 'warden blocklist --list')\n",
                    names[i]);
            ex = WARDEN_EXIT_USAGE;
            goto out;
        }
        add_tool(&tools, &nt, t);
    }
    if (pol) {
        if (warden_sweep_policy_check(pol, cat, err, sizeof err)) {
            fprintf(stderr, "warden blocklist: %s\n", err);
            ex = WARDEN_EXIT_CONFIG;
            goto out;
        }
        for (size_t i = 0; i < cat->n_tools; i++)
            if (warden_sweep_policy_status(pol, cat->tools[i].id) == WARDEN_SWEEP_BANNED)
                add_tool(&tools, &nt, (int)i);
    }
    if (!nt) {
        fprintf(stderr, "warden blocklist: name at least one --tool (or a --policy)\n");
        ex = WARDEN_EXIT_USAGE;
        goto out;
    }
    if (warden_arg(&a, "out") && !(out = fopen(warden_arg(&a, "out"), "w"))) {
        perror(warden_arg(&a, "out"));
        out = stdout;
        ex = WARDEN_EXIT_IO;
        goto out;
    }
    if (warden_blocklist_write(out, cat, tools, nt, fmt, err, sizeof err)) {
        fprintf(stderr, "warden blocklist: %s\n", err);
        ex = WARDEN_EXIT_CONFIG;
    }
    if (fflush(out) != 0) ex = WARDEN_EXIT_IO;
out:
    if (out != stdout) fclose(out);
    free(tools);
    warden_sweep_catalogue_free(cat);
    warden_sweep_policy_free(pol);
    warden_args_free(&a);
    return ex;
}

const struct warden_cmd warden_cmd_blocklist = {
    "blocklist",
    blocklist_main,
    "egress rules (hosts, dnsmasq, unbound, squid, nftables) for banned AI tools",
    "--format FORMAT (--tool NAME... | --policy FILE)",
    blocklist_opts,
    "Writes rules that block the tools' API and login hosts (DNS and proxy formats, which\n"
    "also cover subdomains) and the IP ranges their vendors publish (squid, nftables), as\n"
    "listed in the sweep catalogue with the vendor page each list comes from."};
