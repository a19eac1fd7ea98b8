#!/usr/bin/env bash
# test_serve_cases.sh — the cases API of `warden serve` from outside: a
# cases.db written by `warden scan`, the real server on a free loopback
# port, every endpoint driven with curl: logins and roles (401, 403),
# filters and paging (past the end too), bad input of every kind, decisions
# with a stale version (409), appeals, notes, the audit rows each change
# leaves (read back with sqlite3), and a dismissal changing what the running
# engine decides, also after a restart and in a later `warden scan` into the
# same output directory. The server records none of its own actions here
# (cases_record: false; test_serve_case_record.sh tests that).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 not installed"; exit 77; }

velocity_policy "$T/policy.yaml"
# three accounts over the velocity limit, one well under it
ev() { # ev ACCOUNT SECOND REQID
  printf '{"ts":"2026-11-30T10:%02d:%02dZ","account_id":"%s","ip":"192.0.2.10","api_key_id":"k-%s-%s","request_id":"%s"}\n' \
    "${4:-0}" "$2" "$1" "$1" "$3" "$3"
}
for a in acct-a acct-b acct-c; do for i in 1 2 3 4 5 6 7; do ev "$a" "$i" "$a-$i"; done; done >"$T/events.jsonl"
ev acct-quiet 1 q1 >>"$T/events.jsonl"
"$WARDEN_BIN" scan -q -p "$T/policy.yaml" -o "$T/out" --max-accounts 1000 "$T/events.jsonl"
DB="$T/out/cases.db"
check "scan wrote three cases" [ "$(sqlite3 "$DB" 'select count(*) from cases')" = 3 ]
id_of() { sqlite3 "$DB" "select case_id from cases where account_id='$1'"; }
A=$(id_of acct-a) B=$(id_of acct-b) C=$(id_of acct-c)

cat >"$T/serve.yaml" <<YAML
port: 0
threads: 2
shards: 4
policy: $T/policy.yaml
cases: $DB
cases_record: false
analysts:
  - "cfg-admin:admin:config-admin-token-0001"
YAML
export WARDEN_ANALYSTS="alice:analyst:alice-token-0123456789, vic:viewer:viewer-token-0123456789"
export WARDEN_ADMIN_TOKEN=
start_serve "$T/serve.yaml" || exit 1
AL=(-H "Authorization: Bearer alice-token-0123456789")
VI=(-H "Authorization: Bearer viewer-token-0123456789")
AD=(-H "Authorization: Bearer config-admin-token-0001")
get() { curl -s "${AL[@]}" "$URL$1"; }
# post AUTH PATH BODY -> "BODY CODE"
post() { local -n auth=$1; curl -s -w ' %{http_code}' "${auth[@]}" -XPOST --data-binary "$3" "$URL$2"; }
ends() { [[ "$(tr -d '\n' <<<"$1")" == *" $2" ]]; }

# ---- logins and roles
check "no token: 401" [ "$(code "$URL/v1/cases")" = 401 ]
check "wrong token: 401" [ "$(code -H 'Authorization: Bearer alice-token-0123456780' "$URL/v1/cases")" = 401 ]
check "token not as bearer: 401" [ "$(code -H 'Authorization: alice-token-0123456789' "$URL/v1/cases")" = 401 ]
check "no token on a write: 401" [ "$(code -XPOST -d '{}' "$URL/v1/cases/$A/decision")" = 401 ]
check "whoami: analyst" grep -q '"principal":"alice","role":"analyst"' <<<"$(get /v1/whoami)"
check "whoami: viewer" grep -q '"principal":"vic","role":"viewer"' <<<"$(curl -s "${VI[@]}" "$URL/v1/whoami")"
check "whoami: admin from the config" grep -q '"principal":"cfg-admin","role":"admin"' <<<"$(curl -s "${AD[@]}" "$URL/v1/whoami")"
check "viewer reads" [ "$(code "${VI[@]}" "$URL/v1/cases")" = 200 ]
r=$(post VI "/v1/cases/$A/decision" '{"decision":"confirm","version":1,"note":"n"}')
check "viewer decision: 403" ends "$r" 403
check "viewer note: 403" ends "$(post VI "/v1/cases/$A/notes" '{"text":"n"}')" 403
check "viewer appeal: 403" ends "$(post VI "/v1/cases/$A/appeals" '{"statement":"s","version":1}')" 403
check "a 403 changes nothing" [ "$(sqlite3 "$DB" "select count(*) from audit where actor='vic'")" = 0 ]

