#!/usr/bin/env bash
# Warden on Kafka with the linking stage, end to end, against librdkafka's
# mock cluster (3 brokers): a simulated scenario with hydra clusters is
# produced in chunks into a 12-partition events topic while 3 workers (the
# example policy: link detector on, in remote mode) and `warden link-stage`
# run; one worker is killed with SIGKILL mid-stream and a replacement started
# under its id; `warden case-stage` keeps a case database meanwhile.
# Checked against `warden scan` on the same events:
#  - no event lost, no verdict position read twice with different content;
#  - cluster membership: the clusters scan finds, found, among them clusters
#    whose members are in different partitions (owned by different workers).
#    Allowed difference: none in membership for this scenario (the members of
#    its clusters are joined by payment fingerprints from the registry and by
#    identifiers each of them shares with several others, which any order of
#    observations joins); cluster numbers (lk-N) are compared as partitions of
#    the accounts, not by name (they count in order of formation, which
#    differs between one process and the stage);
#  - per-account verdicts: the same accounts with the same action and the
#    same set of reasons, except that cluster.shared_* may name another kind
#    (the code names the strongest kind of the edge that joined the account,
#    and which edge joins first depends on the order in which the stage meets
#    the identifiers); for every account whose reasons hold no cluster.* code,
#    the reasons and the first action (time and event) exactly. For an
#    account actioned through its cluster the first action may be later: the
#    membership notice reaches the worker after the event at which one process
#    would have acted;
#  - cluster records: the stage's newest record of each cluster (the clusters
#    topic, read back by kafka-dump and kept by the case stage in cases.db's
#    clusters table) has the members, member count, actioned and enforced
#    members and action of scan's clusters.jsonl; clusters joined into others
#    are gone from both; the console shows the record.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"
for c in curl sqlite3 kcat; do command -v "$c" >/dev/null || { echo "skip: $c missing"; exit 77; }; done
kafka_setup
P="$T/policy.yaml"
policy_for_workers "$P"
check "policy turns the frame prior off" grep -q '^    prior_min_events: 0' "$P"
"$WARDEN_BIN" scan -q --no-db --lenient --run-id ref --policy "$P" \
  --accounts "$T/sim/accounts.jsonl" --orgs "$T/sim/orgs.jsonl" -o "$T/scan" "$T/sim/events.jsonl" \
  2>/dev/null
check "scan found clusters" [ "$(wc -l < "$T/scan/clusters.jsonl")" -ge 3 ]
EVENTS=$(wc -l < "$T/sim/events.jsonl")

kafka_linking_run 420 "$P"
printf 'cases: %s\ncases_group: warden-test-cases\n' "$T/cases.db" >> "$T/worker.yaml"
check "config valid" "$WARDEN_BIN" link-stage -c "$T/worker.yaml" --check
timeout 400 "$WARDEN_BIN" case-stage -c "$T/worker.yaml" --id c1 2>"$T/c1.log" &
CASE_PID=$!
# a record on the clusters topic that is not a cluster's: reported, skipped
echo '{"account_id":"x","cluster_id":"lk-999"}' > "$T/bad-cluster.jsonl"
"$WARDEN_BIN" kafka-produce -q -b "$BROKERS" -t clusters "$T/bad-cluster.jsonl"
# ... and a tombstone without a key (no cluster to remove): reported, skipped
check "kcat wrote a keyless tombstone to the clusters topic" \
  sh -c 'printf ":\n" | kcat -P -b "$1" -t clusters -K: -Z' sh "$BROKERS"

# workers exit after 30 s without an event or a notice; the stage runs until
# they are all gone (it may have notices to send until the last one), then
# is stopped (SIGTERM: it commits its open transaction and exits)
kafka_start worker w1 "$T/w1.log" 30
kafka_start worker w2 "$T/w2.log" 30; VICTIM=$LAST_PID
kafka_start worker w3 "$T/w3.log" 30
check "every worker was given partitions" kafka_wait_assigned "$T"/w1.log "$T"/w2.log "$T"/w3.log
kafka_start_stage
check "workers run the link detector in remote mode" grep -q '(linking)' "$T/w1.log"

kafka_produce_kill "$T/sim/events.jsonl" "$VICTIM" w2 30
kafka_wait
kafka_stop_stage
kafka_dump_checks "$EVENTS"
check "the stage sent notices" grep -qE ', [1-9][0-9]* linking records produced' "$T/l1.log"
# How many notices the replacement replayed depends on timing (the
# partitions it is given, and whether a snapshot covered their notices):
# printed, not asserted; what it must get right is checked below (verdicts
# and clusters equal to scan's).
check "the replacement read its partitions' notices" \
  grep -qE ': [0-9]+ notices live, [0-9]+ replayed' "$T/w2b.log"
grep -oE '[0-9]+ notices live, [0-9]+ replayed' "$T/w2b.log" | sed 's/^/replacement: /'

# cluster membership: account -> cluster from the cluster.shared_* findings
# (every member gets one when it joins), as a partition of the accounts
kafka_clusters "$T/scan/findings.jsonl" > "$T/want.clusters"
kafka_clusters "$T/dump/findings.jsonl" > "$T/got.clusters"
check "scan's clusters: $(wc -l < "$T/want.clusters")" [ -s "$T/want.clusters" ]
check "cluster membership equal to scan's (as sets of accounts)" diff "$T/want.clusters" "$T/got.clusters"
# on a difference, what joined each account of the clusters that differ, in
# scan and on Kafka (the edge kinds, pooled, via): the first thing to read
if ! cmp -s "$T/want.clusters" "$T/got.clusters"; then
  for a in $(diff "$T/want.clusters" "$T/got.clusters" | sed -n 's/^[<>] //p' | tr ' ' '\n' | sort -u); do
    for side in scan dump; do
      jq -c --arg a "$a" --arg s "$side" 'select(.account_id == $a and (.code | startswith("cluster."))) |
        {side: $s, account: .account_id, code, ts, cluster: .evidence.cluster_id, via: .evidence.via,
         pooled: .evidence.pooled, pair: .evidence.edge_kinds, cluster_kinds: .evidence.cluster_edge_kinds}' "$T/$side/findings.jsonl"
    done
  done >&2
