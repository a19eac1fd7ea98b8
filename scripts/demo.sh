#!/usr/bin/env bash
# demo.sh — scan the bundled demo traffic with the example policy and print
# the report. Usage: scripts/demo.sh [path/to/warden]
set -euo pipefail
cd "$(dirname "$0")/.."
WARDEN=${1:-build/warden}
DEMO=data/demo
OUT=build/demo
for f in events.jsonl.gz accounts.jsonl orgs.jsonl; do
  [ -f "$DEMO/$f" ] || { echo "demo: $DEMO/$f is missing" >&2; exit 1; }
done
echo "Scanning $DEMO with examples/policy.yaml -> $OUT"
"$WARDEN" scan --policy examples/policy.yaml --accounts "$DEMO/accounts.jsonl" \
  --orgs "$DEMO/orgs.jsonl" --out "$OUT" "$DEMO/events.jsonl.gz"
echo
echo "First verdicts ($OUT/verdicts.jsonl):"
head -n 5 "$OUT/verdicts.jsonl"
echo
echo "How these verdicts score against the sample's labels (warden backtest):"
"$WARDEN" backtest --truth "$DEMO/truth.jsonl" --verdicts "$OUT/verdicts.jsonl" --report "$OUT/report.html"
echo
echo "HTML report with plots: $OUT/report.html"
