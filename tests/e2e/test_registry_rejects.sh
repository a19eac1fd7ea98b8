#!/usr/bin/env bash
# Bad lines of the registry files (--accounts, --orgs) are reported like bad
# event lines: each in OUT/rejects.jsonl with its file, line and reason
# (schema-valid, never the line's content), counted on stderr, and a share
# above --max-reject-share exits 5 with the outputs written; under it the
# scan exits 0. A registry whose every line is bad is refused (exit 3).
. "$(dirname "$0")/lib.sh"

printf '{"ts":"2026-11-23T08:00:00Z","account_id":"acct_1","ip":"192.0.2.1","prompt":"hi"}\n' >"$T/ev.jsonl"
{
  for i in 1 2 3 4 5 6 7 8; do printf '{"account_id":"acct_%d","billing_country":"DE"}\n' "$i"; done
  printf '{"account_id":"acct_9","billing_country":\n'       # 9: broken JSON
  printf '{"account_id":[42]}\n'                               # 10: wrong type
} >"$T/accounts.jsonl"

"$WARDEN_BIN" scan -q --accounts "$T/accounts.jsonl" --out "$T/o1" "$T/ev.jsonl" 2>"$T/e1"
check "2 bad lines of 10 (20 %) is over the default share: exit 5" [ $? -eq 5 ]
check "both in rejects.jsonl" [ "$(wc -l <"$T/o1/rejects.jsonl")" -eq 2 ]
check "with file and line" [ "$(jq -r '"\(.file|split("/")|last):\(.line)"' "$T/o1/rejects.jsonl" | tr '\n' ' ')" = "accounts.jsonl:9 accounts.jsonl:10 " ]
check "and a reason" [ "$(jq -r 'select(.reason|length>0)|.line' "$T/o1/rejects.jsonl" | wc -l)" -eq 2 ]
check "schema-valid" valid reject "$T/o1/rejects.jsonl"
check "never the line's content" bash -c "! grep -q 'billing_country' '$T/o1/rejects.jsonl'"
check "counted on stderr" grep -q "2 bad registry line(s) skipped; see $T/o1/rejects.jsonl" "$T/e1"
check "the share named" grep -q "20.00 % of the accounts/orgs lines were rejected, more than --max-reject-share" "$T/e1"
check "outputs written all the same" [ -f "$T/o1/verdicts.jsonl" ]

"$WARDEN_BIN" scan -q --accounts "$T/accounts.jsonl" --max-reject-share 0.5 --out "$T/o2" "$T/ev.jsonl" 2>"$T/e2"
check "under --max-reject-share 0.5: exit 0" [ $? -eq 0 ]
check "still listed" [ "$(wc -l <"$T/o2/rejects.jsonl")" -eq 2 ]

printf 'account_id,billing_country\nacct_1,DE\n' >"$T/accounts.csv"
"$WARDEN_BIN" scan -q --accounts "$T/accounts.csv" --out "$T/o3" "$T/ev.jsonl" 2>"$T/e3"
check "a CSV as --accounts: refused (exit 3)" [ $? -eq 3 ]
finish
