#!/usr/bin/env bash
# Every external symbol the Warden library defines carries the warden_ prefix,
# so Warden links into other programs (gateways, plugins) without clashes.
. "$(dirname "$0")/lib.sh"
LIB="$BUILD_DIR/libwarden_core.a"
check "library exists" [ -f "$LIB" ]
bad=$(nm -g --defined-only "$LIB" 2>/dev/null | awk 'NF==3 && $2 ~ /[TDBRCVW]/ {print $3}' | grep -v -e '^warden_' -e '^__odr_asan' | sort -u)
if [ -n "$bad" ]; then echo "symbols without the warden_ prefix:" >&2; echo "$bad" | head -50 >&2; fi
check "all external symbols start with warden_" [ -z "$bad" ]
count=$(nm -g --defined-only "$LIB" | awk 'NF==3 && $2 ~ /[TDBR]/' | wc -l)
check "the library defines symbols at all ($count)" [ "$count" -gt 50 ]
finish
