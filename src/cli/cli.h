/* cli.h — subcommands, their options and exit codes.
 *
 * Each subcommand is one `const struct warden_cmd` in its own file
 * (cmd_<name>.c) and one line in main.c's table. Its options are described
 * once, in a table of struct warden_opt; the same table parses argv and
 * prints --help, so help can never disagree with the parser. */
#ifndef WARDEN_CLI_CLI_H
#define WARDEN_CLI_CLI_H
#include <stdbool.h>
#include <stdio.h>

/* Exit codes, the same for every subcommand. */
enum warden_exit {
    WARDEN_EXIT_OK = 0,      /* success; nothing to report */
    WARDEN_EXIT_FOUND = 1,   /* success, and something was found (sweep: banned tools) */
    WARDEN_EXIT_USAGE = 2,   /* bad command line */
    WARDEN_EXIT_CONFIG = 3,  /* bad policy/config file or unreadable input data */
    WARDEN_EXIT_IO = 4,      /* I/O or library failure while running */
    WARDEN_EXIT_REJECTS = 5, /* ran to the end, outputs written, but too much input was rejected */
};

struct warden_opt {
    const char *name; /* long name without "--" */
    char short_name;  /* 0 for none */
    const char *arg;  /* metavariable ("FILE"); NULL for a flag */
    const char *help;
    bool repeat; /* may be given more than once */
};

struct warden_cmd {
    const char *name;
    int (*fn)(int argc, char **argv); /* argv[0] is the subcommand name */
    const char *summary;              /* one line, for `warden --help` */
    const char *usage;                /* "[OPTIONS] EVENTS..." */
    const struct warden_opt *opts;    /* ends with {NULL} */
    const char *details;              /* paragraphs after the options, or NULL */
};

#define WARDEN_ARGS_MAX_OPTS 48

struct warden_args {
    const struct warden_cmd *cmd;
    const char **vals[WARDEN_ARGS_MAX_OPTS]; /* values per option (repeatable) */
    int nvals[WARDEN_ARGS_MAX_OPTS];         /* times given */
    char **rest;                             /* positional arguments */
    int nrest;
};

/* Parse argv (argv[0] is the subcommand). Prints help and returns 1 for
 * --help; prints an error and returns -1 on a bad command line; else 0. */
/* The name among names nearest to word[0..n) (a typo: a small edit distance,
 * or word is a prefix of it), or NULL. */
const char *warden_nearest_name(const char *word, size_t n, const char *const *names, size_t count);
int warden_args_parse(struct warden_args *a, const struct warden_cmd *cmd, int argc, char **argv);
void warden_args_free(struct warden_args *a);
/* Last value of an option, or NULL. */
const char *warden_arg(const struct warden_args *a, const char *name);
/* All values of a repeatable option; *n set to how many. */
const char **warden_arg_all(const struct warden_args *a, const char *name, int *n);
bool warden_flag(const struct warden_args *a, const char *name);
/* A size option: absent (true, *out untouched), or a whole number from min
 * to max into *out; false with the error printed ("warden CMD: --NAME ..."). */
bool warden_arg_size(const struct warden_args *a, const char *name, size_t min, size_t max,
                     size_t *out);
/* --order auto|sort|stream as an enum warden_order (runtime/sorter.h) into
 * *order; absent: true, untouched; false with the error printed. */
bool warden_arg_order(const struct warden_args *a, int *order);
void warden_cmd_help(FILE *out, const struct warden_cmd *cmd);
/* `warden worker`, `warden link-stage` and `warden case-stage` (cmd_worker.c): one
 * command line, three roles. */
extern const struct warden_opt warden_kafka_member_opts[];
int warden_kafka_member_main(const struct warden_cmd *cmd, int argc, char **argv);
/* The review allowlist ((account, reason) dismissals) of the case database
 * at path, when the file exists: NULL without one; *rc set (and the error
 * printed as "warden WHO: ...") when it exists but cannot be read
 * (cmd_scan.c; scan and config --state). */
struct warden_review_allow;
struct warden_review_allow *warden_cli_review_allowlist(const char *path, const char *who,
                                                        bool quiet, int *rc);
/* Exit-code table shared by every --help. */
void warden_exit_codes_help(FILE *out);

#endif
