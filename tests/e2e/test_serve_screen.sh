#!/usr/bin/env bash
# test_serve_screen.sh — POST /v1/screen: the `warden screen` logic over HTTP
# against the project's lists (data/lists). A name in another script and an
# alias find their entity with score, list, entity id and explanation; a
# clean name finds nothing; a domain on a list is reported; an organisation
# record with owners goes through the aggregate ownership rule (two listed
# owners of 25 % each restrict it, as `warden screen --batch` says); the
# answer for a name equals `warden screen --json`'s matches. Malformed JSON,
# wrong types, unknown or missing fields, a huge body and the wrong method
# are refused with the field named; with screen_api off it is 404.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
export WARDEN_DATA_DIR="$WARDEN_SRC/data"

printf 'port: 0\nthreads: 2\nshards: 2\nscreen_api: true\nmax_body_bytes: 65536\n' >"$T/serve.yaml"
start_serve "$T/serve.yaml" || exit 1
S="$URL/v1/screen"
post() { curl -s -X POST -H 'Content-Type: application/json' --data-binary "$1" -w '\n%{http_code}' "$S"; }
# json EXPR FILE: a Python expression over the parsed answer `j`
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$2"; }
body() { sed '$d' <<<"$1" >"$T/$2.json"; }
status() { tail -n1 <<<"$1"; }

r=$(post '{"name":"华为技术有限公司"}')
body "$r" cjk
check "other script: 200" [ "$(status "$r")" = 200 ]
check "other script: a match on Huawei with list, entity id, score and explanation" \
  json 'j["match"] and any("HUAWEI TECHNOLOGIES" in (m["caption"] or "") and m["match"] and m["list"] and m["entity_id"] and m["id"] == m["list"] + ":" + m["entity_id"] and 0 < m["score"] <= 1 and m["explanation"]["explain"]["tokens"] for m in j["results"])' "$T/cjk.json"
check "query echoed" json 'j["query"]["name"] == "华为技术有限公司" and j["query"]["aliases"] == []' "$T/cjk.json"

r=$(post '{"name":"Friendly Robotics Inc","country":"US"}')
body "$r" clean
check "clean name: no match" json 'not j["match"] and not any(m["match"] for m in j["results"])' "$T/clean.json"

r=$(post '{"name":"Friendly Robotics Inc","aliases":["Banco Nacional de Cuba S.A."],"country":"CH"}')
body "$r" alias
check "an alias matches, and says which name found it" \
  json 'j["match"] and j["results"][0]["match"] and j["results"][0]["query_name"] == "Banco Nacional de Cuba S.A." and j["results"][0]["explanation"]["explain"]["adj_country"] > 0' "$T/alias.json"
"$WARDEN_BIN" screen --json --country CH "Banco Nacional de Cuba S.A." >"$T/cli.json" 2>/dev/null
r=$(post '{"name":"Banco Nacional de Cuba S.A.","country":"CH"}')
body "$r" bnc
check "same matches as warden screen --json (entities and scores)" python3 - "$T/cli.json" "$T/bnc.json" <<'PY'
import json, sys
cli, api = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
a = [(m["list"], m["source_id"], m["score"]) for m in cli["matches"]]
b = [(m["list"], m["entity_id"], m["score"]) for m in api["results"]][:len(a)]
sys.exit(0 if a and a == b else 1)
PY

r=$(post '{"name":"Some Holding","domain":"saraproperties.co.uk"}')
body "$r" dom
check "domain on a list" json 'j["match"] and j["domain_matches"] and j["domain_matches"][0]["entity_id"]' "$T/dom.json"

rec='{"org_id":"o-agg","name":"Aggregate Holdings LLC","country":"US","owners":[{"name":"Banco Nacional de Cuba","share":25},{"name":"Sara Properties Ltd","share":25}]}'
r=$(post "$rec")
body "$r" agg
check "organisation record: owned by listed parties in aggregate" \
  json 'j["match"] and j["ownership"]["restricted"] and j["ownership"]["reason"] == "screen.owned_by_listed" and j["ownership"]["restricted_share"] >= 50 and j["ownership"]["chain"]' "$T/agg.json"
r=$(post '{"org_id":"o-clean","name":"Friendly Robotics Inc","country":"US","owners":[{"name":"Banco Nacional de Cuba","share":20}]}')
body "$r" minor
check "a 20 % listed owner does not restrict" json 'not j["match"] and not j["ownership"]["restricted"]' "$T/minor.json"
r=$(post '{"name":"Holding X","owners":[{"org_id":"o-unknown","share":60}]}')
body "$r" unres
check "an owner by org_id alone is counted as unresolved" json 'j["owners_unresolved"] == 1 and not j["ownership"]["restricted"]' "$T/unres.json"

# bad input: 400 naming the field, never echoing the input
bad() { # bad BODY FIELD-TEXT
  local r
  r=$(post "$1")
  [ "$(status "$r")" = 400 ] && grep -q "$2" <<<"$(sed '$d' <<<"$r")"
}
check "malformed JSON" bad '{"name": "Acme' 'malformed JSON'
check "not an object" bad '["Acme"]' 'expected a JSON object'
check "missing name" bad '{"country":"US"}' "missing required field 'name'"
check "empty name" bad '{"name":""}' "missing required field 'name'"
check "name not a string" bad '{"name":42}' "field 'name': expected a string"
check "aliases not a list" bad '{"name":"A","aliases":"B"}' "field 'aliases': expected a list"
check "alias not a string" bad '{"name":"A","aliases":[1]}' "field 'aliases\[\]'"
check "unknown field" bad '{"name":"A","nmae":"B"}' "field 'nmae': unknown"
check "duplicate key" bad '{"name":"A","name":"B"}' 'malformed JSON'
check "owner share out of range" bad '{"name":"A","owners":[{"name":"B","share":150}]}' "owners\[\].share"
check "owner without id or name" bad '{"name":"A","owners":[{"share":50}]}' "org_id or a name"
check "owner without share" bad '{"name":"A","owners":[{"name":"B"}]}' "needs a share"
check "NUL in a name" bad '{"name":"A\u0000B"}' 'malformed JSON\|NUL'
check "invalid UTF-8" bad "$(printf '{"name":"\xff\xfe"}')" 'malformed JSON'
long=$(head -c 2000 /dev/zero | tr '\0' a)
check "overlong name" bad "{\"name\":\"$long\"}" "longer than 1024"
c=$(post '' | tail -n1)
check "empty body: 400 ($c)" [ "$c" = 400 ]
head -c 70000 /dev/zero | tr '\0' a >"$T/huge"
c=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary "@$T/huge" "$S")
check "huge body: 413 ($c)" [ "$c" = 413 ]
c=$(code "$S")
check "GET: 405 ($c)" [ "$c" = 405 ]
err=$(cat "$T/serve.out" "$T/serve.err")
check "no query text in the server's output" bash -c "! grep -q 'Aggregate\|Banco\|华为' <<<\"\$1\"" _ "$err"
m=$(curl -s "$URL/metrics")
check "metrics count /v1/screen" grep -q '^warden_http_requests_total{endpoint="screen",code="400"} ' <<<"$m"
stop_serve
check "stops cleanly" [ $? -eq 0 ]

printf 'port: 0\nshards: 1\n' >"$T/off.yaml"
start_serve "$T/off.yaml" off || exit 1
c=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary '{"name":"A"}' "$URL/v1/screen")
check "screen_api off: 404 ($c)" [ "$c" = 404 ]
stop_serve
finish
