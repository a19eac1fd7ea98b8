#!/usr/bin/env bash
# test_policy_checks.sh — a policy that cannot do what it says is refused:
# a rule whose code matches no reason code any detector emits ("velocty.*"),
# a country code that is not assigned in ISO 3166-1 ("XX", "UK"); --lenient
# turns the first into a warning. Every code a scan emits is declared
# (`warden config --codes`), so the check cannot refuse a real code. A scan
# without --policy says that it restricts nothing.
. "$(dirname "$0")/lib.sh"
W=$WARDEN_BIN

printf 'rules:\n  - code: "geo.*"\n    action: review\n  - code: "velocty.*"\n    action: block\n' >"$T/typo.yaml"
"$W" config --check "$T/typo.yaml" >/dev/null 2>"$T/typo.err"
rc=$?
check "rule code matching nothing: exit 3 ($rc)" test "$rc" -eq 3
check "  ... FILE:LINE:COL and the key" grep -q "typo.yaml:4:5: rules\[1\].code: 'velocty.\*' matches no reason code" "$T/typo.err"
"$W" config --check "$T/typo.yaml" --lenient >/dev/null 2>"$T/len.err"
rc=$?
check "--lenient: exit 0 ($rc)" test "$rc" -eq 0
check "  ... with a warning" grep -q "^warning: .*velocty" "$T/len.err"
"$W" scan -q --no-db -p "$T/typo.yaml" -o "$T/o1" "$WARDEN_SRC/data/demo/events.jsonl.gz" 2>"$T/scan.err"
rc=$?
check "scan refuses the policy too: exit 3 ($rc)" test "$rc" -eq 3
"$W" scan -q --no-db --lenient -p "$T/typo.yaml" -o "$T/o2" "$WARDEN_SRC/data/demo/events.jsonl.gz" 2>/dev/null
rc=$?
check "scan --lenient runs ($rc)" test "$rc" -eq 0
printf 'rules:\n  - {code: "distill.*", action: review}\n  - {code: "*", min_score: 0.9, action: throttle}\n' >"$T/ok.yaml"
check "real codes and '*' are accepted" "$W" config --check "$T/ok.yaml"

for cc in XX UK; do
  printf 'jurisdictions:\n  restricted:\n    - CU\n    - %s\n' "$cc" >"$T/cc.yaml"
  "$W" config --check "$T/cc.yaml" >/dev/null 2>"$T/cc.err"
  rc=$?
  check "country '$cc' refused: exit 3 ($rc)" test "$rc" -eq 3
  check "  ... naming it at its line" grep -q "cc.yaml:4:7: jurisdictions.restricted\[1\]: '$cc' is not an ISO 3166-1" "$T/cc.err"
done
printf 'jurisdictions:\n  restricted: [cu, gb, xk]\n' >"$T/cc2.yaml"
check "assigned codes in any case, and XK, are accepted" "$W" config --check "$T/cc2.yaml"

# every code the detectors emit on the demo data is declared
"$W" config --codes | awk '{print $1}' | sort -u >"$T/declared"
check "--codes lists codes of every detector family" \
  bash -c "for f in geo velocity screen anon reseller distill; do grep -q \"^\$f\\.\" '$T/declared' || exit 1; done"
D=$WARDEN_SRC/data/demo
"$W" scan -q --no-db -p "$WARDEN_SRC/examples/policy.yaml" --accounts "$D/accounts.jsonl" \
  --orgs "$D/orgs.jsonl" -o "$T/demo" "$D/events.jsonl.gz" 2>/dev/null
grep -o '"code":"[^"]*"' "$T/demo/findings.jsonl" | cut -d'"' -f4 | sort -u >"$T/emitted"
check "the demo emits findings" test -s "$T/emitted"
undeclared=$(comm -23 "$T/emitted" "$T/declared" | tr '\n' ' ')
check "every emitted code is declared (${undeclared:-none missing})" test -z "$undeclared"

"$W" scan -q --no-db -o "$T/nopol" "$D/events.jsonl.gz" 2>"$T/nopol.err"
check "scan without --policy warns that it restricts nothing" grep -q "restricts no jurisdiction" "$T/nopol.err"
finish
