#!/usr/bin/env bash
# test_serve_policy_change.sh — a reload decides the accounts it carries
# again under the new policy's rules: an account blocked by a rule that is
# then relaxed (the operator's fix for a rule that blocked too much) is no
# longer blocked after the reload, and blocked again when the rule is made
# strict again; each change is in the audit trail of cases.db with its
# reason; an account an analyst dismissed stays dismissed across both
# reloads; the server says how many accounts were decided again, at a
# reload and at a restart from a snapshot saved under the other rules.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 not installed"; exit 77; }

velocity_policy "$T/strict.yaml"
sed 's/^    action: block$/    action: review/' "$T/strict.yaml" >"$T/relaxed.yaml"
check "the relaxed policy reviews what the strict one blocks" \
  bash -c "grep -q 'action: review' '$T/relaxed.yaml' && ! grep -q 'action: block' '$T/relaxed.yaml'"
cp "$T/strict.yaml" "$T/policy.yaml"
DB="$T/cases.db"
serve_cases_config "$T/serve.yaml" "$T/policy.yaml" "$DB" "snapshot_path: $T/state.snap" \
  "admin_token: tok-policy-change-0123456789"
start_serve "$T/serve.yaml" || exit 1
AL=(-H "Authorization: Bearer alice-token-0123456789")
ev() { # ev ACCOUNT SECOND REQID [MINUTE]
  printf '{"ts":"2026-11-30T10:%02d:%02dZ","account_id":"%s","ip":"192.0.2.10","api_key_id":"k-%s","request_id":"%s"}' \
    "${4:-0}" "$2" "$1" "$3" "$3"
}
dec() { curl -s -XPOST --data-binary "$(ev "$1" "$2" "$3" "${4:-0}")" "$URL/v1/decide"; }
q() { sqlite3 "$DB" "$1" 2>/dev/null; }
reload() { # reload N: SIGHUP, until the Nth "policy reloaded"
  kill -HUP "$SPID"
  for _ in $(seq 1 200); do [ "$(grep -c 'policy reloaded' "$T/serve.err")" -ge "$1" ] && break; sleep 0.1; done
}

for i in 1 2 3 4 5 6 7; do r=$(dec acct-x "$i" "x$i"); done
check "acct-x blocked by the strict rule" grep -q '"enforced":"block"' <<<"$r"
for i in 1 2 3 4 5 6 7; do r=$(dec acct-d "$i" "d$i"); done
check "acct-d blocked too" grep -q '"enforced":"block"' <<<"$r"
for _ in $(seq 1 100); do [ "$(q "select count(*) from cases")" = 2 ] && break; sleep 0.1; done
ID=$(q "select case_id from cases where account_id='acct-d'")
V=$(q "select version from cases where account_id='acct-d'")
# dismissed without allowlisting: the block is lifted, its reasons stay
r=$(curl -s -w ' %{http_code}' "${AL[@]}" -XPOST --data-binary \
  "{\"decision\":\"dismiss\",\"version\":$V,\"note\":\"known load test\"}" \
  "$URL/v1/cases/$ID/decision")
check "an analyst dismisses acct-d, lifting its block" grep -q ' 200$' <<<"$r"
r=$(dec acct-d 0 d8 5)
check "  ... acct-d is let through (a calm minute later)" grep -q '"enforced":"allow"' <<<"$r"

# the operator relaxes the rule: the carried block is lowered
cp "$T/relaxed.yaml" "$T/policy.yaml"
reload 1
check "the server says one account was decided again, lowered" \
  grep -q 'reload: 1 account(s) decided again under the new policy.s rules: 0 raised, 1 lowered' "$T/serve.err"
r=$(dec acct-x 8 x8)
check "acct-x no longer blocked after the relaxing reload" grep -q '"enforced":"review"' <<<"$r"
r=$(dec acct-d 1 d9 5)
check "acct-d still let through (its lift kept)" grep -q '"enforced":"allow"' <<<"$r"
for _ in $(seq 1 100); do [ "$(q "select action from cases where account_id='acct-x'")" = review ] && break; sleep 0.1; done
check "its case says review" [ "$(q "select action from cases where account_id='acct-x'")" = review ]
check "  ... the change in its audit trail, with the rule's reason" \
  [ "$(q "select count(*) from audit where account_id='acct-x' and actor='warden' and from_action='block' and to_action='review' and reason='velocity.request_rate'")" = 1 ]