fi
# the partition of an account id: librdkafka's default partitioner, CRC-32 of the key modulo 12
part() { printf '%s' "$1" | gzip -c | tail -c8 | od -An -tu4 -N4 | awk '{print $1 % 12}'; }
span=0
while read -r members; do
  ps=$(for a in $members; do part "$a"; done | sort -u | wc -l)
  [ "$ps" -gt 1 ] && span=$((span + 1))
done < "$T/got.clusters"
check "clusters spanning partitions found: $span" [ "$span" -ge 2 ]

# per-account verdicts; cluster.shared_* names the strongest kind of the edge
# that joined the account, which depends on the order in which the stage
# meets the identifiers (a payment edge or a template edge may come first)
kafka_verdicts_like_scan
first='select(any(.reasons[]; startswith("cluster.")) | not) | [.account_id, .reasons, .first_action_ts, .first_action_event]'
jq -c "$first" "$T/scan/verdicts.jsonl" > "$T/want.first"
jq -c "$first" "$T/dump/verdicts.jsonl" > "$T/got.first"
check "accounts with no cluster.* reason: reasons and first action equal" diff "$T/want.first" "$T/got.first"

# the stage's cluster records against scan's clusters.jsonl (cluster numbers,
# edge counts and scores depend on the order of observations: not compared)
"$WARDEN_BIN" kafka-dump -b "$BROKERS" -t verdicts --clusters-topic clusters -o "$T/cdump" \
  >"$T/cdump.txt"
cat "$T/cdump.txt"
check "kafka-dump read cluster records" grep -qE '^cluster records [1-9][0-9]*, clusters [1-9]' "$T/cdump.txt"
check "cluster records valid" valid cluster "$T/cdump/clusters.jsonl"
crec() { jq -r '[(.member_ids | sort | join(" ")), .members, .actioned_members, .enforced_members, .action] | @tsv' "$1" | sort; }
crec "$T/scan/clusters.jsonl" > "$T/want.crec"
crec "$T/cdump/clusters.jsonl" > "$T/got.crec"
check "scan's clusters.jsonl: $(wc -l < "$T/want.crec") clusters, $(grep -vc 'allow$' "$T/want.crec") actioned" \
  [ "$(grep -vc 'allow$' "$T/want.crec")" -ge 2 ]
check "the stage's cluster records: members, counts and action equal scan's" diff "$T/want.crec" "$T/got.crec"
# the case stage's clusters table: each cluster's newest record, none of those joined into others
n_want=$(wc -l < "$T/cdump/clusters.jsonl")
for _ in $(seq 1 150); do
  [ "$(sqlite3 "$T/cases.db" 'SELECT count(*) FROM clusters' 2>/dev/null)" = "$n_want" ] && break
  sleep 0.2
done
kill -TERM "$CASE_PID"
wait "$CASE_PID"
check "the case stage stopped cleanly on SIGTERM" [ $? -eq 0 ]
CASE_PID=""
check "the case stage read the clusters topic" grep -q 'audit, clusters -> ' "$T/c1.log"
check "a bad cluster record reported with its offset and skipped" \
  grep -qE 'clusters \[[0-9]+\] offset [0-9]+: a cluster record needs cluster_id, members' "$T/c1.log"
check "a keyless tombstone reported with its offset and skipped" \
  grep -qE 'clusters \[[0-9]+\] offset [0-9]+: an empty cluster record \(a tombstone\) needs its cluster id as key' "$T/c1.log"
jq -r '[.cluster_id, .members, .actioned_members, .enforced_members, .action] | @tsv' \
  "$T/cdump/clusters.jsonl" | sort > "$T/want.ctab"
sqlite3 -separator "$(printf '\t')" "$T/cases.db" \
  'SELECT cluster_id, members, actioned_members, enforced_members, action FROM clusters' |
  sort > "$T/got.ctab"
check "cases.db clusters table: $n_want clusters, as the topic's newest records" \
  diff "$T/want.ctab" "$T/got.ctab"
gone=$(sed -n 's/^cluster records .*, joined into others \([0-9]*\)$/\1/p' "$T/cdump.txt")
echo "clusters joined into others (tombstones): ${gone:-?}"
# the console's cluster view over the case stage's database has the record
big=$(sqlite3 "$T/cases.db" "SELECT cluster_id FROM clusters WHERE action != 'allow' ORDER BY members DESC LIMIT 1")
check "start the console" start_console "$P" "$T/cases.db"
curl -s -H 'Authorization: Bearer alice-token-0123456789' "$CONSOLE/v1/clusters/$big" > "$T/cl.json"
check "console: cluster $big has its record (members, edge kinds, action)" \
  jq -e --arg n "$(sqlite3 "$T/cases.db" "SELECT members FROM clusters WHERE cluster_id = '$big'")" \
  '.record.members == ($n | tonumber) and (.record.edge_kinds | length) > 0 and .record.action != null' "$T/cl.json"
finish
