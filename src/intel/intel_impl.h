/* intel_impl.h — internal: the loaded table, shared by intel.c (build and
 * lookup) and tablefile.c (save and map). */
#ifndef WARDEN_INTEL_INTEL_IMPL_H
#define WARDEN_INTEL_INTEL_IMPL_H
#include "intel/intel.h"
#include "intel/intel_build.h"
#include "intel/iptrie.h"
#include "core/clock.h"

struct warden_intel {
    struct warden_iptrie v4, v6; /* what lookups read */
    struct warden_ipinfo *info;  /* one per record; strings point into `strings` */
    const struct warden_intel_rec *recs;
    size_t n_recs;
    const char *strings;
    size_t strings_len;
    const struct warden_intel_srcrec *srcs; /* list files and their dates */
    size_t n_srcs;
    struct warden_intel_source *sources; /* srcs with names resolved */
    /* storage: either built (owned arrays) or a file mapping */
    struct warden_iptrie_owned o4, o6;
    struct warden_intel_rec *own_recs;
    struct warden_intel_srcrec *own_srcs;
    char *own_strings;
    void *map;
    size_t map_len;
    struct warden_intel_stats stats;
};

/* Fill in->info from recs/strings (after a build or a map). */
/* Compile what the builder collected (finishes it) into a table. */
struct warden_intel *warden_intel_from_builder(struct warden_intel_builder *b);
void warden_intel_make_info(struct warden_intel *in);

#endif
