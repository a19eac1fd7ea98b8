#!/usr/bin/env bash
# test_screen_stats.sh — `warden screen --stats` loads every list file in
# data/lists and its entity and name counts agree with counts computed
# independently from the files with awk and grep (no Warden code involved).
set -euo pipefail
: "${WARDEN_BIN:?}" "${WARDEN_SRC:?}"
L="$WARDEN_SRC/data/lists"
out=$("$WARDEN_BIN" screen --stats --data-dir "$WARDEN_SRC/data" 2>/dev/null)
fail=0
check() { # list entities names
  local got
  got=$(printf '%s\n' "$out" | awk -v l="$1" '$1=="list" && $2==l {print $4, $6}')
  if [ "$got" != "$2 $3" ]; then
    echo "FAIL $1: warden says '$got', files say '$2 $3'" >&2
    fail=1
  else
    echo "ok   $1: $2 entities, $3 names"
  fi
}
# CSV helpers (mawk-compatible): field k of a CSV line without embedded newlines
csvawk='function field(s, k,   i, c, q, n, f) { n = 1; f = ""; q = 0
  for (i = 1; i <= length(s); i++) { c = substr(s, i, 1)
    if (c == "\"") { q = !q; continue }
    if (c == "," && !q) { if (n == k) return f; n++; f = ""; continue }
    f = f c }
  return n == k ? f : "" }
function trim(s) { gsub(/^[ \t\032\r]+|[ \t\032\r]+$/, "", s); return s }'

# OFAC with a primary file: entities = primary rows, names = primary + aliases of known ent_nums
ofac() { # prim alt
  awk "$csvawk"' FNR == 1 { file++ }
    { line = $0; sub(/\r$/, "", line); id = trim(field(line, 1)) }
    id == "" { next }
    file == 1 { seen[id] = 1; ents++; names++; next }
    file == 2 && (id in seen) && trim(field(line, 4)) != "" && trim(field(line, 4)) != "-0-" { names++ }
    END { print ents, names }' "$1" "$2"
}
read -r e n < <(ofac "$L/ofac_sdn_2019.csv" "$L/ofac_alt_2019.csv"); check ofac-sdn-2019 "$e" "$n"
read -r e n < <(ofac "$L/ofac_cons_prim_2025.csv" "$L/ofac_cons_alt_2025.csv"); check ofac-cons-2025 "$e" "$n"
# aliases only: one entity per distinct ent_num
read -r e n < <(awk -F, '$1 ~ /^[0-9]+$/ { if (!($1 in s)) { s[$1] = 1; e++ } n++ } END { print e, n }' "$L/ofac_alt_2025.csv")
check ofac-sdn-2025-aliases "$e" "$n"
# CSL: rows after the header; names = name + ';'-separated alt_names (column 22)
read -r e n < <(awk "$csvawk"' NR > 1 { line = $0; sub(/\r$/, "", line); if (trim(field(line, 5)) == "") next
    e++; n++; k = split(field(line, 22), a, ";"); for (i = 1; i <= k; i++) if (trim(a[i]) != "") n++ }
    END { print e, n }' "$L/us_csl_sample_2019.csv")
check us-csl-2019 "$e" "$n"
# UN: INDIVIDUAL + ENTITY records; names = one each + non-empty aliases + original-script names
x="$L/un_consolidated_2026.xml"
e=$(( $(grep -c '<INDIVIDUAL>' "$x") + $(grep -c '<ENTITY>' "$x") ))
n=$(( e + $(grep -o '<ALIAS_NAME>[^<]' "$x" | wc -l) + $(grep -o '<NAME_ORIGINAL_SCRIPT>[^<]' "$x" | wc -l) ))
check un-2026 "$e" "$n"
# BIS DPL: data rows with a name
read -r e n < <(awk -F'\t' 'NR > 1 { g = $1; gsub(/[" \r\032]/, "", g); if (g != "") e++ } END { print e, e }' "$L/bis_dpl_2019.txt")
check bis-dpl-2019 "$e" "$n"
# websites: non-empty lines, no names
e=$(grep -c '[[:alnum:]]' "$L/ofac_sdn_websites.txt"); check ofac-sdn-websites "$e" 0
# memory is printed
printf '%s\n' "$out" | grep -q '^memory [0-9.]* MiB' || { echo "FAIL: no memory line" >&2; fail=1; }
exit $fail
