#!/usr/bin/env bash
# test_scan_link_resends.sh — the same prompt sent again is no frame. Two
# strangers who signed up from one address (0.5, below the join weight) each
# send one long question four times in a row: three attempts refused with
# 429 and the SDK's retry that is answered (a regenerated answer looks the
# same), then four prompts of their own. Counting each attempt, the
# question's two ends would recur three times and be published as a frame
# both share (0.6 + 0.5 joins them); the question sent again is counted
# once, so they stay apart. Two others from another shared address who
# wrap different questions in one frame, four times each, are joined
# (template + signup_ip): the frame rule itself still holds.
. "$(dirname "$0")/lib.sh"

cat >"$T/accounts.jsonl" <<'EOF'
{"account_id":"r1","created_at":"2026-11-01T10:00:00Z","payment_fingerprint":"pm-r1","email_domain":"gmail.com","signup_ip":"198.51.100.7"}
{"account_id":"r2","created_at":"2026-11-02T15:00:00Z","payment_fingerprint":"pm-r2","email_domain":"gmail.com","signup_ip":"198.51.100.7"}
{"account_id":"f1","created_at":"2026-11-01T10:00:00Z","payment_fingerprint":"pm-f1","email_domain":"gmail.com","signup_ip":"198.51.100.9"}
{"account_id":"f2","created_at":"2026-11-02T15:00:00Z","payment_fingerprint":"pm-f2","email_domain":"gmail.com","signup_ip":"198.51.100.9"}
EOF
P="Could you please help me understand how the water cycle works on our planet, including evaporation, condensation, precipitation and collection, with a simple example for children"
O=("Why is the sky blue during the day and red at sunset"
  "My tomato plants have yellow leaves at the bottom, what should I change in watering"
  "Write a short poem about a cat who is afraid of the vacuum cleaner in the hallway"
  "What is the difference between a list and a tuple in Python and when should I use each")
Q=("why is the sky blue during the day" "how do vaccines train the immune system"
  "what causes the seasons on earth" "how does a bicycle stay upright while moving")
ev() { # HOUR MIN SEC ACCOUNT IP STATUS PROMPT
  printf '{"ts":"2026-11-23T%s:%02d:%02dZ","account_id":"%s","ip":"%s","prompt":"%s","status":%s}\n' \
    "$1" "$2" "$3" "$4" "$5" "$7" "$6"
}
{
  for a in r1 r2; do
    h=09 ip=81.2.69.10
    [ $a = r2 ] && h=14 ip=81.2.70.20
    for k in 0 1 2 3; do
      st=429
      [ $k = 3 ] && st=200
      ev $h 0 $((k * 3)) $a $ip $st "$P"
    done
    for k in 0 1 2 3; do ev $h $((10 + k * 5)) 0 $a $ip 200 "${O[$k]}"; done
  done
  for a in f1 f2; do
    h=09 ip=81.2.71.10
    [ $a = f2 ] && h=14 ip=81.2.72.20
    for k in 0 1 2 3; do
      ev $h $((30 + k * 5)) 30 $a $ip 200 "You are given a question. Read it carefully and answer it. Question: ${Q[$k]}? Give your answer in one paragraph and then state the final answer on its own line at the end."
    done
  done
} | sort -t'"' -k4 >"$T/events.jsonl"
check "events written" [ "$(wc -l <"$T/events.jsonl")" -eq 24 ]

"$WARDEN_BIN" scan -q --no-db --accounts "$T/accounts.jsonl" -o "$T/out" "$T/events.jsonl" 2>"$T/err"
check "scan ran" [ -s "$T/out/clusters.jsonl" ]
check "clusters valid" valid cluster "$T/out/clusters.jsonl"
check "one frame around different questions joins its two senders" \
  bash -c "jq -e 'select(.member_ids == [\"f2\",\"f1\"] or .member_ids == [\"f1\",\"f2\"]) | .edge_kinds.template >= 1 and .edge_kinds.signup_ip >= 1' '$T/out/clusters.jsonl' | grep -q true"
check "one question sent again is no frame: its senders stay apart" \
  bash -c "! jq -r '.member_ids[]' '$T/out/clusters.jsonl' | grep -q '^r[12]\$'"
check "one cluster in all" [ "$(wc -l <"$T/out/clusters.jsonl")" -eq 1 ]
finish
