#!/usr/bin/env bash
# warden scan pools harvesting evidence held below every rule: four
# accounts on one throwaway e-mail domain, each with its own card, network
# and client, each asking new questions with reasoning on and big budgets in
# two sittings (distill reports each once below emit_min), are joined into
# one cluster through the domain (which alone never joins) and reviewed
# through cluster.harvest_pooled; three colleagues on a company domain who
# chat are not, nor are three colleagues of one declared organisation who
# harvest on its domain (they stay with their organisation). Three webmail
# accounts that signed up from one network,
# with a chatting neighbour who signed up there months before, are joined
# through the network (most of its five accounts harvest), the neighbour is
# not, and an account that signed up there between their sign-ups (the
# campaign's) is joined too, unless the network is a commercial VPN's exit
# (then the harvesters alone), or one of its sign-ups came through a
# residential proxy's exit. With the neighbour gone and an account that
# signed up there a month after the harvesters (lt1): it stays apart on that
# network (an ISP's /24: a household signing up later), and is joined when
# the network is a hosting range (rented machines, where no one lives: the
# operation's later account). With sn3's sign-up moved months before the
# others', the ISP's /24 is read as its sign-up waves and nobody is pooled
# through it; a hosting range is read whole and the three are. With sn3
# signed up from the next /24 of a hosting block, the three are pooled
# through the block's /22, and not with the sign-up network set to /24.
# With the link detector's suspect_min at 0 nobody is joined.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pooled_data.sh"
pooled_policy "$T/policy.yaml"
sed '$s/^    suspect_min: 0.2$/    suspect_min: 0/' "$T/policy.yaml" > "$T/off.yaml"
pooled_data "$T"

"$WARDEN_BIN" scan --quiet --run-id t --policy "$T/policy.yaml" --accounts "$T/accounts.jsonl" \
  --out "$T/out" "$T/events.jsonl" 2>/dev/null
check "scan exits 0" [ $? -eq 0 ]
C="$T/out/clusters.jsonl"
V="$T/out/verdicts.jsonl"
F="$T/out/findings.jsonl"
check "findings valid" valid finding "$F"
check "clusters valid" valid cluster "$C"
check "each harvester reported once below emit_min" \
  [ "$(grep -c '"code":"distill\.[a-z_]*".*"below_emit_min":true' "$F")" -eq 10 ]
check "no distill finding reaches a rule on its own" \
  bash -c "! grep -E '\"code\":\"distill\.[a-z_]*\",\"score\":0\.[5-9]' '$F'"
check "two clusters" [ "$(wc -l < "$C")" -eq 2 ]
check "one cluster of the four, joined through the domain, nobody actioned on their own" \
  grep -q '"members":4,.*"edge_kinds":{"email_domain":3},.*"actioned_members":0,.*"action":"review"' "$C"
check "the joins say pooled" [ "$(grep -c '"pooled":true' "$F")" -ge 1 ]
for a in op1 op2 op3 op4; do
  check "$a reviewed through cluster.harvest_pooled" \
    grep -q "\"account_id\":\"$a\",\"action\":\"review\",.*\"cluster.harvest_pooled\".*\"cluster_id\":\"lk-1\"" "$V"
done
check "the colleagues are neither linked nor reviewed" bash -c "! grep -q '\"co[123]\"' '$V' '$C'"
check "the declared organisation's harvesters are reported (below emit_min)" \
  [ "$(grep -c '"account_id":"dc[123]".*"below_emit_min":true' "$F")" -eq 3 ]
check "  ... but neither pooled nor reviewed" bash -c "! grep -q '\"dc[123]\"' '$V' '$C'"
# the cluster's members, sorted: FILE -> "a b c" for the cluster holding sn1
members_of_sn1() { jq -r 'select(.member_ids | index("sn1")) | .member_ids | sort | join(" ")' "$1"; }
check "the three who signed up from one network, and the account that signed up there between their sign-ups: one cluster, joined through it" \
  [ "$(members_of_sn1 "$C")" = "cv1 sn1 sn2 sn3" ]
check "  ... through the sign-up network" grep -q '"members":4,.*"edge_kinds":{"signup_ip":3}' "$C"
for a in sn1 sn2 sn3; do
  check "$a reviewed through cluster.harvest_pooled" \
    grep -q "\"account_id\":\"$a\",\"action\":\"review\",.*\"cluster.harvest_pooled\"" "$V"
done
check "their neighbour on that network, who signed up months before, is neither linked nor reviewed" \
  bash -c "! grep -q '\"nb1\"' '$V' '$C'"

