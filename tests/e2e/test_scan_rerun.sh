#!/usr/bin/env bash
# test_scan_rerun.sh — re-running a scan is idempotent. The same inputs and
# policy into the same --out leave cases.db exactly as after the first run
# (no second run row, no second audit row per change, no duplicate
# case_findings, no case rewritten) and the same output files byte for byte;
# the runs table names the policy and every input by SHA-256. A changed policy
# is a new run whose changes, and only those, are audited.
. "$(dirname "$0")/lib.sh"
D="$WARDEN_SRC/data/demo"
P="$WARDEN_SRC/examples/policy.yaml"
scan() { # scan OUT POLICY
  "$WARDEN_BIN" scan -q --policy "$2" --accounts "$D/accounts.jsonl" --orgs "$D/orgs.jsonl" \
    --out "$1" "$D/events.jsonl.gz" 2>/dev/null
}
q() { sqlite3 "$T/out/cases.db" "$1"; }
dump() { # every row the scan writes, by the columns it writes (a later run's
  # opening of the review tables may add columns of its own)
  local c
  for c in "runs:run_id, started_at, finished_at, policy, inputs, shadow, events, rejects,
      accounts, actioned, policy_sha256, run_key, run_uuid" \
    "cases:case_id, account_id, org_id, action, score, reasons, cluster_id, first_action_ts,
      first_action_event, events, allowlisted, status, run_id, created_at, updated_at" \
    "case_findings:*" "audit:id, at, event_ts, actor, account_id, from_action, to_action,
      reason, score, shadow, run_id" "clusters:*"; do
    echo "== ${c%%:*}"; sqlite3 "$T/out/cases.db" "select ${c#*:} from ${c%%:*} order by 1"
  done
}

scan "$T/out" "$P"
check "first run completes" [ $? -eq 0 ]
dump >"$T/once.txt"
for f in verdicts findings clusters rejects; do cp "$T/out/$f.jsonl" "$T/$f.once"; done
audits=$(q "select count(*) from audit")
check "the first run audits changes ($audits)" [ "$audits" -gt 20 ]

scan "$T/out" "$P"
check "second run completes" [ $? -eq 0 ]
dump >"$T/twice.txt"
check "the store after twice is the store after once" cmp -s "$T/once.txt" "$T/twice.txt"
diff "$T/once.txt" "$T/twice.txt" | head -5 >&2
check "one run row" [ "$(q "select count(*) from runs")" = "1" ]
check "no second audit row per change" [ "$(q "select count(*) from audit")" = "$audits" ]
for f in verdicts findings clusters rejects; do
  check "$f.jsonl is the same file again" cmp -s "$T/$f.once" "$T/out/$f.jsonl"
done
check "the run row names the policy by its SHA-256" \
  [ "$(q "select policy_sha256 from runs")" = "$(sha256sum "$P" | cut -d' ' -f1)" ]
check "and the events file by its SHA-256" \
  [ "$(q "select inputs from runs" | jq -r '.[] | select(.role == "events") | .sha256')" = \
  "$(sha256sum "$D/events.jsonl.gz" | cut -d' ' -f1)" ]
check "and the accounts file" \
  [ "$(q "select inputs from runs" | jq -r '.[] | select(.role == "accounts") | .sha256')" = \
  "$(sha256sum "$D/accounts.jsonl" | cut -d' ' -f1)" ]

# a changed policy: throttle nothing, review instead (a real change for the throttled accounts)
sed 's/action: throttle/action: review/' "$P" >"$T/review.yaml"
check "the changed policy differs" bash -c "! cmp -s '$P' '$T/review.yaml'"
scan "$T/out" "$T/review.yaml"
check "the changed policy's run completes" [ $? -eq 0 ]
check "is a second run" [ "$(q "select count(*) from runs")" = "2" ]
new=$(q "select count(*) from audit where run_id = 2")
check "whose changes are audited ($new rows)" [ "$new" -gt 0 ]
check "and only changes not already recorded" [ "$(q "select count(*) from (select 1 from audit
  where actor = 'warden' group by account_id, event_ts, from_action, to_action, reason, shadow
  having count(*) > 1)")" = "0" ]
check "case_findings unique per case and finding" [ "$(q "select count(*) from (select 1 from
  case_findings group by account_id, ts, detector, code, seq having count(*) > 1)")" = "0" ]
check "the cases now say review where they said throttle" \
  [ "$(q "select count(*) from cases where action = 'throttle'")" = "0" ]
check "a changed case names the new run" \
  [ "$(q "select count(*) from cases where run_id = 2")" -gt 0 ]
finish
