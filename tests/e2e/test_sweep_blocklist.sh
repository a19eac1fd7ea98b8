#!/usr/bin/env bash
# test_sweep_blocklist.sh — `warden blocklist` output accepted by the real tools:
# dnsmasq --test, unbound-checkconf and nft -c (each skipped with a note when
# the tool is missing or, for nft, not permitted here), plus the hosts and
# squid shapes and the error paths.
set -euo pipefail
W=${WARDEN_BIN:?}
SRC=${WARDEN_SRC:?}
mkdir -p "${WARDEN_TMP:?}"
T=$(mktemp -d "$WARDEN_TMP/sweep-bl.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
PATH=$PATH:/usr/sbin:/sbin
checked=0

ALL=$("$W" blocklist --list | awk '{print $1}')
[ -n "$ALL" ] || fail "--list printed nothing"
TOOLS=()
for t in $ALL; do [ "$t" = aider ] || TOOLS+=(--tool "$t"); done

"$W" blocklist "${TOOLS[@]}" --format hosts > "$T/hosts"
grep -qx '0.0.0.0 api.anthropic.com' "$T/hosts" || fail "hosts lacks api.anthropic.com"
grep -qx ':: api.anthropic.com' "$T/hosts" || fail "hosts lacks the IPv6 line"

"$W" blocklist "${TOOLS[@]}" --format dnsmasq > "$T/dnsmasq.conf"
grep -qx 'address=/api.anthropic.com/' "$T/dnsmasq.conf" || fail "dnsmasq lacks api.anthropic.com"
if command -v dnsmasq >/dev/null; then
  dnsmasq --test -C "$T/dnsmasq.conf" 2>&1 | grep -q "syntax check OK" || fail "dnsmasq rejects the config"
  checked=$((checked + 1))
else echo "note: dnsmasq not installed; syntax not checked" >&2; fi

"$W" blocklist "${TOOLS[@]}" --format unbound > "$T/unbound.conf"
grep -q 'local-zone: "api.anthropic.com." always_nxdomain' "$T/unbound.conf" || fail "unbound lacks api.anthropic.com"
if command -v unbound-checkconf >/dev/null; then
  unbound-checkconf "$T/unbound.conf" >/dev/null || fail "unbound-checkconf rejects the config"
  checked=$((checked + 1))
else echo "note: unbound-checkconf not installed; syntax not checked" >&2; fi

"$W" blocklist --policy "$SRC/examples/sweep-policy.yaml" --format nftables > "$T/rules.nft"
grep -q '160.79.104.0/23' "$T/rules.nft" || fail "nftables lacks Anthropic's published range"
grep -q 'ip6 daddr @claude_code_v6' "$T/rules.nft" || fail "nftables lacks the IPv6 rule"
if command -v nft >/dev/null; then
  if nft -c -f "$T/rules.nft" 2> "$T/nft.err"; then
    checked=$((checked + 1))
  elif grep -qiE "Operation not permitted|Permission denied|cache initialization failed" "$T/nft.err"; then
    echo "note: nft -c not permitted here; nftables syntax not checked" >&2
  else
    cat "$T/nft.err" >&2; fail "nft rejects the rules"
  fi
else echo "note: nft not installed; syntax not checked" >&2; fi

"$W" blocklist --tool claude-code --tool cursor --format squid > "$T/squid.conf"
grep -qx 'acl warden_block_claude_code dstdomain .api.anthropic.com' "$T/squid.conf" || fail "squid acl"
grep -qx 'http_access deny warden_block_claude_code_ip' "$T/squid.conf" || fail "squid ip deny"
# cursor.com covers downloads.cursor.com: the subdomain must not be listed twice
if grep -q 'dstdomain .downloads.cursor.com' "$T/squid.conf"; then fail "squid lists a covered subdomain"; fi

set +e
"$W" blocklist --tool aider --format dnsmasq 2> "$T/e"; rc=$?
[ $rc -eq 3 ] || fail "tool without endpoints: exit $rc, want 3"
"$W" blocklist --tool cursor --format nftables 2> "$T/e"; rc=$?
[ $rc -eq 3 ] && grep -q "cannot match host" "$T/e" || fail "nftables without ranges: exit $rc"
"$W" blocklist --tool no-such --format hosts 2> /dev/null; rc=$?
[ $rc -eq 2 ] || fail "unknown tool: exit $rc, want 2"
"$W" blocklist --tool claude-code --format iptables 2> /dev/null; rc=$?
[ $rc -eq 2 ] || fail "unknown format: exit $rc, want 2"
set -e
echo "ok ($checked of 3 outputs checked by the real tool)"
