#!/usr/bin/env bash
# test_config.sh — `warden config` from outside: --dump prints every section's
# keys with defaults; --check accepts the shipped example and refuses bad
# policies with exit 3 and FILE:LINE:COLUMN: key: reason on stderr, and a
# detector whose data file cannot be read with FILE: detectors.NAME.
set -euo pipefail
: "${WARDEN_BIN:?}" "${WARDEN_SRC:?}" "${WARDEN_TMP:?}"
dir="$WARDEN_TMP/e2e_config"
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }

# ---- --dump: every section, key, type and default
out=$("$WARDEN_BIN" config --dump) || fail "config --dump exited $?"
for key in shadow jurisdictions.restricted jurisdictions.ip_action jurisdictions.billing_action \
    'rules[].code' 'rules[].min_score' 'rules[].action' allowlist.accounts allowlist.orgs \
    allowlist.networks detectors.jurisdiction.enabled detectors.velocity.enabled intel.table \
    intel.locdb intel.lists intel.asn_lists intel.mmdb_country intel.mmdb_asn intel.mmdb_anonymous; do
    grep -qF -- "$key  (" <<<"$out" || fail "--dump does not list $key"
done
# Every key line carries its default, and its meaning on the next line.
keys=$(grep -cE '^[][a-z_.]+  \(' <<<"$out" || true)
with_default=$(grep -cE '^[][a-z_.]+  \(.*default: .*\)$' <<<"$out" || true)
[ "$keys" -ge 20 ] || fail "--dump lists only $keys keys"
[ "$keys" -eq "$with_default" ] || fail "--dump: $keys keys but $with_default with a default"
# No country is built in.
grep -qxF 'jurisdictions.restricted  (list, default: none)' <<<"$out" ||
    fail "--dump: restricted jurisdictions must default to none"

# ---- --check on the shipped example
"$WARDEN_BIN" config --check "$WARDEN_SRC/examples/policy.yaml" >"$dir/ok.out" 2>"$dir/ok.err" ||
    fail "example policy refused: $(cat "$dir/ok.err")"
grep -qF "examples/policy.yaml: ok: " "$dir/ok.out" || fail "no ok line: $(cat "$dir/ok.out")"
grep -qF "7 restricted jurisdictions" "$dir/ok.out" || fail "summary: $(cat "$dir/ok.out")"
[ ! -s "$dir/ok.err" ] || fail "stderr on a good policy: $(cat "$dir/ok.err")"

# ---- --check on bad policies: exit 3, stderr is exactly one FILE:LINE:COL: key: reason line
check_bad() {
    local name=$1 content=$2 want=$3 rc=0
    printf '%s' "$content" >"$dir/$name.yaml"
    "$WARDEN_BIN" config --check "$dir/$name.yaml" >"$dir/$name.out" 2>"$dir/$name.err" || rc=$?
    [ "$rc" -eq 3 ] || fail "$name: exit $rc, expected 3"
    [ ! -s "$dir/$name.out" ] || fail "$name: wrote to stdout: $(cat "$dir/$name.out")"
    [ "$(wc -l <"$dir/$name.err")" -eq 1 ] || fail "$name: stderr: $(cat "$dir/$name.err")"
    grep -qF -- "$dir/$name.yaml:$want" "$dir/$name.err" ||
        fail "$name: stderr is '$(cat "$dir/$name.err")', expected '$dir/$name.yaml:$want'"
}
check_bad unknown_section $'shadow: true\nshadw: false\n' \
    "2:1: shadw: unknown section (known: shadow, jurisdictions, rules, allowlist, detectors, intel, screen)"
check_bad unknown_key $'jurisdictions:\n  restricted: [CU]\n  restriced: [IR]\n' \
    "3:3: jurisdictions.restriced: unknown key (known: restricted, ip_action, billing_action)"
check_bad unknown_detector $'detectors:\n  teleport:\n    enabled: true\n' \
    "2:3: detectors.teleport: unknown detector (known: jurisdiction, velocity"
check_bad unknown_detector_key $'detectors:\n  velocity:\n    enabld: false\n' \
    "3:5: detectors.velocity.enabld: unknown key (known: enabled"
check_bad bad_bool $'detectors:\n  velocity:\n    enabled: maybe\n' \
    "3:14: detectors.velocity.enabled: expected true or false, got 'maybe'"
check_bad bad_action $'jurisdictions:\n  ip_action: deny\n' \
    "2:14: jurisdictions.ip_action: expected one of allow, review, throttle, block, got 'deny'"
