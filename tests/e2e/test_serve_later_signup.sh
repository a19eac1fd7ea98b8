#!/usr/bin/env bash
# test_serve_later_signup.sh — an operation's later account, known from a
# registry reload, joins its cluster at its first request: three webmail
# accounts that signed up from one hosting /24 (rented machines) harvest
# below every rule on their own and are pooled through the network
# (test_scan_pooled.sh's data, posted to /v1/events); a month later the
# operation signs up a fourth account from the same /24. Before the
# registry knows it, /v1/decide allows it; after /admin/reload (which reads
# the accounts file again, the link state carried), its first request is
# reviewed through the cluster, as one scan with the whole registry would,
# and its sign-up risk (the hosting address it signed up from) is judged then
# too, although it had requests before.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
source "$(dirname "$0")/pooled_data.sh"
for c in curl jq; do command -v "$c" >/dev/null || { echo "skip: $c missing"; exit 77; }; done

pooled_policy "$T/base.yaml"
printf '# as_of=2026-11-01\n198.51.100.0/24\n' > "$T/hosting.txt"
{ cat "$T/base.yaml"; printf 'intel:\n  lists: ["hosting:test:%s"]\n' "$T/hosting.txt"; } > "$T/policy.yaml"
pooled_data "$T"
# the neighbour who signed up months before is left out: the harvesters are
# then most of the network's accounts with the later one among them
grep -v '"nb1"' "$T/accounts.jsonl" > "$T/acc" && mv "$T/acc" "$T/accounts.jsonl"

printf 'port: 0\nthreads: 2\nshards: 2\npolicy: %s\naccounts: %s\nadmin_token: tok-%s\n' \
  "$T/policy.yaml" "$T/accounts.jsonl" "$$" > "$T/serve.yaml"
start_serve "$T/serve.yaml" || exit 1
n=$(wc -l < "$T/events.jsonl")
r=$(curl -s -XPOST --data-binary @"$T/events.jsonl" "$URL/v1/events")
check "$n events accepted ($r)" jq -e --argjson n "$n" '.accepted == $n and .rejected == 0' <<<"$r"

dec() { # dec ACCOUNT MINUTE: a chat request on 2026-11-26
  curl -s -XPOST --data-binary "{\"ts\":\"2026-11-26T10:$2:00Z\",\"request_id\":\"d-$1-$2\",\"account_id\":\"$1\",\"ip\":\"81.2.72.9\",\"user_agent\":\"Mozilla/5.0\",\"prompt\":\"hi, can you fix this sentence\",\"turns\":3}" "$URL/v1/decide"
}
s=$(dec sn1 01)
check "a harvester of the network is reviewed through its cluster ($s)" \
  jq -e '.action == "review" and any(.reasons[]; .code | startswith("cluster."))' <<<"$s"
l=$(dec lt1 02)
check "the later account, unknown to the registry, is allowed ($l)" jq -e '.action == "allow"' <<<"$l"

echo '{"account_id":"lt1","billing_country":"US","payment_fingerprint":"fp-31","email_domain":"gmail.com","signup_ip":"198.51.100.77","created_at":"2026-11-08T08:00:00Z"}' \
  >> "$T/accounts.jsonl"
r=$(curl -s -XPOST -H "Authorization: Bearer tok-$$" "$URL/admin/reload")
check "reloaded with the new accounts file ($r)" jq -e '.status == "reloaded"' <<<"$r"
s=$(dec sn1 03)
check "the harvester is still reviewed through its cluster after the reload ($s)" \
  jq -e '.action == "review" and any(.reasons[]; .code | startswith("cluster."))' <<<"$s"
l=$(dec lt1 04)
check "the later account, signed up from the operation's hosting /24, is reviewed through the cluster at its next request ($l)" \
  jq -e '.action == "review" and any(.reasons[]; .code | startswith("cluster."))' <<<"$l"
check "... and its sign-up risk, which the reloaded file shows, is among its reasons (signup.anonymizer: a hosting address)" \
  jq -e 'any(.reasons[]; .code == "signup.anonymizer")' <<<"$l"
stop_serve
finish
