#!/usr/bin/env bash
# screen_realnames.sh — how often real organisations' names match a listed
# party, this tree next to a previous revision, in one run.
#
# The names are the network operators' names of the IPFire Location database
# (`location dump`: tens of thousands of companies, universities, ISPs and
# agencies of every country). Nearly all of them are on no list, and those
# that are (state banks and operators of sanctioned countries) match in both
# builds alike; so what the rules change shows up as the matches one build has
# and the other has not, printed for a reader to judge. Names are split by
# AS number: even numbers were looked at while writing the rules, odd ones
# are held out (the default).
#
# Usage: bench/screen_realnames.sh [REV] [BUILD_DIR] [even|odd|all]
#   REV default b342a0a (before the person, acronym and one-word-typo rules);
#   the previous revision's `warden` is built from `git archive REV` in a
#   temporary directory with its own data/ (nothing in this tree changes).
# Needs the `location` tool and its database (Debian: location, installed by
# scripts/deps.sh); skips with exit 0 without them.
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:-b342a0a}
BUILD=${2:-build-release}
HALF=${3:-odd}
if ! command -v location >/dev/null || [ ! -s /var/lib/location/database.db ]; then
  echo "screen_realnames: no location database; skipped"
  exit 0
fi
[ -x "$BUILD/warden" ] || { echo "screen_realnames: $BUILD/warden missing (cmake --build $BUILD --target warden)" >&2; exit 2; }
. bench/prev_build.sh
prev_build "$REV"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# organisations' names: with a space and a lower-case letter (not "LVLT-1" handles)
location dump 2>/dev/null | awk -v half="$HALF" '
  /^aut-num:/ { as = substr($2, 3) + 0; have = 1; next }
  /^name:/ && have {
    sub(/^name: +/, ""); have = 0
    if ($0 !~ / / || $0 !~ /[a-z]/) next
    if (half == "even" && as % 2) next
    if (half == "odd" && !(as % 2)) next
    gsub(/\\/, "\\\\"); gsub(/"/, "\\\"")
    printf "{\"org_id\":\"AS%d\",\"name\":\"%s\"}\n", as, $0
  }' > "$T/orgs.jsonl"
N=$(wc -l < "$T/orgs.jsonl")
run() { # BIN DATA OUT
  WARDEN_DATA_DIR="$2" "$1" screen -p examples/policy.yaml --batch "$T/orgs.jsonl" -j 2>/dev/null > "$3" || true
}
run "$PREV/build/warden" "$PREV/src/data" "$T/prev.jsonl"
run "$BUILD/warden" "$PWD/data" "$T/cur.jsonl"
python3 - "$T/prev.jsonl" "$T/cur.jsonl" "$N" "$REV" "$HALF" <<'EOF'
import json, sys
def load(p):
    r = {}
    for l in open(p):
        try: o = json.loads(l)
        except ValueError: continue
        m = o.get("match") or {}
        r[o["org_id"]] = (o["reason"], o["name"], m.get("matched_name", ""), m.get("kind", ""), m.get("score", 0))
    return r
prev, cur, n, rev, half = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
def count(r, reason): return sum(1 for v in r.values() if v[0] == reason)
lp, lc = count(prev, "screen.listed"), count(cur, "screen.listed")
print(f"real organisations' names ({half} AS numbers): {n}")
print(f"  listed (blocked by the example policy): {lc} this tree, {lp} at {rev}: ratio {lc / lp if lp else 0:.3f}"
      f" ({100 * lc / n:.2f} % vs {100 * lp / n:.2f} % of the names)")
gone = sorted(k for k in prev if prev[k][0] == "screen.listed" and cur.get(k, ("",))[0] != "screen.listed")
new = sorted(k for k in cur if cur[k][0] == "screen.listed" and prev.get(k, ("",))[0] != "screen.listed")
print(f"  no longer listed: {len(gone)}; newly listed: {len(new)}")
for title, keys, src in (("no longer listed (now: reason)", gone, prev), ("newly listed", new, cur)):
    if not keys: continue
    print(f"\n{title}:")
    for k in keys:
        r, name, mn, kind, sc = src[k]
        now = cur.get(k, ("-",))[0]
        print(f"  {name[:48]:48}  ~ {mn[:40]:40} {kind:12} {sc:.3f}  -> {now}")
EOF
