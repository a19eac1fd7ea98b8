/* coverage.h — what the traffic given to Warden lets it see.
 *
 * Gateways log different things (core/event_fields.h: one has no response
 * usage, another no declared time zone), and an account registry may hold
 * few of the accounts seen. Detectors do not fail without a field, they see
 * less; an operator should know which. Two reports read the same counters
 * (engine.events, engine.events_with.FIELD, engine.events_unregistered):
 *
 *   warden_coverage_print()   the block of a run's summary (warden scan at
 *                             its end, warden worker when it stops): the
 *                             share of events carrying each optional field,
 *                             and what goes without each field none carried
 *   warden_coverage_notice()  warnings a long-running process (warden
 *                             serve, warden worker) logs once, after its
 *                             first events (field_notice_events): each field
 *                             none of them carried and what goes without
 *                             it, and a registry that holds few of the
 *                             accounts seen */
#ifndef WARDEN_RUNTIME_COVERAGE_H
#define WARDEN_RUNTIME_COVERAGE_H
#include <stdint.h>
#include <stdio.h>

#include "core/counters.h"

struct warden_registry;

/* Summary block (indented two spaces) from counters c; reg may be NULL (no
 * registry loaded). Prints nothing about fields when no event was counted. */
void warden_coverage_print(FILE *out, const struct warden_counters *c,
                           const struct warden_registry *reg);

/* Log (warden_warn) one line per optional field no counted event carried,
 * and one when a tenth or more of the events are of accounts the registry
 * does not hold or no registry is loaded. Returns the number of lines. */
unsigned warden_coverage_notice(const struct warden_counters *c, const struct warden_registry *reg);

#endif
