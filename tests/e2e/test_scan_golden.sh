#!/usr/bin/env bash
# test_scan_golden.sh — `warden scan` writes exactly the expected bytes on the
# bundled demo data and on a simulated `mixed` week: verdicts, findings and
# rejects are compared by SHA-256 with tests/data/golden/scan.sha256.
#
# A change to a detector, the policy or the simulator that changes what is
# found changes these files on purpose: look at the difference, then run
#   tests/data/golden/update.sh build/warden
# and commit the new hashes with the change that explains them.
. "$(dirname "$0")/lib.sh"
GOLDEN="$WARDEN_SRC/tests/data/golden"
bash "$GOLDEN/update.sh" "$WARDEN_BIN" "$T/now" >/dev/null 2>"$T/err" || {
  cat "$T/err"
  exit 1
}
while read -r want name; do
  got=$(awk -v n="$name" '$2 == n {print $1}' "$T/now/scan.sha256")
  check "$name is byte-identical to the expected output" [ "$got" = "$want" ]
done <"$GOLDEN/scan.sha256"
check "every output was compared" [ "$(wc -l <"$GOLDEN/scan.sha256")" -eq 6 ]
finish
