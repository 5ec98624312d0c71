#!/usr/bin/env bash
# One idempotent setup for every make target: pinned Node.js, npm packages,
# Debian packages and the Go-built upstream binaries, each skipped when present.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
"$here/setup-node.sh" >/dev/null
stamp="$root/node_modules/.sluice-lock-hash"
hash="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ]; then
  echo "[setup] npm ci" >&2
  (cd "$root" && "$here/with-node.sh" npm ci --no-audit --no-fund --loglevel=error) \
    || { echo "[setup] FAILED: npm ci. Check access to the npm registry." >&2; exit 1; }
  echo "$hash" >"$stamp"
fi
"$here/setup-debian.sh"
"$here/build-upstream.sh"
