#!/usr/bin/env bash
# test_hostile_config.sh — configuration files built to crash the loaders.
# A catalogue footprint with `verify: {magic: [bogus]}` (formerly a use after
# free when the error was formatted) and one whose list fails part-way (a
# leak) must be refused with FILE:LINE, exit 3, also under ASan/LSan when
# build-asan/warden exists. A policy, sweep policy or catalogue over the 4 MiB
# configuration limit (WARDEN_CONFIG_MAX_BYTES), from a file or a pipe, is
# refused with a clear message instead of libyaml aborting. A quarantine
# manifest edited after the fact is refused by `sweep --restore` (exit 3),
# and nothing is put back.
. "$(dirname "$0")/lib.sh"

catalogue_with_magic() { # NAME MAGIC-LIST: one tool, one footprint, verify.magic = MAGIC-LIST
  printf 'version: 1\ntools:\n  - id: x\n    footprints:\n      - kind: binary\n        paths: [~/x]\n        verify: {magic: %s}\n' "$2" > "$T/$1.yaml"
}
catalogue_with_magic bogus '[bogus]'
catalogue_with_magic partial '[elf, script, {a: b}]'
# 5 MiB of comments: valid YAML, only too large
big() { yes '# padding line for the configuration size limit ................' | head -c 5242880; echo 'version: 1'; }
big > "$T/big.yaml"

one_binary() { # BIN LABEL
  local W=$1 L=$2 rc
  for cat in bogus partial; do
    "$W" blocklist --catalogue "$T/$cat.yaml" --list > /dev/null 2> "$T/$L.$cat.err"; rc=$?
    check "$L: blocklist --list on $cat catalogue exits 3 (got $rc)" [ $rc -eq 3 ]
    check "$L: $cat catalogue error names line 7" grep -q "$cat.yaml:7: " "$T/$L.$cat.err"
    "$W" sweep --root "$T" --catalogue "$T/$cat.yaml" > /dev/null 2> "$T/$L.$cat.sweep.err"; rc=$?
    check "$L: sweep --catalogue $cat exits 3 (got $rc)" [ $rc -eq 3 ]
  done
  check "$L: bogus magic named" grep -q "unknown magic 'bogus'" "$T/$L.bogus.err"
  "$W" config --check "$T/big.yaml" > /dev/null 2> "$T/$L.big.err"; rc=$?
  check "$L: oversized policy exits 3 (got $rc)" [ $rc -eq 3 ]
  check "$L: oversized policy names the limit" grep -q "larger than 4 MiB" "$T/$L.big.err"
  big | "$W" config --check /dev/stdin > /dev/null 2> "$T/$L.pipe.err"; rc=$?
  check "$L: oversized policy through a pipe exits 3 (got $rc)" [ $rc -eq 3 ]
  check "$L: pipe names the limit" grep -q "larger than 4 MiB" "$T/$L.pipe.err"
  "$W" sweep --root "$T" --policy "$T/big.yaml" > /dev/null 2> "$T/$L.sp.err"; rc=$?
  check "$L: oversized sweep policy exits 3 (got $rc)" [ $rc -eq 3 ]
  check "$L: oversized sweep policy names the limit" grep -q "larger than 4 MiB" "$T/$L.sp.err"
  "$W" blocklist --catalogue "$T/big.yaml" --list > /dev/null 2> "$T/$L.cat.err"; rc=$?
  check "$L: oversized catalogue exits 3 (got $rc)" [ $rc -eq 3 ]
  check "$L: oversized catalogue names the limit" grep -q "larger than 4 MiB" "$T/$L.cat.err"
  local R="$T/$L.root" Q="$T/$L.q"
  mkdir -p "$R/home/u/.claude" && echo '{}' > "$R/home/u/.claude/settings.json"
  "$W" sweep --root "$R" --quarantine "$Q" > /dev/null 2>&1
  check "$L: quarantined" [ ! -e "$R/home/u/.claude" ]
  sed -i 's/"mode": 16877/"mode": 16895/' "$Q/manifest.json"
  "$W" sweep --restore "$Q/manifest.json" > /dev/null 2> "$T/$L.restore.err"; rc=$?
  check "$L: edited manifest refused with exit 3 (got $rc)" [ $rc -eq 3 ]
  check "$L: edited manifest named as modified" grep -q "modified since the quarantine" "$T/$L.restore.err"
  check "$L: nothing put back from an edited manifest" [ ! -e "$R/home/u/.claude" ]
}

one_binary "$WARDEN_BIN" plain
if [ -x "$WARDEN_SRC/build-asan/warden" ]; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 one_binary "$WARDEN_SRC/build-asan/warden" asan
  check "asan: no sanitizer report" bash -c "! grep -l 'Sanitizer' $T/asan.*.err"
else
  echo "note: no build-asan/warden; ASan variant not run (make check builds it)"
fi
finish