# ---- list: filters, sort, paging
r=$(get /v1/cases)
check "list: total 3" grep -q '"total":3,"limit":50,"offset":0' <<<"$r"
check "list: case shape" grep -q '"account_id":"acct-a","org_id":null,"action":"block".*"reasons":\["velocity.request_rate"\].*"status":"open","version":1' <<<"$r"
r=$(get "/v1/cases?limit=2&sort=account_id&order=desc")
check "page 1 of 2, sorted desc" grep -q '"total":3,"limit":2,"offset":0,"items":\[{"case_id":[0-9]*,"account_id":"acct-c".*"account_id":"acct-b"' <<<"$r"
check "page 1 has two" [ "$(grep -o '"case_id"' <<<"$r" | wc -l)" = 2 ]
r=$(get "/v1/cases?limit=2&offset=2&sort=account_id&order=desc")
check "page 2 has the last" grep -q '"offset":2,"items":\[{"case_id":[0-9]*,"account_id":"acct-a"' <<<"$r"
r=$(get "/v1/cases?offset=1000")
check "paging past the end: empty items, total kept" grep -q '"total":3,"limit":50,"offset":1000,"items":\[\]' <<<"$r"
check "filter action" grep -q '"total":3' <<<"$(get '/v1/cases?action=block')"
check "filter action none" grep -q '"total":0' <<<"$(get '/v1/cases?action=review')"
check "filter reason" grep -q '"total":3' <<<"$(get '/v1/cases?reason=velocity.request_rate')"
check "filter reason is exact" grep -q '"total":0' <<<"$(get '/v1/cases?reason=velocity.request')"
check "filter status" grep -q '"total":3' <<<"$(get '/v1/cases?status=open')"
check "filter account" grep -q '"total":1' <<<"$(get '/v1/cases?account=acct-b')"
check "filter time range in" grep -q '"total":3' <<<"$(get '/v1/cases?from=2026-11-30T09:00:00Z&to=2026-11-30T11:00:00Z')"
check "filter time range out" grep -q '"total":0' <<<"$(get '/v1/cases?from=2026-12-01T00:00:00Z')"
check "filter cluster (none)" grep -q '"total":0' <<<"$(get '/v1/cases?cluster=c1')"
badq() { # badq QUERY: 400 naming the argument
  local r
  r=$(curl -s -w ' %{http_code}' "${AL[@]}" "$URL/v1/cases?$1")
  ends "$r" 400 && grep -q "query '${1%%=*}'" <<<"$r"
}
for bad in "limit=0" "limit=501" "limit=abc" "offset=-1" "sort=prompt" "order=up" "status=gone" \
  "action=nuke" "from=yesterday" "to=2026-13-45"; do
  check "bad query $bad: 400 naming it" badq "$bad"
done
check "SQL in a filter is a value" grep -q '"total":0' <<<"$(get "/v1/cases?account=x%27%20OR%201=1--")"

