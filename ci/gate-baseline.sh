#!/usr/bin/env bash
# Gate a change, not a config: build REF in a temporary git worktree and this tree, run the gate
# on each tree's own configs, and print what changed (docs/ci-gate.md, "Gating a change").
#
#   ci/gate-baseline.sh REF [gate options] [configs...]
#
# e.g. `ci/gate-baseline.sh origin/main --fail-on-regression` in a pull request. Both builds use
# the `release` preset (tests and benchmarks off); REF must be a commit whose gate has --json.
# Exit code: the new gate's (docs/exit-codes.md; 20 = regressed, with --fail-on-regression).
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${1:?usage: ci/gate-baseline.sh REF [gate options] [configs...]}
shift
ci/install-deps.sh >/dev/null
work=$(mktemp -d)
cleanup() { git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
git worktree add --detach --quiet "$work/base" "$ref"

build() {  # build DIR: the kvcheck binary of the tree in DIR
  cmake -S "$1" -B "$1/build/baseline" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DKVCHECK_ENABLE_CUDA=OFF -DKVCHECK_BUILD_TESTS=OFF -DKVCHECK_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build "$1/build/baseline" --target kvcheck >/dev/null
}
echo "ci/gate-baseline.sh: building $ref ($(git rev-parse --short "$ref"))" >&2
build "$work/base"
echo "ci/gate-baseline.sh: building this tree" >&2
build "$PWD"
# The old build runs the same configs and options, less those that only the comparison takes.
base_args=()
skip=0
for a in "$@"; do
  if ((skip)); then skip=0; continue; fi
  case $a in
    --fail-on-regression | --tolerance=*) ;;
    --tolerance) skip=1 ;;
    *) base_args+=("$a") ;;
  esac
done
echo "ci/gate-baseline.sh: the gate on $ref" >&2
(cd "$work/base" && build/baseline/kvcheck gate --jobs "$(nproc)" --json "$work/base.json" \
  "${base_args[@]}" >/dev/null) || true
if [[ ! -s "$work/base.json" ]]; then
  echo "ci/gate-baseline.sh: $ref wrote no --json report (a commit before gate --json?)" >&2
  exit 151
fi
echo "ci/gate-baseline.sh: the gate on this tree, against $ref" >&2
build/baseline/kvcheck gate --jobs "$(nproc)" --baseline "$work/base.json" "$@"
