#!/usr/bin/env bash
# Installs the pinned Node.js from the npm registry (package node-linux-<arch>,
# which ships the binary) into $SLUICE_CACHE/node-<version>/ and prints its bin dir.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/versions.sh"
cache="${SLUICE_CACHE:-$HOME/.cache/sluice}"
dest="$cache/node-$NODE_VERSION"
if [ ! -x "$dest/bin/node" ]; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;;
    *) echo "[setup-node] FAILED: no Node.js package for $(uname -m)" >&2; exit 1 ;;
  esac
  command -v npm >/dev/null || { echo "[setup-node] FAILED: npm is needed once to fetch Node.js $NODE_VERSION; install any npm." >&2; exit 1; }
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_VERSION" >/dev/null) \
    || { echo "[setup-node] FAILED: npm pack node-linux-$arch@$NODE_VERSION" >&2; exit 1; }
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-*.tgz -C "$tmp/x"
  rm -rf "$dest.tmp" && mkdir -p "$dest.tmp/bin"
  cp "$tmp/x/package/bin/node" "$dest.tmp/bin/node"
  rm -rf "$dest" && mv "$dest.tmp" "$dest"
  echo "[setup-node] installed Node.js $("$dest/bin/node" --version) in $dest" >&2
fi
echo "$dest/bin"
