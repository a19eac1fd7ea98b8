# serve_lib.sh — helpers for the `warden serve` end-to-end tests (sourced
# after lib.sh): start the server on a free loopback port, wait until it
# listens, stop it (and anything else the test started) on exit.
PIDS=()
cleanup_serve() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup_serve EXIT

# a free TCP port on 127.0.0.1 (bound and released: fine for a test)
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_serve CONFIG [NAME]: sets SPID and PORT; server output in $T/NAME.{out,err}
start_serve() {
  local conf=$1 name=${2:-serve}
  "$WARDEN_BIN" serve --config "$conf" >"$T/$name.out" 2>"$T/$name.err" &
  SPID=$!
  PIDS+=("$SPID")
  PORT=""
  for _ in $(seq 1 300); do
    PORT=$(sed -n 's/^warden serve: listening on .*:\([0-9]*\)$/\1/p' "$T/$name.out")
    [ -n "$PORT" ] && break
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$PORT" ] || { echo "server did not start:" >&2; cat "$T/$name.err" >&2; return 1; }
  URL="http://127.0.0.1:$PORT"
}

# serve_cases_config FILE POLICY DB [LINE...]: a server on a free port (2
# threads, 2 shards) with the policy, the case database, any further config
# lines, and analyst alice (token alice-token-0123456789)
serve_cases_config() {
  local f=$1 pol=$2 db=$3
  shift 3
  {
    printf 'port: 0\nthreads: 2\nshards: 2\npolicy: %s\ncases: %s\n' "$pol" "$db"
    for l in "$@"; do printf '%s\n' "$l"; done
    printf 'analysts:\n  - "alice:analyst:alice-token-0123456789"\n'
  } >"$f"
}

# stop_serve: SIGTERM, wait, return its exit status
stop_serve() {
  kill -TERM "$SPID"
  wait "$SPID"
}

# a policy that acts on request rates: an account above 5 requests a minute
# is blocked, an API key above 3 is throttled (velocity detector)
velocity_policy() {
  cat >"$1" <<'YAML'
rules:
  - code: "velocity.request_rate"
    min_score: 0
    action: block
  - code: "velocity.key_request_rate"
    min_score: 0
    action: throttle
detectors:
  velocity:
    enabled: true
    max_requests_short: 5
    key_max_requests_short: 3
YAML
}

# start_velocity_serve NAME: a server on the velocity policy with the admin
# token "tok-PID-NAME" (TOKEN), started (SPID, PORT, URL); and two distinct
# free ports for a gateway in front of it and its upstream (GW_PORT, UP_PORT)
start_velocity_serve() {
  velocity_policy "$T/policy.yaml"
  TOKEN="tok-$$-$1"
  printf 'port: 0\nthreads: 2\nshards: 2\npolicy: %s\nadmin_token: %s\n' "$T/policy.yaml" "$TOKEN" \
    >"$T/serve.yaml"
  start_serve "$T/serve.yaml" || return 1
  GW_PORT=$(free_port)
  UP_PORT=$(free_port)
  while [ "$UP_PORT" = "$GW_PORT" ]; do UP_PORT=$(free_port); done
}

# a policy with response controls: an API key above 3 requests a minute is
# reviewed (let through) with strip_reasoning and max_tokens 256
controls_policy() {
  cat >"$1" <<'YAML'
rules:
  - code: "velocity.key_request_rate"
    min_score: 0
    action: review
    strip_reasoning: true
    max_tokens: 256
detectors:
  velocity:
    enabled: true
    key_max_requests_short: 3
YAML
}

# status code of a request: code ARGS... (curl arguments)
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
