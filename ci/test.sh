#!/usr/bin/env bash
# The whole test suite: install dependencies, configure, build (warnings as errors), run ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
ci/check-layers.sh
cmake --workflow --preset ci
ci/bench-short.sh build/ci  # every benchmark target in short mode (~20 s); a crash fails, a slowdown is printed
ci/fuzz-readers.sh   # libFuzzer over the config, ITF and CSV readers (short mode, 2-4 min)
ci/mutation-diff.sh  # mutants on the lines the last commit changed, against the fast tier (advisory)
