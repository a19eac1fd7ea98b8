# probe_common.sh — sourced by the held-out probes (bench/probe_*.sh).
# probe_init NAME FILE [COMMAND...]: skips the probe (exit 0) when
# $SHARED/FILE (SHARED: $WARDEN_SHARED, else ../shared) or python3 or a
# COMMAND is missing, stops (exit 2) when $W is not built, and makes $T, a
# temporary directory removed on exit.
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ beside the probes

probe_init() {
  local name=$1 need=$2 c missing=
  shift 2
  SHARED=${WARDEN_SHARED:-../shared}
  for c in python3 "$@"; do command -v "$c" >/dev/null || missing="$missing $c"; done
  if [ ! -f "$SHARED/$need" ] || [ -n "$missing" ]; then
    echo "$name: skipped (needs $SHARED/$need and python3${*:+ $*})"
    exit 0
  fi
  [ -x "$W" ] || { echo "$name: $W not built" >&2; exit 2; }
  T=$(mktemp -d "${TMPDIR:-/tmp}/warden-probe.XXXXXX")
  trap 'rm -rf "$T"' EXIT
}

# probe_need_providers NAME: skips the probe (exit 0) unless $SHARED holds
# the cloud providers' published ranges (data/ipintel/providers).
probe_need_providers() {
  local p
  for p in aws googlecloud digitalocean hetzner; do
    ls "$SHARED/data/ipintel/providers/$p/"*.txt >/dev/null 2>&1 ||
      { echo "$1: skipped (needs $SHARED/data/ipintel/providers/$p)"; exit 0; }
  done
}

# probe_draws GENERATOR SEED...: for each seed, GENERATOR (a bench/*.py)
# writes a draw into $T/sSEED from $SHARED and $T/pool.jsonl; `warden
# backtest --json` scores it with examples/policy.yaml (on.json) and the
# baseline $T/off.yaml (off.json); every generated line must be a valid
# event; then the caller's `table ON.json OFF.json` prints it.
probe_draws() {
  local gen=$1 seed d m pol
  shift
  for seed in "$@"; do
    d="$T/s$seed"
    mkdir -p "$d"
    python3 "$gen" generate "$seed" "$d" "$SHARED" "$T/pool.jsonl"
    for m in on off; do
      pol=examples/policy.yaml
      [ $m = off ] && pol="$T/off.yaml"
      "$W" backtest --json --truth "$d/truth.jsonl" --accounts "$d/accounts.jsonl" \
        --policy "$pol" "$d/events.jsonl" >"$d/$m.json" 2>"$d/$m.err"
      grep -Eq '^  rejected lines +0$' "$d/$m.err" || {
        echo "$gen: seed $seed: rejected lines:" >&2
        grep -E 'rejected lines' "$d/$m.err" >&2 || true
        exit 1
      }
    done
    printf '\nseed %s: %s events, %s accounts, 0 rejected\n' "$seed" \
      "$(wc -l <"$d/events.jsonl")" "$(wc -l <"$d/accounts.jsonl")"
    table "$d/on.json" "$d/off.json"
  done
}

# probe_off SED LINES: $T/off.yaml, the example policy changed by sed
# expression SED, checked to differ in LINES lines (diff's < and >) and to load.
probe_off() {
  sed "$1" examples/policy.yaml >"$T/off.yaml"
  [ "$(diff examples/policy.yaml "$T/off.yaml" | grep -c '^[<>]')" = "$2" ]
  "$W" config --check "$T/off.yaml" >/dev/null
}

# probe_pool GEN: $T/pool.jsonl, `warden ip --json` of GEN's candidate
# home addresses (seed 1)
probe_pool() {
  python3 "$1" candidates 1 >"$T/cand.txt"
  "$W" ip --json - <"$T/cand.txt" >"$T/pool.jsonl" 2>/dev/null
}

# probe_distill_off: $T/off.yaml, the example policy with the distill
# section's own `enabled: true` (the first key under it) set false, checked
# to differ in that one line and to load.
probe_distill_off() {
  sed '/^  distill:$/,/^    enabled:/ s/^    enabled: true$/    enabled: false/' \
    examples/policy.yaml >"$T/off.yaml"
  sed -n '/^  distill:$/,/^    enabled:/p' "$T/off.yaml" | grep -q '^    enabled: false$'
  [ "$(diff examples/policy.yaml "$T/off.yaml" | grep -c '^[<>]')" = 2 ]
  "$W" config --check "$T/off.yaml" >/dev/null
}

# probe_kind_table ON.json OFF.json: for each truth kind, actioned/accounts
# and enforced/accounts with the policy and with the baseline, and the ratio
# of accounts actioned (on / off; '-' when the baseline actions none).
probe_kind_table() {
  python3 - "$1" "$2" <<'PY'
import json, sys
on, off = (json.load(open(f)) for f in sys.argv[1:3])
offk = {k['name']: k for k in off['kinds']}
print('%-22s %-10s %-10s %-10s %-10s %s' % ('kind', 'actioned', 'enforced', 'off: act.',
                                            'off: enf.', 'ratio actioned'))
for k in sorted(on['kinds'], key=lambda k: (k['benign'], k['name'])):
    o, n = offk[k['name']], k['accounts']
    print('%-22s %-10s %-10s %-10s %-10s %s' % (
        k['name'], '%d/%d' % (k['actioned'], n), '%d/%d' % (k['enforced'], n),
        '%d/%d' % (o['actioned'], n), '%d/%d' % (o['enforced'], n),
        '%.2f' % (k['actioned'] / o['actioned']) if o['actioned'] else '-'))
PY
}

# probe_cluster_table ON.json OFF.json: for each truth cluster (operation)
# the share of its accounts actioned with the policy and the baseline, and
# for each benign kind the accounts that ended in a cluster.
probe_cluster_table() {
  python3 - "$1" "$2" <<'PY'
import json, sys
on, off = (json.load(open(f)) for f in sys.argv[1:3])
offc = {c['cluster']: c for c in off['clusters']['list']}
print('%-10s %-22s %-18s %s' % ('op', 'kind', 'actioned (share)', 'off: actioned (share)'))
for c in on['clusters']['list']:
    o = offc[c['cluster']]
    print('%-10s %-22s %-18s %s' % (c['cluster'], c['kind'],
                                    '%d/%d (%.2f)' % (c['actioned'], c['accounts'], c['coverage']),
                                    '%d/%d (%.2f)' % (o['actioned'], o['accounts'], o['coverage'])))
offb = {b['kind']: b for b in off['cross_account']['benign_kinds']}
print('%-22s %-22s %s' % ('benign kind', 'in a cluster (clusters)', 'off: in a cluster'))
for b in on['cross_account']['benign_kinds']:
    o = offb[b['kind']]
    print('%-22s %-22s %s' % (b['kind'], '%d/%d (%d)' % (b['clustered'], b['accounts'], b['clusters']),
                              '%d/%d' % (o['clustered'], o['accounts'])))
PY
}
