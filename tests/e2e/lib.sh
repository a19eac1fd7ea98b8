# lib.sh — shared helpers for Warden's end-to-end tests (sourced, not run).
# Each test gets a fresh scratch directory under $WARDEN_TMP and the binary
# in $WARDEN_BIN; `check` counts assertions and the test ends with `finish`.
set -u
: "${WARDEN_BIN:?WARDEN_BIN must point at the warden binary}"
: "${WARDEN_SRC:?WARDEN_SRC must point at the source tree}"
BUILD_DIR=$(dirname "$WARDEN_BIN")
SCHEMA_CHECK="$BUILD_DIR/tests/schema_check"
T="${WARDEN_TMP:-/tmp}/$(basename "$0" .sh).$$"
rm -rf "$T" && mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
PASSED=0
FAILED=0

check() { # check "description" command...
  local what=$1; shift
  if "$@"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); echo "FAIL: $what" >&2; fi
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

# validate FILE against a schema in schemas/
valid() { "$SCHEMA_CHECK" "$WARDEN_SRC/schemas/$1.schema.json" "$2" >/dev/null; }
