#!/usr/bin/env bash
# test_loadgen.sh — bench/bench_loadgen (the open-loop load generator of
# bench/bench_serve.sh) counts right: against Debian's nginx at a low rate it
# holds the target rate, every scheduled request gets exactly one response,
# and answers are framed as HTTP/1.1 frames them (Content-Length bodies split
# across reads, chunked gzip bodies, non-2xx, Connection: close), checked by
# the body bytes it counted against curl's; against `warden serve` every
# /v1/decide it sent is one event the server counted; bytes answering no
# request and a refused connection are errors, not responses; a scripted
# server checks 1xx, chunk extensions and trailers split byte by byte, 204.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "skip: nginx not installed (scripts/deps.sh)"; exit 77; }
command -v curl >/dev/null || { echo "skip: curl not installed"; exit 77; }
LG="${WARDEN_BUILD:-$BUILD_DIR}/bench/bench_loadgen"
[ -x "$LG" ] || { echo "skip: $LG not built"; exit 77; }

mkdir -p "$T/www"
awk 'BEGIN { srand(7); for (i = 0; i < 4000; i++) printf "line %d %08x%08x\n", i, rand() * 2^32, rand() * 2^32 }' >"$T/www/big.txt"
head -c 3000 "$T/www/big.txt" >"$T/www/small.txt"
NP=$(free_port)
cat >"$T/nginx.conf" <<NGX
worker_processes 1;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T; uwsgi_temp_path $T; scgi_temp_path $T;
  server {
    listen 127.0.0.1:$NP;
    location = / { return 200 "ok\n"; }
    location = /missing { return 404; }
    location = /close { keepalive_timeout 0; return 200 "bye\n"; }
    location /files/ { alias $T/www/; }
    location /gz/ { alias $T/www/; gzip on; gzip_min_length 0; gzip_types text/plain; }
  }
}
NGX
"$NGINX" -e "$T/nginx-error.log" -c "$T/nginx.conf" -g "pid $T/nginx.pid; daemon off;" 2>"$T/nginx.err" &
PIDS+=($!)
N="http://127.0.0.1:$NP"
for _ in $(seq 1 50); do curl -s -o /dev/null "$N/" && break; sleep 0.1; done

# field NAME: a value from the last run's loadgen_result line
field() { sed -n "s/^loadgen_result.* $1=\([^ ]*\).*/\1/p" "$T/out"; }
lg() { "$LG" "$@" >"$T/out" 2>&1; }

lg -r 500 -c 4 -d 2 "$N/"
check "nginx static, 500 req/s for 2 s: exit 0" [ $? -eq 0 ]
check "1000 requests scheduled ($(field scheduled))" [ "$(field scheduled)" = 1000 ]
check "every one answered 2xx ($(field ok))" [ "$(field ok)" = 1000 ]
check "no errors, none unfinished" [ "$(field errors)/$(field unfinished)" = 0/0 ]
check "achieved rate within 5 % of 500 ($(field achieved))" \
  awk -v a="$(field achieved)" 'BEGIN { exit !(a >= 475 && a <= 525) }'
check "body bytes: 3 per answer ($(field body_bytes))" [ "$(field body_bytes)" = 3000 ]
check "no reconnects on keep-alive" [ "$(field reconnects)" = 0 ]

size=$(stat -c %s "$T/www/big.txt")
lg -r 100 -c 2 -d 0.5 "$N/files/big.txt"
check "Content-Length bodies of $size bytes: 50 answered" [ "$(field ok)/$(field errors)" = 50/0 ]
check "Content-Length bodies: every byte counted, no more" [ "$(field body_bytes)" = $((50 * size)) ]

