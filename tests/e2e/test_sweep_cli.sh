#!/usr/bin/env bash
# test_sweep_cli.sh — `warden sweep` from outside on a realistic fixture machine:
# every catalogued tool installed the way its installer leaves it, a policy
# with banned/allowed/unlisted tools, odd bytes in names, a symlink out of the
# root, --users, exit codes, and a read-only quarantine directory (clear error,
# nothing lost; skipped when mounting is not permitted).
set -euo pipefail
W=${WARDEN_BIN:?}
SRC=${WARDEN_SRC:?}
mkdir -p "${WARDEN_TMP:?}"
T=$(mktemp -d "$WARDEN_TMP/sweep-cli.XXXXXX")
trap 'umount "$T/ro" 2>/dev/null || true; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
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

R=$T/root
A=$R/home/alice
B=$R/home/bob
mkdir -p "$R/etc" "$A" "$B" "$R/usr/local/bin"
printf 'alice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/zsh\n' > "$R/etc/passwd"
elf() { mkdir -p "$(dirname "$1")"; printf '\177ELF\002\001\001\000' > "$1"; chmod 755 "$1"; }
pkg() { mkdir -p "$1"; printf '{"name":"%s","version":"%s"}\n' "$2" "$3" > "$1/package.json"; }
file() { mkdir -p "$(dirname "$1")"; printf '%s\n' "${2:-x}" > "$1"; }

# Claude Code, native installer
elf "$A/.local/share/claude/versions/2.1.5"
mkdir -p "$A/.local/bin"; ln -s ../share/claude/versions/2.1.5 "$A/.local/bin/claude"
file "$A/.claude/.credentials.json" '{"claudeAiOauth":{"accessToken":"TOPSECRET-1"}}'
# OpenAI Codex CLI (global npm under /usr/lib) and its login
pkg "$R/usr/lib/node_modules/@openai/codex" "@openai/codex" "0.58.0"
ln -s ../lib/node_modules/@openai/codex/bin/codex.js "$R/usr/local/bin/codex"
file "$A/.codex/auth.json" '{"OPENAI_API_KEY":"TOPSECRET-2"}'
file "$A/.codex/config.toml" 'model = "o4"'
# Gemini CLI
pkg "$B/.npm/lib/node_modules/@google/gemini-cli" "@google/gemini-cli" "0.9.0"
file "$B/.gemini/oauth_creds.json" '{"access_token":"TOPSECRET-3"}'
# GitHub Copilot (allowed by the policy)
pkg "$A/.vscode/extensions/github.copilot-1.250.0" "copilot" "1.250.0"
file "$A/.config/github-copilot/hosts.json" '{"github.com":{"oauth_token":"TOPSECRET-4"}}'
# Cursor
file "$B/.cursor/argv.json" '{}'
file "$B/.config/Cursor/User/settings.json" '{}'
elf "$B/Applications/Cursor-1.7.0-x86_64.AppImage"
# Aider (pip --user)
mkdir -p "$B/.local/lib/python3.11/site-packages/aider_chat-0.86.1.dist-info"
file "$B/.local/lib/python3.11/site-packages/aider_chat-0.86.1.dist-info/METADATA" 'Name: aider-chat'
mkdir -p "$B/.local/bin"; printf '#!/usr/bin/python3\nfrom aider.main import main\n' > "$B/.local/bin/aider"
file "$B/.aider.conf.yml" 'model: sonnet'
# Continue
pkg "$B/.vscode/extensions/continue.continue-1.2.3-linux-x64" "continue" "1.2.3"
file "$B/.continue/config.yaml" 'name: x'
# Ollama (system binary, model store, key)
elf "$R/usr/local/bin/ollama"
file "$A/.ollama/models/manifests/registry.ollama.ai/library/llama3/latest" '{}'
file "$A/.ollama/id_ed25519" 'TOPSECRET-5'
# LM Studio model, a loose GGUF, Hugging Face cache and token (reported, not banned)
mkdir -p "$B/.lmstudio/models/x"; printf 'GGUF\003\000\000\000' > "$B/.lmstudio/models/x/m.gguf"
mkdir -p "$R/srv/models"; printf 'GGUF\003\000\000\000' > "$R/srv/models/q4.gguf"
file "$A/.cache/huggingface/hub/models--x/blobs/abc" 'weights'
file "$A/.cache/huggingface/token" 'hf_TOPSECRET-6'
# API keys exported from shell files (names only may be reported)
printf 'export OPENAI_API_KEY="TOPSECRET-7"\n' > "$A/.profile"
printf 'setopt autocd\nexport GEMINI_API_KEY=TOPSECRET-8\n' > "$B/.zshrc"
# odd bytes in a project path, and a symlink out of the root
ODD=$(printf 'src/we\nird\377\001')
file "$B/$ODD/.claude/settings.json" '{}'
mkdir -p "$T/outside/.claude"; file "$T/outside/.claude.json" '{}'
ln -s "$T/outside" "$B/escape"; ln -s / "$R/rootlink"

