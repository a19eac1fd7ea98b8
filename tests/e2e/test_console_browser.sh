#!/usr/bin/env bash
# test_console_browser.sh — the review console in a real browser: Debian's
# chromium driven by npm playwright-core (console_browser.mjs) against a
# real `warden serve` loaded with a simulated scenario (`warden sim
# --scenario demo` + `warden scan`), one of whose organisations is named
# with a <script> in it, and a second server on a cases.db of 100,000 cases
# (the scan's plus generated rows) to time page loads.
#
# Screenshots go to $WARDEN_SCREENSHOTS (docs/img to refresh the README's),
# else to the test's scratch directory. Skips (77) only when node or
# chromium is not installed; the console's files and playwright-core come
# from `make build` (scripts/web.sh), and their absence is a failure.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
command -v node >/dev/null || { echo "skip: node not installed"; exit 77; }
[ -x /usr/bin/chromium ] || { echo "skip: chromium not installed (/usr/bin/chromium)"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }
WEB="${WARDEN_BUILD:-$(dirname "$WARDEN_BIN")}/web"
PW="$WARDEN_SRC/web/node_modules/playwright-core"
[ -f "$WEB/index.html" ] || { echo "FAIL: no console in $WEB: run make build (scripts/web.sh)" >&2; exit 1; }
[ -d "$PW" ] || { echo "FAIL: no $PW: run make build (npm ci in web/)" >&2; exit 1; }
[ -f "$WEB/vendor/uPlot.esm.js" ] || { echo "FAIL: console built without its libraries" >&2; exit 1; }

# ---- a simulated scenario; an organisation named with <script> owns the
# distillation accounts that had none, so some actioned case shows it
"$WARDEN_BIN" sim --scenario demo --out "$T/sim" -q
SCRIPT_ORG='Lab <script>window.__xss=1</script> & "Partners" Ltd'
jq -nc --arg n "$SCRIPT_ORG" '{org_id:"org-script-test", name:$n, country:"NL", domain:"lab-partners.example"}' >>"$T/sim/orgs.jsonl"
jq -r 'select(.label=="distillation") | .account_id' "$T/sim/truth.jsonl" >"$T/distill.txt"
jq -c --rawfile ids "$T/distill.txt" \
  '.account_id as $a | if (.org_id == null and any(($ids | split("\n"))[]; . == $a)) then .org_id = "org-script-test" else . end' \
  "$T/sim/accounts.jsonl" >"$T/accounts.jsonl"
"$WARDEN_BIN" scan -q -p "$WARDEN_SRC/examples/policy.yaml" -a "$T/accounts.jsonl" --orgs "$T/sim/orgs.jsonl" \
  -o "$T/out" --max-accounts 20000 "$T/sim/events.jsonl"
DB="$T/out/cases.db"
check "scan wrote cases" [ "$(sqlite3 "$DB" 'select count(*) from cases')" -gt 10 ]
SCRIPT_CASE=$(sqlite3 "$DB" "select case_id from cases where account_id in ($(jq -r 'select(.org_id=="org-script-test") | "\u0027" + .account_id + "\u0027"' "$T/accounts.jsonl" | paste -sd,)) and action != 'allow' order by case_id limit 1")
check "a case of the <script> organisation" [ -n "$SCRIPT_CASE" ]
SCREEN_CASE=$(sqlite3 "$DB" "select c.case_id from cases c join case_findings f on f.account_id = c.account_id where f.code = 'screen.listed' order by c.case_id limit 1")
check "a screening case" [ -n "$SCREEN_CASE" ]
# cluster data: the cases whose accounts share the most common payment fingerprint
fp=$(jq -r '.payment_fingerprint // empty' "$T/accounts.jsonl" | sort | uniq -c | sort -rn | awk 'NR==1{print $2}')
ids=$(jq -r --arg fp "$fp" 'select(.payment_fingerprint==$fp) | "\u0027" + .account_id + "\u0027"' "$T/accounts.jsonl" | paste -sd,)
sqlite3 "$DB" "update cases set cluster_id = 'cluster-shared-card' where account_id in ($ids)"
CLUSTER_CASE=$(sqlite3 "$DB" "select case_id from cases where cluster_id = 'cluster-shared-card' order by case_id limit 1")
check "a case with cluster data" [ -n "$CLUSTER_CASE" ]

