#!/usr/bin/env bash
# test_intel_ip.sh — `warden ip` and `warden intel` from the outside: real
# libloc data for well-known addresses, a CIDR from a loaded list shows its
# category and provider, bad list lines are reported with file:line, --json,
# a compiled table round trip, and a corrupt table refused with exit code 3.
set -euo pipefail
W=${WARDEN_BIN:?}
T=${WARDEN_TMP:-/tmp}/e2e_intel_ip.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -qF -- "$2" <<<"$1" || fail "expected '$2' in: $1"; }

# Real database: country, ASN, AS name and categories.
out=$("$W" ip 8.8.8.8 47.88.0.1 2a00:1450::1)
echo "$out"
line() { grep "^$1 " <<<"$out" || fail "no line for $1"; }
l=$(line 8.8.8.8);       has "$l" "country=US"; has "$l" "asn=15169"; has "$l" 'as_name="GOOGLE"'
l=$(line 47.88.0.1);     has "$l" "asn=45102"; has "$l" "as_name=\"Alibaba"; has "$l" "cloud"
has "$l" "provider=alibaba"
l=$(line 2a00:1450::1);  has "$l" "asn=15169"; has "$l" 'as_name="GOOGLE"'
grep -Eq "country=[A-Z]{2} " <<<"$l" || fail "no country for 2a00:1450::1: $l"

# A list of our own, with one bad line: category + provider, warning with file:line.
printf '# test list\n198.51.100.0/24\nnot-a-network\n2001:db8:77::/48\n' >"$T/mine.txt"
out=$("$W" ip --list "vpn:examplevpn:$T/mine.txt" 198.51.100.7 2001:db8:77::1 192.0.2.1 \
      2>"$T/err")
echo "$out"
l=$(grep '^198.51.100.7 ' <<<"$out"); has "$l" "categories=vpn"; has "$l" "provider=examplevpn"
l=$(grep '^2001:db8:77::1 ' <<<"$out"); has "$l" "provider=examplevpn"
l=$(grep '^192.0.2.1 ' <<<"$out"); has "$l" "categories=-"; has "$l" "provider=-"
has "$(cat "$T/err")" "$T/mine.txt:3:"

# JSON output.
out=$("$W" ip --json --no-lists --list "tor:exampletor:$T/mine.txt" 198.51.100.9 1.1.1.1 2>/dev/null)
echo "$out"
has "$out" '{"ip":"198.51.100.9","country":"","asn":0,"as_name":"","categories":["tor"],"provider":"exampletor"}'
has "$out" '"ip":"1.1.1.1","country":"AU","asn":13335,"as_name":"CLOUDFLARENET"'

# Compile, then map: same answers, start-up from the table file.
"$W" intel build --out "$T/table.wit" --list "vpn:examplevpn:$T/mine.txt" >"$T/build.txt" 2>/dev/null
cat "$T/build.txt"
has "$(cat "$T/build.txt")" "written:"
a=$("$W" ip --list "vpn:examplevpn:$T/mine.txt" 8.8.8.8 198.51.100.7 2a00:1450::1 2>/dev/null)
b=$("$W" ip --table "$T/table.wit" --stats 8.8.8.8 198.51.100.7 2a00:1450::1 2>"$T/stats")
[ "$a" = "$b" ] || fail "mapped table answers differ: $a // $b"
has "$(cat "$T/stats")" "table mapped"
"$W" intel info --table "$T/table.wit" | grep -q "mapped table file" || fail "intel info"

# Addresses from stdin with '-'.
out=$(printf '8.8.8.8\n# comment\n\n  198.51.100.7 \n' | "$W" ip --table "$T/table.wit" - 2>/dev/null)
[ "$(wc -l <<<"$out")" -eq 2 ] || fail "stdin: $out"
has "$out" "provider=examplevpn"

# A corrupt or truncated table is refused with a reason and exit code 3.
head -c 100000 "$T/table.wit" >"$T/trunc.wit"
set +e
"$W" ip --table "$T/trunc.wit" 8.8.8.8 >/dev/null 2>"$T/err"; rc=$?
set -e
[ $rc -eq 3 ] || fail "truncated table: exit $rc"
has "$(cat "$T/err")" "truncated"

# Bad input: exit 2.
set +e
"$W" ip --table "$T/table.wit" 8.8.8.8 not-an-ip >/dev/null 2>"$T/err"; rc=$?
"$W" ip >/dev/null 2>&1; rc2=$?
"$W" ip --list "nonsense:x:$T/mine.txt" 8.8.8.8 >/dev/null 2>&1; rc3=$?
set -e
[ $rc -eq 2 ] || fail "bad address: exit $rc"
has "$(cat "$T/err")" "'not-an-ip' is not an IP address"
[ $rc2 -eq 2 ] || fail "no address: exit $rc2"
[ $rc3 -eq 3 ] || fail "bad list spec: exit $rc3"
echo "PASS"
