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
    echo "$name: skipped (needs $SHARED/$need and python3 $*)"
    exit 0
  fi
  [ -x "$W" ] || { echo "$name: $W not built" >&2; exit 2; }
  T=$(mktemp -d "${TMPDIR:-/tmp}/warden-probe.XXXXXX")
  trap 'rm -rf "$T"' EXIT
}