run() { set +e; "$W" "$@"; rc=$?; set -e; }
run sweep --root "$R" --policy "$SRC/examples/sweep-policy.yaml" --json > "$T/r.json" 2> "$T/err"
[ $rc -eq 1 ] || { cat "$T/err" >&2; fail "exit $rc, want 1"; }
jq -e . "$T/r.json" > /dev/null || fail "report is not valid JSON (odd bytes?)"
schema_ok sweep-report "$T/r.json" || fail "report does not match schemas/sweep-report.schema.json"
if grep -q TOPSECRET "$T/r.json" "$T/err"; then fail "secret value in the report"; fi

tool() { # user tool -> the tool object
  jq -c --arg u "$1" --arg t "$2" '.users[] | select(.user==$u) | .tools[] | select(.tool==$t)' "$T/r.json"; }
expect() { # user tool status [version]
  local o; o=$(tool "$1" "$2"); [ -n "$o" ] || fail "$2 not found for $1"
  [ "$(jq -r .status <<<"$o")" = "$3" ] || fail "$2 for $1: status $(jq -r .status <<<"$o"), want $3"
  if [ -n "${4:-}" ]; then [ "$(jq -r .version <<<"$o")" = "$4" ] || fail "$2 for $1: version $(jq -r .version <<<"$o"), want $4"; fi
}
expect alice claude-code banned 2.1.5
expect alice codex-cli banned
expect '(system)' codex-cli banned 0.58.0
expect bob gemini-cli banned 0.9.0
expect alice github-copilot allowed 1.250.0
expect bob cursor banned
expect bob aider banned 0.86.1
expect bob continue banned 1.2.3
expect '(system)' ollama banned
expect alice ollama banned
expect bob lm-studio banned
expect '(system)' lm-studio banned
expect alice huggingface reported
expect bob claude-code banned
kinds() { tool "$1" "$2" | jq -r '[.items[].kind] | unique | join(",")'; }
[ "$(kinds alice claude-code)" = "binary,config,credential,package" ] || fail "claude-code kinds: $(kinds alice claude-code)"
[ "$(kinds alice huggingface)" = "config,credential,model" ] || fail "huggingface kinds: $(kinds alice huggingface)"
tool bob gemini-cli | jq -e '.items[] | select(.kind=="env") | .sets[] | select(.variable=="GEMINI_API_KEY" and .line==2)' >/dev/null ||
  fail "GEMINI_API_KEY export not reported"
tool bob claude-code | jq -e '.items[] | select(.path_hex != null)' >/dev/null || fail "odd path has no exact hex form"
if grep -q "$T/outside" "$T/r.json"; then fail "followed a symlink out of the root"; fi
[ "$(jq '[.users[].tools[].items[] | select(.path | startswith("/escape") or startswith("/rootlink"))] | length' "$T/r.json")" = 0 ] ||
  fail "walked through a symlink"

# --exec-version: the binary runs as its owner (nobody for root-owned files),
# and one that hangs is killed at the deadline
X=$T/exec
mkdir -p "$X/home/alice/.local/bin" "$X/usr/local/bin"
printf '#!/bin/sh\necho "1.0.$(id -u) (Claude Code)"\n' > "$X/home/alice/.local/bin/claude"
printf '#!/bin/sh\necho "1.1.$(id -u) (Claude Code)"\n' > "$X/usr/local/bin/claude"
chmod 755 "$X/home/alice/.local/bin/claude" "$X/usr/local/bin/claude"
chown -R 1000:1000 "$X/home/alice"
chmod 755 "$X" "$X/usr" "$X/usr/local" "$X/usr/local/bin" "$T" "$WARDEN_TMP"
run sweep --root "$X" --exec-version --json > "$T/x.json"
[ "$(jq -r '.users[] | select(.user=="alice") | .tools[0].version' "$T/x.json")" = "1.0.1000" ] ||
  fail "--exec-version did not run the binary as its owner: $(jq -c '.users' "$T/x.json")"
[ "$(jq -r '.users[] | select(.user=="(system)") | .tools[0].version' "$T/x.json")" = "1.1.65534" ] ||
  fail "--exec-version ran a root-owned binary as root"
run sweep --root "$X" --json > "$T/x.json"
[ "$(jq -r '.users[] | select(.user=="alice") | .tools[0].version' "$T/x.json")" = "null" ] ||
  fail "binaries were run without --exec-version"

# a macOS image: homes under Users/, the macOS paths of the catalogue
M=$T/mac
mkdir -p "$M/Users/carol/Library/Application Support/Cursor/User" "$M/Users/Shared/.claude" \
  "$M/Applications/Cursor.app/Contents" "$M/Library/Application Support/ClaudeCode" "$M/Users/carol/.claude"
printf '{}' > "$M/Library/Application Support/ClaudeCode/managed-settings.json"
run sweep --root "$M" --os macos --json > "$T/mac.json"
[ $rc -eq 1 ] || fail "macOS image: exit $rc"
[ "$(jq -r '[.users[] | select(.user=="carol") | .tools[].tool] | sort | join(",")' "$T/mac.json")" = "claude-code,cursor" ] ||
  fail "macOS image: carol's tools: $(jq -c '[.users[] | {user, t: [.tools[].tool]}]' "$T/mac.json")"
