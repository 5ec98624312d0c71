#!/usr/bin/env bash
# One idempotent setup for every make target: pinned Node.js, npm packages, the web UI's build,
# Debian packages, the Go-built upstream binaries and the offline base images, each skipped
# when present.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/setup-node.sh" >/dev/null
"$here/setup-npm.sh"
"$here/build-ui.sh"
"$here/setup-debian.sh"
"$here/build-upstream.sh"
"$here/build-images.sh"
