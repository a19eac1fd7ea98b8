/* coverage.c — what the traffic given to Warden lets it see (coverage.h). */
#include "runtime/coverage.h"
#include "core/event_fields.h"
#include "core/log.h"
#include "registry/registry.h"

#include <stdbool.h>

static const char reg_unknown[] = "billing, card, sign-up, payment, e-mail domain and reseller "
                                  "contract unknown";
static const char reg_lost[] = "geo.inconsistent_billing and _card, signup.*, linking by payment "
                               "and e-mail domain, resellers' end-user lanes";

void warden_coverage_print(FILE *out, const struct warden_counters *c,
                           const struct warden_registry *reg)
{
    uint64_t events = warden_counter_get(c, "engine.events");
    if (events) {
        fprintf(out, "  event fields (share of events carrying each):\n");
        for (unsigned f = 0, col = 0; f < WARDEN_F_N; f++) {
            const struct warden_event_field_info *fi = warden_event_field_info(f);
            double pct = 100.0 * (double)warden_counter_get(c, fi->counter) / (double)events;
            fprintf(out, "%s%-17s %6.1f %%", col ? "   " : "    ", fi->name, pct);
            if (++col == 3 || f + 1 == WARDEN_F_N) {
                fputc('\n', out);
                col = 0;
            }
        }
        bool head = false;
        for (unsigned f = 0; f < WARDEN_F_N; f++) {
            const struct warden_event_field_info *fi = warden_event_field_info(f);
            if (!fi->without || warden_counter_get(c, fi->counter)) continue;
            if (!head) fprintf(out, "  no event carried (what goes without it):\n");
            head = true;
            fprintf(out, "    %-18s %s\n", fi->name, fi->without);
        }
    }
    /* without the registry no detector knows an account's billing, card,
     * sign-up or reseller contract */
    struct warden_registry_stats rs = {0};
    if (reg) warden_registry_stats(reg, &rs);
    if (!rs.accounts) {
        fprintf(out, "  %-22s none (--accounts): %s;\n  %-22s without: %s\n", "account registry",
                reg_unknown, "", reg_lost);
        return;
    }
    uint64_t unreg = warden_counter_get(c, "engine.events_unregistered");
    fprintf(out, "  %-22s %12zu  (events of accounts not in it: %.1f %%)\n", "account registry",
            rs.accounts, events ? 100.0 * (double)unreg / (double)events : 0.0);
    if (events && unreg * 10 >= events)
        fprintf(out, "  %-22s for those: %s;\n  %-22s without: %s\n", "", reg_unknown, "",
                reg_lost);
}

unsigned warden_coverage_notice(const struct warden_counters *c, const struct warden_registry *reg)
{
    uint64_t events = warden_counter_get(c, "engine.events");
    if (!events) return 0;
    unsigned n = 0;
    for (unsigned f = 0; f < WARDEN_F_N; f++) {
        const struct warden_event_field_info *fi = warden_event_field_info(f);
        if (!fi->without || warden_counter_get(c, fi->counter)) continue;
        warden_warn("none of the first %llu events judged carried %s: %s",
                    (unsigned long long)events, fi->name, fi->without);
        n++;
    }
    struct warden_registry_stats rs = {0};
    if (reg) warden_registry_stats(reg, &rs);
    uint64_t unreg = warden_counter_get(c, "engine.events_unregistered");
    if (!rs.accounts) {
        warden_warn("no account registry loaded (accounts): %s; without: %s", reg_unknown,
                    reg_lost);
        n++;
    } else if (unreg * 10 >= events) {
        warden_warn(
            "%.1f %% of the first %llu events judged are of accounts the registry does not hold: "
            "for those, %s; without: %s",
            100.0 * (double)unreg / (double)events, (unsigned long long)events, reg_unknown,
            reg_lost);
        n++;
    }
    return n;
}
