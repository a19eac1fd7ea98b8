/* args.c — option parsing and --help, generated from each command's table.
 *
 * One convention for every command: long options (`--name VALUE` or
 * `--name=VALUE`), short letters that may be combined (`-jq`; a letter that
 * takes a value takes the rest of the cluster or the next argument), `--` ends
 * the options, `-` is an operand (standard input). A value taken from the next
 * argument that looks like an option (`--quarantine -j`) is refused, since it
 * is almost always a forgotten value; `--name=-j` says it on purpose. An
 * unknown option or command suggests the nearest known one. */
#include "cli/cli.h"
#include "core/xalloc.h"
#include "runtime/sorter.h"

#include <errno.h>
#include <stdio.h>
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

/* Edit distance (optimal string alignment), capped: enough to say "did you
 * mean" for a typo. */
static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
    if (na > 63 || nb > 63) return 64;
    size_t d[64][64];
    for (size_t i = 0; i <= na; i++) d[i][0] = i;
    for (size_t j = 0; j <= nb; j++) d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t c = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + c < v) v = d[i - 1][j - 1] + c;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[na][nb];
}

const char *warden_nearest_name(const char *word, size_t n, const char *const *names, size_t count)
{
    const char *best = NULL, *prefix = NULL;
    size_t best_d = (n < 4 ? 1 : n < 8 ? 2 : 3) + 1;
    for (size_t i = 0; i < count; i++) {
        size_t d = edit_distance(word, n, names[i], strlen(names[i]));
        if (d < best_d) best = names[i], best_d = d;
        if (!prefix && n >= 2 && strlen(names[i]) > n && strncmp(names[i], word, n) == 0)
            prefix = names[i];
    }
    return best ? best : prefix;
}

static void unknown_option(const struct warden_cmd *cmd, const struct warden_opt *o, const char *s)
{
    const char *near = NULL;
    if (s[1] == '-') {
        const char *names[WARDEN_ARGS_MAX_OPTS + 1];
        size_t k = 0;
        for (int i = 0; o[i].name && k < WARDEN_ARGS_MAX_OPTS; i++) names[k++] = o[i].name;
        names[k++] = "help";
        const char *eq = strchr(s + 2, '=');
        near = warden_nearest_name(s + 2, eq ? (size_t)(eq - s - 2) : strlen(s + 2), names, k);
    }
    if (near)
        fprintf(stderr,
                "warden %s: unknown option '%s'; did you mean '--%s'? (see 'warden %s --help')\n",
                cmd->name, s, near, cmd->name);
    else
        fprintf(stderr, "warden %s: unknown option '%s' (see 'warden %s --help')\n", cmd->name, s,
                cmd->name);
}

/* A value in the next argument that is an option, not a value: "-x", "--x"
 * (but not "-", nor a negative number). */
static bool looks_like_option(const char *v)
{
    if (v[0] != '-' || v[1] == '\0') return false;
    if ((v[1] >= '0' && v[1] <= '9') || v[1] == '.') return false;
    return true;
}

/* Record option i with value v (NULL for a flag); -1 on a usage error. */
static int take(struct warden_args *a, const struct warden_cmd *cmd, int i, const char *v)
{
    const struct warden_opt *o = cmd->opts;
    if (a->nvals[i] > 0 && !o[i].repeat && o[i].arg) {
        fprintf(stderr, "warden %s: option '--%s' given more than once\n", cmd->name, o[i].name);
        return -1;
    }
    if (a->nvals[i] > 0 && !o[i].repeat) return 0; /* a flag given twice is harmless */
    a->vals[i] = warden_xrealloc(a->vals[i], sizeof(char *) * (size_t)(a->nvals[i] + 1));
    a->vals[i][a->nvals[i]++] = v ? v : "";
    return 0;
}

/* The value of option i from the next argument (argv[*k + 1]). */
static const char *next_value(const struct warden_cmd *cmd, int i, int *k, int argc, char **argv)
{
    const struct warden_opt *o = cmd->opts;
    if (*k + 1 >= argc) {
        fprintf(stderr, "warden %s: option '--%s' needs a value (%s)\n", cmd->name, o[i].name,
                o[i].arg);
        return NULL;
    }
    const char *v = argv[*k + 1];
    if (looks_like_option(v)) {
        fprintf(stderr,
                "warden %s: option '--%s' needs a value (%s), got '%s', which looks like an "
                "option (write --%s=%s if that is the value)\n",
                cmd->name, o[i].name, o[i].arg, v, o[i].name, v);
        return NULL;
    }
    (*k)++;
    return v;
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
        if (s[1] == '-') {
            const char *eq = strchr(s + 2, '=');
            size_t n = eq ? (size_t)(eq - (s + 2)) : strlen(s + 2);
            int i = find_long(o, s + 2, n);
            if (i < 0) {
                unknown_option(cmd, o, s);
                return -1;
            }
            const char *v = NULL;
            if (o[i].arg) {
                v = eq ? eq + 1 : next_value(cmd, i, &k, argc, argv);
                if (!v) return -1;
            } else if (eq) {
                fprintf(stderr, "warden %s: option '--%s' takes no value\n", cmd->name, o[i].name);
                return -1;
            }
            if (take(a, cmd, i, v) < 0) return -1;
            continue;
        }
        /* one or more short letters: -j, -jq, -ofile, -jo file */
        for (const char *c = s + 1; *c; c++) {
            int i = find_short(o, *c);
            if (i < 0) {
                char one[3] = {'-', *c, '\0'};
                unknown_option(cmd, o, one);
                return -1;
            }
            const char *v = NULL;
            if (o[i].arg) {
                v = c[1] ? c + 1 : next_value(cmd, i, &k, argc, argv);
                if (!v) return -1;
                if (take(a, cmd, i, v) < 0) return -1;
                break;
            }
            if (take(a, cmd, i, NULL) < 0) return -1;
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

bool warden_arg_size(const struct warden_args *a, const char *name, size_t min, size_t max,
                     size_t *out)
{
    const char *v = warden_arg(a, name);
    if (!v) return true;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end || errno || x < min || x > max) {
        fprintf(stderr, "warden %s: --%s needs a whole number from %zu to %zu, got '%s'\n",
                a->cmd->name, name, min, max, v);
        return false;
    }
    *out = (size_t)x;
    return true;
}

bool warden_arg_order(const struct warden_args *a, int *order)
{
    static const struct {
        const char *name;
        enum warden_order order;
    } modes[] = {
        {"auto", WARDEN_ORDER_AUTO}, {"sort", WARDEN_ORDER_SORT}, {"stream", WARDEN_ORDER_STREAM}};
    const char *v = warden_arg(a, "order");
    if (!v) return true;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(v, modes[i].name) == 0) {
            *order = (int)modes[i].order;
            return true;
        }
    fprintf(stderr, "warden %s: --order needs auto, sort or stream, got '%s'\n", a->cmd->name, v);
    return false;
}

void warden_exit_codes_help(FILE *out)
{
    fprintf(out, "Exit codes:\n"
                 "  0  success\n"
                 "  1  success, and something was found (sweep: banned tools present; screen:\n"
                 "     a name matched; lists update: organisations newly restricted)\n"
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
