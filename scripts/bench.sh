#!/usr/bin/env bash
# bench.sh — run every benchmark program of a build (default build-release),
# then, when no NAME is given, the held-out traffic probes (bench/probe_*.sh,
# with the build's warden; each skips without ../shared). Each prints its
# figure next to a baseline measured in the same run.
# Usage: scripts/bench.sh [BUILD_DIR] [NAME...]   e.g. scripts/bench.sh build-release bench_scan
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-release}
shift || true
probes=false
if [ $# -gt 0 ]; then names=("$@"); else
  names=()
  for b in "$BUILD"/bench/bench_*; do names+=("$(basename "$b")"); done
  probes=true
fi
for n in "${names[@]}"; do
  echo "== $n"
  "$BUILD/bench/$n"
  echo
done
$probes || exit 0
for p in bench/probe_*.sh; do
  [ "$p" = bench/probe_common.sh ] && continue
  echo "== $(basename "$p" .sh)"
  bash "$p" "$BUILD/warden"
  echo
done
