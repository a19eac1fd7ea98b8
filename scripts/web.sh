#!/usr/bin/env bash
# web.sh BUILD_DIR — assemble the review console into BUILD_DIR/web, the
# directory `warden serve` serves at / (beside the binary in a build tree;
# installed into DATA/web by `cmake --install` and the Debian package).
#
# The console's own files come from web/ (index.html, css/, js/); its
# libraries (uPlot, cytoscape) come from the npm registry at the versions
# pinned in web/package-lock.json (`npm ci`, run only when the lockfile
# changed) and are copied into web/vendor/ there, so the served console
# loads nothing from any other host. Without npm or the registry the
# console is still assembled, without its charts and graph, and this says so.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)/web"
out="${1:?usage: web.sh BUILD_DIR}/web"
stamp="$src/node_modules/.warden-lock"
if ! cmp -s "$src/package-lock.json" "$stamp" 2>/dev/null; then
  if command -v npm >/dev/null 2>&1 &&
    (cd "$src" && npm ci --no-audit --no-fund --loglevel=error >&2); then
    cp "$src/package-lock.json" "$stamp"
  else
    echo "web.sh: npm ci failed (no npm or no registry): console without charts and graph" >&2
  fi
fi
rm -rf "$out.new"
mkdir -p "$out.new/vendor"
cp -r "$src/index.html" "$src/css" "$src/js" "$out.new/"
nm="$src/node_modules"
for f in "uplot/dist/uPlot.esm.js" "uplot/dist/uPlot.min.css" "cytoscape/dist/cytoscape.esm.min.mjs" \
  "uplot/LICENSE" "cytoscape/LICENSE"; do
  [ -f "$nm/$f" ] || continue
  name=$(basename "$f")
  case "$f" in
    */LICENSE) name="${f%%/*}-LICENSE.txt" ;;
    *.mjs) name="${name%.mjs}.js" ;;
  esac
  cp "$nm/$f" "$out.new/vendor/$name"
done
rm -rf "$out"
mv "$out.new" "$out"