# and makes it strict again (over HTTP): blocked again, audited; the dismissal holds
cp "$T/strict.yaml" "$T/policy.yaml"
r=$(curl -s -w ' %{http_code}' -XPOST -H "Authorization: Bearer tok-policy-change-0123456789" \
  "$URL/admin/reload")
check "POST /admin/reload answers with the accounts it decided again" \
  bash -c "grep -q '\"status\":\"reloaded\",\"decided_again\":1,\"raised\":1,\"lowered\":0}' <<<'$r' &&
           grep -q ' 200$' <<<'$r'"
check "the second reload raised one account" \
  grep -q 'reload: 1 account(s) decided again under the new policy.s rules: 1 raised, 0 lowered' "$T/serve.err"
curl -s "$URL/metrics" >"$T/m.txt"
check "metrics: one raised, one lowered by reloads" \
  bash -c "grep -q '^warden_reload_accounts_decided_again_total{direction=\"raised\"} 1$' '$T/m.txt' &&
           grep -q '^warden_reload_accounts_decided_again_total{direction=\"lowered\"} 1$' '$T/m.txt'"
r=$(dec acct-x 9 x9)
check "acct-x blocked again" grep -q '"enforced":"block"' <<<"$r"
r=$(dec acct-d 2 d10 5)
check "acct-d still let through: the strict rule gives no more than when it was lifted" \
  grep -q '"enforced":"allow"' <<<"$r"
for _ in $(seq 1 100); do [ "$(q "select action from cases where account_id='acct-x'")" = block ] && break; sleep 0.1; done
check "  ... audited review -> block" \
  [ "$(q "select count(*) from audit where account_id='acct-x' and actor='warden' and from_action='review' and to_action='block'")" = 1 ]
check "acct-d's case still dismissed, no change of warden's after the lift" \
  [ "$(q "select status from cases where account_id='acct-d'")|$(q "select count(*) from audit where account_id='acct-d' and actor='warden'")" = "dismissed|1" ]
stop_serve
check "SIGTERM: exit 0" [ $? -eq 0 ]

# before the next change: what relaxing the rule would do to the accounts the
# server's state holds, without touching them (config --check --state)
check "the server saved its state at stop" [ -s "$T/state.snap" ]
SUM=$(sha256sum <"$T/state.snap")
"$WARDEN_BIN" config --check "$T/relaxed.yaml" --state "$T/state.snap" --cases "$DB" \
  >"$T/dry.txt" 2>"$T/dry.err"
check "config --check --state: exit 0" [ $? -eq 0 ]
check "  ... lists acct-x, block -> review, with its reason" \
  grep -Eq '^  acct-x +block +-> review +velocity.request_rate$' "$T/dry.txt"
check "  ... not the dismissed acct-d" bash -c "! grep -q 'acct-d' '$T/dry.txt'"
check "  ... and the totals" grep -q 'decided again (0 raised, 1 lowered)' "$T/dry.txt"
"$WARDEN_BIN" config --check "$T/strict.yaml" --state "$T/state.snap" >"$T/dry2.txt" 2>/dev/null
check "  ... the policy in force changes nothing" grep -q 'decided again (0 raised, 0 lowered)' "$T/dry2.txt"
check "  ... and the state file is untouched" [ "$(sha256sum <"$T/state.snap")" = "$SUM" ]
"$WARDEN_BIN" config --state "$T/state.snap" >/dev/null 2>&1
check "--state without --check: exit 2" [ $? -eq 2 ]
head -c 2000 "$T/state.snap" >"$T/torn.snap"
"$WARDEN_BIN" config --check "$T/relaxed.yaml" --state "$T/torn.snap" >/dev/null 2>"$T/torn.err"
check "--state of a torn file: exit 3 naming the file" \
  bash -c "[ $? -eq 3 ] && grep -q 'torn.snap' '$T/torn.err'"

# a restart on the relaxed policy from that snapshot does what the dry run said
cp "$T/relaxed.yaml" "$T/policy.yaml"
start_serve "$T/serve.yaml" second || exit 1
check "the restart says it decided one account of the snapshot again, lowered" \
  grep -q '1 account(s) of the snapshot decided again under this policy.s rules: 0 raised, 1 lowered' "$T/second.err"
r=$(dec acct-x 0 x20 7)
check "  ... acct-x reviewed, not blocked" grep -q '"enforced":"review"' <<<"$r"
stop_serve
finish
