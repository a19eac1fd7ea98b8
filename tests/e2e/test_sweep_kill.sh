#!/usr/bin/env bash
# test_sweep_kill.sh — a quarantine killed with SIGKILL at any moment is
# undone by one `warden sweep --restore`: the tree comes back identical
# (paths, types, modes, owners, sizes, mtimes, link targets, SHA-256). The
# quarantine goes to a tmpfs, so items are copied, verified and deleted across
# filesystems (the slow path a kill can interrupt part-way); a restore killed
# part-way is completed by running it again. Several kill delays, each in a
# fresh temporary tree. Skips (77) when mounting a tmpfs is not permitted.
. "$(dirname "$0")/lib.sh"
W=$WARDEN_BIN
mkdir -p "$T/qfs"
mount -t tmpfs -o size=256m,mode=0700 tmpfs "$T/qfs" 2>/dev/null || { echo "skip: cannot mount a tmpfs"; exit 77; }
trap 'umount "$T/qfs" 2>/dev/null; rm -rf "$T"' EXIT

make_tree() { # ROOT: a home with a banned tool's directory of ~600 files
  local h=$1/home/dev
  mkdir -p "$h/.claude/projects/a" "$h/.claude/projects/b" "$h/keep"
  for i in $(seq 1 200); do
    head -c 2048 /dev/urandom > "$h/.claude/projects/a/f$i"
    printf 'x%s' "$i" > "$h/.claude/projects/b/g$i"
    ln -s "../a/f$i" "$h/.claude/projects/b/l$i"
  done
  printf '{}' > "$h/.claude.json"; echo keep > "$h/keep/file"
  chown -R 1000:1000 "$h"; chmod 700 "$h/.claude"
  touch -d '2021-05-06 07:08:09' "$h/.claude/projects/a" "$h/.claude.json"
}
# a directory's st_size depends on the order its entries were created in, not on them
snapshot() { (cd "$1" && find . -printf '%p|%y|%m|%U|%G|%s|%T@|%l\n' |
  awk -F'|' -v OFS='|' '$2 == "d" { $6 = "-" } 1' | LC_ALL=C sort &&
  find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum); }

make_tree "$T/tree"
n=0
for delay in 0.05 0.1 0.2 0.3 0.5; do
  n=$((n + 1)); R="$T/r$n"; Q="$T/qfs/q$n"
  cp -a "$T/tree" "$R"
  before=$(snapshot "$R")
  "$W" sweep --root "$R" --quarantine "$Q" > /dev/null 2>&1 & pid=$!
  sleep "$delay"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  state=$(grep -o '"state": "[a-z]*"' "$Q/manifest.json" 2>/dev/null | sort | uniq -c | tr -s ' ' | tr '\n' ';')
  if [ -f "$Q/manifest.json" ]; then
    "$W" sweep --restore "$Q/manifest.json" > /dev/null 2> "$T/restore$n.err"; rc=$?
    echo "kill after ${delay}s: states ${state:-none}; restore: $(grep -c 'interrupted' "$T/restore$n.err") interrupted item(s), exit $rc"
    check "kill after ${delay}s (${state:-no states}): restore exits 0 (got $rc: $(tail -1 "$T/restore$n.err"))" [ $rc -eq 0 ]
  fi
  # the disabling file a finished quarantine wrote is removed by the restore
  after=$(snapshot "$R")
  check "kill after ${delay}s (${state:-no manifest}): tree identical after restore" [ "$after" = "$before" ]
  [ "$after" = "$before" ] || diff <(echo "$before") <(echo "$after") | head -5 >&2
  rm -rf "$R" "$Q"
done

# a quarantine killed while it wrote the disabling file: the file is written
# under a temporary name and renamed into place, so what a kill leaves is
# that temporary name, part-written (made here from a finished quarantine);
# the restore removes it with the directories created for it
R="$T/rw"; Q="$T/qfs/qw"
cp -a "$T/tree" "$R"
before=$(snapshot "$R")
"$W" sweep --root "$R" --quarantine "$Q" > /dev/null 2>&1
D="$R/etc/claude-code"
check "a finished quarantine wrote the disabling file, no temporary name left" \
  bash -c "[ -s '$D/managed-settings.json' ] && [ -z \"\$(ls -A '$D' | grep warden-tmp)\" ]"
mv "$D/managed-settings.json" "$D/.managed-settings.json.warden-tmp"
head -c 3 "$D/.managed-settings.json.warden-tmp" > "$D/part" && mv "$D/part" "$D/.managed-settings.json.warden-tmp"
"$W" sweep --restore "$Q/manifest.json" > /dev/null 2> "$T/rw.err"; rc=$?
check "restore after a write killed before its rename exits 0 (got $rc: $(tail -1 "$T/rw.err"))" [ $rc -eq 0 ]
check "  ... and the tree is identical" [ "$(snapshot "$R")" = "$before" ]
rm -rf "$R" "$Q"

# a restore killed part-way (after a complete quarantine) is completed by a second one
R="$T/rr"; Q="$T/qfs/qr"
cp -a "$T/tree" "$R"
before=$(snapshot "$R")
"$W" sweep --root "$R" --quarantine "$Q" > /dev/null 2>&1
"$W" sweep --restore "$Q/manifest.json" > /dev/null 2>&1 & pid=$!
sleep 0.2; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
"$W" sweep --restore "$Q/manifest.json" > /dev/null 2> "$T/rr.err"; rc=$?
check "restore after a killed restore exits 0 (got $rc: $(tail -1 "$T/rr.err"))" [ $rc -eq 0 ]
check "tree identical after a killed restore and a second one" [ "$(snapshot "$R")" = "$before" ]
finish
