#!/usr/bin/env bash
# test_backtest_report.sh — the backtest report is something an analyst can
# act on. On a small fixture (tests/data/backtest/report: truth with scenario
# and seed, verdicts with their policy hash and run id, findings) the HTML
# report, parsed as XML (xmllint), and the --json output carry: what was run
# (policy hash, inputs with SHA-256, version, scenario, seed); every wrong
# account (false positives and misses) with kind, action, reasons and its
# strongest findings, each row reachable by its anchor and the same anchors
# in the JSON; the kinds never actioned, linked to their misses; a
# precision-recall curve with one point per distinct score that matches one
# computed here with jq; recall and false-positive rate on separate scales.
. "$(dirname "$0")/lib.sh"
F="$WARDEN_SRC/tests/data/backtest/report"
cp "$F"/*.jsonl "$T/"
"$WARDEN_BIN" backtest -t "$T/truth.jsonl" --verdicts "$T/verdicts.jsonl" --report "$T/r.html" \
  >"$T/text.txt" 2>"$T/err.txt"
check "backtest with --report runs" [ $? -eq 0 ]
"$WARDEN_BIN" backtest -t "$T/truth.jsonl" --verdicts "$T/verdicts.jsonl" --json >"$T/r.json" 2>/dev/null
check "--json is one JSON document" jq -e . "$T/r.json" >/dev/null
check "the HTML report is well-formed (parses as XML)" xmllint --noout "$T/r.html"
check "written under a temporary name and renamed: none left" \
  bash -c "! ls -A '$T' | grep -q '^\.r\.html\.tmp\.'"
x() { xmllint --xpath "$1" "$T/r.html" 2>/dev/null; }
J() { jq -r "$1" "$T/r.json"; }

# what was run
pol=$(jq -r .policy "$T/verdicts.jsonl" | sort -u)
check "run: the policy hash of the verdicts" \
  [ "$(x 'string(//table[@class="run"]/tr[th="policy SHA-256"]/td)')" = "$pol" ]
check "run: the run id" [ "$(x 'string(//table[@class="run"]/tr[th="run id"]/td)')" = "run-fixture-1" ]
check "run: the scenario the truth says" [ "$(x 'string(//table[@class="run"]/tr[th="scenario"]/td)')" = "mixed" ]
check "run: the seed" [ "$(x 'string(//table[@class="run"]/tr[th="seed"]/td)')" = "7" ]
ver=$("$WARDEN_BIN" --version | head -1 | cut -d' ' -f2)
check "run: the version ($ver)" [ "$(x 'string(//table[@class="run"]/tr[th="Warden version"]/td)')" = "$ver" ]
check "run: the truth file with its SHA-256" \
  [ "$(x 'string(//table[@class="inputs"]/tr[td[1]="truth"]/td[3])')" = "$(sha256sum "$T/truth.jsonl" | cut -d' ' -f1)" ]
check "run: the verdicts file with its SHA-256" \
  [ "$(x 'string(//table[@class="inputs"]/tr[td[1]="verdicts"]/td[3])')" = "$(sha256sum "$T/verdicts.jsonl" | cut -d' ' -f1)" ]
check "--json run: the same hash, seed and scenario" \
  [ "$(J '[.run.policy_sha256, .run.seed, .run.scenario] | @tsv')" = "$(printf '%s\t7\tmixed' "$pol")" ]

# the wrong accounts, computed here from the fixture: benign actioned, attack not actioned
jq -s -r --slurpfile v "$T/verdicts.jsonl" '
  .[] | . as $t | ([$v[] | select(.account_id == $t.account_id)][0] // {action: "allow"}) as $d
  | select((.label == "benign") == ($d.action != "allow"))
  | [.account_id, (if .label == "benign" then "false_positive" else "miss" end)] | @tsv' \
  "$T/truth.jsonl" | sort >"$T/wrong.expected"
x '//tr[@class="wrong-account"]' >/dev/null
for kind in false_positive miss; do
  n=$(x "count(//table[@data-wrong=\"$kind\"]/tr[@class=\"wrong-account\"])")
  check "HTML lists every $kind ($n)" [ "$n" = "$(grep -c "	$kind$" "$T/wrong.expected")" ]
done
J '.wrong_accounts.list[] | [.account_id, .wrong] | @tsv' | sort >"$T/wrong.json"
check "--json lists the same wrong accounts" cmp -s "$T/wrong.expected" "$T/wrong.json"
# every JSON anchor is a row of the HTML whose account cell names that account
bad=0
while IFS=$'\t' read -r id anchor; do
  got=$(x "string(//tr[@id=\"$anchor\"]/td[@class=\"account\"]/a)")
  href=$(x "string(//tr[@id=\"$anchor\"]/td[@class=\"account\"]/a/@href)")
  [ "$got" = "$id" ] && [ "$href" = "#$anchor" ] || bad=$((bad + 1))
done < <(J '.wrong_accounts.list[] | [.account_id, .anchor] | @tsv')
check "each wrong account's row is reachable by its anchor" [ "$bad" = "0" ]
check "an account id with a space and a slash gets a safe, unique anchor" \
  bash -c "jq -r '.wrong_accounts.list[] | select(.account_id == \"c 1/x\") | .anchor' '$T/r.json' | grep -qE '^acct-c_1_x-[0-9]+$'"
# the false positive: its action, reasons, strongest findings first, at most three
check "the false positive's action" [ "$(x 'string(//tr[td[@class="account"]/a="b2"]/td[@class="action"])')" = "review" ]
check "its reasons" [ "$(x 'string(//tr[td[@class="account"]/a="b2"]/td[@class="reasons"])')" = "anon.cloud, velocity.burst" ]
top=$(jq -s -r '[.[] | select(.account_id == "b2")] | sort_by(-.score) | .[:3] | map(.code) | join(" ")' "$T/findings.jsonl")
check "its three strongest findings, strongest first ($top)" \
  [ "$(J '.wrong_accounts.list[] | select(.account_id == "b2") | .top_findings | map(.code) | join(" ")')" = "$top" ]
check "and all its findings counted" \
  [ "$(J '.wrong_accounts.list[] | select(.account_id == "b2") | .findings')" = \
  "$(grep -c '"account_id":"b2"' "$T/findings.jsonl")" ]
check "the HTML shows the strongest finding's evidence" \
  bash -c "xmllint --xpath 'string(//tr[td[@class=\"account\"]/a=\"b2\"]/td[@class=\"evidence\"]/span[1]/code)' '$T/r.html' | jq -e '.asn == 16509' >/dev/null"
check "a miss shows what was seen below the policy" \
  [ "$(x 'string(//tr[td[@class="account"]/a="d2"]/td[@class="evidence"]/span[1])' | cut -d' ' -f1)" = "distill.harvest_shape" ]

# kinds never actioned: computed here, highlighted there, linked to a miss of that kind
jq -s -r --slurpfile v "$T/verdicts.jsonl" '
  [.[] | select(.label != "benign") | . as $t
   | {kind: .kind, act: (([$v[] | select(.account_id == $t.account_id)][0].action // "allow") != "allow")}]
  | group_by(.kind) | map(select(all(.[]; .act | not)) | .[0].kind) | .[]' "$T/truth.jsonl" >"$T/zero.expected"
x '//li[@class="zero-kind"]/a' | sed 's/<[^>]*>/\n/g' | grep -v '^$' | sort >"$T/zero.html"
check "the highlighted zero-recall kinds are those computed ($(paste -sd' ' "$T/zero.expected"))" \
  cmp -s "$T/zero.expected" "$T/zero.html"
check "--json names them too" [ "$(J '.zero_recall_kinds | sort | join(" ")')" = "$(sort "$T/zero.expected" | paste -sd' ')" ]
bad=0
for a in $(x '//li[@class="zero-kind"]/a/@href' | sed 's/.*href="#\([^"]*\)".*/\1/'); do
  k=$(x "string(//tr[@id=\"$a\"]/td[@class=\"kind\"])")
  grep -qx "$k" "$T/zero.expected" || bad=$((bad + 1))