gz=$(curl -s -H 'Accept-Encoding: gzip' "$N/gz/small.txt" | wc -c)
te=$(curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$N/gz/small.txt" | tr -d '\r' | grep -ci '^transfer-encoding: chunked')
check "nginx answers gzip chunked ($te)" [ "$te" = 1 ]
lg -r 200 -c 2 -d 0.5 -H 'Accept-Encoding: gzip' "$N/gz/small.txt"
check "chunked bodies: 100 answered" [ "$(field ok)/$(field errors)/$(field unfinished)" = 100/0/0 ]
check "chunked bodies: $gz bytes each, de-chunked ($(field body_bytes))" [ "$(field body_bytes)" = $((100 * gz)) ]

lg -r 200 -c 2 -d 0.5 "$N/missing"
check "404s are responses, counted non-2xx" [ "$(field non2xx)/$(field ok)/$(field errors)" = 100/0/0 ]

lg -r 200 -c 2 -d 0.5 "$N/close"
check "Connection: close answers: every one counted" [ "$(field ok)/$(field errors)" = 100/0 ]
check "Connection: close answers: reconnected ($(field reconnects))" [ "$(field reconnects)" -ge 98 ]

# a scripted server, one answer per request on one connection: a 100
# Continue before the answer; chunks with extensions and a trailer, sent a
# byte at a time; 204 without a body; a 503; then an answer followed by bytes
# no request asked for (a parse error, and the end of the run)
python3 - >"$T/script.out" 2>&1 <<'PY' &
import socket, time
answers = [b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
           b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n",
           b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
           b"HTTP/1.1 503 Busy\r\ncontent-length: 3\r\n\r\nbad",
           b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"]
s = socket.socket()
s.bind(("127.0.0.1", 0)); s.listen(4); s.settimeout(8)
print("port", s.getsockname()[1], flush=True)
c, _ = s.accept(); c.settimeout(8)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for i, a in enumerate(answers):
    req = b""
    while b"\r\n\r\n" not in req:
        req += c.recv(4096)
    if i == 1:
        for k in range(len(a)):
            c.send(a[k:k + 1]); time.sleep(0.001)
    else:
        c.sendall(a)
print("answered", len(answers), flush=True)
c.recv(4096)
PY
PIDS+=($!)
for _ in $(seq 1 100); do grep -q port "$T/script.out" && break; sleep 0.05; done
BP=$(awk '/^port/ {print $2}' "$T/script.out")
lg -r 20 -c 1 -d 0.25 -t 2 "http://127.0.0.1:$BP/"
check "scripted answers: exit 1 (one parse error)" [ $? -eq 1 ]
check "scripted answers: 5 responses, 4 2xx, 1 non-2xx ($(field responses)/$(field ok)/$(field non2xx))" \
  [ "$(field responses)/$(field ok)/$(field non2xx)" = 5/4/1 ]
check "scripted answers: bytes beyond the last answer are a parse error" grep -q 'parse 1,' "$T/out"
check "scripted answers: body bytes 5 + 11 + 0 + 3 + 2 ($(field body_bytes))" [ "$(field body_bytes)" = 21 ]

lg -r 10 -c 1 -d 1 "http://127.0.0.1:1/" # (tcpmux: nothing listens there)
check "nothing listening: exit 1" [ $? -eq 1 ]

# warden serve: each /v1/decide sent is one event the engine counted (no IP
# intelligence: it only slows the start here)
velocity_policy "$T/policy.yaml"
printf 'intel:\n  locdb: ""\n  lists: []\n  asn_lists: []\n' >>"$T/policy.yaml"
printf 'port: 0\nthreads: 1\nshards: 2\npolicy: %s\n' "$T/policy.yaml" >"$T/serve.yaml"
if start_serve "$T/serve.yaml"; then
  events() { curl -s "$URL/metrics" | awk '/^warden_engine_events_total/ {s += $2} END {print s + 0}'; }
  e0=$(events)
  lg -r 600 -c 4 -d 0.5 --decide "t$$" "$URL/v1/decide"
  e1=$(events)
  check "warden /v1/decide: 300 answered 2xx, no errors" [ "$(field ok)/$(field errors)" = 300/0 ]
  check "warden counted 300 events ($e0 -> $e1)" [ $((e1 - e0)) = 300 ]
else
  check "warden serve started" false
fi
finish
