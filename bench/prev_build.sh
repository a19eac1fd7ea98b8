# prev_build.sh — sourced by the comparison benchmarks: builds a previous
# revision's `warden` from `git archive REV` in a temporary directory
# (nothing in the work tree changes) unless already built there, and sets
# PREV to that directory ($PREV/build/warden, its data in $PREV/src/data).
# Usage: prev_build REV   (WARDEN_PREV_DIR overrides the directory)
prev_build() {
  PREV=${WARDEN_PREV_DIR:-/tmp/warden-prev-$1}
  if [ ! -x "$PREV/build/warden" ]; then
    rm -rf "$PREV" && mkdir -p "$PREV/src"
    git archive "$1" | tar -x -C "$PREV/src"
    cmake -S "$PREV/src" -B "$PREV/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$PREV/build" -j 2 --target warden >/dev/null
  fi
}
