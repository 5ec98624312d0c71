#!/usr/bin/env bash
# Installs the npm packages of package-lock.json (npm ci) unless node_modules was installed from
# this very lock file: node_modules/.sluice-lock-hash holds the hash of the one it came from.
# With nothing to install it only hashes the lock file, so bin/sluice runs it on every call.
# Prints one line on stderr when it installs, and one naming npm's output and what to run if that fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
stamp="$root/node_modules/.sluice-lock-hash"
lock="$root/package-lock.json"
# a node_modules linked from another checkout (a git worktree sharing it) is that checkout's to install
[ -L "$root/node_modules" ] && exit 0
installed() { [ "$(cat "$stamp" 2>/dev/null)" = "$(sha256sum "$lock" | cut -d' ' -f1)" ]; }
installed && exit 0
# one install at a time: commands started together in a fresh clone wait for the first one's
exec 9<"$lock"
flock 9
installed && exit 0
echo "[setup] installing the npm packages of package-lock.json (npm ci)" >&2
log="$(mktemp -t sluice-npm-ci.XXXXXX.log)"
if ! (cd "$root" && "$here/with-node.sh" npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
  echo "[setup] FAILED: npm ci (its output: $log); check access to the npm registry, then run: make setup" >&2
  exit 1
fi
rm -f "$log"
sha256sum "$lock" | cut -d' ' -f1 >"$stamp"
