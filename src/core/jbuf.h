/* jbuf.h — a growable buffer for writing JSON.
 *
 * Used for evidence objects, verdict and finding lines, and reports. Strings
 * are escaped per RFC 8259; numbers are written without locale effects. The
 * buffer is reused across calls (reset keeps the allocation), so steady-state
 * writing does not allocate. */
#ifndef WARDEN_CORE_JBUF_H
#define WARDEN_CORE_JBUF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct warden_jbuf {
    char *p;
    size_t len, cap;
    bool need_comma; /* a value was written in the current object/array */
};

void warden_jbuf_init(struct warden_jbuf *b);
void warden_jbuf_fini(struct warden_jbuf *b);
void warden_jbuf_reset(struct warden_jbuf *b);
/* NUL-terminated contents (valid until the next write). */
const char *warden_jbuf_str(struct warden_jbuf *b);

void warden_jbuf_raw(struct warden_jbuf *b, const char *s, size_t n);
void warden_jbuf_obj_open(struct warden_jbuf *b);
void warden_jbuf_obj_close(struct warden_jbuf *b);
void warden_jbuf_arr_open(struct warden_jbuf *b);
void warden_jbuf_arr_close(struct warden_jbuf *b);
/* "key": — then write exactly one value. */
void warden_jbuf_key(struct warden_jbuf *b, const char *key);
void warden_jbuf_str_val(struct warden_jbuf *b, const char *s, size_t n);
void warden_jbuf_cstr(struct warden_jbuf *b, const char *s); /* NULL writes null */
void warden_jbuf_int(struct warden_jbuf *b, int64_t v);
void warden_jbuf_num(struct warden_jbuf *b, double v); /* up to 6 significant decimals */
void warden_jbuf_bool(struct warden_jbuf *b, bool v);
void warden_jbuf_null(struct warden_jbuf *b);
/* Insert an already-serialised JSON value. */
void warden_jbuf_json(struct warden_jbuf *b, const char *json);

/* Convenience: "key": value pairs. */
void warden_jbuf_kv_str(struct warden_jbuf *b, const char *key, const char *s);
void warden_jbuf_kv_int(struct warden_jbuf *b, const char *key, int64_t v);
void warden_jbuf_kv_num(struct warden_jbuf *b, const char *key, double v);
void warden_jbuf_kv_bool(struct warden_jbuf *b, const char *key, bool v);

#endif
