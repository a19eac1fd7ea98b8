# pooled_data.sh — the accounts and events of test_scan_pooled.sh and
# test_kafka_pooled.sh (sourced): four harvesters on one throwaway e-mail
# domain (op1-4), three colleagues on a company domain who chat (co1-3),
# three webmail harvesters that signed up from one network (sn1-3, in
# October), a neighbour who signed up there in March (nb1) and one who
# signed up there between the harvesters (cv1), both chatting, and three
# colleagues of one declared organisation who harvest on its domain (dc1-3:
# they stay with their organisation). With "extra", a second such network,
# 203.0.113.0/24 (sn4-6, cv2), and an account on the harvesters' domain that
# only chats (op5) signed up from 192.0.2.0/24 with a webmail harvester
# (rs1) whose sittings come a week before the others'.
# Harvesters ask new questions with reasoning on and big budgets in two
# sittings, each from its own network and client.
# Usage: pooled_data DIR [extra]  -> DIR/accounts.jsonl, DIR/events.jsonl
#        pooled_policy FILE        -> the policy both tests start from: review
#        anything from 0.5; harvesting evidence from 0.2 counts as a suspect's
#        (distill reports it, link pools it); link's suspect_min last
pooled_policy() {
  cat > "$1" <<'YAML'
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
}

pooled_data() {
  local extra=${2:-} last k=0 a name day i q
  cat > "$1/accounts.jsonl" <<'JSON'
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
{"account_id":"dc1","org_id":"org-hyperion","billing_country":"US","payment_fingerprint":"fp-21","email_domain":"hyperion.example"}
{"account_id":"dc2","org_id":"org-hyperion","billing_country":"US","payment_fingerprint":"fp-22","email_domain":"hyperion.example"}
{"account_id":"dc3","org_id":"org-hyperion","billing_country":"US","payment_fingerprint":"fp-23","email_domain":"hyperion.example"}
JSON
  if [ "$extra" = extra ]; then
    cat >> "$1/accounts.jsonl" <<'JSON'
{"account_id":"sn4","billing_country":"US","payment_fingerprint":"fp-13","email_domain":"gmail.com","signup_ip":"203.0.113.7","created_at":"2026-10-01T08:00:00Z"}
{"account_id":"sn5","billing_country":"NL","payment_fingerprint":"fp-14","email_domain":"outlook.com","signup_ip":"203.0.113.41","created_at":"2026-10-05T08:00:00Z"}
{"account_id":"sn6","billing_country":"CA","payment_fingerprint":"fp-15","email_domain":"proton.me","signup_ip":"203.0.113.99","created_at":"2026-10-09T08:00:00Z"}
{"account_id":"cv2","billing_country":"US","payment_fingerprint":"fp-16","email_domain":"gmail.com","signup_ip":"203.0.113.150","created_at":"2026-10-03T08:00:00Z"}
{"account_id":"op5","billing_country":"US","payment_fingerprint":"fp-17","email_domain":"opshub.example","signup_ip":"192.0.2.20","created_at":"2026-09-20T08:00:00Z"}
{"account_id":"rs1","billing_country":"IE","payment_fingerprint":"fp-18","email_domain":"yahoo.com","signup_ip":"192.0.2.77","created_at":"2026-09-22T08:00:00Z"}
JSON
  fi
  local subj=(photosynthesis "the French revolution" "binary search" "compound interest"
    "plate tectonics" "the immune system" "sorting networks" "supply and demand"
    "the Doppler effect" "public key cryptography" "the water cycle" "game theory"
    "neural networks" "the Roman empire" entropy vaccines "black holes" inflation
    "DNA replication" relativity recursion "the printing press" volcanoes probability)
  local forms=("Explain %s to a curious adult." "What are the main open questions about %s?"
    "Give a detailed derivation related to %s." "Compare two competing theories of %s."
    "Write a careful essay on %s." "What would change if %s worked differently?")
  local uas=("python-httpx/0.28.1" "OpenAI/Python 1.54.3" "curl/8.5.0" "Anthropic/JS 0.52.0")
  local harvesters=(op1 op2 op3 op4 sn1 sn2 sn3)
  [ "$extra" = extra ] && harvesters+=(sn4 sn5 sn6)
  harvesters+=(dc1 dc2 dc3)
  [ "$extra" = extra ] && harvesters+=(rs1)
  last=$((${#harvesters[@]} - 1))
  {
    for a in $(seq 0 $last); do
      name=${harvesters[$a]}
      local days="20 22"
      [ "$name" = rs1 ] && days="13 15"
      for day in $days; do
        for i in 0 1 2 3 4; do
          k=$((k + 1))
          # shellcheck disable=SC2059
          q=$(printf "${forms[$(((k * 5 + a) % 6))]}" "${subj[$(((k * 7 + a) % 24))]}")
          printf '{"ts":"2026-11-%02dT%02d:%02d:00Z","account_id":"%s","ip":"%d.%d.69.%d","user_agent":"%s","model":"m1","prompt":"%s (%d)","turns":1,"thinking":true,"max_tokens":32000,"input_tokens":20,"output_tokens":2500}\n' \
            "$day" $((9 + a)) $((i * 9)) "$name" $((81 + a * 3)) $((2 + a)) $((10 + a)) \
            "${uas[$((a % 4))]}" "$q" "$k"
        done
      done
    done
    for a in co1 co2 co3 nb1 cv1 $([ "$extra" = extra ] && echo cv2 op5); do
      for day in 20 22; do
        for i in 0 1 2 3 4; do
          printf '{"ts":"2026-11-%02dT%02d:%02d:00Z","account_id":"%s","ip":"81.2.70.%d","user_agent":"Mozilla/5.0","model":"m1","prompt":"hi, can you fix this sentence %d: %s","turns":3,"max_tokens":1024,"input_tokens":400,"output_tokens":120}\n' \
            "$day" $((13 + ${#a})) $((i * 7)) "$a" $((10 + i)) "$i" "${subj[$(((i + ${#a}) % 24))]}"
        done
      done
    done
  } | sort > "$1/events.jsonl"
}
