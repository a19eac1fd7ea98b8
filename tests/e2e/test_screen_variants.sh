#!/usr/bin/env bash
# test_screen_variants.sh — the commonest variant of a listed organisation's
# name still matches: one common word of company names left out (MONSOON
# SHIPPING LTD written "Monsoon Ltd", GLOBAL VISION GROUP "Global Vision").
# Every OFAC SDN entity (data/lists, 2019 file) whose primary name has such
# a word (terms.tsv) and a distinctive word is written without its last
# common word and screened with the example policy. A rule that would take
# "Connect LLC" for another company than CONNECT TELECOM GENERAL TRADING LLC
# takes "Monsoon Ltd" for another company than MONSOON SHIPPING LTD as well:
# the two have one shape. 1,105 of 1,281 match (86 %); a rule tried that
# read ordinary English words as common ones left 961 (75 %; README,
# "Restricted-party screening").
. "$(dirname "$0")/lib.sh"
python3 - "$WARDEN_SRC/data/lists/ofac_sdn_2019.csv" "$WARDEN_SRC/data/screen/terms.tsv" \
  "$T/q.jsonl" <<'PY'
import csv, json, re, sys
src, terms, out = sys.argv[1:4]
common = set()
for line in open(terms, encoding='utf-8'):
    if line.startswith('#') or not line.strip():
        continue
    for v in line.rstrip('\n').split('\t'):
        v = v.strip().lower()
        if re.fullmatch('[a-z]+', v):
            common.add(v)
minor = {'llc', 'ltd', 'limited', 'co', 'company', 'inc', 'corp', 'corporation', 'sa', 's', 'a',
         'jsc', 'ojsc', 'cjsc', 'pjsc', 'oao', 'zao', 'ooo', 'gmbh', 'ag', 'fze', 'fzco', 'llp',
         'plc', 'pte', 'sarl', 'srl', 'bv', 'de', 'cv', 'the', 'of', 'and', 'for', 'in', 'al', 'el'}
seen, n = set(), 0
with open(out, 'w') as f:
    for row in csv.reader(open(src, encoding='latin-1')):
        if len(row) < 3 or row[2].strip() != '-0-':
            continue
        toks = re.findall(r"[A-Za-z]+", row[1])
        low = [t.lower() for t in toks]
        drop = [i for i, t in enumerate(low) if t in common and t not in minor]
        rest = [t for t in low if t not in common and t not in minor and len(t) > 2]
        if not drop or not rest:
            continue
        q = ' '.join(t for j, t in enumerate(toks) if j != drop[-1])
        if q.lower() in seen:
            continue
        seen.add(q.lower())
        f.write(json.dumps({'org_id': 'v%d' % n, 'name': q.title()}) + '\n')
        n += 1
PY
n=$(wc -l <"$T/q.jsonl")
WARDEN_DATA_DIR="$WARDEN_SRC/data" "$WARDEN_BIN" screen -p "$WARDEN_SRC/examples/policy.yaml" \
  --batch "$T/q.jsonl" -j >"$T/out.jsonl" 2>/dev/null
listed=$(jq -r 'select(.reason == "screen.listed") | .org_id' "$T/out.jsonl" | wc -l)
echo "variants: $n, matched: $listed"
check "over a thousand variants written" [ "$n" -gt 1000 ]
check "every variant screened" [ "$(wc -l <"$T/out.jsonl")" -eq "$n" ]
check "at least 83 % of the variants still match their listed party" \
  [ $((listed * 100)) -ge $((n * 83)) ]
finish