# scan with one IP list of KIND holding CIDR: DIR -> $T/DIR
scan_exit() {
  printf '# as_of=2026-11-01\n%s\n' "$3" > "$T/$1.txt"
  { cat "$T/policy.yaml"; printf 'intel:\n  lists: ["%s:test:%s"]\n' "$2" "$T/$1.txt"; } > "$T/$1.yaml"
  "$WARDEN_BIN" scan --quiet --no-db --run-id t --policy "$T/$1.yaml" --accounts "$T/accounts.jsonl" \
    --out "$T/$1" "$T/events.jsonl" 2>/dev/null
}
# the same network as a commercial VPN's exit (strangers sign up through it
# in the same days): the harvesters are joined, nobody else
scan_exit vpn vpn 198.51.100.0/24
check "VPN exit: scan exits 0" [ $? -eq 0 ]
check "VPN exit: the three are one cluster, the account that signed up between them is not in it" \
  [ "$(members_of_sn1 "$T/vpn/clusters.jsonl")" = "sn1 sn2 sn3" ]
check "VPN exit: nor in any other" bash -c "! grep -q '\"cv1\"' '$T/vpn/clusters.jsonl'"
# one residential proxy's exit among the network's sign-ups (one address of
# an ISP's /24, not its first account's): the network is strangers' too
scan_exit rp residential_proxy 198.51.100.99/32
check "residential proxy: scan exits 0" [ $? -eq 0 ]
check "residential proxy exit on sn3's sign-up: the three are one cluster, without cv1" \
  [ "$(members_of_sn1 "$T/rp/clusters.jsonl")" = "sn1 sn2 sn3" ]
check "evidence never holds the domain" bash -c "! grep -q 'opshub' '$F'"

