#!/usr/bin/env bash
# test_serve_case_record.sh — what `warden serve` decides inline reaches the
# case database (cases_record, on by default with cases): an account blocked
# over HTTP gets its case, the findings behind it and its audit rows in
# cases.db within seconds, without a scan; the review console's API lists
# it; an analyst's dismissal is kept when the server writes again, and a
# dismissed account actioned again on new traffic is open again; the
# process is one run, ended at SIGTERM with its totals; the metrics count the
# rows; a reload keeps recording; with cases_record: false nothing is written.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 not installed"; exit 77; }

velocity_policy "$T/policy.yaml"
DB="$T/cases.db"
serve_cases_config "$T/serve.yaml" "$T/policy.yaml" "$DB"
start_serve "$T/serve.yaml" || exit 1
AL=(-H "Authorization: Bearer alice-token-0123456789")
ev() { # ev ACCOUNT SECOND REQID
  printf '{"ts":"2026-11-30T10:00:%02dZ","account_id":"%s","ip":"192.0.2.10","api_key_id":"k-%s","request_id":"%s"}' \
    "$2" "$1" "$3" "$3"
}
dec() { curl -s -XPOST --data-binary "$(ev "$1" "$2" "$3")" "$URL/v1/decide"; }
for i in 1 2 3 4 5 6 7; do r=$(dec acct-x "$i" "x$i"); done
check "acct-x blocked inline" grep -q '"enforced":"block"' <<<"$r"
dec acct-calm 1 c1 >/dev/null
q() { sqlite3 "$DB" "$1" 2>/dev/null; }
# the writer merges about every second: wait for the case (10 s at most)
for _ in $(seq 1 100); do [ "$(q "select count(*) from cases where account_id='acct-x'")" = 1 ] && break; sleep 0.1; done
check "a case for the account blocked inline, without a scan" \
  [ "$(q "select action||'|'||status from cases where account_id='acct-x'")" = "block|open" ]
check "  ... with its reason" grep -q 'velocity.request_rate' <<<"$(q "select reasons from cases where account_id='acct-x'")"
check "  ... none for the account allowed" [ "$(q "select count(*) from cases where account_id='acct-calm'")" = 0 ]
check "the findings behind it, with evidence" \
  [ "$(q "select count(*) from case_findings where account_id='acct-x' and code='velocity.request_rate' and evidence like '{%'")" -ge 1 ]
check "an audit row for the action change, by warden" \
  [ "$(q "select actor||'|'||from_action||'|'||to_action||'|'||reason from audit where account_id='acct-x' and to_action='block'")" = "warden|allow|block|velocity.request_rate" ]
check "one run, open while the server runs, policy hash recorded" \
  [ "$(q "select count(*)||'|'||(finished_at is null)||'|'||length(policy_sha256)||'|'||(inputs like '%\"role\":\"serve\"%') from runs")" = "1|1|64|1" ]
r=$(curl -s "${AL[@]}" "$URL/v1/cases?account=acct-x")
check "the cases API lists it" grep -q '"total":1,.*"account_id":"acct-x"' <<<"$r"
curl -s "$URL/metrics" >"$T/m.txt"
check "metrics: case rows written" grep -q '^warden_case_rows_total{kind="case"} [1-9]' "$T/m.txt"
check "metrics: merges" grep -q '^warden_case_merges_total{result="ok"} [1-9]' "$T/m.txt"
check "metrics: no merge failed" grep -q '^warden_case_merges_total{result="failed"} 0$' "$T/m.txt"
check "metrics: nothing dropped" grep -q '^warden_case_rows_dropped_total 0$' "$T/m.txt"

# an analyst dismisses it (reason allowlisted): kept when the server writes again
ID=$(q "select case_id from cases where account_id='acct-x'")
V=$(q "select version from cases where account_id='acct-x'")
r=$(curl -s -w ' %{http_code}' "${AL[@]}" -XPOST --data-binary \
  "{\"decision\":\"dismiss\",\"version\":$V,\"note\":\"our load test\",\"allowlist\":true}" "$URL/v1/cases/$ID/decision")
