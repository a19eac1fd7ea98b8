#!/usr/bin/env bash
# test_install.sh — Warden away from its source tree: the Debian package
# (cpack -G DEB of this build, dependencies from dpkg-shlibdeps) is unpacked
# into a fresh root, and its binary, run from an unrelated directory with no
# WARDEN_* variables, finds its installed data (share/warden) and scans,
# screens, looks up addresses and sweeps. The systemd units pass
# `systemd-analyze verify`. A mistyped intel.table is an error. The installed
# data says how old it is (IP lists, sweep catalogue). Then the same commands
# again with the source and build trees hidden (a mount namespace binds an
# empty directory over them), from a copy unpacked outside both.
. "$(dirname "$0")/lib.sh"
B=${WARDEN_BUILD:?}
command -v cpack >/dev/null || { echo "cpack missing (scripts/deps.sh)" >&2; exit 1; }

cpack -G DEB --config "$B/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1
check "cpack builds a .deb" test -f "$(ls "$T"/pkg/warden_*.deb 2>/dev/null | head -1)"
DEB=$(ls "$T"/pkg/warden_*.deb | head -1)
dpkg-deb --field "$DEB" Depends >"$T/depends"
check "package depends on the shared libraries it links (hyperscan, sqlite, microhttpd)" \
  grep -q "libhyperscan" "$T/depends"
check "  ... sqlite" grep -q "libsqlite3" "$T/depends"
check "  ... microhttpd" grep -q "libmicrohttpd" "$T/depends"
R=$T/root
dpkg-deb -x "$DEB" "$R"
W=$R/usr/bin/warden
check "binary installed" test -x "$W"
check "data installed" test -f "$R/usr/share/warden/lists/lists.tsv"
check "systemd unit installed" test -f "$R/usr/lib/systemd/system/warden-serve.service"
check "worker units installed" test -f "$R/usr/lib/systemd/system/warden-worker@.service"
# worker.yaml beside serve.yaml (etc/warden of the package's prefix), naming the
# same installed policy, and valid once that path is the unpacked one
WY=$(find "$R" -path '*/etc/warden/worker.yaml' | head -1)
check "worker.yaml installed beside serve.yaml, naming the same policy" \
  bash -c "[ -n '$WY' ] && [ \"\$(grep '^policy:' '$WY')\" = \"\$(grep '^policy:' '${WY%/*}/serve.yaml')\" ]"
sed "s|^policy: .*|policy: ${WY%/*}/policy.yaml|" "$WY" >"$T/worker.yaml" 2>/dev/null
check "  ... and valid" bash -c "'$W' worker -c '$T/worker.yaml' --check >/dev/null"
check "review console installed" test -f "$R/usr/share/warden/web/index.html"

mkdir -p "$T/elsewhere"
cd "$T/elsewhere"
run() { env -u WARDEN_DATA_DIR -u WARDEN_SRC -u WARDEN_SWEEP_CATALOGUE "$W" "$@"; }
run --version >"$T/version"
check "installed binary finds its installed data" \
  grep -qx "data: $R/usr/share/warden (installed)" "$T/version"

# scan the demo data shipped in the package
D=$R/usr/share/warden/demo
run scan --policy "$R/usr/share/warden/examples/policy.yaml" --accounts "$D/accounts.jsonl" \
  --orgs "$D/orgs.jsonl" --out "$T/out" "$D/events.jsonl.gz" >"$T/scan.out" 2>"$T/scan.err"
rc=$?
check "scan runs (exit $rc)" test "$rc" -eq 0
check "scan writes verdicts" test -s "$T/out/verdicts.jsonl"
check "scan blocks someone" grep -q '"action":"block"' "$T/out/verdicts.jsonl"

# screen: a listed bank is found with the installed lists (exit 1 = match)
run screen "Banco Nacional de Cuba" >"$T/screen.out" 2>"$T/screen.err"
rc=$?
check "screen finds a listed party with installed lists (exit $rc)" test "$rc" -eq 1

# ip: a cloud address is looked up (the installed IP lists)
run ip 8.8.8.8 >"$T/ip.out" 2>"$T/ip.err"
check "ip looks up an address" grep -q "8.8.8.8" "$T/ip.out"

# sweep: the installed catalogue finds a banned tool's credentials
mkdir -p "$T/fs/etc" "$T/fs/home/alice/.codex"
printf 'alice:x:1000:1000::/home/alice:/bin/bash\n' >"$T/fs/etc/passwd"
printf '{"OPENAI_API_KEY":"x"}\n' >"$T/fs/home/alice/.codex/auth.json"
printf 'sweep:\n  banned: [codex-cli]\n' >"$T/sweep.yaml"
run sweep --root "$T/fs" --policy "$T/sweep.yaml" --json >"$T/sweep.json" 2>"$T/sweep.err"
rc=$?
check "sweep with the installed catalogue finds the banned tool (exit $rc)" test "$rc" -eq 1
check "sweep reports codex" grep -q "codex" "$T/sweep.json"

