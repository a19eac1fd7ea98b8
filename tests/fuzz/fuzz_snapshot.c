/* fuzz_snapshot.c — the state snapshot reader (core/snapio.c, engine/
 * snapshot.c, the runtime's sections and the detectors' load hooks) on any
 * bytes, loaded into a runtime with every registered detector but link
 * (whose fixed 128 KiB change bitmap does not fit the fuzz input limit).
 * The first byte picks the mode: even, the bytes as they are (the framing
 * and checksums are checked first: a damaged file must be refused, never
 * applied); odd, the bytes cut into blocks (tag, length, payload) and
 * written again with valid checksums, so that mutations reach the section
 * parsers behind them. Seed: a snapshot of a few accounts written by
 * `warden scan --state` with this harness's policy (corpus/fuzz_snapshot). */
#include "core/snapio.h"
#include "engine/engine.h"
#include "fuzz_util.h"
#include "runtime/runtime.h"

static struct warden_runtime *rt; /* verdicts accumulate across loads: rebuilt now and then */

static const char *policy =
    "jurisdictions:\n  restricted: [KP]\n  ip_action: block\n"
    "detectors:\n  link:\n    enabled: false\n  velocity:\n    enabled: true\n"
    "    max_requests_short: 3\n";

static void build(void)
{
    char path[64], err[512];
    snprintf(path, sizeof path, "/tmp/warden_fuzz_snapshot_%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f) abort();
    fputs(policy, f);
    fclose(f);
    struct warden_runtime_conf c = {.policy_path = path,
                                    .lateness_ms = -1,
                                    .quiet = true,
                                    .keep_ids = true,
                                    .max_accounts = 256,
                                    .dedup_window = 1024,
                                    .shards = 1};
    if (warden_runtime_new(&rt, &c, err, sizeof err) != 0) abort();
    unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    build();
    return 0;
}

/* The blocks of data written again with valid checksums. */
static char *reframe(const uint8_t *data, size_t size, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f) abort();
    struct warden_snapwriter *w = warden_snap_writer_new(f);
    size_t at = 16;
    while (at + 8 <= size) {
        uint32_t tag, n;
        memcpy(&tag, data + at, 4);
        memcpy(&n, data + at + 4, 4);
        at += 8;
        if (n > size - at) n = (uint32_t)(size - at);
        warden_snap_section_begin(w, tag & 0x7fffffffu);
        warden_snap_put_bytes(w, data + at, n);
        warden_snap_section_end(w);
        at += n + 8;
    }
    warden_snap_writer_finish(w);
    fclose(f);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    bool framed = data[0] & 1;
    data++;
    size--;
    size_t len = size;
    char *own = framed ? reframe(data, size, &len) : NULL;
    const void *bytes = own ? (const void *)own : (const void *)data;
    FILE *f = fmemopen(len ? (void *)bytes : (void *)"", len ? len : 1, "rb");
    if (!f) abort();
    char err[512];
    (void)warden_runtime_load(rt, f, err, sizeof err);
    fclose(f);
    free(own);
    size_t n = 0;
    for (size_t i = 0; i < warden_runtime_n_shards(rt); i++)
        n += warden_engine_n_verdicts(warden_runtime_shard(rt, i));
    if (n > 20000) { /* bound the memory of a long run */
        warden_runtime_free(rt);
        build();
    }
    return 0;
}
