#!/usr/bin/env bash
# test_screen_pairs.sh — accuracy guard: `warden match-names` on the labelled
# pair set (data/screen/pairs_generated.tsv + pairs_hand.tsv) keeps precision
# and recall for organisations at or above 0.95 (figures: bench_screen_pairs).
set -euo pipefail
: "${WARDEN_BIN:?}" "${WARDEN_SRC:?}"
P="$WARDEN_SRC/data/screen"
pairs=$(cat "$P/pairs_generated.tsv" <(grep -v '^#' "$P/pairs_hand.tsv"))
got=$(cut -f1,2 <<<"$pairs" | "$WARDEN_BIN" match-names --data-dir "$WARDEN_SRC/data" 2>/dev/null)
[ "$(wc -l <<<"$got")" -eq "$(wc -l <<<"$pairs")" ] || { echo "FAIL: line count" >&2; exit 1; }
paste <(cut -f3 <<<"$pairs") <(cut -f2 <<<"$got") | awk -F'\t' '
  $1 == 1 && $2 == 1 { tp++ } $1 == 0 && $2 == 1 { fp++ } $1 == 1 && $2 == 0 { fn++ }
  END {
    p = tp / (tp + fp); r = tp / (tp + fn)
    printf "pairs %d: precision %.4f recall %.4f\n", NR, p, r
    if (p < 0.95 || r < 0.95) { print "FAIL: below 0.95" > "/dev/stderr"; exit 1 }
  }'
