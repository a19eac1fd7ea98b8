#!/usr/bin/env bash
# `warden lists build` / `info` and screening from the compiled file: the
# compiled lists answer exactly as the lists loaded from their sources, a
# policy's screen.compiled is used by `warden screen`, and a truncated or
# corrupt file is refused with its reason (exit 3), never used.
. "$(dirname "$0")/lib.sh"
OUT="$T/lists.wsl"
"$WARDEN_BIN" lists build --data-dir "$WARDEN_SRC/data" --out "$OUT" > "$T/build.out"
check "build exits 0" [ $? -eq 0 ]
check "build says what it compiled" grep -q "compiled 7 lists" "$T/build.out"
"$WARDEN_BIN" lists info --out "$OUT" > "$T/info.out"
check "info maps the file" grep -q "ofac-sdn-2019" "$T/info.out"
check "info reports a load time" grep -q "load time:" "$T/info.out"

names=("Islamic Republic of Iran Shipping Lines Co." "NITC" "Концерна Калашникова"
       "华为技术有限公司" "Bank Melli Iran (Hamburg Branch)" "Northwind Analytics GmbH")
for n in "${names[@]}"; do
  "$WARDEN_BIN" screen --data-dir "$WARDEN_SRC/data" --json "$n" > "$T/src.json"
  "$WARDEN_BIN" screen --compiled "$OUT" --json "$n" > "$T/map.json"
  check "same answer from the compiled file: $n" cmp -s "$T/src.json" "$T/map.json"
done

# the policy names the compiled file
printf 'screen:\n  compiled: %s\n' "$OUT" > "$T/policy.yaml"
"$WARDEN_BIN" screen --policy "$T/policy.yaml" "NITC" > "$T/pol.out"
check "policy screen.compiled is used" grep -q "NATIONAL IRANIAN TANKER" "$T/pol.out"

# damaged files are refused with a reason
head -c 100000 "$OUT" > "$T/short.wsl"
"$WARDEN_BIN" screen --compiled "$T/short.wsl" "NITC" > /dev/null 2> "$T/short.err"
check "truncated file refused (exit 3)" [ $? -eq 3 ]
check "truncated file: reason" grep -q "truncated" "$T/short.err"
cp "$OUT" "$T/bad.wsl"
printf 'X' | dd of="$T/bad.wsl" bs=1 seek=5000000 conv=notrunc status=none
"$WARDEN_BIN" screen --compiled "$T/bad.wsl" "NITC" > /dev/null 2> "$T/bad.err"
check "corrupt file refused (exit 3)" [ $? -eq 3 ]
check "corrupt file: reason" grep -q "checksum" "$T/bad.err"
# a missing compiled file falls back to the sources, saying so
"$WARDEN_BIN" screen --compiled "$T/none.wsl" --data-dir "$WARDEN_SRC/data" "NITC" > "$T/none.out" 2> "$T/none.err"
check "missing file falls back to the sources" grep -q "NATIONAL IRANIAN TANKER" "$T/none.out"
check "and says so" grep -q "no compiled list file" "$T/none.err"
finish
