/* args.c — option parsing and --help, generated from each command's table. */
#include "cli/cli.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static int find_long(const struct warden_opt *o, const char *name, size_t n)
{
    for (int i = 0; o[i].name; i++)
        if (strlen(o[i].name) == n && memcmp(o[i].name, name, n) == 0) return i;
    return -1;
}

static int find_short(const struct warden_opt *o, char c)
{
    for (int i = 0; o[i].name; i++)
        if (o[i].short_name == c) return i;
    return -1;
}

static void add_val(struct warden_args *a, int i, const char *v)
{
    a->vals[i] = warden_xrealloc(a->vals[i], sizeof(char *) * (size_t)(a->nvals[i] + 1));
    a->vals[i][a->nvals[i]++] = v;
}

int warden_args_parse(struct warden_args *a, const struct warden_cmd *cmd, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    a->rest = warden_xcalloc((size_t)argc + 1, sizeof(char *));
    const struct warden_opt *o = cmd->opts;
    static const struct warden_opt none[] = {{NULL, 0, NULL, NULL, false}};
    if (!o) o = none;
    bool opts_done = false;
    for (int k = 1; k < argc; k++) {
        char *s = argv[k];
        if (opts_done || s[0] != '-' || strcmp(s, "-") == 0) {
            a->rest[a->nrest++] = s;
            continue;
        }
        if (strcmp(s, "--") == 0) {
            opts_done = true;
            continue;
        }
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            warden_cmd_help(stdout, cmd);
            return 1;
        }
        int i;
        const char *inline_val = NULL;
        if (s[1] == '-') {
            const char *eq = strchr(s + 2, '=');
            size_t n = eq ? (size_t)(eq - (s + 2)) : strlen(s + 2);
            i = find_long(o, s + 2, n);
            if (eq) inline_val = eq + 1;
        } else {
            i = s[2] == '\0' ? find_short(o, s[1]) : -1;
        }
        if (i < 0) {
            fprintf(stderr, "warden %s: unknown option '%s' (see 'warden %s --help')\n", cmd->name,
                    s, cmd->name);
            return -1;
        }
        if (a->nvals[i] > 0 && !o[i].repeat && !o[i].arg) {
            /* a flag given twice is harmless */
        } else if (a->nvals[i] > 0 && !o[i].repeat) {
            fprintf(stderr, "warden %s: option '--%s' given more than once\n", cmd->name,
                    o[i].name);
            return -1;
        }
        if (o[i].arg) {
            const char *v = inline_val;
            if (!v) {
                if (k + 1 >= argc) {
                    fprintf(stderr, "warden %s: option '--%s' needs a value (%s)\n", cmd->name,
                            o[i].name, o[i].arg);
                    return -1;
                }
                v = argv[++k];
            }
            add_val(a, i, v);
        } else {
            if (inline_val) {
                fprintf(stderr, "warden %s: option '--%s' takes no value\n", cmd->name, o[i].name);
                return -1;
            }
            add_val(a, i, "");
        }
    }
    return 0;
}

void warden_args_free(struct warden_args *a)
{
    for (int i = 0; i < WARDEN_ARGS_MAX_OPTS; i++) free(a->vals[i]);
    free(a->rest);
    memset(a, 0, sizeof *a);
}

static int opt_index(const struct warden_args *a, const char *name)
{
    if (!a->cmd->opts) return -1;
    int i = find_long(a->cmd->opts, name, strlen(name));
    if (i < 0) {
        fprintf(stderr, "warden: internal: command '%s' has no option '%s'\n", a->cmd->name, name);
        abort();
    }
    return i;
}

const char *warden_arg(const struct warden_args *a, const char *name)
{
    int i = opt_index(a, name);
    return i >= 0 && a->nvals[i] ? a->vals[i][a->nvals[i] - 1] : NULL;
}

const char **warden_arg_all(const struct warden_args *a, const char *name, int *n)
{
    int i = opt_index(a, name);
    *n = i >= 0 ? a->nvals[i] : 0;
    return i >= 0 ? a->vals[i] : NULL;
}

bool warden_flag(const struct warden_args *a, const char *name)
{
    int i = opt_index(a, name);
    return i >= 0 && a->nvals[i] > 0;
}

void warden_exit_codes_help(FILE *out)
{
    fprintf(out, "Exit codes:\n"
                 "  0  success\n"
                 "  1  success, and something was found (sweep: banned tools present)\n"
                 "  2  bad command line\n"
                 "  3  bad policy/config file, or input data that cannot be read at all\n"
                 "  4  I/O or library failure while running\n"
                 "  5  ran to the end and wrote its outputs, but an input had no good line or\n"
                 "     more lines were rejected than allowed (scan: --max-reject-share)\n");
}

void warden_cmd_help(FILE *out, const struct warden_cmd *cmd)
{
    fprintf(out, "Usage: warden %s %s\n\n%s\n", cmd->name, cmd->usage ? cmd->usage : "",
            cmd->summary);
    if (cmd->opts && cmd->opts[0].name) {
        fprintf(out, "\nOptions:\n");
        for (int i = 0; cmd->opts[i].name; i++) {
            const struct warden_opt *o = &cmd->opts[i];
            char head[64];
            if (o->short_name)
                snprintf(head, sizeof head, "-%c, --%s%s%s", o->short_name, o->name,
                         o->arg ? " " : "", o->arg ? o->arg : "");
            else
                snprintf(head, sizeof head, "    --%s%s%s", o->name, o->arg ? " " : "",
                         o->arg ? o->arg : "");
            fprintf(out, "  %-28s %s%s\n", head, o->help, o->repeat ? " (repeatable)" : "");
        }
        fprintf(out, "  %-28s %s\n", "-h, --help", "show this help");
    }
    if (cmd->details) fprintf(out, "\n%s\n", cmd->details);
    fputc('\n', out);
    warden_exit_codes_help(out);
}
