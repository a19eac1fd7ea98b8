/* cmd_backtest.c — stub */
#include "cli/cli.h"
static int run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 0;
}
const struct warden_cmd warden_cmd_backtest = {"backtest", run, "x", "", NULL, NULL};
