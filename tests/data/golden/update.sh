#!/usr/bin/env bash
# update.sh — scan the demo data and a simulated `mixed` week and write the
# SHA-256 of every output file. Usage: update.sh WARDEN [WORKDIR]
# Without WORKDIR it rewrites tests/data/golden/scan.sha256 (after a change
# that is meant to change what Warden finds); test_scan_golden.sh compares.
set -euo pipefail
W=$1
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
WORK=${2:-$(mktemp -d)}
mkdir -p "$WORK"
P="$SRC/examples/policy.yaml"
D="$SRC/data/demo"
"$W" scan -q --no-db --policy "$P" --accounts "$D/accounts.jsonl" --orgs "$D/orgs.jsonl" \
  --run-id golden --out "$WORK/demo" "$D/events.jsonl.gz" 2>/dev/null
"$W" sim -q --scenario mixed --seed 7 --accounts 3000 --days 7 --no-shared --out "$WORK/sim" \
  2>/dev/null
"$W" scan -q --no-db --policy "$P" --accounts "$WORK/sim/accounts.jsonl" \
  --orgs "$WORK/sim/orgs.jsonl" --run-id golden --out "$WORK/mixed" "$WORK/sim/events.jsonl" 2>/dev/null
(cd "$WORK" && sha256sum demo/verdicts.jsonl demo/findings.jsonl demo/rejects.jsonl \
  mixed/verdicts.jsonl mixed/findings.jsonl mixed/rejects.jsonl) >"$WORK/scan.sha256"
if [ $# -lt 2 ]; then
  cp "$WORK/scan.sha256" "$HERE/scan.sha256"
  rm -rf "$WORK"
  echo "wrote $HERE/scan.sha256"
fi
