/* fuzz_link_wire.c — the Kafka linking records (kafka/link_wire.c) on any
 * bytes: an observation and a membership notice, the two decoders a worker
 * and the linking stage run on what they read from their topics (frames of
 * enforced harvesters included). A record either decodes or is refused; one
 * that decodes encodes back to the same bytes. */
#include "fuzz_util.h"
#include "kafka/kafka.h"
#include "link/remote.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t out[WARDEN_LINK_WIRE_MAX];
    struct warden_link_obs o;
    int part;
    if (warden_link_obs_decode(data, size, &o, &part) == 0) {
        size_t n = warden_link_obs_encode(&o, part, out, sizeof out);
        if (n != size || memcmp(out, data, n) != 0) abort();
    }
    struct warden_link_notice x;
    if (warden_link_notice_decode(data, size, &x) == 0) {
        size_t n = warden_link_notice_encode(&x, out, sizeof out);
        /* flags, via and the cluster fields round-trip; a frame notice's
         * via carries its end */
        if (n != size) abort();
    }
    return 0;
}
