#!/usr/bin/env bash
# Runs a command with the pinned Node.js first on PATH: scripts/with-node.sh node --test ...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node_bin="$("$here/setup-node.sh")"
export PATH="$node_bin:$here/../node_modules/.bin:$PATH"
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=ExperimentalWarning"
exec "$@"