# ---- one case
r=$(get "/v1/cases/$A")
check "case: row" grep -q "\"case\":{\"case_id\":$A,\"account_id\":\"acct-a\"" <<<"$r"
check "case: findings with evidence" grep -q '"findings":\[{"ts":"2026-11-30T10:00:0[0-9].*"code":"velocity.request_rate".*"evidence":{' <<<"$r"
check "case: audit of the scan" grep -q '"audit":\[{"id":[0-9]*,.*"actor":"warden","from_action":"allow","to_action":"block"' <<<"$r"
check "case: notes, appeals empty" grep -q '"notes":\[\],"appeals":\[\]' <<<"$r"
check "unknown case: 404" [ "$(code "${AL[@]}" "$URL/v1/cases/99999")" = 404 ]
check "bad case id: 404" [ "$(code "${AL[@]}" "$URL/v1/cases/abc")" = 404 ]
check "case id 0: 404" [ "$(code "${AL[@]}" "$URL/v1/cases/0")" = 404 ]
check "GET on decision: 405" [ "$(code "${AL[@]}" "$URL/v1/cases/$A/decision")" = 405 ]
check "POST on a case: 405" [ "$(code "${AL[@]}" -XPOST -d '{}' "$URL/v1/cases/$A")" = 405 ]
check "unknown operation: 404" ends "$(post AL "/v1/cases/$A/frobnicate" '{}')" 404

# ---- bad decision bodies: 400 and nothing written
before=$(sqlite3 "$DB" 'select count(*) from audit')
for body in '' 'not json' '[1]' '{"decision":"confirm","note":"n"}' '{"version":1,"note":"n"}' \
  '{"decision":"approve","version":1,"note":"n"}' '{"decision":"confirm","version":1}' \
  '{"decision":"confirm","version":1,"note":""}' '{"decision":"confirm","version":"1","note":"n"}' \
  '{"decision":"confirm","version":1,"note":"n","extra":1}' \
  '{"decision":"dismiss","version":1,"note":"n","allowlist":["geo.restricted_jurisdiction"]}' \
  '{"decision":"confirm","version":1,"note":"n","allowlist":true}' \
  '{"decision":"dismiss","version":1,"note":"n","allowlist":"yes"}' \
  '{"decision":"confirm","decision":"dismiss","version":1,"note":"n"}'; do
  check "bad decision body ${body:-<empty>}: 400" ends "$(post AL "/v1/cases/$A/decision" "$body")" 400
done
long=$(head -c 4001 /dev/zero | tr '\0' x)
check "note over 4000 bytes: 400" ends "$(post AL "/v1/cases/$A/decision" "{\"decision\":\"confirm\",\"version\":1,\"note\":\"$long\"}")" 400
check "bad bodies wrote nothing" [ "$(sqlite3 "$DB" 'select count(*) from audit')" = "$before" ]
check "decision on an unknown case: 404" ends "$(post AL /v1/cases/99999/decision '{"decision":"confirm","version":1,"note":"n"}')" 404

# ---- the running engine blocks acct-a and acct-b (same traffic, live)
dec() { curl -s -XPOST --data-binary "$(ev "$1" "$2" "$3" "${4:-1}")" "$URL/v1/decide"; }
for i in 1 2 3 4 5 6 7; do dec acct-a "$i" "la$i" >/dev/null; r=$(dec acct-b "$i" "lb$i"); done
check "live: acct-b blocked" grep -q '"enforced":"block"' <<<"$r"
check "live: acct-a blocked" grep -q '"enforced":"block"' <<<"$(dec acct-a 8 la8)"

