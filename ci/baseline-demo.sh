#!/usr/bin/env bash
# The README tour's baseline comparison, rerunnable: a scheduler change that drops vLLM FCFS's
# watermark (models/policies/vllm_fcfs.h admits with a watermark of 0), gated against this
# commit with ci/gate-baseline.sh on the vLLM configs. Two release builds (~10-20 minutes on 2
# cores). Prints the gate's table and the "Against the baseline" section; exits with the gate's
# code (12: the changed build breaks buffer_vllm_watermark's expectation).
set -euo pipefail
cd "$(dirname "$0")/.."
head=$(git rev-parse HEAD)
work=$(mktemp -d)
cleanup() { git worktree remove --force "$work/change" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
git worktree add --detach --quiet "$work/change" "$head"
sed -i 's/admit_fcfs(v, allowed, budget, D::lit(p.policy.watermark_blocks));/admit_fcfs(v, allowed, budget, D::lit(0));/' \
  "$work/change/models/policies/vllm_fcfs.h"
git -C "$work/change" diff --stat
"$work/change/ci/gate-baseline.sh" "$head" --fail-on-regression \
  configs/vllm_fcfs_safe.toml configs/vllm_fcfs_unsafe.toml configs/bmc_vllm_cascade.toml \
  configs/fuzz_vllm_fcfs_starvation.toml configs/regress_vllm35541_unservable.toml \
  configs/buffer_vllm_watermark.toml
