#!/usr/bin/env bash
# warden scan pools harvesting evidence held below every rule: four
# accounts on one throwaway e-mail domain, each with its own card, network
# and client, each asking new questions with reasoning on and big budgets in
# two sittings (distill reports each once below emit_min), are joined into
# one cluster through the domain (which alone never joins) and reviewed
# through cluster.harvest_pooled; three colleagues on a company domain who
# chat are not. Three webmail accounts that signed up from one network,
# with a chatting neighbour who signed up there months before, are joined
# through the network (most of its five accounts harvest), the neighbour is
# not, and an account that signed up there between their sign-ups (the
# campaign's) is joined too, unless the network is a commercial VPN's exit
# (then the harvesters alone). With the link detector's suspect_min at 0
# nobody is joined.
. "$(dirname "$0")/lib.sh"

cat > "$T/policy.yaml" <<'YAML'
rules:
  - code: "*"
    min_score: 0.5
    action: review
detectors:
  distill:
    suspect_min: 0.2
  link:
    suspect_min: 0.2
YAML
sed '$s/^    suspect_min: 0.2$/    suspect_min: 0/' "$T/policy.yaml" > "$T/off.yaml"
cat > "$T/accounts.jsonl" <<'JSON'
{"account_id":"op1","billing_country":"US","payment_fingerprint":"fp-1","email_domain":"opshub.example"}
{"account_id":"op2","billing_country":"DE","payment_fingerprint":"fp-2","email_domain":"opshub.example"}
{"account_id":"op3","billing_country":"FR","payment_fingerprint":"fp-3","email_domain":"opshub.example"}
{"account_id":"op4","billing_country":"GB","payment_fingerprint":"fp-4","email_domain":"opshub.example"}
{"account_id":"co1","billing_country":"US","payment_fingerprint":"fp-5","email_domain":"acme.example"}
{"account_id":"co2","billing_country":"US","payment_fingerprint":"fp-6","email_domain":"acme.example"}
{"account_id":"co3","billing_country":"US","payment_fingerprint":"fp-7","email_domain":"acme.example"}
{"account_id":"sn1","billing_country":"US","payment_fingerprint":"fp-8","email_domain":"gmail.com","signup_ip":"198.51.100.7","created_at":"2026-10-01T08:00:00Z"}
{"account_id":"sn2","billing_country":"NL","payment_fingerprint":"fp-9","email_domain":"outlook.com","signup_ip":"198.51.100.41","created_at":"2026-10-05T08:00:00Z"}
{"account_id":"sn3","billing_country":"CA","payment_fingerprint":"fp-10","email_domain":"proton.me","signup_ip":"198.51.100.99","created_at":"2026-10-09T08:00:00Z"}
{"account_id":"nb1","billing_country":"US","payment_fingerprint":"fp-11","email_domain":"gmail.com","signup_ip":"198.51.100.200","created_at":"2026-03-02T08:00:00Z"}
{"account_id":"cv1","billing_country":"US","payment_fingerprint":"fp-12","email_domain":"gmail.com","signup_ip":"198.51.100.150","created_at":"2026-10-03T08:00:00Z"}
JSON
subj=(photosynthesis "the French revolution" "binary search" "compound interest" "plate tectonics"
  "the immune system" "sorting networks" "supply and demand" "the Doppler effect"
  "public key cryptography" "the water cycle" "game theory" "neural networks" "the Roman empire"
  entropy vaccines "black holes" inflation "DNA replication" relativity recursion
  "the printing press" volcanoes probability)
forms=("Explain %s to a curious adult." "What are the main open questions about %s?"
  "Give a detailed derivation related to %s." "Compare two competing theories of %s."
  "Write a careful essay on %s." "What would change if %s worked differently?")
