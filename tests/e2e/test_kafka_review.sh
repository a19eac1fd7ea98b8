#!/usr/bin/env bash
# The way back on Kafka: an analyst's dismissal in the review console over
# the case stage's cases.db reaches the worker that owns the account
# (warden case-stage writes it to the events topic, keyed by account id,
# header warden-review) and is applied among the account's events: the
# block is lifted and published on the verdicts topic; a reason the analyst
# allowlisted does not action the account again, while an account dismissed
# without allowlisting is actioned again on new evidence; a worker that
# replays the partition from its beginning applies the same decisions at
# the same place; review records that are not valid are rejects, reported
# with their offset. librdkafka's mock cluster; everything stops by itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"
for c in jq curl sqlite3; do command -v "$c" >/dev/null || { echo "skip: $c missing"; exit 77; }; done
trap kafka_cleanup EXIT

# blocks an account above 5 requests a minute; no IP data or lists to load
cat >"$T/policy.yaml" <<'YAML'
intel:
  locdb: ""
  lists: []
  asn_lists: []
rules:
  - code: "velocity.request_rate"
    min_score: 0
    action: block
detectors:
  velocity:
    enabled: true
    max_requests_short: 5
  link:
    enabled: false
YAML
check "mock cluster up" start_mock 300 ev:4 verdicts:2 findings:2 rejects:1 progress:1 audit:2
worker_config "$T/worker.yaml" "$T/policy.yaml"
printf 'cases: %s\ncases_group: review-test-cases\nstate_dir: %s\nsnapshot_interval_s: 1\n' \
  "$T/cases.db" "$T/state" >>"$T/worker.yaml"
ev() { # ev ACCOUNT MINUTE SECOND: one request
  printf '{"ts":"2026-11-30T10:%02d:%02dZ","account_id":"%s","ip":"192.0.2.10","request_id":"%s-%d-%d"}\n' \
    "$2" "$3" "$1" "$1" "$2" "$3"
}
burst() { # burst MINUTE ACCOUNT...: 7 requests of each account in that minute, into ev
  local m=$1 a s
  shift
  for a in "$@"; do for s in 1 2 3 4 5 6 7; do ev "$a" "$m" "$s"; done; done >"$T/burst.jsonl"
  "$WARDEN_BIN" kafka-produce -q -b "$BROKERS" -t ev "$T/burst.jsonl"
}
q() { sqlite3 "$T/cases.db" "$1" 2>/dev/null; }
last_verdict() { # last_verdict ACCOUNT: the action of its newest record on the verdicts topic
  "$WARDEN_BIN" kafka-dump -q -b "$BROKERS" -t verdicts --progress-topic progress -o "$T/dump" \
    >/dev/null 2>&1
  jq -r --arg a "$1" 'select(.account_id == $a) | .action' "$T/dump/verdicts.jsonl" 2>/dev/null
}

timeout 300 "$WARDEN_BIN" worker -c "$T/worker.yaml" --id w1 2>"$T/w1.log" &
W1=$!
PIDS="$PIDS $W1"
timeout 300 "$WARDEN_BIN" case-stage -c "$T/worker.yaml" --id c1 2>"$T/c1.log" &
C1=$!
PIDS="$PIDS $C1"
check "the worker was given partitions" kafka_wait_assigned "$T/w1.log"
burst 0 acct-x acct-y
for _ in $(seq 1 300); do [ "$(q "select count(*) from cases where action='block'")" = 2 ] && break; sleep 0.1; done
check "both accounts blocked, their cases in cases.db" \
  [ "$(q "select group_concat(account_id) from (select account_id from cases where action='block' order by 1)")" = "acct-x,acct-y" ]

# garbage under the review header: two rejects, nothing applied
printf '%s\n' 'not json' '{"account_id":"acct-x","allow":"velocity.request_rate","lift":true}' \
  >"$T/bad-review.jsonl"
"$WARDEN_BIN" kafka-produce -q -b "$BROKERS" -t ev --order stream --header warden-review=1 \
  "$T/bad-review.jsonl"
check "bad review records produced with the header" [ $? -eq 0 ]
"$WARDEN_BIN" kafka-produce -q -b "$BROKERS" -t ev --header warden-review "$T/bad-review.jsonl" \
  2>"$T/hdr.err"
check "--header without =VALUE: exit 2 naming the option" \
  bash -c "[ $? -eq 2 ] && grep -q -- '--header needs NAME=VALUE' '$T/hdr.err'"

