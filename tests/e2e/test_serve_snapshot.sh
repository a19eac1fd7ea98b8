#!/usr/bin/env bash
# test_serve_snapshot.sh — `warden serve` keeps its state (snapshot_path):
# the real server on a free loopback port; an account blocked, a background
# snapshot, kill -9, restart: still blocked with its reason, its old request
# id still a duplicate; the same after a restart with another shard count,
# after a policy reload (HTTP and SIGHUP) and after SIGTERM's final snapshot;
# truncated, corrupted and foreign files refuse start-up naming the file and
# the reason (or start empty with snapshot_on_corrupt: ignore); no prompt
# text in the file.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }

velocity_policy "$T/policy.yaml"
SNAP="$T/state/warden.state"
mkdir -p "$T/state"
conf() { # conf FILE SHARDS INTERVAL [extra line]
  cat >"$1" <<YAML
port: 0
threads: 2
shards: $2
policy: $T/policy.yaml
admin_token_env: TEST_WARDEN_TOKEN
snapshot_path: $SNAP
snapshot_interval_s: $3
${4:-}
YAML
}
export TEST_WARDEN_TOKEN=snap-token
ev() { # ev ACCOUNT MINUTE SECOND REQID
  printf '{"ts":"2026-11-30T10:%02d:%02dZ","account_id":"%s","ip":"192.0.2.10","api_key_id":"k-%s","request_id":"%s","prompt":"PROMPT-SECRET-%s"}' "$2" "$3" "$1" "$4" "$4" "$4"
}
decide() { curl -s -XPOST --data-binary "$(ev "$@")" "$URL/v1/decide"; }

# ---- block an account, wait for a background snapshot, kill -9
conf "$T/s4.yaml" 4 1
start_serve "$T/s4.yaml" s1 || exit 1
check "no snapshot yet: starts empty and says so" grep -q "no state snapshot at $SNAP yet" "$T/s1.err"
for i in 1 2 3 4 5 6; do r=$(decide acct-a 0 "$i" "a$i"); done
check "6 requests in a minute: blocked" grep -q '"action":"block","enforced":"block"' <<<"$r"
r=$(decide acct-b 0 7 b1)
check "another account allowed" grep -q '"enforced":"allow"' <<<"$r"
t_block=$(date +%s)
for _ in $(seq 1 50); do
  [ -f "$SNAP" ] && [ "$(stat -c %Y "$SNAP")" -gt "$t_block" ] && break
  sleep 0.2
done
check "a background snapshot was written after the block" [ "$(stat -c %Y "$SNAP")" -gt "$t_block" ]
check "no prompt text in the snapshot" bash -c "! grep -q PROMPT-SECRET '$SNAP'"
check "no temporary file left beside it" bash -c "! ls '$SNAP'.tmp.* 2>/dev/null"
m=$(curl -s "$URL/metrics")
check "metrics: background snapshots written, none failed, the cut's pause measured" \
  python3 -c '
import re, sys
m = sys.stdin.read()
v = lambda k: float(re.search("^" + re.escape(k) + " (\\S+)$", m, re.M).group(1))
ok = v("warden_snapshots_total{result=\"ok\"}") >= 1 and v("warden_snapshots_total{result=\"failed\"}") == 0
sys.exit(0 if ok and 0 < v("warden_snapshot_pause_max_seconds") < 5 and v("warden_shard_lock_wait_max_seconds") >= 0 else 1)' <<<"$m"
kill -9 "$SPID"
wait "$SPID" 2>/dev/null

start_serve "$T/s4.yaml" s2 || exit 1
check "restart restores the state" grep -q "state restored from $SNAP (2 accounts, saved with 4 shards" "$T/s2.err"
r=$(decide acct-a 30 0 a7) # half an hour later: its rate alone would be allowed
check "after kill -9: still blocked" grep -q '"action":"block","enforced":"block"' <<<"$r"
check "after kill -9: its reason intact" grep -q '"code":"velocity.request_rate"' <<<"$r"
r=$(decide acct-a 0 6 a6)
check "after kill -9: an old request id is still a duplicate" grep -q '"duplicate":true' <<<"$r"
r=$(decide acct-b 30 1 b2)
check "after kill -9: the other account still allowed" grep -q '"enforced":"allow"' <<<"$r"

