#!/usr/bin/env bash
# test_distill_sim.sh — the distill detector on simulated traffic, from outside:
# (1) benign users who write in Chinese are actioned no more often than other
# benign individuals; (2) detection does not depend on the simulator's own
# identifiers: rewriting every account id (other shape), user agent, request
# id, and the line breaks of every prompt gives the same decisions. (2) runs
# without the link detector: linking reads the user agent (a client
# identifier) and frames sketched from a prompt's first bytes, which the
# rewrite changes, and which cluster an account joins then changes its
# leading reason (seen on seeds 6-8 with every build); (3) invisible and
# look-alike characters written into every prompt (zero-width spaces,
# Cyrillic look-alikes for every Latin letter that has one, fullwidth
# letters) change no decision, linking included.
# Needs the Chinese corpus (../shared); skips (77) without it.
source "$(dirname "$0")/lib.sh"
W=$WARDEN_BIN
"$W" sim --scenario lookalike --seed 5 --accounts 600 --days 5 -q --out "$T/s"
if ! grep -q '"benign.chinese_speaker"' "$T/s/truth.jsonl"; then
  echo "skip: no Chinese-language corpus (instructionwild zh in ../shared)"
  exit 77
fi
"$W" backtest --truth "$T/s/truth.jsonl" --json "$T/s/events.jsonl" >"$T/bt.json" 2>/dev/null
rate() { jq -r --arg k "$1" '.kinds[] | select(.name == $k) | "\(.actioned) \(.accounts)"' "$T/bt.json"; }
read -r zh_a zh_n <<<"$(rate benign.chinese_speaker)"
read -r in_a in_n <<<"$(rate benign.individual)"
check "Chinese-speaking population present" test "$zh_n" -gt 20
check "individuals present" test "$in_n" -gt 100
# zh_a / zh_n <= in_a / in_n, in integers
check "Chinese-writing users actioned no more often ($zh_a/$zh_n vs $in_a/$in_n)" \
  test $((zh_a * in_n)) -le $((in_a * zh_n))

# identifiers rewritten: reversed account ids (no acct_/user_01 prefixes), one
# user agent, new request ids, single line breaks in prompts
jq -c '.account_id |= "r" + (explode | reverse | implode)
       | .user_agent = "client/1.0" | .request_id = "q" + (.request_id | .[-12:])
       | if .prompt then .prompt |= gsub("\n\n"; "\n") else . end' \
  "$T/s/events.jsonl" >"$T/rewritten.jsonl"
jq -c '.account_id |= "r" + (explode | reverse | implode)' "$T/s/accounts.jsonl" >"$T/accounts2.jsonl"
printf 'detectors:\n  link:\n    enabled: false\n' >"$T/nolink.yaml" # the built-in rules
"$W" scan -q --no-db --policy "$T/nolink.yaml" -a "$T/s/accounts.jsonl" --orgs "$T/s/orgs.jsonl" \
  -o "$T/o1" "$T/s/events.jsonl" || true
"$W" scan -q --no-db --policy "$T/nolink.yaml" -a "$T/accounts2.jsonl" --orgs "$T/s/orgs.jsonl" \
  -o "$T/o2" "$T/rewritten.jsonl" || true
jq -r 'select(.reasons[0] | startswith("distill.")) | "\(.account_id) \(.action) \(.first_action_event)"' \
  "$T/o1/verdicts.jsonl" | sort >"$T/v1"
jq -r 'select(.reasons[0] | startswith("distill.")) | "\(.account_id | .[1:] | explode | reverse | implode) \(.action) \(.first_action_event)"' \
  "$T/o2/verdicts.jsonl" | sort >"$T/v2"
check "some accounts actioned for distillation" test "$(wc -l <"$T/v1")" -gt 10
check "same distillation decisions after rewriting identifiers" cmp -s "$T/v1" "$T/v2"

# characters a reader does not see or cannot tell apart: a zero-width space
# inside words, every Latin letter that has a Cyrillic look-alike swapped for
# it and every other small letter for its small capital (so no small Latin
# letter is left), fullwidth letters for "step"; the model reads the same prompts, and so
# do the detectors (core/textfold.h): every decision is the same, linking
# included
# (perl: the prompt string of each line, its escapes left alone)
perl -CSD -pe '
  sub hide { my $s = shift;
    $s =~ s/step/\x{ff53}\x{ff54}\x{ff45}\x{ff50}/g;
    $s =~ s/([A-Za-z]{2})([A-Za-z]{2})/$1\x{200b}$2/g;
    $s =~ tr/aeopcxysijhdqw/\x{430}\x{435}\x{43e}\x{440}\x{441}\x{445}\x{443}\x{455}\x{456}\x{458}\x{4bb}\x{501}\x{51b}\x{51d}/;
    $s =~ tr/bfgklmnrtuvz/\x{299}\x{a730}\x{262}\x{1d0b}\x{29f}\x{1d0d}\x{274}\x{280}\x{1d1b}\x{1d1c}\x{1d20}\x{1d22}/;
    return $s }
  s{("prompt":")((?:[^"\\]|\\.)*)"}{$1 . join("", map { /^\\/ ? $_ : hide($_) }
    split /(\\u[0-9a-fA-F]{4}|\\.)/, $2) . "\""}e' "$T/s/events.jsonl" >"$T/hidden.jsonl"
check "prompts were rewritten" test "$(grep -c "$(printf '\342\200\213')" "$T/hidden.jsonl")" -gt 1000
"$W" scan -q --no-db -a "$T/s/accounts.jsonl" --orgs "$T/s/orgs.jsonl" -o "$T/o3" \
  "$T/s/events.jsonl" || true
"$W" scan -q --no-db -a "$T/s/accounts.jsonl" --orgs "$T/s/orgs.jsonl" -o "$T/o4" \
  "$T/hidden.jsonl" || true
check "some accounts actioned for distillation (all detectors)" \
  test "$(jq -c 'select(.reasons[0] | startswith("distill."))' "$T/o3/verdicts.jsonl" | wc -l)" -gt 10
jq -c 'del(.run_id)' "$T/o3/verdicts.jsonl" | sort >"$T/v3"
jq -c 'del(.run_id)' "$T/o4/verdicts.jsonl" | sort >"$T/v4"
check "same decisions with invisible and look-alike characters in prompts" cmp -s "$T/v3" "$T/v4"
finish
