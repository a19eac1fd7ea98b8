#!/usr/bin/env bash
# test_scan_run_fields.sh — every verdict and finding says whether it was
# enforced (shadow), which policy decided it (SHA-256 of the policy file) and
# which run wrote it (formats.md §4-5, v1.1), so a downstream enforcer never
# mistakes a shadow-mode block for a real one.
. "$(dirname "$0")/lib.sh"
D="$WARDEN_SRC/data/demo"
P="$WARDEN_SRC/examples/policy.yaml"
scan() { # scan OUT POLICY [options]
  local out=$1 pol=$2; shift 2
  "$WARDEN_BIN" scan -q --no-db --policy "$pol" --accounts "$D/accounts.jsonl" \
    --orgs "$D/orgs.jsonl" --out "$out" "$@" "$D/events.jsonl.gz" 2>/dev/null
}
scan "$T/enforced" "$P" --run-id run-42
{ echo "shadow: true"; grep -v '^shadow:' "$P"; } >"$T/shadow.yaml"
scan "$T/shadow" "$T/shadow.yaml"
"$WARDEN_BIN" scan -q --no-db --out "$T/builtin" "$D/events.jsonl.gz" 2>/dev/null

sha=$(sha256sum "$P" | cut -d' ' -f1)
ssha=$(sha256sum "$T/shadow.yaml" | cut -d' ' -f1)
check "verdicts of an enforcing policy say shadow false" \
  [ "$(jq -r .shadow "$T/enforced/verdicts.jsonl" | sort -u)" = "false" ]
check "verdicts name the policy file's SHA-256" \
  [ "$(jq -r .policy "$T/enforced/verdicts.jsonl" | sort -u)" = "$sha" ]
check "findings name it too" [ "$(jq -r .policy "$T/enforced/findings.jsonl" | sort -u)" = "$sha" ]
check "--run-id is written into every verdict" \
  [ "$(jq -r .run_id "$T/enforced/verdicts.jsonl" | sort -u)" = "run-42" ]
check "--run-id is written into every finding" \
  [ "$(jq -r .run_id "$T/enforced/findings.jsonl" | sort -u)" = "run-42" ]
check "shadow-mode verdicts say shadow true" \
  [ "$(jq -r .shadow "$T/shadow/verdicts.jsonl" | sort -u)" = "true" ]
check "shadow-mode findings say shadow true" \
  [ "$(jq -r .shadow "$T/shadow/findings.jsonl" | sort -u)" = "true" ]
check "the shadow policy has its own hash" \
  [ "$(jq -r .policy "$T/shadow/verdicts.jsonl" | sort -u)" = "$ssha" ]
rid=$(jq -r .run_id "$T/shadow/verdicts.jsonl" | sort -u)
check "without --run-id a random 32-hex-digit run id ($rid)" \
  grep -qE '^[0-9a-f]{32}$' <<<"$rid"
check "the built-in policy is named by the hash of nothing" \
  [ "$(jq -r .policy "$T/builtin/findings.jsonl" | sort -u | head -1)" = \
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" ]
for f in "$T"/enforced/verdicts.jsonl "$T"/shadow/verdicts.jsonl; do
  check "$f valid against the verdict schema" valid verdict "$f"
done
check "findings valid against the finding schema" valid finding "$T/enforced/findings.jsonl"
finish
