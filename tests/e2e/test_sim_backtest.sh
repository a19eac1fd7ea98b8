#!/usr/bin/env bash
# test_sim_backtest.sh — `warden sim` and `warden backtest` from outside:
# same seed gives identical files, a held-out corpus never appears, exit codes,
# and the backtest's JSON and HTML on the hand-made fixture (tests/data/backtest).
set -euo pipefail
W=${WARDEN_BIN:?}
SRC=${WARDEN_SRC:?}
T=${WARDEN_TMP:?}/e2e_sim
rm -rf "$T"
mkdir -p "$T"
cd "$SRC"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$W" sim --help | grep -q -- '--exclude-corpus' || fail "sim --help"
"$W" sim --list >"$T/list.txt" && grep -q '^  mixed' "$T/list.txt" || fail "sim --list"
set +e
"$W" sim --scenario nope --out "$T/x" 2>/dev/null; rc=$?
"$W" sim --bogus 2>/dev/null; rc2=$?
"$W" backtest --truth tests/data/backtest/truth.jsonl 2>/dev/null; rc3=$?
set -e
[ "$rc" -ne 0 ] || fail "unknown scenario accepted"
[ "$rc2" -eq 2 ] || fail "bad option: exit $rc2, want 2"
[ "$rc3" -eq 2 ] || fail "backtest without events or verdicts: exit $rc3, want 2"

# restricted jurisdictions: from the policy (default examples/policy.yaml), or --restricted
"$W" sim --help | grep -q -- '--policy' || fail "sim --help: --policy"
cat >"$T/p.yaml" <<'YAML'
jurisdictions:
  restricted: [CU, IR, KP, SY, RU, BY, CN]
YAML
"$W" sim --scenario demo --seed 7 --accounts 40 --days 1 --policy "$T/p.yaml" --out "$T/p1" -q
"$W" sim --scenario demo --seed 7 --accounts 40 --days 1 --restricted cu,ir,kp,sy,ru,by,cn \
  --policy /nonexistent --out "$T/p2" -q
"$W" sim --scenario demo --seed 7 --accounts 40 --days 1 --out "$T/p3" -q
for f in events.jsonl accounts.jsonl orgs.jsonl truth.jsonl; do
  cmp -s "$T/p1/$f" "$T/p2/$f" || fail "$f: --restricted and the same policy list differ"
  cmp -s "$T/p1/$f" "$T/p3/$f" || fail "$f: the default policy is not examples/policy.yaml"
done
printf 'jurisdictions:\n  restricted: [XYZ]\n' >"$T/bad.yaml"
set +e
"$W" sim --policy "$T/bad.yaml" --out "$T/x" 2>"$T/bad.err"; rc=$?
set -e
[ "$rc" -eq 3 ] || fail "bad policy: exit $rc, want 3"
grep -q 'bad.yaml:2:' "$T/bad.err" || fail "bad policy: no FILE:LINE"

# determinism, through the CLI
"$W" sim --scenario demo --seed 7 --accounts 60 --days 2 --out "$T/a" -q
"$W" sim --scenario demo --seed 7 --accounts 60 --days 2 --out "$T/b" -q
for f in events.jsonl accounts.jsonl orgs.jsonl truth.jsonl; do
  cmp -s "$T/a/$f" "$T/b/$f" || fail "$f differs for the same seed"
done

# a held-out corpus is not in the prompts (and is there without --exclude-corpus)
"$W" sim --scenario demo --seed 7 --accounts 60 --days 2 --exclude-corpus gsm8k --out "$T/c" -q
sed -n 's/^{"question": "\([^"\\]\{40\}\).*/\1/p' data/prompts/gsm8k_train.jsonl >"$T/gsm8k.pat"
[ "$(wc -l <"$T/gsm8k.pat")" -gt 5000 ] || fail "gsm8k patterns"
grep -qF -f "$T/gsm8k.pat" "$T/a/events.jsonl" || fail "gsm8k absent even when not held out"
if grep -qF -f "$T/gsm8k.pat" "$T/c/events.jsonl"; then fail "held-out corpus gsm8k appears"; fi
! grep -q '"label":"benign","kind":"distillation' "$T/c/truth.jsonl" || fail "truth labels"