# the installed data is dated: every IP list, the sweep catalogue
run intel info --locdb "" >"$T/info.out" 2>/dev/null
check "installed IP lists are listed" grep -qE "^lists: +[1-9]" "$T/info.out"
check "  ... and every one is dated" bash -c "! grep -q 'as of: unknown' '$T/info.out'"
run sweep --help >"$T/sweephelp.out" 2>&1
check "sweep --help names the installed catalogue with its date" \
  grep -qE "^Catalogue: $R/usr/share/warden/sweep/catalogue.yaml \(.*\), as of [0-9-]{10}, " \
  "$T/sweephelp.out"

# a mistyped intel.table is refused, naming the key
run ip --table "$T/no-such.table" 8.8.8.8 >/dev/null 2>"$T/table.err"
rc=$?
check "missing intel table is an error (exit $rc)" test "$rc" -eq 3
check "  ... naming intel.table" grep -q "intel.table" "$T/table.err"

# the systemd units are well-formed (verified as installed, with ExecStart
# pointing at the unpacked binary so that its existence is checked too)
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$T/units"
  for u in warden-serve.service warden-lists-update.service warden-lists-update.timer \
    warden-worker@.service warden-link-stage.service warden-case-stage.service; do
    sed "s|/usr/bin/warden|$W|g" "$R/usr/lib/systemd/system/$u" >"$T/units/$u"
  done
  # a template is verified as an instance of it
  cp "$T/units/warden-worker@.service" "$T/units/warden-worker@1.service"
  for u in warden-serve.service warden-lists-update.service warden-lists-update.timer \
    warden-worker@1.service warden-link-stage.service warden-case-stage.service; do
    systemd-analyze verify "$T/units/$u" >"$T/verify.$u" 2>&1
    rc=$?
    check "systemd-analyze verify $u (exit $rc)" test "$rc" -eq 0
    check "  ... no warnings for $u" test ! -s "$T/verify.$u"
  done
fi

# the source tree away: scan, screen, ip and sweep with the source and build
# trees hidden, from a copy of the package unpacked outside both
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
  A=$(mktemp -d /tmp/warden-away.XXXXXX)
  trap 'rm -rf "$T" "$A"' EXIT
  dpkg-deb -x "$DEB" "$A/root"
  mkdir -p "$A/empty" "$A/work"
  cp -r "$T/fs" "$A/fs"
  cp "$T/sweep.yaml" "$A/sweep.yaml"
  cat >"$A/run.sh" <<'EOS'
A=$1; W=$A/root/usr/bin/warden; D=$A/root/usr/share/warden/demo
cd "$A/work"
[ -e "$WARDEN_SRC/data" ]; echo $? >"$A/rc.hidden"
"$W" --version >"$A/version" 2>&1
"$W" scan --policy "$A/root/usr/share/warden/examples/policy.yaml" --accounts "$D/accounts.jsonl" \
  --orgs "$D/orgs.jsonl" --out "$A/out" "$D/events.jsonl.gz" >/dev/null 2>"$A/scan.err"
echo $? >"$A/rc.scan"
"$W" screen "Banco Nacional de Cuba" >"$A/screen.out" 2>&1; echo $? >"$A/rc.screen"
"$W" ip 8.8.8.8 >"$A/ip.out" 2>&1; echo $? >"$A/rc.ip"
"$W" sweep --root "$A/fs" --policy "$A/sweep.yaml" --json >"$A/sweep.json" 2>&1
echo $? >"$A/rc.sweep"
EOS
  hide="mount --bind '$A/empty' '$WARDEN_SRC'"
  case "$B" in "$WARDEN_SRC"/*) ;; *) hide="$hide && mount --bind '$A/empty' '$B'" ;; esac
  env -u WARDEN_DATA_DIR -u WARDEN_SWEEP_CATALOGUE unshare -m bash -c "$hide && bash '$A/run.sh' '$A'"
  check "source tree hidden: it is not there" [ "$(cat "$A/rc.hidden" 2>/dev/null)" = 1 ]
  check "  ... the binary finds its installed data" \
    grep -qx "data: $A/root/usr/share/warden (installed)" "$A/version"
  check "  ... scan runs (exit $(cat "$A/rc.scan" 2>/dev/null))" [ "$(cat "$A/rc.scan" 2>/dev/null)" = 0 ]
  check "  ... and blocks someone" grep -q '"action":"block"' "$A/out/verdicts.jsonl"
  check "  ... screen finds the listed bank (exit 1)" [ "$(cat "$A/rc.screen" 2>/dev/null)" = 1 ]
  check "  ... ip looks up an address" grep -q "^8.8.8.8 .*asn=15169" "$A/ip.out"
  check "  ... sweep finds the banned tool (exit 1)" [ "$(cat "$A/rc.sweep" 2>/dev/null)" = 1 ]
  check "  ... and reports codex" grep -q "codex" "$A/sweep.json"
else
  echo "note: not root or no mount namespaces: the source-tree-away run is skipped" >&2
fi
finish