# ---- 100,000 cases: the scan's and generated ones (actions, reasons, days spread)
cp "$DB" "$T/big.db"
sqlite3 "$T/big.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000 - (SELECT count(*) FROM cases))
INSERT INTO cases(account_id, org_id, action, score, reasons, cluster_id, first_action_ts, first_action_event, events,
  allowlisted, status, run_id, created_at, updated_at)
SELECT printf('generated-%06d', i), NULL, CASE i % 4 WHEN 0 THEN 'block' WHEN 2 THEN 'throttle' ELSE 'review' END,
  (i % 997) / 997.0, CASE i % 3 WHEN 0 THEN '[\"distill.harvest_shape\"]' WHEN 1 THEN '[\"anon.cloud\",\"geo.restricted_reach\"]'
  ELSE '[\"velocity.request_rate\"]' END, NULL,
  strftime('%Y-%m-%dT%H:%M:%fZ', '2026-09-01', '+' || (i % 90) || ' days', '+' || (i % 86400) || ' seconds'),
  i, 1 + i % 500, 0, 'open', 1, '2026-11-30T00:00:00.000Z', '2026-11-30T00:00:00.000Z' FROM n"
check "100,000 cases generated" [ "$(sqlite3 "$T/big.db" 'select count(*) from cases')" = 100000 ]

export WARDEN_ANALYSTS="alice:analyst:alice-browser-token-01 vic:viewer:viewer-browser-token-01"
# the example policy with one rule carrying response controls (the policy page shows them)
sed '/^rules:/a\  - code: "distill.answer_yield"\n    min_score: 0.9\n    action: review\n    strip_reasoning: true\n    max_tokens: 256' \
  "$WARDEN_SRC/examples/policy.yaml" >"$T/policy.yaml"
for name in serve big; do
  db=$DB; [ $name = big ] && db=$T/big.db
  cat >"$T/$name.yaml" <<YAML
port: 0
threads: 2
shards: 2
max_accounts: 2000
policy: $T/policy.yaml
accounts: $T/accounts.jsonl
orgs: $T/sim/orgs.jsonl
cases: $db
web_dir: $WEB
YAML
done
# the first open of the 100,000-case file adds the review columns and indexes
# (tens of seconds on a busy machine): do it here, not inside start_serve's wait
"$WARDEN_BIN" serve --config "$T/big.yaml" --check >/dev/null
check "the 100,000-case cases.db prepared" [ $? -eq 0 ]
start_serve "$T/serve.yaml" serve || exit 1
URL1=$URL
start_serve "$T/big.yaml" big || exit 1
URL2=$URL

# ---- the server's side of the page: headers
h=$(curl -s -D - -o /dev/null "$URL1/")
check "console served at /" grep -q "^HTTP/1.1 200" <<<"$h"
check "strict CSP: this origin only" grep -q "^Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self';.*connect-src 'self'" <<<"$h"
check "nosniff" grep -qi "^X-Content-Type-Options: nosniff" <<<"$h"
check "no CDN in the page" bash -c "! grep -rqiE 'https?://' '$WEB/index.html' '$WEB/js'"
check "dot files not served" [ "$(code "$URL1/.git/config")" = 404 ]
check "directories not served" [ "$(code "$URL1/js")" = 404 ]

SHOTS=${WARDEN_SCREENSHOTS:-$T/shots}
mkdir -p "$SHOTS"
URL=$URL1 URL_BIG=$URL2 TOKEN=alice-browser-token-01 VIEWER_TOKEN=viewer-browser-token-01 \
  SCRIPT_CASE=$SCRIPT_CASE SCRIPT_ORG=$SCRIPT_ORG SCREEN_CASE=$SCREEN_CASE CLUSTER_CASE=$CLUSTER_CASE \
  SHOTS=$SHOTS PLAYWRIGHT=$PW timeout 300 node "$WARDEN_SRC/tests/e2e/console_browser.mjs" | tee "$T/browser.out"
check "browser walk passed" [ "${PIPESTATUS[0]}" -eq 0 ]
check "screenshots saved" test -s "$SHOTS/console-queue.png" -a -s "$SHOTS/console-case.png"
check "audit: the browser's decisions recorded as alice" \
  [ "$(sqlite3 "$DB" "select count(*) from audit where actor = 'alice' and case_id = $SCRIPT_CASE")" -ge 5 ]
check "no <script> text ever reached the server log" bash -c "! grep -q '__xss' '$T/serve.err'"
finish