# the console over the stage's database; acct-x dismissed allowlisting its
# reason, acct-y dismissed without
check "the console over the stage's database starts" start_console "$T/policy.yaml" "$T/cases.db"
URL=$CONSOLE
AL=(-H "Authorization: Bearer alice-token-0123456789")
dismiss() { # dismiss ACCOUNT ALLOWLIST(true|false)
  local id v
  id=$(q "select case_id from cases where account_id='$1'")
  v=$(q "select version from cases where account_id='$1'")
  curl -s -o /dev/null -w '%{http_code}' "${AL[@]}" -XPOST --data-binary \
    "{\"decision\":\"dismiss\",\"version\":$v,\"note\":\"test\",\"allowlist\":$2}" \
    "$URL/v1/cases/$id/decision"
}
check "acct-x dismissed, its reason allowlisted" [ "$(dismiss acct-x true)" = 200 ]
check "acct-y dismissed, nothing allowlisted" [ "$(dismiss acct-y false)" = 200 ]
for _ in $(seq 1 150); do grep -q 'review decision(s) sent to the workers' "$T/c1.log" && break; sleep 0.2; done
check "the stage sent the decisions to the workers" grep -q 'review decision(s) sent to the workers (ev)' "$T/c1.log"
for _ in $(seq 1 60); do [ "$(last_verdict acct-x)" = allow ] && [ "$(last_verdict acct-y)" = allow ] && break; sleep 0.5; done
check "the worker lifted both: their newest verdicts say allow" \
  [ "$(last_verdict acct-x),$(last_verdict acct-y)" = "allow,allow" ]

# a minute later both go over the rate again: acct-x's reason is allowlisted,
# acct-y's is not
burst 2 acct-x acct-y
for _ in $(seq 1 60); do [ "$(last_verdict acct-y)" = block ] && break; sleep 0.5; done
check "acct-y actioned again on new evidence" [ "$(last_verdict acct-y)" = block ]
check "acct-x not actioned again (its reason allowlisted)" [ "$(last_verdict acct-x)" = allow ]

# a second worker takes the partitions over: from their beginning (the
# same decisions at the same places) or from the first one's snapshots
# (the lifts in them, the allowlisted reasons in the .allow file beside)
kill -TERM "$W1" 2>/dev/null
wait "$W1" 2>/dev/null
check "the first worker applied the decisions live and refused the two bad ones" \
  grep -Eq 'review decisions applied: 3 live, 0 replayed; 2 refused' "$T/w1.log"
"$WARDEN_BIN" kafka-dump -b "$BROKERS" -t verdicts --rejects-topic rejects -o "$T/dump2" \
  >"$T/dump2.txt" 2>/dev/null
check "  ... both on the rejects topic" grep -q '^reject records 2, duplicates 0$' "$T/dump2.txt"
check "  ... acct-x still allowed after them" [ "$(last_verdict acct-x)" = allow ]
check "its partition snapshots carry the allowlist beside them" \
  bash -c "cat '$T'/state/*.snap.allow 2>/dev/null | grep -qx \$'acct-x\tvelocity.request_rate'"
timeout 300 "$WARDEN_BIN" worker -c "$T/worker.yaml" --id w2 --idle-exit 8 2>"$T/w2.log" &
W2=$!
PIDS="$PIDS $W2"
check "the second worker was given partitions" kafka_wait_assigned "$T/w2.log"
burst 4 acct-x acct-y
wait "$W2" 2>/dev/null
check "the second worker replayed the decisions or loaded them with a snapshot" \
  bash -c "grep -Eq 'review decisions applied: 0 live, [1-9][0-9]* replayed' '$T/w2.log' ||
           grep -Eq '[0-9]+ snapshots saved, [1-9][0-9]* loaded' '$T/w2.log'"
grep -Eo '[0-9]+ snapshots saved, [0-9]+ loaded|review decisions applied: .*' "$T/w2.log" | sed 's/^/  w2: /'
check "after the replay: acct-x still allowed, acct-y blocked" \
  [ "$(last_verdict acct-x),$(last_verdict acct-y)" = "allow,block" ]
kill -TERM "$C1" "$SP" 2>/dev/null
wait "$C1" 2>/dev/null
check "the stage kept the last decision sent, per group" \
  [ "$(q "select count(*) from case_stage_reviews where group_name='review-test-cases' and last_audit_id > 0")" = 1 ]
finish
