/* log.h — diagnostics to stderr.
 *
 * One place decides the format ("warden: LEVEL: message") and the verbosity,
 * so that CLI commands, loaders and detectors report problems the same way. */
#ifndef WARDEN_CORE_LOG_H
#define WARDEN_CORE_LOG_H

enum warden_log_level { WARDEN_LOG_ERROR = 0, WARDEN_LOG_WARN, WARDEN_LOG_INFO, WARDEN_LOG_DEBUG };

void warden_log_set_level(enum warden_log_level level);
enum warden_log_level warden_log_get_level(void);
void warden_log(enum warden_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define warden_err(...) warden_log(WARDEN_LOG_ERROR, __VA_ARGS__)
#define warden_warn(...) warden_log(WARDEN_LOG_WARN, __VA_ARGS__)
#define warden_info(...) warden_log(WARDEN_LOG_INFO, __VA_ARGS__)
#define warden_debug(...) warden_log(WARDEN_LOG_DEBUG, __VA_ARGS__)

#endif
