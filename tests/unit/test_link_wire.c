/* test_link_wire.c — the linking and membership records of the Kafka
 * deployment carry restricted reach: an observation of kind
 * WARDEN_LINK_OBS_RESTRICTED, and a notice's restricted-member count and
 * cluster.linked_restricted flag, survive encode and decode; so do an
 * enforced harvester's frame for the distill prior (observation of kind
 * WARDEN_LINK_OBS_FRAME, and the frame notice the stage sends to every
 * partition); so do a prompt frame sent and a template published (sketch
 * and end: WARDEN_LINK_OBS_SENT, WARDEN_LINK_TEMPLATE); so do an own-action
 * observation of level 3 (actioned on its own harvesting evidence) and a
 * notice's harvest-member count; a kind below them, a frame without an end,
 * an own action of level 5 and a record of the previous wire version are
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/error.h"
#include "kafka/kafka.h"
#include "link/remote.h"

static void observation_round_trip(void **st)
{
    (void)st;
    uint8_t buf[128];
    struct warden_link_obs o = {"acct-7", 6, 0x1234, 1795421702000LL, WARDEN_LINK_OBS_RESTRICTED,
                                0,        0};
    size_t n = warden_link_obs_encode(&o, 3, buf, sizeof buf);
    assert_true(n > 0);
    struct warden_link_obs d;
    int part = -1;
    assert_int_equal(warden_link_obs_decode(buf, n, &d, &part), 0);
    assert_int_equal(d.kind, WARDEN_LINK_OBS_RESTRICTED);
    assert_int_equal(part, 3);
    assert_int_equal(d.len, 6);
    assert_memory_equal(d.account_id, "acct-7", 6);
    o.kind = WARDEN_LINK_OBS_FRAME;
    o.key = 0xfeedfacecafebeefULL;
    o.level = 2;
    n = warden_link_obs_encode(&o, 3, buf, sizeof buf);
    assert_int_equal(warden_link_obs_decode(buf, n, &d, &part), 0);
    assert_int_equal(d.kind, WARDEN_LINK_OBS_FRAME);
    assert_true(d.key == 0xfeedfacecafebeefULL);
    assert_int_equal(d.level, 2);
    assert_true(d.ts_ms == 1795421702000LL);
    o.level = 0; /* a frame has an end */
    n = warden_link_obs_encode(&o, 3, buf, sizeof buf);
    assert_int_not_equal(warden_link_obs_decode(buf, n, &d, &part), 0);
    /* prompt frames travel as sketches with their end: a frame sent, a
     * template published */
    int frame_kinds[2] = {WARDEN_LINK_OBS_SENT, WARDEN_LINK_TEMPLATE};
    for (int k = 0; k < 2; k++) {
        o.kind = frame_kinds[k];
        o.level = 1;
        n = warden_link_obs_encode(&o, 3, buf, sizeof buf);
        assert_int_equal(warden_link_obs_decode(buf, n, &d, &part), 0);
        assert_int_equal(d.kind, frame_kinds[k]);
        assert_true(d.key == 0xfeedfacecafebeefULL);
        assert_int_equal(d.level, 1);
        o.level = 3; /* no such end */
        n = warden_link_obs_encode(&o, 3, buf, sizeof buf);
        assert_int_not_equal(warden_link_obs_decode(buf, n, &d, &part), 0);
    }
    o.kind = WARDEN_LINK_OBS_SENT - 1;
    o.level = 1;
    n = warden_link_obs_encode(&o, 3, buf, sizeof buf);
    assert_int_not_equal(warden_link_obs_decode(buf, n, &d, &part), 0);
    o.kind = WARDEN_LINK_OBS_SENT;
    n = warden_link_obs_encode(&o, 3, buf, sizeof buf);
    assert_int_equal(warden_link_obs_decode(buf, n, &d, &part), 0);
    buf[0] = 6; /* the previous version (template bands, no frames sent) */
    assert_int_not_equal(warden_link_obs_decode(buf, n, &d, &part), 0);
    o.kind = -1; /* own action: harvesting evidence */
    o.key = 0;
    o.level = 3;
    n = warden_link_obs_encode(&o, 3, buf, sizeof buf);
    assert_int_equal(warden_link_obs_decode(buf, n, &d, &part), 0);
    assert_int_equal(d.kind, -1);
    assert_int_equal(d.level, 3);
    o.level = 4; /* harvesting evidence of its own from suspect_min */
    n = warden_link_obs_encode(&o, 3, buf, sizeof buf);
    assert_int_equal(warden_link_obs_decode(buf, n, &d, &part), 0);
    assert_int_equal(d.level, 4);
    o.level = 5;
    n = warden_link_obs_encode(&o, 3, buf, sizeof buf);
    assert_int_not_equal(warden_link_obs_decode(buf, n, &d, &part), 0);
}

/* an empty notice to the account id */
static void notice_for(struct warden_link_notice *x, const char *id)
{
    memset(x, 0, sizeof *x);
    x->account_id = id;
    x->len = strlen(id);
}

static void notice_round_trip(void **st)
{
    (void)st;
    uint8_t buf[256];
    struct warden_link_notice x;
    notice_for(&x, "acct-9");
    x.set_cluster = true;
    x.linked_restricted = true;
    x.info.seq = 42;
    x.info.size = 5;
    x.info.restricted = 3;
    x.info.enforced = 1;
    x.info.edges = 4;
    x.info.harvest = 7;
    x.info.suspect = 5;
    x.pooled = true;
    size_t n = warden_link_notice_encode(&x, buf, sizeof buf);
    assert_int_equal(n, 114 + 6); /* 114 bytes and the id */
    struct warden_link_notice d;
    assert_int_equal(warden_link_notice_decode(buf, n, &d), 0);
    assert_true(d.linked_restricted);
    assert_true(d.set_cluster);
    assert_false(d.joined);
    assert_int_equal(d.info.restricted, 3);
    assert_int_equal(d.info.enforced, 1);
    assert_int_equal(d.info.edges, 4);
    assert_int_equal(d.info.harvest, 7);
    assert_int_equal(d.info.suspect, 5);
    assert_true(d.pooled);
    assert_int_equal(d.info.seq, 42);
    x.linked_restricted = false;
    x.pooled = false;
    n = warden_link_notice_encode(&x, buf, sizeof buf);
    assert_int_equal(warden_link_notice_decode(buf, n, &d), 0);
    assert_false(d.linked_restricted);
    assert_false(d.pooled);
    assert_false(d.frame);
}

static void frame_notice_round_trip(void **st)
{
    (void)st;
    uint8_t buf[256];
    struct warden_link_notice x;
    notice_for(&x, "acct-3");
    x.frame = true;
    x.frame_end = 1;
    x.key = 0x0123456789abcdefULL;
    x.ts_ms = 1795421702123LL;
    size_t n = warden_link_notice_encode(&x, buf, sizeof buf);
    struct warden_link_notice d;
    assert_int_equal(warden_link_notice_decode(buf, n, &d), 0);
    assert_true(d.frame);
    assert_int_equal(d.frame_end, 1);
    assert_true(d.key == 0x0123456789abcdefULL);
    assert_true(d.ts_ms == 1795421702123LL);
    assert_false(d.set_cluster);
    assert_int_equal(d.linked, 0);
    x.frame_end = 3; /* head or tail only */
    n = warden_link_notice_encode(&x, buf, sizeof buf);
    assert_int_not_equal(warden_link_notice_decode(buf, n, &d), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(observation_round_trip),
        cmocka_unit_test(notice_round_trip),
        cmocka_unit_test(frame_notice_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