check_bad bad_rule_score $'rules:\n  - code: "distill.*"\n    min_score: 2\n    action: block\n' \
    "3:16: rules[0].min_score: expected a number from 0 to 1, got 2"
check_bad bad_country $'jurisdictions:\n  restricted:\n    - CU\n    - Iran\n' \
    "4:7: jurisdictions.restricted[1]: expected an ISO 3166-1 alpha-2 country code"
check_bad bad_cidr $'allowlist:\n  networks: [10.0.0.0/8, 10.1.0.0/99]\n' \
    "2:26: allowlist.networks[1]: expected an IP address or CIDR prefix"
check_bad wrong_kind $'intel:\n  locdb:\n    path: /x\n' \
    "3:5: intel.locdb: expected a string, got a mapping"
check_bad fanout_cap_zero $'detectors:\n  distill:\n    fanout_hour_cap_hours: 0\n' \
    "3:28: detectors.distill.fanout_hour_cap_hours: expected a whole number from 1 to 2184, got 0"
check_bad fanout_cap_word $'detectors:\n  distill:\n    fanout_hour_cap_hours: many\n' \
    "3:28: detectors.distill.fanout_hour_cap_hours: expected a whole number from 1 to 2184, got 'many'"
check_bad any_zone_word $'detectors:\n  geo_consistency:\n    hours_any_zone: maybe\n' \
    "3:21: detectors.geo_consistency.hours_any_zone: expected true or false, got 'maybe'"
check_bad home_share_over $'detectors:\n  geo_consistency:\n    rot_home_share: 1.5\n' \
    "3:21: detectors.geo_consistency.rot_home_share: expected a number from 0 to 1, got 1.5"
check_bad home_share_word $'detectors:\n  reach:\n    rot_home_share: most\n' \
    "3:21: detectors.reach.rot_home_share: expected a number from 0 to 1, got 'most'"
check_bad short_word_over $'screen:\n  country_penalty_short_word: 1.5\n' \
    "2:31: screen.country_penalty_short_word: expected a number from 0 to 1, got 1.5"
check_bad short_word_word $'screen:\n  country_penalty_short_word: double\n' \
    "2:31: screen.country_penalty_short_word: expected a number from 0 to 1, got 'double'"
check_bad duplicate $'shadow: true\nshadow: false\n' "2:1: shadow: duplicate key (first given at line 1)"
check_bad syntax $'jurisdictions:\n  restricted: [CU\n' "3:1: YAML syntax error"
check_bad empty '' "1: the policy is empty"
check_bad not_mapping $'- CU\n- IR\n' "1:1: expected a mapping of sections at the top level"

# ---- a data file a detector names that cannot be read: refused at --check,
# naming the detector and, in the detector's own line, the key and the path
printf 'detectors:\n  geo_consistency:\n    mail_providers: /nonexistent/national.tsv\n' \
    >"$dir/nodata.yaml"
rc=0
"$WARDEN_BIN" config --check "$dir/nodata.yaml" >/dev/null 2>"$dir/nodata.err" || rc=$?
[ "$rc" -eq 3 ] || fail "unreadable data file: exit $rc, expected 3"
grep -qF "$dir/nodata.yaml: detectors.geo_consistency: the detector does not start" \
    "$dir/nodata.err" || fail "unreadable data file: $(cat "$dir/nodata.err")"
grep -qF "mail_providers /nonexistent/national.tsv" "$dir/nodata.err" ||
    fail "unreadable data file, no path: $(cat "$dir/nodata.err")"

# ---- a file that does not exist
rc=0
"$WARDEN_BIN" config --check "$dir/nope.yaml" >/dev/null 2>"$dir/nope.err" || rc=$?
[ "$rc" -eq 3 ] || fail "missing file: exit $rc, expected 3"
grep -qF "$dir/nope.yaml: cannot open: No such file or directory" "$dir/nope.err" ||
    fail "missing file: $(cat "$dir/nope.err")"

# ---- command line
rc=0; "$WARDEN_BIN" config >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "no option: exit $rc, expected 2"
rc=0; "$WARDEN_BIN" config "$WARDEN_SRC/examples/policy.yaml" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "positional file: exit $rc, expected 2"
rc=0; "$WARDEN_BIN" config --frobnicate >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "unknown option: exit $rc, expected 2"
"$WARDEN_BIN" config --help | grep -qF -- "--check FILE" || fail "--help lacks --check"
"$WARDEN_BIN" --help | grep -qE '^  config ' || fail "warden --help does not list config"

echo "ok: warden config"