check "dismissed: 200" grep -q ' 200$' <<<"$r"
for i in 8 9 10 11; do dec acct-x "$i" "x$i" >/dev/null; done
for i in 1 2 3 4 5 6 7; do dec acct-y "$i" "y$i" >/dev/null; done
for _ in $(seq 1 100); do [ "$(q "select count(*) from cases where account_id='acct-y'")" = 1 ] && break; sleep 0.1; done
check "a later account's case written after the dismissal" [ "$(q "select count(*) from cases where account_id='acct-y'")" = 1 ]
check "the dismissal kept: status and lifted action" \
  [ "$(q "select status||'|'||action from cases where account_id='acct-x'")" = "dismissed|allow" ]
check "the dismissed account not actioned again on the allowlisted reason" \
  [ "$(q "select count(*) from audit where account_id='acct-x' and actor='warden'")" = 1 ]

# acct-y dismissed without allowlisting: actioned again on new evidence (an
# API key over its rate: throttled), its case is open again, and the trail
# says why
ID=$(q "select case_id from cases where account_id='acct-y'")
V=$(q "select version from cases where account_id='acct-y'")
r=$(curl -s -w ' %{http_code}' "${AL[@]}" -XPOST --data-binary \
  "{\"decision\":\"dismiss\",\"version\":$V,\"note\":\"looked fine\"}" "$URL/v1/cases/$ID/decision")
check "acct-y dismissed: 200" grep -q ' 200$' <<<"$r"
for i in 20 21 22 23 24; do
  r=$(curl -s -XPOST --data-binary "$(ev acct-y "$i" "y$i" | sed 's/"api_key_id":"[^"]*"/"api_key_id":"k-one"/')" "$URL/v1/decide")
done
check "acct-y actioned again inline (throttled)" grep -q '"enforced":"throttle"' <<<"$r"
for _ in $(seq 1 100); do [ "$(q "select status from cases where account_id='acct-y'")" = open ] && break; sleep 0.1; done
check "its case open again, with the new action" \
  [ "$(q "select status||'|'||action from cases where account_id='acct-y'")" = "open|throttle" ]
check "  ... the reopening in its trail, with the new change's reason" \
  [ "$(q "select actor||'|'||from_status||'|'||to_status||'|'||detail from audit where account_id='acct-y' and reason='review.reopen'")" = "warden|dismissed|open|velocity.key_request_rate" ]

# a policy reload builds a new runtime: its actions are recorded too
kill -HUP "$SPID"
for _ in $(seq 1 100); do grep -q "policy reloaded" "$T/serve.err" && break; sleep 0.1; done
for i in 1 2 3 4 5 6 7; do dec acct-w "$i" "w$i" >/dev/null; done
for _ in $(seq 1 100); do [ "$(q "select count(*) from cases where account_id='acct-w'")" = 1 ] && break; sleep 0.1; done
check "after a reload: a case for the next account blocked" \
  [ "$(q "select action from cases where account_id='acct-w'")" = block ]

stop_serve
check "SIGTERM: exit 0" [ $? -eq 0 ]
check "the run ended with its totals (events judged, accounts actioned at the end)" \
  [ "$(q "select (finished_at is not null)||'|'||events||'|'||actioned from runs")" = "1|31|2" ]
PIDS=()
"$WARDEN_BIN" explain acct-w --db "$DB" >"$T/explain.txt" 2>&1
check "warden explain reads the server's case: action, reason, audit" \
  bash -c "[ $? -eq 0 ] && grep -q 'velocity.request_rate' '$T/explain.txt' && grep -qi 'block' '$T/explain.txt'"

# cases_record: false: the database is read, nothing written
sed 's|^cases: .*|&\ncases_record: false|' "$T/serve.yaml" >"$T/off.yaml"
start_serve "$T/off.yaml" off || exit 1
for i in 1 2 3 4 5 6 7; do r=$(dec acct-z "$i" "z$i"); done
check "cases_record false: acct-z still blocked inline" grep -q '"enforced":"block"' <<<"$r"
sleep 2
check "  ... and no case, finding, audit row or run written" \
  [ "$(q "select ((select count(*) from cases where account_id='acct-z')+(select count(*) from case_findings where account_id='acct-z')+(select count(*) from audit where account_id='acct-z'))||'|'||(select count(*) from runs)")" = "0|1" ]
stop_serve
PIDS=()
finish
