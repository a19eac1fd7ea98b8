/* main.c — the `warden` command: dispatches to one subcommand per file. */
#include "cli/cli.h"
#include "core/datadir.h"

#include <stdio.h>
#include <string.h>

extern const struct warden_cmd warden_cmd_scan;
extern const struct warden_cmd warden_cmd_screen;
extern const struct warden_cmd warden_cmd_match_names;
extern const struct warden_cmd warden_cmd_ip;
extern const struct warden_cmd warden_cmd_intel;
extern const struct warden_cmd warden_cmd_config;
extern const struct warden_cmd warden_cmd_sim;
extern const struct warden_cmd warden_cmd_backtest;
extern const struct warden_cmd warden_cmd_sweep;
extern const struct warden_cmd warden_cmd_blocklist;
extern const struct warden_cmd warden_cmd_explain;
extern const struct warden_cmd warden_cmd_lists;
extern const struct warden_cmd warden_cmd_serve;
extern const struct warden_cmd warden_cmd_worker;
extern const struct warden_cmd warden_cmd_kafka_mock;
extern const struct warden_cmd warden_cmd_kafka_produce;
extern const struct warden_cmd warden_cmd_kafka_dump;
extern const struct warden_cmd warden_cmd_link_stage;
extern const struct warden_cmd warden_cmd_case_stage;

// clang-format off
static const struct warden_cmd *const commands[] = {
    &warden_cmd_scan,  &warden_cmd_screen,    &warden_cmd_match_names, &warden_cmd_ip,
    &warden_cmd_intel, &warden_cmd_config,    &warden_cmd_sim,         &warden_cmd_backtest,
    &warden_cmd_sweep, &warden_cmd_blocklist, &warden_cmd_explain,     &warden_cmd_lists,
    &warden_cmd_serve,
    &warden_cmd_worker, &warden_cmd_kafka_mock, &warden_cmd_kafka_produce, &warden_cmd_kafka_dump, &warden_cmd_link_stage,
    &warden_cmd_case_stage,
};
// clang-format on

static void usage(FILE *out)
{
    fprintf(out, "Usage: warden COMMAND [OPTIONS] [ARGS]\n\n"
                 "Warden screens API customers against restricted-party lists, detects\n"
                 "circumvention, distillation and account abuse in request traffic, and turns\n"
                 "findings into allow / review / throttle / block decisions with evidence.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\nRun 'warden COMMAND --help' for a command's options.\n"
                 "'warden --version' prints the version.\n\n");
    warden_exit_codes_help(out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return WARDEN_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return WARDEN_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("warden %s\ndata: %s (%s)\n", WARDEN_VERSION, warden_data_dir(),
               warden_data_dir_origin());
        return WARDEN_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i]->name) == 0) return commands[i]->fn(argc - 1, argv + 1);
    const char *names[sizeof commands / sizeof commands[0]];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) names[i] = commands[i]->name;
    const char *near =
        warden_nearest_name(argv[1], strlen(argv[1]), names, sizeof names / sizeof names[0]);
    if (near)
        fprintf(stderr, "warden: unknown command '%s'; did you mean '%s'? (see 'warden --help')\n",
                argv[1], near);
    else
        fprintf(stderr, "warden: unknown command '%s' (see 'warden --help')\n", argv[1]);
    return WARDEN_EXIT_USAGE;
}
