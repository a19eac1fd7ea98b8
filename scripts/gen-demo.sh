#!/usr/bin/env bash
# gen-demo.sh — regenerates data/demo/ (the bundled sample of `make demo`)
# from the warden binary: the "demo" scenario, seed 1, built only from
# redistributable material (--shippable: no non-commercial prompt corpora).
# Usage: scripts/gen-demo.sh [path/to/warden]
set -euo pipefail
cd "$(dirname "$0")/.."
WARDEN=${1:-build/warden}
out=data/demo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$WARDEN" sim --scenario demo --seed 1 --shippable --out "$tmp"
mkdir -p "$out"
gzip -n -9 -c "$tmp/events.jsonl" >"$out/events.jsonl.gz"
cp "$tmp/accounts.jsonl" "$tmp/orgs.jsonl" "$tmp/truth.jsonl" "$out/"
echo "gen-demo: wrote $out ($(zcat "$out/events.jsonl.gz" | wc -l) events)" >&2
