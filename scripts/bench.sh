#!/usr/bin/env bash
# bench.sh — run every benchmark program of a build (default build-release).
# Each prints its figure next to a baseline measured in the same run.
# Usage: scripts/bench.sh [BUILD_DIR] [NAME...]   e.g. scripts/bench.sh build-release bench_scan
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-release}
shift || true
if [ $# -gt 0 ]; then names=("$@"); else names=(); for b in "$BUILD"/bench/bench_*; do names+=("$(basename "$b")"); done; fi
for n in "${names[@]}"; do
  echo "== $n"
  "$BUILD/bench/$n"
  echo
done