jq -e '.users[] | select(.user=="(system)") | .tools[] | .items[] | select(.path=="/Applications/Cursor.app")' "$T/mac.json" > /dev/null ||
  fail "macOS image: /Applications/Cursor.app not found"
jq -e '.users[] | select(.user=="(system)") | .tools[] | .items[] | select(.path=="/Library/Application Support/ClaudeCode")' "$T/mac.json" > /dev/null ||
  fail "macOS image: managed settings not found"
if jq -e '.users[] | select(.user=="Shared")' "$T/mac.json" > /dev/null; then fail "Users/Shared taken for a person"; fi

# the table: readable, odd bytes escaped, no secrets
run sweep --root "$R" --policy "$SRC/examples/sweep-policy.yaml" > "$T/table" 2>&1
[ $rc -eq 1 ] || fail "table run exit $rc"
grep -q 'we\\x0aird\\xff\\x01' "$T/table" || fail "odd bytes not escaped in the table"
if grep -q TOPSECRET "$T/table"; then fail "secret value in the table"; fi
grep -q "GitHub Copilot.*allowed" "$T/table" || fail "allowed tool not shown as allowed"

# --users
run sweep --root "$R" --users alice --json > "$T/alice.json"
[ $rc -eq 1 ] || fail "--users alice exit $rc"
[ "$(jq -r '[.users[].user] | unique | join(",")' "$T/alice.json")" = "alice" ] || fail "--users alice reported others"
run sweep --root "$R" --users nobody-here 2>/dev/null; [ $rc -eq 2 ] || fail "--users unknown: exit $rc, want 2"

# exit codes: clean, allowed-only, bad policy, bad option
mkdir -p "$T/clean/home/eve"; file "$T/clean/home/eve/notes.txt" 'hello'
run sweep --root "$T/clean" > /dev/null; [ $rc -eq 0 ] || fail "clean root: exit $rc, want 0"
mkdir -p "$T/allowed/home/eve/.config/github-copilot"
run sweep --root "$T/allowed" --policy "$SRC/examples/sweep-policy.yaml" > /dev/null
[ $rc -eq 0 ] || fail "only an allowed tool: exit $rc, want 0"
printf 'sweep:\n  banned: [claude-code]\n  colour: red\n' > "$T/bad.yaml"
run sweep --root "$R" --policy "$T/bad.yaml" 2> "$T/e"; [ $rc -eq 3 ] || fail "bad policy: exit $rc, want 3"
grep -q "bad.yaml:3: unknown key 'colour'" "$T/e" || fail "bad policy message: $(cat "$T/e")"
run sweep --frobnicate 2>/dev/null; [ $rc -eq 2 ] || fail "bad option: exit $rc, want 2"
"$W" sweep --help | grep -q -- "--quarantine DIR" || fail "help lacks --quarantine"

# a quarantine directory inside the root is never swept
# (./var, where the quarantine goes, is created first and left out of the comparison)
mkdir -p "$R/var"
snapshot() { (cd "$R" && find . -path ./var -prune -o -printf '%p|%y|%m|%U|%G|%s|%T@|%l\n' | LC_ALL=C sort &&
  find . -path ./var -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum); }
BEFORE=$(snapshot)
# read-only quarantine directory: clear error, exit 4, nothing moved
mkdir -p "$T/ro"
if mount -t tmpfs -o ro,size=1m tmpfs "$T/ro" 2>/dev/null; then
  run sweep --root "$R" --quarantine "$T/ro/q" > /dev/null 2> "$T/ro.err"
  [ $rc -eq 4 ] || fail "read-only quarantine: exit $rc, want 4"
  grep -q "Read-only file system (nothing was moved)" "$T/ro.err" || fail "read-only message: $(cat "$T/ro.err")"
  [ "$(snapshot)" = "$BEFORE" ] || fail "read-only quarantine changed the tree"
  umount "$T/ro"
else
  echo "note: skipping the read-only quarantine case (mount not permitted here)" >&2
fi
run sweep --root "$R" --quarantine "$R/var/quarantine" > /dev/null 2> "$T/q.err"
[ $rc -eq 1 ] || { cat "$T/q.err" >&2; fail "quarantine exit $rc"; }
schema_ok sweep-manifest "$R/var/quarantine/manifest.json" || fail "manifest does not match its schema"
run sweep --root "$R" --json > "$T/post.json"
if grep -q '/var/quarantine' "$T/post.json"; then fail "swept its own quarantine directory"; fi
"$W" sweep --restore "$R/var/quarantine/manifest.json" 2> "$T/r.err" || { cat "$T/r.err" >&2; fail "restore failed"; }
AFTER=$(snapshot); [ "$AFTER" = "$BEFORE" ] || { diff <(echo "$BEFORE") <(echo "$AFTER") >&2; fail "quarantine + restore changed the tree"; }
echo "ok"