# ---- a policy reload keeps the state (HTTP, then SIGHUP)
check "reload over HTTP accepted" [ "$(code -XPOST -H "Authorization: Bearer $TEST_WARDEN_TOKEN" "$URL/admin/reload")" = 200 ]
r=$(decide acct-a 31 0 a8)
check "after an HTTP reload: still blocked" grep -q '"action":"block".*"code":"velocity.request_rate"' <<<"$r"
kill -HUP "$SPID"
for _ in $(seq 1 600); do grep -q "policy reloaded" "$T/s2.err" && break; sleep 0.1; done
check "SIGHUP reload done" grep -q "policy reloaded" "$T/s2.err"
r=$(decide acct-a 32 0 a9)
check "after SIGHUP: still blocked" grep -q '"action":"block".*"code":"velocity.request_rate"' <<<"$r"
stop_serve
check "SIGTERM: final snapshot written" grep -q "state saved to $SNAP" "$T/s2.err"

# ---- another shard count: accounts re-partitioned
conf "$T/s3.yaml" 3 3600
start_serve "$T/s3.yaml" s3 || exit 1
check "4 shards restored into 3" grep -q "saved with 4 shards" "$T/s3.err"
r=$(decide acct-a 40 0 a10)
check "after re-sharding: still blocked" grep -q '"action":"block".*"code":"velocity.request_rate"' <<<"$r"
# ---- SIGTERM's final snapshot alone (the interval is an hour)
for i in 1 2 3 4 5 6; do r=$(decide acct-c 41 "$i" "c$i"); done
check "a new account blocked" grep -q '"action":"block"' <<<"$r"
stop_serve
start_serve "$T/s3.yaml" s4 || exit 1
r=$(decide acct-c 50 0 c7)
check "blocked just before SIGTERM: still blocked after restart" grep -q '"action":"block".*"code":"velocity.request_rate"' <<<"$r"
stop_serve

# ---- damaged files refuse start-up, naming the file and the reason
cp "$SNAP" "$T/good.state"
refuse() { # refuse NAME PATTERN
  "$WARDEN_BIN" serve --config "$T/s3.yaml" >"$T/$1.out" 2>"$T/$1.err"
  local rc=$?
  check "$1: start-up refused (exit 3)" [ $rc -eq 3 ]
  check "$1: names the file and says '$2'" grep -q "snapshot_path $SNAP: .*$2" "$T/$1.err"
}
size=$(stat -c %s "$T/good.state")
head -c $((size - 20)) "$T/good.state" >"$SNAP"
refuse truncated "truncated"
cp "$T/good.state" "$SNAP"
printf '\x55' | dd of="$SNAP" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
refuse flipped "checksum mismatch"
cp "$T/good.state" "$SNAP"
printf '\x07' | dd of="$SNAP" bs=1 seek=8 conv=notrunc 2>/dev/null
refuse version "format version 7"
printf 'PK\003\004 not a snapshot at all' >"$SNAP"
refuse foreign "not a Warden state snapshot"
check "the damaged file is left where it was" grep -q "not a snapshot" "$SNAP"

conf "$T/ign.yaml" 3 3600 "snapshot_on_corrupt: ignore"
start_serve "$T/ign.yaml" ign || exit 1
check "snapshot_on_corrupt: ignore starts with a warning" grep -q "snapshot_on_corrupt: ignore" "$T/ign.err"
r=$(decide acct-a 55 0 a11)
check "... and empty" grep -q '"enforced":"allow"' <<<"$r"
stop_serve
conf "$T/badopt.yaml" 3 3600 "snapshot_on_corrupt: maybe"
"$WARDEN_BIN" serve --config "$T/badopt.yaml" --check >/dev/null 2>"$T/badopt.err"
check "snapshot_on_corrupt must be refuse or ignore" grep -q "snapshot_on_corrupt: 'maybe' is not refuse or ignore" "$T/badopt.err"
finish
