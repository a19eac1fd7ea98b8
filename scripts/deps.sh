#!/usr/bin/env bash
# deps.sh — the single list of Debian 12 packages Warden needs to build,
# test and run its demo. Installs only what is missing; runs `apt-get update`
# once, and only when something has to be installed. Uses sudo only when not root.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config clang-format
  libcmocka-dev
  libloc-dev libloc-database location
  libmaxminddb-dev libmaxmind-db-writer-perl
  libsqlite3-dev sqlite3
  libyaml-dev
  libjansson-dev libjson-c-dev
  zlib1g-dev
  libxxhash-dev
  libhyperscan-dev   # distill.reasoning_elicitation: multi-pattern matcher
  libutf8proc-dev libicu-dev libexpat1-dev
  libcurl4-openssl-dev   # warden lists update: HTTPS downloads
  tzdata                 # geo_consistency, reach: time zone -> country (zone1970.tab)
  jq dnsmasq-base unbound nftables   # warden sweep/blocklist e2e: JSON checks, real config checkers
  clang libclang-rt-14-dev           # libFuzzer harnesses (tests/fuzz, make fuzz / make check)
  libmicrohttpd-dev nginx-light wrk  # warden serve: HTTP server; nginx auth_request e2e; bench
  haproxy                            # warden serve: the HAProxy adapter e2e (examples/haproxy)
  dpkg-dev file systemd              # make deb (dpkg-shlibdeps); systemd-analyze verify of the units
  librdkafka-dev                     # warden worker, kafka-*: Kafka client and its mock cluster
  kcat                               # Kafka e2e: a record warden's own tools never write (keyless tombstone)
  chromium                           # review console: browser test (npm playwright-core drives it)
  libxml2-utils                      # backtest report e2e: xmllint parses the HTML report as XML
  python3                            # e2e helpers (free ports, JSON checks); bench/probe_split_harvest
)
# warden sweep's e2e test installs a real npm package: add Debian's node/npm
# only when no npm is on PATH (a newer node may already be installed).
if ! command -v npm >/dev/null 2>&1; then PKGS+=(nodejs npm); fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
