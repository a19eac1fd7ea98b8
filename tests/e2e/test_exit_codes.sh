#!/usr/bin/env bash
# test_exit_codes.sh — one table of exit codes, the same in every command's
# --help and in the README, and each code where the table says: 0 success,
# 1 found (sweep: banned tools; screen: a match), 2 bad command line, 3 bad
# policy or input data that cannot be read at all (a missing events file, a
# CSV as --accounts, a bad policy also under backtest), 5 ran but an input had
# no good line (an empty file, a CSV as events).
. "$(dirname "$0")/lib.sh"
CMDS="scan sim backtest screen match-names lists sweep blocklist ip intel config explain serve
  worker link-stage case-stage kafka-mock kafka-produce kafka-dump"
"$WARDEN_BIN" scan --help | sed -n '/^Exit codes:/,/^$/{/^$/!p}' >"$T/table"
check "scan --help has the exit-code table" [ "$(wc -l <"$T/table")" -ge 7 ]
for c in $CMDS; do
  "$WARDEN_BIN" "$c" --help >"$T/help.$c" 2>&1
  rc=$?
  check "$c --help exits 0 ($rc)" [ "$rc" -eq 0 ]
  check "$c --help prints the one table" cmp -s "$T/table" <(sed -n '/^Exit codes:/,/^$/{/^$/!p}' "$T/help.$c")
  "$WARDEN_BIN" "$c" --no-such-option >/dev/null 2>&1
  rc=$?
  check "$c with an unknown option exits 2 ($rc)" [ "$rc" -eq 2 ]
done
for k in 0 1 2 3 4 5; do
  check "the README names exit code $k" grep -q "\`$k\` " "$WARDEN_SRC/README.md"
done
check "the table says 1 is also a screen match" grep -q "screen:" "$T/table"

# a fast policy: no IP database or lists to build
printf 'intel:\n  locdb: ""\n  lists: []\n  asn_lists: []\n' >"$T/p.yaml"
printf 'rules:\n  - code: "velocty.*"\n    action: block\n' >"$T/bad.yaml"
printf '{"ts":"2026-11-23T08:00:00Z","account_id":"a1","ip":"192.0.2.1"}\n' >"$T/ev.jsonl"
printf '{"account_id":"a1","org_id":"o1"}\n' >"$T/acc.jsonl"
printf 'account_id,org_id\na1,o1\n' >"$T/acc.csv"
printf 'ts,account_id,ip\n2026-11-23T08:00:00Z,a1,192.0.2.1\n' >"$T/ev.csv"
: >"$T/empty.jsonl"
scan() { "$WARDEN_BIN" scan -q --no-db -p "$T/p.yaml" -o "$T/out" "$@" >/dev/null 2>"$T/scan.err"; }
scan "$T/ev.jsonl"; rc=$?; check "scan: good input exits 0 ($rc)" [ "$rc" -eq 0 ]
scan "$T/no-such.jsonl"; rc=$?; check "scan: a missing events file exits 3 ($rc)" [ "$rc" -eq 3 ]
check "  ... naming it" grep -q "no-such.jsonl: No such file" "$T/scan.err"
scan --accounts "$T/acc.csv" "$T/ev.jsonl"; rc=$?
check "scan: a CSV as --accounts exits 3 ($rc)" [ "$rc" -eq 3 ]
check "  ... saying not one good record" grep -q "acc.csv: not one good account record" "$T/scan.err"
scan --accounts "$T/acc.jsonl" "$T/ev.jsonl"; rc=$?
check "scan: good accounts exit 0 ($rc)" [ "$rc" -eq 0 ]
scan "$T/empty.jsonl"; rc=$?; check "scan: an empty events file exits 5 ($rc)" [ "$rc" -eq 5 ]
scan "$T/ev.csv"; rc=$?; check "scan: a CSV as events exits 5 ($rc)" [ "$rc" -eq 5 ]
"$WARDEN_BIN" scan -q --no-db -p "$T/bad.yaml" -o "$T/out" "$T/ev.jsonl" >/dev/null 2>&1
rc=$?; check "scan: a bad policy exits 3 ($rc)" [ "$rc" -eq 3 ]
"$WARDEN_BIN" config --check "$T/bad.yaml" >/dev/null 2>&1
rc=$?; check "config --check: a bad policy exits 3 ($rc)" [ "$rc" -eq 3 ]
"$WARDEN_BIN" config --check "$T/p.yaml" >/dev/null 2>&1
rc=$?; check "config --check: a good one exits 0 ($rc)" [ "$rc" -eq 0 ]

# backtest reports the scan's cause, not a generic failure
printf '{"account_id":"a1","label":"benign","kind":"benign.individual"}\n' >"$T/truth.jsonl"
"$WARDEN_BIN" backtest -p "$T/bad.yaml" --truth "$T/truth.jsonl" "$T/ev.jsonl" >/dev/null 2>&1
rc=$?; check "backtest: a bad policy exits 3 ($rc)" [ "$rc" -eq 3 ]
"$WARDEN_BIN" backtest -p "$T/p.yaml" --truth "$T/truth.jsonl" "$T/no-such.jsonl" >/dev/null 2>&1
rc=$?; check "backtest: a missing events file exits 3 ($rc)" [ "$rc" -eq 3 ]

# 1: something found
"$WARDEN_BIN" screen "Banco Nacional de Cuba" >/dev/null 2>&1
rc=$?; check "screen: a listed name exits 1 ($rc)" [ "$rc" -eq 1 ]
"$WARDEN_BIN" screen "Zzyzx Qwerty Plumbing of Nowhere" >/dev/null 2>&1
rc=$?; check "screen: no match exits 0 ($rc)" [ "$rc" -eq 0 ]
mkdir -p "$T/fs/etc" "$T/fs/home/alice"
printf 'alice:x:1000:1000::/home/alice:/bin/bash\n' >"$T/fs/etc/passwd"
"$WARDEN_BIN" sweep --root "$T/fs" >/dev/null 2>&1
rc=$?; check "sweep: nothing banned exits 0 ($rc)" [ "$rc" -eq 0 ]
mkdir -p "$T/fs/home/alice/.codex"
printf '{}\n' >"$T/fs/home/alice/.codex/auth.json"
"$WARDEN_BIN" sweep --root "$T/fs" >/dev/null 2>&1
rc=$?; check "sweep: a banned tool exits 1 ($rc)" [ "$rc" -eq 1 ]

# ip: a bad address is a bad command line; a missing table is bad config
"$WARDEN_BIN" ip --locdb "" --no-lists not-an-ip >/dev/null 2>&1
rc=$?; check "ip: a bad address exits 2 ($rc)" [ "$rc" -eq 2 ]
"$WARDEN_BIN" ip --table "$T/no-such.table" 192.0.2.1 >/dev/null 2>&1
rc=$?; check "ip: a missing table exits 3 ($rc)" [ "$rc" -eq 3 ]
finish
