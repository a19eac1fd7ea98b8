#!/usr/bin/env bash
# test_scan_rerun_data.sh — a run is keyed by the data it decides with, not
# only by its input files and policy: the same events re-scanned into the same
# --out after a restricted-party list update, an IP table update or a review
# dismissal are a new run (a second run row, whose real changes are audited),
# and repeating that run again is still idempotent. The run row names each
# data version (runs.inputs: ip_table, lists, dismissals).
. "$(dirname "$0")/lib.sh"
D="$WARDEN_SRC/data/demo"
mkdir -p "$T/data"
cp -r "$WARDEN_SRC/data/screen" "$WARDEN_SRC/data/lists" "$T/data/"
printf '# as_of=%s\n192.0.2.0/24\n' "$(date -u +%F)" >"$T/nets.txt"
# one compiled IP table, so that each scan maps it instead of building
"$WARDEN_BIN" intel build --list "vpn:examplevpn:$T/nets.txt" --out "$T/ip.wit" >/dev/null 2>&1
check "the IP table builds" [ -s "$T/ip.wit" ]
{ sed -e '/^intel:/,$d' -e '/^screen:/,/^$/d' "$WARDEN_SRC/examples/policy.yaml"
  printf 'screen:\n  data_dir: %s\nintel:\n  table: %s\n' "$T/data" "$T/ip.wit"; } >"$T/policy.yaml"
scan() {
  "$WARDEN_BIN" scan -q --policy "$T/policy.yaml" --accounts "$D/accounts.jsonl" \
    --orgs "$D/orgs.jsonl" --out "$T/out" "$D/events.jsonl.gz" 2>>"$T/scan.err"
}
q() { sqlite3 "$T/out/cases.db" "$1"; }
version() { q "select inputs from runs where run_id = $1" | jq -r ".[] | select(.role == \"$2\") | .version"; }

scan; check "first run completes" [ $? -eq 0 ]
scan; check "the same data again is the same run" [ "$(q "select count(*) from runs")" = 1 ]
check "the run row names the IP table's version" bash -c "[ -n '$(version 1 ip_table)' ]"
check "and the lists' version" bash -c "[ -n '$(version 1 lists)' ]"
audits=$(q "select count(*) from audit")

# a list update: an account's e-mail domain is now listed
acct=$(jq -r 'select(.email_domain == "surf-b-v.nl") | .account_id' "$D/accounts.jsonl")
check "the demo has the account ($acct)" [ -n "$acct" ]
printf '\nsurf-b-v.nl\n' >>"$T/data/lists/ofac_sdn_websites.txt"
scan; check "after a list update: a new run" [ "$(q "select count(*) from runs")" = 2 ]
check "whose lists version differs" [ "$(version 1 lists)" != "$(version 2 lists)" ]
check "and whose IP table version does not" [ "$(version 1 ip_table)" = "$(version 2 ip_table)" ]
check "the newly listed account's change is audited" \
  [ "$(q "select count(*) from audit where run_id = 2 and account_id = '$acct'")" -gt 0 ]
check "its case names the new run" [ "$(q "select run_id from cases where account_id = '$acct'")" = 2 ]
scan; check "that run again is a repeat" [ "$(q "select count(*) from runs")" = 2 ]

# an IP table update: the busiest account's address is now a Tor exit
ip=$(zcat "$D/events.jsonl.gz" | jq -r 'select(.account_id == "567695116") | .ip' | sort | uniq -c |
  sort -rn | head -1 | awk '{print $2}')
check "the demo has that account's address ($ip)" [ -n "$ip" ]
printf '# as_of=%s\n%s\n' "$(date -u +%F)" "$ip" >"$T/tor.txt"
"$WARDEN_BIN" intel build --list "vpn:examplevpn:$T/nets.txt" --list "tor:tor:$T/tor.txt" \
  --out "$T/ip.wit" >/dev/null 2>&1
tor() { jq -r 'select(.account_id == "567695116" and .code == "anon.tor") | .code' \
  "$T/out/findings.jsonl" | wc -l; }
check "before, no Tor finding for it" [ "$(tor)" = 0 ]
scan; check "after an IP table update: a new run" [ "$(q "select count(*) from runs")" = 3 ]
check "whose IP table version differs" [ "$(version 2 ip_table)" != "$(version 3 ip_table)" ]
check "and whose lists version does not" [ "$(version 2 lists)" = "$(version 3 lists)" ]
check "the account now behind Tor has Tor findings in the new run" [ "$(tor)" -gt 0 ]
scan; check "that run again is a repeat" [ "$(q "select count(*) from runs")" = 3 ]

# a review dismissal: every reason of one actioned account is dismissed
dis=$(q "select account_id from cases where action != 'allow' and account_id != '$acct'
  order by case_id limit 1")
q "insert into review_allowlist(account_id, reason, principal, at)
  select '$dis', value, 'analyst', '2026-11-30T00:00:00Z' from cases, json_each(cases.reasons)
  where account_id = '$dis'"
check "the dismissals are recorded" [ "$(q "select count(*) from review_allowlist")" -gt 0 ]
actioned() { jq -r --arg a "$dis" 'select(.account_id == $a) | .action' "$T/out/verdicts.jsonl"; }
check "before, the account is actioned ($(actioned))" [ -n "$(actioned)" ]
scan; check "after a dismissal: a new run" [ "$(q "select count(*) from runs")" = 4 ]
check "whose key names the dismissals" bash -c "[ -n '$(version 4 dismissals)' ]"
check "and whose data versions are otherwise the same" \
  [ "$(version 3 ip_table) $(version 3 lists)" = "$(version 4 ip_table) $(version 4 lists)" ]
check "the new run honours the dismissal: the account is not actioned" [ -z "$(actioned)" ]
scan; check "that run again is a repeat" [ "$(q "select count(*) from runs")" = 4 ]
check "no audit row is repeated" [ "$(q "select count(*) from (select 1 from audit
  where actor = 'warden' group by account_id, event_ts, from_action, to_action, reason, shadow,
  run_id having count(*) > 1)")" = "0" ]
finish
