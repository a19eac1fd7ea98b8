/* fuzz_ip_list.c — the network list parsers (intel/src_list.c: CIDR lists,
 * address ranges, ASN lists) and the address/CIDR parser (core/ip.c) on any
 * bytes; the first byte picks CIDR list or ASN list. An accepted list is
 * swept into records (intel builder). */
#include "core/ip.h"
#include "fuzz_util.h"
#include "intel/intel_build.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    bool asn = data[0] & 1;
    struct warden_intel_builder b;
    warden_intel_builder_init(&b);
    char err[512];
    const char *path = fuzz_file(data + 1, size - 1);
    int rc = asn ? warden_intel_load_asn_list(&b, 1, "fuzz", path, err, sizeof err)
                 : warden_intel_load_list(&b, 1, NULL, path, err, sizeof err);
    if (rc == 0) warden_intel_builder_finish(&b);
    warden_intel_builder_fini(&b);
    /* the same bytes as one address and one CIDR */
    struct warden_ip ip;
    unsigned plen;
    size_t n = size - 1 < 64 ? size - 1 : 64;
    warden_ip_parse(&ip, (const char *)data + 1, n);
    warden_ip_parse_cidr(&ip, &plen, (const char *)data + 1, n);
    return 0;
}
