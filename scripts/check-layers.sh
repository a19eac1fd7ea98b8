#!/usr/bin/env bash
# check-layers.sh — the include graph points down only.
#
# Every folder of src/ has a layer; a file may include headers of its own
# folder and of folders in lower layers, never of a higher layer or of a
# sibling in the same layer (siblings stay independent):
#   9 cli
#   8 backtest sim serve kafka
#   7 runtime
#   6 engine
#   5 detect
#   4 policy
#   3 screen
#   2 registry store
#   1 io intel sweep link
#   0 core
# A new folder must be given a layer here. Exit 1 and one line per offending
# include otherwise. Run by `make check`.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A rank=(
  [core]=0 [io]=1 [intel]=1 [sweep]=1 [link]=1 [registry]=2 [store]=2 [screen]=3 [policy]=4
  [detect]=5 [engine]=6 [runtime]=7 [backtest]=8 [sim]=8 [serve]=8 [kafka]=8 [cli]=9
)
bad=0
for dir in src/*/; do
  from=$(basename "$dir")
  if [ -z "${rank[$from]+x}" ]; then
    echo "check-layers: src/$from has no layer in scripts/check-layers.sh" >&2
    bad=1
    continue
  fi
done
while IFS=: read -r file line inc; do
  from=$(echo "$file" | cut -d/ -f2)
  to=$(echo "$inc" | sed -E 's/.*#include "([a-z_]+)\/.*/\1/')
  [ "$from" = "$to" ] && continue
  [ -z "${rank[$to]+x}" ] && continue
  if [ "${rank[$to]}" -ge "${rank[$from]}" ]; then
    echo "check-layers: $file:$line: $from (layer ${rank[$from]}) includes $to (layer ${rank[$to]})" >&2
    bad=1
  fi
done < <(grep -rnE '^#include "[a-z_]+/' src --include='*.c' --include='*.h')
if [ "$bad" -ne 0 ]; then
  echo "check-layers: layers must point down only (see the table in scripts/check-layers.sh)" >&2
  exit 1
fi
echo "check-layers: every include points down"
