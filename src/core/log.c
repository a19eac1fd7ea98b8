/* log.c — diagnostics to stderr with a process-wide verbosity. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static enum warden_log_level current_level = WARDEN_LOG_WARN;

void warden_log_set_level(enum warden_log_level level)
{
    current_level = level;
}

enum warden_log_level warden_log_get_level(void)
{
    return current_level;
}

void warden_log(enum warden_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    if (level > current_level) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "warden: %s: ", names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