# ---- dismiss acct-a with its reason allowlisted; a stale repeat is 409
r=$(post AL "/v1/cases/$A/decision" '{"decision":"dismiss","version":1,"note":"load test from our own QA team","allowlist":["velocity.request_rate"]}')
check "dismiss: 200, lifted, allowlisted" grep -q '"version":2,"lifted":true,"allowlisted":\["velocity.request_rate"\]} 200' <<<"$(tr -d '\n' <<<"$r")"
r=$(post AL "/v1/cases/$A/decision" '{"decision":"confirm","version":1,"note":"confirming"}')
check "stale version: 409" ends "$r" 409
check "409 wrote nothing" [ "$(sqlite3 "$DB" "select status from cases where case_id=$A")" = dismissed ]
check "dismissed case: action lifted in cases.db" [ "$(sqlite3 "$DB" "select action from cases where case_id=$A")" = allow ]
q="select actor||'|'||from_action||'|'||to_action||'|'||from_status||'|'||to_status||'|'||detail from audit where case_id=$A and reason="
check "audit: dismissal with principal, from and to, note" [ "$(sqlite3 "$DB" "${q}'review.dismiss'")" = "alice|block|allow|open|dismissed|load test from our own QA team" ]
check "audit: allowlisting recorded" [ "$(sqlite3 "$DB" "${q}'review.allowlist'")" = "alice|block|allow|open|dismissed|velocity.request_rate" ]
check "audit: time recorded" grep -qE '^2[0-9]{3}-[0-9]{2}-[0-9]{2}T' <<<"$(sqlite3 "$DB" "select at from audit where case_id=$A and reason='review.dismiss'")"
check "review allowlist row" [ "$(sqlite3 "$DB" "select account_id||'|'||reason||'|'||principal from review_allowlist")" = "acct-a|velocity.request_rate|alice" ]
# a new burst after a quiet spell: the velocity finding fires again for both
burst() { # burst ACCOUNT MINUTE -> the last decision
  local r
  for i in 1 2 3 4 5 6 7; do r=$(dec "$1" "$i" "$1-m$2-$i" "$2"); done
  echo "$r"
}
r=$(burst acct-a 5)
check "live: dismissed acct-a no longer actioned on the allowlisted reason" grep -q '"action":"allow","enforced":"allow"' <<<"$r"
check "live: the finding is still recorded as its reason" grep -q '"code":"velocity.request_rate"' <<<"$r"

# ---- dismiss acct-b without the allowlist: lifted now, actioned again by a new finding
r=$(post AL "/v1/cases/$B/decision" '{"decision":"dismiss","version":1,"note":"one-off"}')
check "dismiss without allowlist: 200" grep -q '"lifted":true,"allowlisted":\[\]' <<<"$r"
check "live: acct-b lifted at once" grep -q '"enforced":"allow"' <<<"$(dec acct-b 8 lb8)"
r=$(burst acct-b 5)
check "live: acct-b actioned again by its next burst" grep -q '"enforced":"block"' <<<"$r"

# ---- escalate, confirm, notes
r=$(post AL "/v1/cases/$C/decision" '{"decision":"escalate","version":1,"note":"needs legal"}')
check "escalate: 200, version 2" grep -q '"version":2,"lifted":false' <<<"$r"
r=$(post AD "/v1/cases/$C/decision" '{"decision":"confirm","version":2,"note":"legal agrees"}')
check "admin confirms: 200" grep -q '"version":3' <<<"$r"
check "confirm keeps the action" [ "$(sqlite3 "$DB" "select action||'|'||status from cases where case_id=$C")" = "block|confirmed" ]
check "audit: escalate then confirm, by whom" [ "$(sqlite3 "$DB" "select group_concat(actor||':'||from_status||'>'||to_status, ',') from (select * from audit where case_id=$C and reason like 'review.%' order by id)")" = "alice:open>escalated,cfg-admin:escalated>confirmed" ]
check "note: 201" ends "$(post AL "/v1/cases/$C/notes" '{"text":"<b>customer</b> called"}')" 201
check "note empty: 400" ends "$(post AL "/v1/cases/$C/notes" '{"text":""}')" 400
check "note wrong field: 400" ends "$(post AL "/v1/cases/$C/notes" '{"note":"x"}')" 400
check "note on unknown case: 404" ends "$(post AL /v1/cases/99999/notes '{"text":"x"}')" 404
r=$(get "/v1/cases/$C")
check "case shows decision notes and the note, verbatim JSON-escaped" grep -q '"text":"needs legal"}.*"text":"legal agrees"}.*"text":"<b>customer</b> called"}' <<<"$r"
check "audit: note recorded" [ "$(sqlite3 "$DB" "select count(*) from audit where case_id=$C and reason='review.note' and actor='alice'")" = 1 ]

