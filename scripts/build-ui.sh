#!/usr/bin/env bash
# Builds the web UI (ui/ → ui/dist, Vite) unless ui/dist was built from these very sources:
# ui/dist/.sluice-ui-hash holds the hash of the files it came from.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
stamp="$root/ui/dist/.sluice-ui-hash"
hash="$(cd "$root" && find ui -path ui/dist -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum package-lock.json | sha256sum | cut -d' ' -f1)"
[ "$(cat "$stamp" 2>/dev/null)" = "$hash" ] && exit 0
echo "[setup] building the web UI (ui/ with Vite)" >&2
log="$(mktemp -t sluice-ui-build.XXXXXX.log)"
if ! (cd "$root/ui" && "$here/with-node.sh" vite build) >"$log" 2>&1; then
  echo "[setup] FAILED: the web UI's build (its output: $log); run: cd ui && ../scripts/with-node.sh vite build" >&2
  exit 1
fi
rm -f "$log"
echo "$hash" >"$stamp"
