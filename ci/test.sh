#!/usr/bin/env bash
# The whole test suite: install dependencies, configure, build (warnings as errors), run ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
ci/check-layers.sh
cmake --workflow --preset ci
