#!/usr/bin/env bash
# test_kafka_later_signup.sh — on Kafka, an account the registry learns of
# after it sent requests joins its cluster when the linking stage restarts
# with the newer accounts file, against librdkafka's mock cluster. Three
# webmail accounts that signed up from one hosting /24 harvest below every
# rule on their own and are pooled through the network (test_scan_pooled.sh's
# data); a month later the operation signs up a fourth account (lt1) from the
# same /24, which sends requests before the accounts file names it. Two
# workers and `warden link-stage` run the events: lt1 is in no cluster. Then
# the accounts file gains lt1 and the stage restarts with it: it rebuilds its
# state from the linking topic, where lt1 now joins the pooled ring, and it
# must tell the workers so (what the rebuilt state owes an account that the
# membership topic never told it), once: lt1 is reviewed through the
# cluster without another request, the members already told are not told
# again, and a second restart with the same file tells no one anything. The
# workers restart with the newer file too: lt1's sign-up finding, decided in
# their replay with outputs held back, is owed and published once; the
# second restart owes nothing. And an account reviewed only because the
# registry put it in an organisation of a restricted jurisdiction (rc1) is
# taken out of it by the newer file: the restarted workers, which hold no
# verdict for it, owe it an "allow" in place of the published review, once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"
. "$(dirname "$0")/pooled_data.sh"
for c in jq kcat; do command -v "$c" >/dev/null || { echo "skip: $c missing"; exit 77; }; done
trap kafka_cleanup EXIT
pooled_policy "$T/base.yaml"
printf '# as_of=2026-11-01\n198.51.100.0/24\n' > "$T/hosting.txt"
{
  printf 'jurisdictions:\n  restricted: [IR]\n'
  sed 's/^  distill:$/  distill:\n    prior_min_events: 0\n    crowd_min_sittings: 0/' "$T/base.yaml"
} > "$T/policy.yaml"
printf 'intel:\n  lists: ["hosting:test:%s"]\n' "$T/hosting.txt" >> "$T/policy.yaml"
pooled_data "$T"
grep -v '"nb1"' "$T/accounts.jsonl" > "$T/acc" && mv "$T/acc" "$T/accounts.jsonl"
# lt1's requests: a person's chat, nothing of its own to act on
for i in 0 1 2; do
  printf '{"ts":"2026-11-26T10:%02d:00Z","account_id":"lt1","ip":"81.2.72.9","user_agent":"Mozilla/5.0","model":"m1","prompt":"hi, can you fix this sentence %d","turns":3,"max_tokens":1024,"input_tokens":400,"output_tokens":120}\n' \
    $((i * 5)) "$i"
done >> "$T/events.jsonl"
# rc1: a person who chats, registered as staff of an Iranian company
echo '{"account_id":"rc1","org_id":"o-ir","billing_country":"GB","payment_fingerprint":"fp-40","email_domain":"gmail.com","signup_ip":"81.2.72.20","created_at":"2026-10-08T08:00:00Z"}' \
  >> "$T/accounts.jsonl"
for i in 0 1 2; do
  printf '{"ts":"2026-11-21T10:%02d:00Z","account_id":"rc1","ip":"81.2.72.19","user_agent":"Mozilla/5.0","model":"m1","prompt":"please shorten this paragraph %d","turns":2,"max_tokens":1024,"input_tokens":300,"output_tokens":90}\n' \
    $((i * 5)) "$i"
done >> "$T/events.jsonl"
EVENTS=$(wc -l < "$T/events.jsonl")

kafka_small_linking_run
echo '{"org_id":"o-ir","name":"Kavir Tile Works","country":"IR"}' >> "$T/orgs.jsonl"