# lt1: signed up from the harvesters' network a month after them, chatting;
# nb1 (months before) left out, so that the harvesters are most of the
# network's accounts with lt1 among them
mkdir -p "$T/later"
grep -v '"nb1"' "$T/accounts.jsonl" > "$T/later/accounts.jsonl"
echo '{"account_id":"lt1","billing_country":"US","payment_fingerprint":"fp-31","email_domain":"gmail.com","signup_ip":"198.51.100.77","created_at":"2026-11-08T08:00:00Z"}' \
  >> "$T/later/accounts.jsonl"
{
  cat "$T/events.jsonl"
  for i in 0 1 2 3 4; do
    printf '{"ts":"2026-11-26T10:%02d:00Z","account_id":"lt1","ip":"81.2.71.%d","user_agent":"Mozilla/5.0","model":"m1","prompt":"hi, can you fix this sentence %d","turns":3,"max_tokens":1024,"input_tokens":400,"output_tokens":120}\n' \
      $((i * 7)) $((10 + i)) "$i"
  done
} > "$T/later/events.jsonl"
# scan_with ACCOUNTS EVENTS NAME [KIND CIDR]: a scan into $T/NAME, with an IP list
scan_with() {
  local acc=$1 ev=$2 pol="$T/policy.yaml"
  shift 2
  if [ $# -gt 1 ]; then
    printf '# as_of=2026-11-01\n%s\n' "$3" > "$T/$1.txt"
    pol="$T/$1.yaml"
    { cat "$T/policy.yaml"; printf 'intel:\n  lists: ["%s:test:%s"]\n' "$2" "$T/$1.txt"; } > "$pol"
  fi
  "$WARDEN_BIN" scan --quiet --no-db --run-id t --policy "$pol" --accounts "$acc" --out "$T/$1" "$ev" \
    2>/dev/null
}
# scan_later NAME [KIND CIDR]: the later sign-up's data
scan_later() { scan_with "$T/later/accounts.jsonl" "$T/later/events.jsonl" "$@"; }
scan_later isp
check "later sign-up, an ISP's /24: scan exits 0" [ $? -eq 0 ]
check "later sign-up, an ISP's /24: it stays out of the harvesters' cluster" \
  [ "$(members_of_sn1 "$T/isp/clusters.jsonl")" = "cv1 sn1 sn2 sn3" ]
check "later sign-up, an ISP's /24: ... and is not reviewed" \
  bash -c "! grep -q '\"lt1\"' '$T/isp/verdicts.jsonl' '$T/isp/clusters.jsonl'"
scan_later host hosting 198.51.100.0/24
check "later sign-up, a hosting range: scan exits 0" [ $? -eq 0 ]
check "later sign-up, a hosting range: it joins the harvesters' cluster" \
  [ "$(members_of_sn1 "$T/host/clusters.jsonl")" = "cv1 lt1 sn1 sn2 sn3" ]
check "later sign-up, a hosting range: ... and is reviewed through it" \
  grep -q '"account_id":"lt1","action":"review",.*"cluster\.' "$T/host/verdicts.jsonl"

# sn3 signed up there in June, months before the others (a household on
# the same ISP /24 that harvests too): on people's lines the network is read
# as its sign-up waves (pool_wave_s), and sn1 and sn2, two suspects of their
# wave of three (cv1 between them), are too few to pool on their count alone;
# on a hosting range the network is read whole and the three are pooled
mkdir -p "$T/apart"
sed 's/"account_id":"sn3",\(.*\)"created_at":"2026-10-09T08:00:00Z"/"account_id":"sn3",\1"created_at":"2026-06-01T08:00:00Z"/' \
  "$T/accounts.jsonl" > "$T/apart/accounts.jsonl"
check "months apart: sn3's sign-up moved" grep -q '"account_id":"sn3",.*2026-06-01' "$T/apart/accounts.jsonl"
scan_apart() { scan_with "$T/apart/accounts.jsonl" "$T/events.jsonl" "$@"; }
scan_apart apart-isp
check "months apart, an ISP's /24: scan exits 0" [ $? -eq 0 ]
check "months apart, an ISP's /24: none of the three is joined through the network" \
  bash -c "! grep -qE '\"(sn[123]|cv1)\"' '$T/apart-isp/clusters.jsonl'"
scan_apart apart-host hosting 198.51.100.0/24
check "months apart, a hosting range: scan exits 0" [ $? -eq 0 ]
check "months apart, a hosting range: the three are pooled (the network read whole)" \
  [ "$(members_of_sn1 "$T/apart-host/clusters.jsonl")" = "cv1 sn1 sn2 sn3" ]

# sn3 signed up from the next /24 of the same provider's block (198.51.101.x):
# the sign-up network is the /22 (signup_prefix_v4), so the three are still
# most of one network and pooled; with the network at /24 they are not (sn1
# and sn2 are two suspects of the /24's four accounts)
mkdir -p "$T/block"
sed 's/"signup_ip":"198.51.100.99"/"signup_ip":"198.51.101.99"/' "$T/accounts.jsonl" > "$T/block/accounts.jsonl"
check "adjacent /24: sn3's sign-up moved" grep -q '"account_id":"sn3",.*"198.51.101.99"' "$T/block/accounts.jsonl"
scan_block() { scan_with "$T/block/accounts.jsonl" "$T/events.jsonl" "$@"; }
scan_block block-host hosting 198.51.100.0/23
check "adjacent /24 of a hosting block: scan exits 0" [ $? -eq 0 ]
check "adjacent /24 of a hosting block: the three are pooled through the block" \
  [ "$(members_of_sn1 "$T/block-host/clusters.jsonl")" = "cv1 sn1 sn2 sn3" ]
sed '/^  link:$/,/^    suspect_min/ s/^    suspect_min: 0.2$/    signup_prefix_v4: 24\n&/' \
  "$T/block-host.yaml" > "$T/block24.yaml"
check "a /24 sign-up network: the policy says so, once" \
  [ "$(grep -c '^    signup_prefix_v4: 24$' "$T/block24.yaml")" -eq 1 ]
"$WARDEN_BIN" scan --quiet --no-db --run-id t --policy "$T/block24.yaml" \
  --accounts "$T/block/accounts.jsonl" --out "$T/block24" "$T/events.jsonl" 2>/dev/null
check "a /24 sign-up network: scan exits 0" [ $? -eq 0 ]
check "a /24 sign-up network: none of the three is joined through it" \
  bash -c "! grep -qE '\"(sn[123]|cv1)\"' '$T/block24/clusters.jsonl'"

"$WARDEN_BIN" scan --quiet --no-db --run-id t --policy "$T/off.yaml" --accounts "$T/accounts.jsonl" \
  --out "$T/off" "$T/events.jsonl" 2>/dev/null
check "off: the link detector's suspect_min only" [ "$(grep -c 'suspect_min: 0.2' "$T/off.yaml")" -eq 1 ]
check "suspect_min 0: the findings below emit_min stay" \
  [ "$(grep -c '"below_emit_min":true' "$T/off/findings.jsonl")" -eq 10 ]
check "suspect_min 0: no cluster" [ ! -s "$T/off/clusters.jsonl" ]
check "suspect_min 0: nobody reviewed" [ ! -s "$T/off/verdicts.jsonl" ]
finish
