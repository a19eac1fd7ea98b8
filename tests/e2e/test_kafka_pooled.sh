#!/usr/bin/env bash
# Pooled joins on Kafka, end to end, against librdkafka's mock cluster: the
# accounts and events of test_scan_pooled.sh with a second sign-up network
# (pooled_data.sh), produced into a 4-partition events topic read by two
# workers (link detector in remote mode) and `warden link-stage`. The
# network 203.0.113.0/24 is a commercial VPN's exit in the policy's IP lists,
# which only the workers load. Checked against `warden scan` on the same
# events: the same clusters (as sets of accounts), among them the four
# harvesters joined through their domain, each network's three harvesters
# joined through it with the account that signed up there between their
# sign-ups on 198.51.100.0/24 (cv1) and without it on the VPN's exit (cv2:
# the stage learns that from the workers' observations), the neighbour who
# signed up months before in no cluster; a harvester (rs1) that signed up
# from a hosting network with an account that only chats on the
# harvesters' domain (op5) joined to their cluster once the domain's
# harvest is established, after rs1 had looked at its network (the order in
# which the stage meets them differs from one process's); and the same
# verdicts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kafka_lib.sh"
. "$(dirname "$0")/pooled_data.sh"
command -v jq >/dev/null || { echo "skip: jq missing"; exit 77; }
trap kafka_cleanup EXIT
pooled_data "$T" extra
printf '# as_of=2026-11-01\n203.0.113.0/24\n' > "$T/vpn.txt"
printf '# as_of=2026-11-01\n192.0.2.0/24\n' > "$T/hosting.txt"
# distill's frame prior and crowd release off, as on workers (kafka_lib.sh)
pooled_policy "$T/base.yaml"
sed 's/^  distill:$/  distill:\n    prior_min_events: 0\n    crowd_min_sittings: 0/' "$T/base.yaml" > "$T/policy.yaml"
printf 'intel:\n  lists: ["vpn:testvpn:%s", "hosting:testhost:%s"]\n' "$T/vpn.txt" "$T/hosting.txt" \
  >> "$T/policy.yaml"
check "policy turns the frame prior off" grep -q '^    prior_min_events: 0' "$T/policy.yaml"
"$WARDEN_BIN" scan -q --no-db --run-id ref --policy "$T/policy.yaml" --accounts "$T/accounts.jsonl" \
  -o "$T/scan" "$T/events.jsonl" 2>/dev/null
check "scan exits 0" [ $? -eq 0 ]
EVENTS=$(wc -l < "$T/events.jsonl")

kafka_small_linking_run
kafka_start worker w1 "$T/w1.log" 20
kafka_start worker w2 "$T/w2.log" 20
check "every worker was given partitions" kafka_wait_assigned "$T"/w1.log "$T"/w2.log
kafka_start_stage
"$WARDEN_BIN" kafka-produce -q -b "$BROKERS" -t ev "$T/events.jsonl"
check "kafka-produce exits 0" [ $? -eq 0 ]
kafka_wait
kafka_stop_stage
kafka_dump_checks "$EVENTS"

# clusters as sets of accounts, from clusters.jsonl (scan) and from the
# cluster.shared_* findings every member gets when it joins (Kafka)
jq -r '.member_ids | sort | join(" ")' "$T/scan/clusters.jsonl" | sort > "$T/want.clusters"
jq -r 'select(.code | startswith("cluster.shared_")) | [.account_id, .evidence.cluster_id] | @tsv' \
  "$T/dump/findings.jsonl" |
  awk -F'\t' '{c[$1]=$2} END {for (a in c) print c[a] "\t" a}' | sort |
  awk -F'\t' '$1 != k {if (k != "") print m; k = $1; m = $2; next} {m = m " " $2} END {if (k != "") print m}' |
  while read -r m; do tr ' ' '\n' <<< "$m" | sort | paste -sd' '; done | sort > "$T/got.clusters"
cat "$T/want.clusters"
check "scan: the domain's five with rs1, one network's three with cv1, the VPN exit's three alone" \
  diff "$T/want.clusters" <(printf '%s\n' "cv1 sn1 sn2 sn3" "op1 op2 op3 op4 op5 rs1" "sn4 sn5 sn6" | sort)
check "Kafka: the same clusters" diff "$T/want.clusters" "$T/got.clusters"
v='[.account_id, .action, (.reasons | map(if startswith("cluster.shared_") then "cluster.shared_*" else . end) | unique)]'
jq -c "$v" "$T/scan/verdicts.jsonl" | sort > "$T/want"
jq -c "$v" "$T/dump/verdicts.jsonl" | sort > "$T/got"
check "Kafka: the same verdicts (accounts, actions, reasons)" diff "$T/want" "$T/got"
finish