# dump FILE: the findings committed so far
dump() {
  rm -rf "$T/dump"
  "$WARDEN_BIN" kafka-dump -b "$BROKERS" -t verdicts --findings-topic findings \
    --progress-topic progress --rejects-topic rejects --events-topic ev --audit-topic audit \
    -o "$T/dump" >"$T/dump.txt"
}
# rc1's newest verdict: its action and reasons
rc1() { jq -c 'select(.account_id == "rc1") | [.action, .reasons]' "$T/dump/verdicts.jsonl"; }
# run: the stage, assigned (after a restart: its state rebuilt from the
# linking topic and what it owes told), then both workers until idle beside
# it; the caller stops the stage. In that order a worker cannot go idle
# before a rebuilding stage tells it what it owes (a rebuild under load
# outlasted the workers' 8 idle seconds)
run() {
  kafka_start_stage
  mv "$T/l1.log" "$T/l1-$1.log" 2>/dev/null || true
  kafka_start worker w1 "$T/w1-$1.log" 8
  kafka_start worker w2 "$T/w2-$1.log" 8
  check "every worker was given partitions ($1)" kafka_wait_assigned "$T/w1-$1.log" "$T/w2-$1.log"
}

run first
"$WARDEN_BIN" kafka-produce -q -b "$BROKERS" -t ev "$T/events.jsonl"
check "kafka-produce exits 0" [ $? -eq 0 ]
kafka_wait
kafka_stop_stage
kafka_dump_checks "$EVENTS"
cl() { jq -r --arg a "$1" 'select(.account_id == $a and (.code | startswith("cluster."))) | .code' "$T/dump/findings.jsonl"; }
check "a harvester of the network is in a cluster" [ -n "$(cl sn1)" ]
check "lt1, unknown to the registry, is in no cluster" [ -z "$(cl lt1)" ]
cp "$T/dump/findings.jsonl" "$T/findings.first"
dump
check "rc1 is reviewed on its organisation's jurisdiction ($(rc1))" [ "$(rc1)" = '["review",["geo.restricted_org"]]' ]

echo '{"account_id":"lt1","billing_country":"US","payment_fingerprint":"fp-31","email_domain":"gmail.com","signup_ip":"198.51.100.77","created_at":"2026-11-08T08:00:00Z"}' \
  >> "$T/accounts.jsonl"
sed -i 's/"account_id":"rc1","org_id":"o-ir",/"account_id":"rc1",/' "$T/accounts.jsonl"
# a record on the membership topic that is no notice: the stage reading back
# what it told counts it as a bad record and goes on
check "kcat wrote a record that is no notice to the membership topic" \
  sh -c 'printf "lt1:not a notice\n" | kcat -P -b "$1" -t membership -p 0 -K:' sh "$BROKERS"
# and one on the verdict topic that is no verdict: the workers reading back
# what they published count it and go on
check "kcat wrote a record that is no verdict to the verdict topic" \
  sh -c 'printf "zz:{\"not\":\"a verdict\"}\n" | kcat -P -b "$1" -t verdicts -p 0 -K:' sh "$BROKERS"
run second
kafka_wait
kafka_stop_stage
dump
check "kafka-dump exits 0" [ $? -eq 0 ]
echo "lt1: $(cl lt1 | sort | paste -sd' ')"
check "lt1 joined the ring after the restart (a cluster.shared_* finding)" \
  jq -se 'any(.[]; .account_id == "lt1" and (.code | startswith("cluster.shared_")))' "$T/dump/findings.jsonl"
check "lt1 is reviewed through the cluster without another request" \
  jq -se 'any(.[]; .account_id == "lt1" and .action == "review" and any(.reasons[]; startswith("cluster.")))' \
  "$T/dump/verdicts.jsonl"