done
check "each links to a miss of its kind" [ "$bad" = "0" ]
check "their rows in the per-kind table are marked" \
  [ "$(x 'count(//tr[@class="zero"])')" = "$(wc -l <"$T/zero.expected")" ]

# precision-recall curve from the scores, computed independently
jq -s -r --slurpfile v "$T/verdicts.jsonl" '
  [.[] | . as $t | {pos: (.label != "benign"),
    s: ([$v[] | select(.account_id == $t.account_id)][0].score // 0)}] as $a
  | ($a | map(select(.pos)) | length) as $P
  | [$a[].s] | unique | sort | reverse | map(. as $th
      | ($a | map(select(.s >= $th))) as $in
      | ($in | map(select(.pos)) | length) as $tp
      | [$th, ($tp / ($in | length) * 1e4 | round), ($tp / $P * 1e4 | round)] | @tsv) | .[]' \
  "$T/truth.jsonl" >"$T/pr.expected"
J '.pr[] | [.threshold, (.precision * 1e4 | round), (.recall * 1e4 | round)] | @tsv' >"$T/pr.json"
check "--json PR curve equals the one computed from the scores ($(wc -l <"$T/pr.expected") points)" \
  cmp -s "$T/pr.expected" "$T/pr.json"
npts=$(x 'string(//*[@id="pr-curve"]/*[@class="pr"]/@points)' | wc -w)
check "the HTML curve has a point per distinct score ($npts)" [ "$npts" = "$(wc -l <"$T/pr.expected")" ]
check "and marks the policy's operating points" [ "$(x 'count(//*[@id="pr-curve"]/*[local-name()="circle"])')" -ge 1 ]

# recall and false-positive rate, each on its own scale
rmax=$(x '(//*[@id="kind-recall"]/*[@class="tick"])[last()]/text()')
fmax=$(x '(//*[@id="kind-fpr"]/*[@class="tick"])[last()]/text()')
fpr_hi=$(J '[.kinds[] | select(.fpr_actioned != null) | .fpr_actioned] | max')
check "recall is drawn on 0..1 ($rmax)" [ "$rmax" = "1" ]
check "the false-positive rate on its own scale, from its largest value ($fpr_hi) up to $fmax" \
  awk -v m="$fmax" -v h="$fpr_hi" 'BEGIN { exit !(m >= h && m < 1) }'
bad=0
while IFS=$'\t' read -r k rec; do
  got=$(x "string(//*[@id=\"kind-recall\"]/*[@data-kind=\"$k\"]/@data-value)")
  awk -v a="$got" -v b="$rec" 'BEGIN { exit !((a - b) < 1e-6 && (b - a) < 1e-6) }' || bad=$((bad + 1))
done < <(J '.kinds[] | select(.recall_actioned != null) | [.name, .recall_actioned] | @tsv')
check "each attack kind's recall bar has its recall" [ "$bad" = "0" ]
check "the text report names the wrong accounts and zero-recall kinds" \
  grep -q "kinds never actioned (recall 0): " "$T/text.txt"
finish