# --shippable (and the bundled demo data) carry no text of the non-commercial
# corpora: 70-character instruction prefixes of those files, minus any that
# also occur in the shipped corpora, never appear
S=../shared/data/prompts
if [ -d "$S/machine" ]; then
  grep -h -o '"instruction": "[^"\\]\{70\}' "$S/machine/alpaca_5000.json" \
    "$S/machine/code_alpaca_2k.json" "$S"/organic/instructionwild_seed_*_part1.jsonl |
    cut -c17- | sort -u >"$T/nc.pat"
  grep -h -o -F -f "$T/nc.pat" data/prompts/*.json* | sort -u >"$T/overlap.pat" || true
  comm -23 "$T/nc.pat" "$T/overlap.pat" >"$T/nc_only.pat"
  [ "$(wc -l <"$T/nc_only.pat")" -gt 1000 ] || fail "non-commercial patterns"
  grep -qF -f "$T/nc_only.pat" "$T/a/events.jsonl" || fail "shared corpora not used by default"
  "$W" sim --scenario demo --seed 7 --accounts 60 --days 2 --shippable --out "$T/s" -q 2>/dev/null
  if grep -qF -f "$T/nc_only.pat" "$T/s/events.jsonl"; then fail "--shippable has NC text"; fi
  if zcat data/demo/events.jsonl.gz | grep -qF -f "$T/nc_only.pat"; then
    fail "data/demo has non-commercial text"
  fi
fi

# backtest on the hand-made fixture
"$W" backtest --truth tests/data/backtest/truth.jsonl --verdicts tests/data/backtest/verdicts.jsonl \
  --json --report "$T/report.html" >"$T/bt.json" 2>/dev/null
grep -q '"precision_actioned":0.8,' "$T/bt.json" || fail "backtest precision"
grep -q '"recall_actioned":0.666667,' "$T/bt.json" || fail "backtest recall"
grep -q '"roc_auc":0.75,' "$T/bt.json" || fail "backtest auc"
grep -q '<svg' "$T/report.html" || fail "report has no plot"
! grep -qi '<script\|https\?://' "$T/report.html" || fail "report is not self-contained"
"$W" backtest --truth tests/data/backtest/truth.jsonl --verdicts tests/data/backtest/verdicts.jsonl \
  2>/dev/null | grep -q 'distillation.hydra' || fail "text report"

# cross-account metrics on their hand-made fixture (numbers in tests/unit/test_backtest_cross.c)
"$W" backtest --truth tests/data/backtest/cross_truth.jsonl \
  --verdicts tests/data/backtest/cross_verdicts.jsonl --json --report "$T/cross.html" \
  >"$T/cross.json" 2>/dev/null
grep -q '"clusters_90":1,' "$T/cross.json" || fail "backtest clusters at 90 %"
grep -q '"slow_low_recall":0.75,' "$T/cross.json" || fail "backtest slow-and-low recall"
grep -q '"joiner_served_p90":12,' "$T/cross.json" || fail "backtest joiner delay"
grep -q '"benign_only_clusters":2,' "$T/cross.json" || fail "backtest benign clusters"
grep -q '<td>benign.cgnat</td><td>yes</td><td>4</td><td>3</td><td>2</td>' "$T/cross.html" ||
  fail "report: benign accounts in clusters"
grep -q '<h2>Clusters</h2>' "$T/cross.html" || fail "report: cluster table"

# with the scan, when this build has one: the whole loop in one command
if "$W" scan --help >/dev/null 2>&1; then
  "$W" backtest --truth "$T/a/truth.jsonl" --json "$T/a/events.jsonl" >"$T/bt2.json" 2>/dev/null ||
    fail "backtest through scan"
  grep -q '"accounts":' "$T/bt2.json" || fail "backtest through scan: no metrics"
fi
echo "ok"
