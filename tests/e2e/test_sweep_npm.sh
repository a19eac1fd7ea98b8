#!/usr/bin/env bash
# test_sweep_npm.sh — the real thing: install @anthropic-ai/claude-code from the
# npm registry into a fixture home, add real-looking config, credential and env
# files, and check that `warden sweep --root` finds every one with the
# installed version, never prints a secret, and that a quarantine followed by a
# restore leaves the tree byte-identical (contents, modes, owners, mtimes).
# Skips (exit 77) only when the npm registry cannot be reached.
set -euo pipefail
W=${WARDEN_BIN:?}
mkdir -p "${WARDEN_TMP:?}"
T=$(mktemp -d "$WARDEN_TMP/sweep-npm.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v npm >/dev/null || fail "npm is not installed (run scripts/deps.sh)"
command -v jq >/dev/null || fail "jq is not installed (run scripts/deps.sh)"

# Validate a JSON file against schemas/NAME.schema.json: with the project's
# schema_check when it is built, else python3's jsonschema, else say so.
schema_ok() {
  local s="$WARDEN_SRC/schemas/$1.schema.json" tmp="$T/schema-$1.jsonl"
  jq -c . "$2" > "$tmp"
  if [ -x "${WARDEN_BUILD:-/nonexistent}/tests/schema_check" ]; then
    "$WARDEN_BUILD/tests/schema_check" "$s" "$tmp" > /dev/null
  elif python3 -c 'import jsonschema' 2> /dev/null; then
    python3 -c 'import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
for line in open(sys.argv[2]): jsonschema.validate(json.loads(line), s)' "$s" "$tmp"
  else
    echo "note: no JSON Schema validator here; $2 not validated against $1" >&2
  fi
}
if ! timeout 30 npm ping --cache "$T/npm-cache" >/dev/null 2>&1; then
  echo "SKIP: the npm registry is unreachable" >&2
  exit 77
fi

R=$T/root
H=$R/home/dev
mkdir -p "$R/etc/claude-code" "$H"
printf 'root:x:0:0:root:/root:/bin/bash\ndev:x:1000:1000:Dev:/home/dev:/bin/bash\n' > "$R/etc/passwd"

# 1. the real package, the way a developer installs it (postinstall included)
HOME=$H timeout 300 npm install --prefix "$H/.npm-global" --cache "$T/npm-cache" \
  --no-audit --no-fund --update-notifier=false --loglevel=error @anthropic-ai/claude-code >/dev/null
PKG=$H/.npm-global/node_modules/@anthropic-ai/claude-code
[ -f "$PKG/package.json" ] || fail "npm did not install the package"
VERSION=$(node -p "require('$PKG/package.json').version")
[ -n "$VERSION" ] || fail "no version in package.json"

# 2. real-looking state: config, credentials, managed settings, an API key export
SECRET="sk-ant-oat01-FAKE-SECRET-$RANDOM$RANDOM"
mkdir -p "$H/.claude/projects/-home-dev-src" "$H/.vscode/extensions/anthropic.claude-code-2.0.14-linux-x64"
printf '{"numStartups":12,"installMethod":"npm-global","autoUpdates":true,"userID":"0f3c"}\n' > "$H/.claude.json"
printf '{"claudeAiOauth":{"accessToken":"%s","refreshToken":"%s","expiresAt":1790000000000}}\n' \
  "$SECRET" "$SECRET" > "$H/.claude/.credentials.json"
chmod 600 "$H/.claude/.credentials.json"
printf '{"permissions":{"allow":["Bash(npm test)"]}}\n' > "$H/.claude/settings.json"
printf '{"type":"summary"}\n' > "$H/.claude/projects/-home-dev-src/session.jsonl"
printf '{"name":"claude-code","publisher":"Anthropic","version":"2.0.14"}\n' \
  > "$H/.vscode/extensions/anthropic.claude-code-2.0.14-linux-x64/package.json"
printf '# ~/.bashrc\nalias ll="ls -l"\nexport ANTHROPIC_API_KEY=%s\n' "$SECRET" > "$H/.bashrc"
printf '{"env":{"DISABLE_TELEMETRY":"1"}}\n' > "$R/etc/claude-code/managed-settings.json"
chown -R 1000:1000 "$H"

snapshot() {
  (cd "$R" && find . -printf '%p|%y|%m|%U|%G|%s|%T@|%l\n' | LC_ALL=C sort &&
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}
BEFORE=$(snapshot)

# 3. sweep: dry run, JSON
set +e
"$W" sweep --root "$R" --json > "$T/report.json" 2> "$T/stderr"
rc=$?
set -e
[ $rc -eq 1 ] || fail "exit code $rc, want 1 (banned tools found)"
jq -e . "$T/report.json" >/dev/null || fail "report is not JSON"
schema_ok sweep-report "$T/report.json" || fail "report does not match schemas/sweep-report.schema.json"
if grep -q "FAKE-SECRET" "$T/report.json" "$T/stderr"; then fail "a secret value leaked into the report"; fi

tool='.users[] | select(.user=="dev") | .tools[] | select(.tool=="claude-code")'
got=$(jq -r "$tool | .version" "$T/report.json")
[ "$got" = "$VERSION" ] || fail "version $got, want $VERSION (installed by npm)"
has() { jq -e --arg k "$1" --arg p "$2" "$tool | .items[] | select(.kind==\$k and .path==\$p)" "$T/report.json" >/dev/null ||
  fail "no $1 finding at $2"; }
P=/home/dev
has package "$P/.npm-global/node_modules/@anthropic-ai/claude-code"
has config "$P/.claude"
has config "$P/.claude.json"
has credential "$P/.claude/.credentials.json"
has extension "$P/.vscode/extensions/anthropic.claude-code-2.0.14-linux-x64"
has env "$P/.bashrc"
has binary "$P/.npm-global/node_modules/.bin/claude"
jq -e "$tool | .items[] | select(.kind==\"package\" and .version==\"$VERSION\")" "$T/report.json" >/dev/null ||
  fail "package finding lacks version $VERSION"
jq -e "$tool | .items[] | select(.kind==\"credential\") | select(.mode==\"0600\" and .owner==\"dev\" and .content_read==false)" \
  "$T/report.json" >/dev/null || fail "credential finding lacks owner/mode"
jq -e "$tool | .items[] | select(.kind==\"env\") | .sets[] | select(.variable==\"ANTHROPIC_API_KEY\" and .line==3)" \
  "$T/report.json" >/dev/null || fail "env finding lacks the variable name and line"
jq -e '.users[] | select(.user=="(system)") | .tools[] | select(.tool=="claude-code") | .items[] | select(.path=="/etc/claude-code")' \
  "$T/report.json" >/dev/null || fail "managed settings under /etc/claude-code not found"
jq -e "$tool | .items[] | select(.kind==\"extension\" and .version==\"2.0.14\")" "$T/report.json" >/dev/null ||
  fail "VS Code extension version not read"

# the readable table says the same, without the secret
set +e
"$W" sweep --root "$R" > "$T/table.txt" 2>&1
set -e
grep -q "Claude Code.*BANNED.*$VERSION" "$T/table.txt" || fail "table lacks the tool line"
if grep -q "FAKE-SECRET" "$T/table.txt"; then fail "a secret value leaked into the table"; fi
[ "$(snapshot)" = "$BEFORE" ] || fail "a dry-run sweep changed the tree"

# 4. quarantine, then restore: byte-identical
set +e
"$W" sweep --root "$R" --json --quarantine "$T/quarantine" > /dev/null 2> "$T/q.log"
rc=$?
set -e
[ $rc -eq 1 ] || { cat "$T/q.log" >&2; fail "quarantine exit code $rc"; }
[ ! -e "$PKG" ] || fail "package still in place after quarantine"
[ ! -e "$H/.claude/.credentials.json" ] || fail "credential still in place after quarantine"
[ -f "$T/quarantine/manifest.json" ] || fail "no manifest"
schema_ok sweep-manifest "$T/quarantine/manifest.json" || fail "manifest does not match its schema"
if grep -q "FAKE-SECRET" "$T/quarantine/manifest.json" "$T/q.log"; then fail "secret in the manifest or log"; fi
set +e
"$W" sweep --root "$R" --json > "$T/after.json"
set -e
left=$(jq '[.users[].tools[] | select(.tool=="claude-code") | .items[] | select(.kind!="env")] | length' "$T/after.json")
[ "$left" = 0 ] || fail "$left claude-code findings left after quarantine"

"$W" sweep --restore "$T/quarantine/manifest.json" 2> "$T/r.log" || { cat "$T/r.log" >&2; fail "restore failed"; }
AFTER=$(snapshot)
if [ "$AFTER" != "$BEFORE" ]; then
  diff <(echo "$BEFORE") <(echo "$AFTER") | head -20 >&2
  fail "tree differs after quarantine + restore"
fi
echo "ok: claude-code $VERSION found, quarantined and restored byte-identical"