# ---- appeals: open, stale, deny; open again, uphold
check "appeal on a lifted case: 400" ends "$(post AL "/v1/cases/$A/appeals" '{"statement":"s","version":2}')" 400
check "appeal stale case version: 409" ends "$(post AL "/v1/cases/$C/appeals" '{"statement":"s","version":1}')" 409
check "appeal without statement: 400" ends "$(post AL "/v1/cases/$C/appeals" '{"version":3}')" 400
r=$(post AL "/v1/cases/$C/appeals" '{"statement":"we are a university lab","version":3}')
check "appeal opened: 201" grep -q '"appeal_id":1,"case_id":'"$C"',"version":1} 201' <<<"$(tr -d '\n' <<<"$r")"
check "second open appeal: 400" ends "$(post AL "/v1/cases/$C/appeals" '{"statement":"again","version":4}')" 400
check "appeals list: open" grep -q '"total":1,"items":\[{"appeal_id":1,"case_id":'"$C"',"account_id":"acct-c"' <<<"$(get '/v1/appeals?status=open')"
check "appeals bad status: 400" [ "$(code "${AL[@]}" "$URL/v1/appeals?status=maybe")" = 400 ]
check "appeal decision stale: 409" ends "$(post AL /v1/appeals/1/decision '{"decision":"deny","version":7,"note":"n"}')" 409
check "appeal decision bad verb: 400" ends "$(post AL /v1/appeals/1/decision '{"decision":"confirm","version":1,"note":"n"}')" 400
check "appeal decision by viewer: 403" ends "$(post VI /v1/appeals/1/decision '{"decision":"deny","version":1,"note":"n"}')" 403
check "unknown appeal: 404" ends "$(post AL /v1/appeals/42/decision '{"decision":"deny","version":1,"note":"n"}')" 404
check "appeal denied: 200" ends "$(post AL /v1/appeals/1/decision '{"decision":"deny","version":1,"note":"evidence stands"}')" 200
check "decided appeal cannot be decided again" ends "$(post AL /v1/appeals/1/decision '{"decision":"uphold","version":2,"note":"n"}')" 400
v=$(sqlite3 "$DB" "select version from cases where case_id=$C")
r=$(post AL "/v1/cases/$C/appeals" '{"statement":"new evidence: contract attached","version":'"$v"'}')
check "second appeal opened" grep -q '"appeal_id":2' <<<"$r"
r=$(post AL /v1/appeals/2/decision '{"decision":"uphold","version":1,"note":"contract checks out","allowlist":true}')
check "appeal upheld: lifted, every reason allowlisted" grep -q '"lifted":true,"allowlisted":\["velocity.request_rate"\]' <<<"$r"
check "upheld appeal: case dismissed, action lifted" [ "$(sqlite3 "$DB" "select action||'|'||status from cases where case_id=$C")" = "allow|dismissed" ]
check "audit: appeal trail" [ "$(sqlite3 "$DB" "select group_concat(reason||':'||from_status||'>'||to_status, ',') from (select * from audit where case_id=$C and reason like 'review.appeal%' order by id)")" = "review.appeal_open:confirmed>appealed,review.appeal_deny:appealed>confirmed,review.appeal_open:confirmed>appealed,review.appeal_uphold:appealed>dismissed" ]

