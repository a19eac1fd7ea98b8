#!/usr/bin/env bash
# test_cli_conventions.sh — one command-line convention across commands:
# shared short letters mean one option everywhere (-p policy, -o out,
# -j json, -q quiet, -a accounts); destructive options have no short letter;
# a forgotten value that looks like an option is refused (and nothing is
# done); short flags combine; typos get the nearest name; `-` is standard input.
. "$(dirname "$0")/lib.sh"
W=$(readlink -f "$WARDEN_BIN")
CMDS="scan sim backtest screen match-names lists sweep blocklist ip intel config explain serve"

# 1. every short letter of the shared set means the same long option in every command
for c in $CMDS; do
  "$W" $c --help | grep -oE '^  -[a-zA-Z], --[a-z-]+' | sed 's/^  //; s/,//' >>"$T/letters.$c"
  while read -r short long; do echo "$short $long $c"; done <"$T/letters.$c" >>"$T/all"
done
for pair in "-p --policy" "-o --out" "-j --json" "-q --quiet" "-a --accounts"; do
  set -- $pair
  bad=$(awk -v s="$1" -v l="$2" '$1 == s && $2 != l {print $3 ": " $1 " is " $2}' "$T/all")
  check "$1 means $2 in every command ${bad:+($bad)}" test -z "$bad"
done
# 2. destructive options have no short letter
check "no short letter for --quarantine/--restore" \
  bash -c "! grep -qE -- '--(quarantine|restore)' '$T/all'"
"$W" sweep --help | grep -q -- "--quarantine DIR" || true
"$W" sweep --root "$T" -q "$T/q" >/dev/null 2>"$T/q.err"
rc=$?
check "sweep -q is not an option (exit $rc)" test "$rc" -eq 2

# 3. a value that looks like an option is refused and nothing happens
mkdir -p "$T/fs/etc" "$T/fs/home/a/.codex"
printf 'a:x:1000:1000::/home/a:/bin/bash\n' >"$T/fs/etc/passwd"
printf '{"OPENAI_API_KEY":"x"}\n' >"$T/fs/home/a/.codex/auth.json"
printf 'sweep:\n  banned: [codex-cli]\n' >"$T/sweep.yaml"
(cd "$T" && "$W" sweep --root "$T/fs" --policy "$T/sweep.yaml" --quarantine -j >/dev/null 2>"$T/v.err")
rc=$?
check "--quarantine -j is refused (exit $rc)" test "$rc" -eq 2
check "  ... saying it looks like an option" grep -q "looks like an option" "$T/v.err"
check "  ... and nothing was moved" test -f "$T/fs/home/a/.codex/auth.json"
check "  ... and no directory named -j" test ! -e "$T/-j"
# an explicit --name=value with a leading dash is accepted as a value
"$W" ip --policy=-nonexistent 8.8.8.8 >/dev/null 2>"$T/eq.err"
rc=$?
check "--policy=-x is taken as a value: the file is missing, exit 3 ($rc)" test "$rc" -eq 3
check "  ... naming it" grep -q -- "-nonexistent" "$T/eq.err"

# 4. combined short flags
"$W" screen -jc CU "Banco Nacional de Cuba" >"$T/jc.json" 2>/dev/null
check "-jc CU: JSON with the country" grep -q '"query":"Banco Nacional de Cuba"' "$T/jc.json"

# 5. typos suggest the nearest name
"$W" scna >/dev/null 2>"$T/cmd.err"
rc=$?
check "unknown command exits 2 ($rc)" test "$rc" -eq 2
check "  ... suggests scan" grep -q "did you mean 'scan'" "$T/cmd.err"
"$W" scan --polcy x >/dev/null 2>"$T/opt.err"
check "unknown option suggests --policy" grep -q "did you mean '--policy'" "$T/opt.err"
"$W" scan --zzzzzz >/dev/null 2>"$T/far.err"
check "no suggestion for a far-off name" bash -c "! grep -q 'did you mean' '$T/far.err'"

# 6. '-' reads standard input (events, accounts)
D=$WARDEN_SRC/data/demo
zcat "$D/events.jsonl.gz" | "$W" scan -q --no-db --accounts "$D/accounts.jsonl" --run-id t -o "$T/s1" - 2>/dev/null
check "scan reads events from -" test -s "$T/s1/verdicts.jsonl"
"$W" scan -q --no-db --accounts "$D/accounts.jsonl" --run-id t -o "$T/s2" "$D/events.jsonl.gz" 2>/dev/null
check "  ... the same verdicts as from the file" cmp -s "$T/s1/verdicts.jsonl" "$T/s2/verdicts.jsonl"
finish
