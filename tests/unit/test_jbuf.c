/* test_jbuf.c — JSON writing: escaping, numbers, nesting, reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "core/jbuf.h"

static void writes_valid_json(void **st)
{
    (void)st;
    struct warden_jbuf b;
    warden_jbuf_init(&b);
    warden_jbuf_obj_open(&b);
    warden_jbuf_kv_str(&b, "s", "a\"b\\c\n\x01\xc3\xa9");
    warden_jbuf_kv_int(&b, "i", -42);
    warden_jbuf_kv_num(&b, "d", 0.125);
    warden_jbuf_kv_num(&b, "nan", NAN);
    warden_jbuf_kv_bool(&b, "t", true);
    warden_jbuf_kv_str(&b, "n", NULL);
    warden_jbuf_key(&b, "a");
    warden_jbuf_arr_open(&b);
    warden_jbuf_int(&b, 1);
    warden_jbuf_obj_open(&b);
    warden_jbuf_obj_close(&b);
    warden_jbuf_json(&b, "[true]");
    warden_jbuf_arr_close(&b);
    warden_jbuf_obj_close(&b);
    assert_string_equal(warden_jbuf_str(&b),
                        "{\"s\":\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\",\"i\":-42,\"d\":0.125,"
                        "\"nan\":null,\"t\":true,\"n\":null,\"a\":[1,{},[true]]}");
    warden_jbuf_reset(&b);
    warden_jbuf_int(&b, 7);
    assert_string_equal(warden_jbuf_str(&b), "7");
    warden_jbuf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(writes_valid_json)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
