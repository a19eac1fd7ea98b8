#!/usr/bin/env bash
# screen_compare.sh — name-matching accuracy of this tree next to a previous
# revision's matcher, in one run: builds the previous revision's `warden` from
# `git archive REV` in a temporary directory (nothing in this work tree changes),
# then runs bench_screen_pairs with WARDEN_PREV_BIN pointing at it (and its own
# data/ as WARDEN_PREV_DATA: the previous matcher as it was, rules and data).
# Usage: bench/screen_compare.sh [REV] [BUILD_DIR]   (REV default: 9b0262e, the
# matcher before issue 15; BUILD_DIR default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:-9b0262e}
BUILD=${2:-build}
. bench/prev_build.sh
prev_build "$REV"
WARDEN_PREV_BIN="$PREV/build/warden" WARDEN_PREV_DATA="$PREV/src/data" \
  "$BUILD/bench/bench_screen_pairs" "${@:3}"
