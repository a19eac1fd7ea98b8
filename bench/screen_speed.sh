#!/usr/bin/env bash
# screen_speed.sh — screening speed of this tree next to a previous revision's,
# in alternating runs on the same machine: builds the previous revision's
# bench_screen from `git archive REV` in a temporary directory (Release, -O3;
# nothing in this work tree changes), then runs both ROUNDS times, SECONDS of
# CPU time each, and prints every rate, the medians and their ratio. On a busy
# machine single runs vary by 20 % or more: read the medians and the ratio.
# Usage: bench/screen_speed.sh [REV] [BUILD_DIR] [ROUNDS] [SECONDS]
#   (REV default: 6b0585f, the matcher before this round of speed work;
#    BUILD_DIR default: build-release)
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:-6b0585f}
BUILD=${2:-build-release}
ROUNDS=${3:-5}
SECS=${4:-2}
PREV=${WARDEN_PREV_DIR:-/tmp/warden-prev-speed-$REV}
if [ ! -x "$PREV/build/bench/bench_screen" ]; then
  rm -rf "$PREV" && mkdir -p "$PREV/src"
  git archive "$REV" | tar -x -C "$PREV/src"
  cmake -S "$PREV/src" -B "$PREV/build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS_RELEASE="-O3 -DNDEBUG" >/dev/null
  cmake --build "$PREV/build" -j 2 --target bench_screen >/dev/null
fi
rate() { WARDEN_BENCH_NO_BASELINE=1 "$1" "$SECS" | sed -n 's/.*= \([0-9]*\) screenings\/s.*/\1/p'; }
old=() new=()
for ((r = 1; r <= ROUNDS; r++)); do
  o=$(rate "$PREV/build/bench/bench_screen") n=$(rate "$BUILD/bench/bench_screen")
  old+=("$o") new+=("$n")
  echo "round $r: previous $o/s, this tree $n/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
mo=$(median "${old[@]}") mn=$(median "${new[@]}")
awk -v o="$mo" -v n="$mn" -v rev="$REV" 'BEGIN {printf "median: previous (%s) %.0f/s, this tree %.0f/s, ratio %.2f\n", rev, o, n, n / o}'