# ---- audit, overview, policy
r=$(get "/v1/audit?case_id=$A&limit=1")
check "audit endpoint: newest first, paged" grep -q '^{"items":\[{"id":[0-9]*,.*"reason":"review.dismiss"' <<<"$r"
check "audit endpoint: bad limit 400" [ "$(code "${AL[@]}" "$URL/v1/audit?limit=0")" = 400 ]
r=$(get /v1/overview)
n_queue=$(sqlite3 "$DB" "select count(*) from cases where status in ('open','escalated','appealed')")
check "overview: totals equal cases.db" grep -q "\"totals\":\[{\"cases\":3,\"queue\":$n_queue,\"open_appeals\":0,\"allowlisted\":2}\]" <<<"$r"
check "overview: by status" grep -q '"by_status":\[{"status":"dismissed","n":3}\]' <<<"$r"
check "overview: decisions per day" grep -q '"decision":"review.dismiss","n":2' <<<"$r"
r=$(get /v1/policy)
check "policy: rules and review allowlist size" grep -q '"rules":\[{"code":"velocity.request_rate","min_score":0,"action":"block","strip_reasoning":false,"max_tokens":0}.*"review":2' <<<"$r"
check "console off without web files: 404" [ "$(code "$URL/no-such-file.js")" = 404 ]
check "path traversal refused" [ "$(code --path-as-is "$URL/../../etc/passwd")" = 404 ]

# ---- the review allowlist outlives a restart
stop_serve
check "SIGTERM: exit 0" [ $? -eq 0 ]
PIDS=()
start_serve "$T/serve.yaml" serve2 || exit 1
r=$(burst acct-a 9)
check "after restart: acct-a still not actioned on the allowlisted reason" grep -q '"enforced":"allow"' <<<"$r"
r=$(burst acct-z 9)
check "after restart: others still blocked" grep -q '"enforced":"block"' <<<"$r"

# ---- config errors
printf 'port: 0\ncases: %s\nanalysts:\n  - "bob:superuser:bob-token-0123456789"\n' "$DB" >"$T/bad.yaml"
WARDEN_ANALYSTS= "$WARDEN_BIN" serve --config "$T/bad.yaml" 2>"$T/bad.err"
check "bad role refused (exit 3)" [ $? -eq 3 ]
check "bad role named" grep -q "role must be viewer, analyst or admin" "$T/bad.err"
printf 'port: 0\ncases: %s\nanalysts:\n  - "bob:analyst:short"\n' "$DB" >"$T/bad2.yaml"
WARDEN_ANALYSTS= "$WARDEN_BIN" serve --config "$T/bad2.yaml" 2>"$T/bad2.err"
check "short token refused" grep -q "token shorter than 12" "$T/bad2.err"
check "the token is never printed" bash -c "! grep -q short '$T/bad2.err' || ! grep -q ':short' '$T/bad2.err'"
printf 'port: 0\ncases: %s\n' "$DB" >"$T/bad3.yaml"
WARDEN_ANALYSTS= "$WARDEN_BIN" serve --config "$T/bad3.yaml" 2>"$T/bad3.err"
check "cases without any login refused" grep -q "no logins" "$T/bad3.err"
stop_serve
PIDS=()

# ---- a later batch scan into the same cases.db honours the dismissal
"$WARDEN_BIN" scan -p "$T/policy.yaml" -o "$T/out" --max-accounts 1000 "$T/events.jsonl" \
  >/dev/null 2>"$T/rescan.err"
check "rescan: exit 0" [ $? -eq 0 ]
check "rescan: says it honours the dismissals" grep -q "honouring 2 (account, reason) dismissals" "$T/rescan.err"
check "rescan: acct-a and acct-c (appeal upheld) not actioned again for the dismissed reason" \
  bash -c "! grep -qE '\"account_id\":\"acct-[ac]\",\"action\":\"block\"' '$T/out/verdicts.jsonl'"
check "rescan: acct-b (dismissed without the allowlist) blocked again" grep -q '"account_id":"acct-b","action":"block"' "$T/out/verdicts.jsonl"
"$WARDEN_BIN" scan -q -p "$T/policy.yaml" -o "$T/fresh" --max-accounts 1000 "$T/events.jsonl"
check "without the reviewed cases.db, acct-a is blocked" grep -q '"account_id":"acct-a","action":"block"' "$T/fresh/verdicts.jsonl"
finish
