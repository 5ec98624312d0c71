#!/usr/bin/env bash
# Cold build of every upstream binary: empty Go build cache, module cache and Sluice cache.
# Prints wall time and disk use. Takes tens of minutes on 2 cores.
# Run: bash bench/cold-build.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d /tmp/sluice-cold-build.XXXXXX)"
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
start=$SECONDS
SLUICE_CACHE="$tmp/sluice" GOCACHE="$tmp/gocache" GOMODCACHE="$tmp/gomod" "$root/scripts/build-upstream.sh" >"$tmp/build.log" 2>&1 \
  || { tail -20 "$tmp/build.log"; exit 1; }
echo "cold build of all upstream binaries: $((SECONDS - start)) s"
echo "disk: binaries $(du -sh "$tmp/sluice/upstream" | cut -f1), Go module cache $(du -sh "$tmp/gomod" | cut -f1), Go build cache $(du -sh "$tmp/gocache" | cut -f1)"