c_sn1=$(jq -r 'select(.account_id == "sn1" and .cluster_id != null) | .cluster_id' "$T/dump/verdicts.jsonl" | tail -1)
c_lt1=$(jq -r 'select(.account_id == "lt1" and .cluster_id != null) | .cluster_id' "$T/dump/verdicts.jsonl" | tail -1)
check "lt1 is in sn1's cluster ($c_lt1, $c_sn1)" [ -n "$c_lt1" ] && [ "$c_lt1" = "$c_sn1" ]
new() { comm -13 <(sort "$1") <(sort "$T/dump/findings.jsonl") | jq -r '.account_id' | sort -u | paste -sd' '; }
check "only lt1 was told anything after the restart ($(new "$T/findings.first"))" [ "$(new "$T/findings.first")" = lt1 ]
owed() { sed -n 's/^warden link-stage: l1: \([0-9]*\) notices owed after a rebuild.*/\1/p' "$T/l1-$1.log"; }
check "the restarted stage logs the one notice it owed ($(owed second))" [ "$(owed second)" = 1 ]
check "... and the record that is no notice as a bad record" \
  grep -qE 'l1: [0-9]+ notices live, [0-9]+ replayed, [1-9][0-9]* bad records' "$T/l1-second.log"
# the workers restarted with the newer file too: lt1's sign-up (from the
# hosting /24) was decided in their replay, outputs held back, and is owed
check "lt1's sign-up finding reaches the findings topic (signup.anonymizer)" \
  jq -se 'any(.[]; .account_id == "lt1" and .code == "signup.anonymizer")' "$T/dump/findings.jsonl"
wowed() { sed -n 's/^warden worker: w[12]: \([0-9]*\) findings and \([0-9]*\) verdicts owed after a rebuild.*/\1 \2/p' \
  "$T/w1-$1.log" "$T/w2-$1.log" | awk '{f += $1; v += $2} END {print f + 0, v + 0}'; }
check "the restarted workers log the finding they owed and no other ($(wowed second))" \
  [ "$(wowed second | cut -d' ' -f1)" = 1 ]
check "rc1, out of the organisation, is allowed now ($(rc1))" [ "$(rc1)" = '["allow",[]]' ]
check "... an action change review -> allow in the audit trail" \
  jq -se 'any(.[]; .account_id == "rc1" and .from == "review" and .to == "allow")' "$T/dump/audit.jsonl"
covered=$(sed -n 's/^input offsets covered \([0-9]*\),.*/\1/p' "$T/dump.txt")
check "owed outputs cover no input offset: ${covered:-0} of $EVENTS" [ "${covered:-0}" -eq "$EVENTS" ]
check "... and no verdict of the same position differs" bash -c "! grep -q conflicting '$T/dump.txt'"
# (once for each read-back: a rebalance that hands a worker more partitions reads again)
bad_rb() { sed -n 's/.*; \([0-9]*\) records read back that were no verdict or finding$/\1/p' "$T/$1-second.log"; }
check "the workers count the record that is no verdict as they read back ($(bad_rb w1), $(bad_rb w2))" \
  [ "$(bad_rb w1)" -ge 1 ] && [ "$(bad_rb w2)" -ge 1 ]
check "... and lt1's sign-up finding is in the findings topic once" \
  [ "$(jq -c 'select(.account_id == "lt1" and .code == "signup.anonymizer")' "$T/dump/findings.jsonl" | wc -l)" = 1 ]
cp "$T/dump/findings.jsonl" "$T/findings.second"
# a failure after the restart: what the restarted processes said, to stderr
# (the test's directory is removed after)
if [ "$FAILED" -gt 0 ]; then
  for f in w1-second w2-second l1-second; do
    echo "--- $f.log" >&2
    grep -vi 'AUTOCREATE' "$T/$f.log" | tail -n 40 >&2
  done
fi

run third
kafka_wait
kafka_stop_stage
dump
check "a restart with the same accounts file tells no one anything ($(new "$T/findings.second"))" \
  [ -z "$(new "$T/findings.second")" ]
check "... and owes nothing ($(owed third))" [ "$(owed third)" = 0 ]
check "... nor do the workers ($(wowed third))" [ "$(wowed third)" = "0 0" ]
check "... and rc1 is still allowed ($(rc1))" [ "$(rc1)" = '["allow",[]]' ]
check "... its action changed once" \
  [ "$(jq -c 'select(.account_id == "rc1")' "$T/dump/audit.jsonl" | wc -l)" = 2 ]
finish
