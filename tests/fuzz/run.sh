#!/usr/bin/env bash
# run.sh BINARY SECONDS [WORKDIR] — replay a harness's seed corpus
# (tests/fuzz/corpus/NAME, never written to) and fuzz it for SECONDS, with
# inputs it finds kept in WORKDIR/NAME (default: a temporary directory,
# removed afterwards). Prints one line: NAME, runs, coverage (edges), features,
# corpus size, seconds. Exits non-zero on any crash, leak, sanitizer report
# or timeout; the reproducer (crash-*, leak-*, timeout-*) is left in WORKDIR.
set -u
bin=$(readlink -f "$1") secs=$2 work=${3:-}
name=$(basename "$bin")
src=$(cd "$(dirname "$0")" && pwd)
seeds="$src/corpus/$name"
[ -d "$seeds" ] || { echo "$name: no seed corpus $seeds" >&2; exit 1; }
if [ -n "$work" ]; then
  mkdir -p "$work/$name"; dir=$(cd "$work/$name" && pwd); keep=1
else
  dir=$(mktemp -d); keep=0
fi
log="$dir.log"
start=$(date +%s)
( cd "$dir" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -close_fd_mask=2 \
         -print_final_stats=1 "$dir" "$seeds" > "$log" 2>&1 )
rc=$?
end=$(date +%s)
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
corp=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
echo "$name: runs ${runs:-?} cov ${cov:-?} ft ${ft:-?} corpus ${corp:-?} seconds $((end - start)) exit $rc"
if [ $rc -ne 0 ]; then
  grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==' "$log" | head -20 >&2
  echo "$name: log $log; reproducer in $dir" >&2
  exit 1
fi
[ $keep -eq 1 ] || rm -rf "$dir" "$log"
exit 0
