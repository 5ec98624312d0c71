#!/usr/bin/env bash
# Builds the offline base images (Debian bookworm packages through mmdebstrap) into
# $SLUICE_CACHE/images/<name>-<recipe key>/, each skipped when its recipe is cached.
# The recipes are in src/dev/base-images/recipes.ts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../bin/sluice" dev build-images