uas=("python-httpx/0.28.1" "OpenAI/Python 1.54.3" "curl/8.5.0" "Anthropic/JS 0.52.0")
{
  k=0
  for a in 0 1 2 3 4 5 6; do
    name=op$((a + 1))
    [ $a -ge 4 ] && name=sn$((a - 3))
    for day in 20 22; do
      for i in 0 1 2 3 4; do
        k=$((k + 1))
        # shellcheck disable=SC2059
        q=$(printf "${forms[$(((k * 5 + a) % 6))]}" "${subj[$(((k * 7 + a) % 24))]}")
        printf '{"ts":"2026-11-%02dT%02d:%02d:00Z","account_id":"%s","ip":"%d.%d.69.%d","user_agent":"%s","model":"m1","prompt":"%s (%d)","turns":1,"thinking":true,"max_tokens":32000,"input_tokens":20,"output_tokens":2500}\n' \
          "$day" $((9 + a)) $((i * 9)) "$name" $((81 + a * 3)) $((2 + a)) $((10 + a)) "${uas[$((a % 4))]}" "$q" "$k"
      done
    done
  done
  for a in co1 co2 co3 nb1; do
    for day in 20 22; do
      for i in 0 1 2 3 4; do
        printf '{"ts":"2026-11-%02dT%02d:%02d:00Z","account_id":"%s","ip":"81.2.70.%d","user_agent":"Mozilla/5.0","model":"m1","prompt":"hi, can you fix this sentence %d: %s","turns":3,"max_tokens":1024,"input_tokens":400,"output_tokens":120}\n' \
          "$day" $((13 + ${#a})) $((i * 7)) "$a" $((10 + i)) "$i" "${subj[$(((i + ${#a}) % 24))]}"
      done
    done
  done
} | sort > "$T/events.jsonl"

"$WARDEN_BIN" scan --quiet --run-id t --policy "$T/policy.yaml" --accounts "$T/accounts.jsonl" \
  --out "$T/out" "$T/events.jsonl" 2>/dev/null
check "scan exits 0" [ $? -eq 0 ]
C="$T/out/clusters.jsonl"
V="$T/out/verdicts.jsonl"
F="$T/out/findings.jsonl"
check "findings valid" valid finding "$F"
check "clusters valid" valid cluster "$C"
check "each harvester reported once below emit_min" \
  [ "$(grep -c '"code":"distill\.[a-z_]*".*"below_emit_min":true' "$F")" -eq 7 ]
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

# the same network as a commercial VPN's exit (strangers sign up through it
# in the same days): the harvesters are joined, nobody else
printf '# as_of=2026-11-01\n198.51.100.0/24\n' > "$T/vpn.txt"
{ cat "$T/policy.yaml"; printf 'intel:\n  lists: ["vpn:testvpn:%s"]\n' "$T/vpn.txt"; } > "$T/vpn.yaml"
"$WARDEN_BIN" scan --quiet --no-db --run-id t --policy "$T/vpn.yaml" --accounts "$T/accounts.jsonl" \
  --out "$T/vpn" "$T/events.jsonl" 2>/dev/null
check "VPN exit: scan exits 0" [ $? -eq 0 ]
check "VPN exit: the three are one cluster, the account that signed up between them is not in it" \
  [ "$(members_of_sn1 "$T/vpn/clusters.jsonl")" = "sn1 sn2 sn3" ]
check "VPN exit: nor in any other" bash -c "! grep -q '\"cv1\"' '$T/vpn/clusters.jsonl'"
check "evidence never holds the domain" bash -c "! grep -q 'opshub' '$F'"

"$WARDEN_BIN" scan --quiet --no-db --run-id t --policy "$T/off.yaml" --accounts "$T/accounts.jsonl" \
  --out "$T/off" "$T/events.jsonl" 2>/dev/null
check "off: the link detector's suspect_min only" [ "$(grep -c 'suspect_min: 0.2' "$T/off.yaml")" -eq 1 ]
check "suspect_min 0: the findings below emit_min stay" \
  [ "$(grep -c '"below_emit_min":true' "$T/off/findings.jsonl")" -eq 7 ]
check "suspect_min 0: no cluster" [ ! -s "$T/off/clusters.jsonl" ]
check "suspect_min 0: nobody reviewed" [ ! -s "$T/off/verdicts.jsonl" ]
finish
