#!/usr/bin/env bash
# `warden lists update` against a real HTTP server on 127.0.0.1 (tests/tools/
# http_serve) serving list files from the test data: a good update compiles
# and swaps the file in force (keeping the previous one) and reports the
# registry's newly restricted organisation; a corrupt, short or truncated
# download is refused with a clear error and the lists in force stay as they
# were; plain http:// is refused unless allowed.
. "$(dirname "$0")/lib.sh"
SERVE="$BUILD_DIR/tests/http_serve"
[ -x "$SERVE" ] || { echo "SKIP: no $SERVE"; exit 77; }
L="$WARDEN_SRC/data/lists"
mkdir -p "$T/www"
cp "$L/ofac_cons_prim_2025.csv" "$T/www/cons_prim.csv"
cp "$L/ofac_cons_alt_2025.csv" "$T/www/cons_alt.csv"
cp "$L/ofac_cons_add_2025.csv" "$T/www/cons_add.csv"
cp "$WARDEN_SRC/tests/data/screen/ftm_small.jsonl" "$T/www/ftm.jsonl"
"$SERVE" "$T/www" "$T/port" 60 &
SPID=$!
trap 'kill $SPID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
U="http://127.0.0.1:$(cat "$T/port")"
sources() { # sources PRIM_PATH
  printf 'ofac-cons\tofac_csv\tprim=%s/%s\talt=%s/cons_alt.csv\tadd=%s/cons_add.csv\n' "$U" "$1" "$U" "$U"
  printf 'test-ftm\tftm_json\t%s/ftm.jsonl\n' "$U"
}
sources cons_prim.csv > "$T/sources.tsv"
cat > "$T/orgs.jsonl" <<'JSON'
{"org_id":"o_alpha","name":"Alpha Blocked Holdings Limited","country":"IR"}
{"org_id":"o_zeta","name":"Zeta Quantum Freight LLC","country":"AE"}
{"org_id":"o_clean","name":"Mosel Valley Analytics GmbH","country":"DE"}
JSON
OUT="$T/lists.wsl"
upd() { "$WARDEN_BIN" lists update --sources "$T/sources.tsv" --out "$OUT" --orgs "$T/orgs.jsonl" "$@"; }

# 1. first update: compiled, swapped in; the listed organisation is reported
upd --allow-http > "$T/u1.out" 2> "$T/u1.err"
check "first update exits 1 (restricted organisations found)" [ $? -eq 1 ]
check "compiled file written" [ -s "$OUT" ]
check "alpha reported" grep -q "newly restricted: o_alpha" "$T/u1.out"
check "zeta not yet listed" bash -c "! grep -q o_zeta '$T/u1.out'"
"$WARDEN_BIN" lists info --out "$OUT" > "$T/info1" 2>&1
check "info maps it" grep -q "test-ftm" "$T/info1"
check "a fetched list is as of the day it was fetched" \
  grep -qE "test-ftm .*as of $(date -u +%F), 0 days$" "$T/info1"
check "so no list is warned about as stale" bash -c "! grep -q 'max_age_days' '$T/info1'"
cp "$OUT" "$T/v1.wsl"

# 2. https only by default
upd > /dev/null 2> "$T/u2.err"
check "plain http refused without --allow-http" [ $? -ne 0 ]
check "file in force unchanged after refusal" cmp -s "$OUT" "$T/v1.wsl"

# 3. corrupt download (not JSON lines): refused, old lists stay
cp "$T/www/ftm.jsonl" "$T/ftm.good"
head -c 3000 /dev/urandom | base64 > "$T/www/ftm.jsonl"
upd --allow-http > /dev/null 2> "$T/u3.err"
check "corrupt list refused (exit 3)" [ $? -eq 3 ]
check "clear error for corrupt list" grep -q "test-ftm: no entities parsed: refused" "$T/u3.err"
check "says the lists in force are unchanged" grep -q "lists in force are unchanged" "$T/u3.err"
check "file in force unchanged after corrupt download" cmp -s "$OUT" "$T/v1.wsl"
cp "$T/ftm.good" "$T/www/ftm.jsonl"

# 4. transfer cut short (server announces more bytes than it sends)
sources short/cons_prim.csv > "$T/sources.tsv"
upd --allow-http > /dev/null 2> "$T/u4.err"
check "short transfer refused" [ $? -ne 0 ]
check "clear error for short transfer" grep -qi "download failed.*partial\|transfer closed" "$T/u4.err"
check "file in force unchanged after short transfer" cmp -s "$OUT" "$T/v1.wsl"
sources cons_prim.csv > "$T/sources.tsv"

# 5. truncated file served whole: shrinks below half of the version in force
cp "$T/www/cons_prim.csv" "$T/prim.good"
head -c 40000 "$T/prim.good" > "$T/www/cons_prim.csv"
upd --allow-http > /dev/null 2> "$T/u5.err"
check "truncated list refused" [ $? -eq 3 ]
check "clear error for truncated list" grep -q "cons_prim.csv: .*bytes.*refused (truncated?)" "$T/u5.err"
check "file in force unchanged after truncated download" cmp -s "$OUT" "$T/v1.wsl"
cp "$T/prim.good" "$T/www/cons_prim.csv"

# 6. good update listing a registry organisation: swapped, previous kept, reported
printf '%s\n' '{"id":"ws-zeta","schema":"Company","target":true,"properties":{"name":["ZETA QUANTUM FREIGHT L.L.C."],"country":["ae"]}}' >> "$T/www/ftm.jsonl"
upd --allow-http --json > "$T/u6.out" 2> "$T/u6.err"
check "good update exits 1 (newly restricted found)" [ $? -eq 1 ]
check "zeta newly restricted" grep -q '"org_id":"o_zeta"' "$T/u6.out"
check "alpha not reported again" bash -c "! grep -q o_alpha '$T/u6.out'"
check "clean org not reported" bash -c "! grep -q o_clean '$T/u6.out'"
check "previous version kept" cmp -s "$OUT.prev" "$T/v1.wsl"
check "new version in force" bash -c "! cmp -s '$OUT' '$T/v1.wsl'"
"$WARDEN_BIN" screen --compiled "$OUT" "Zeta Quantum Freight" > "$T/s6" 2>&1
check "screening from the new file finds zeta" grep -q "ws-zeta" "$T/s6"
finish
