#!/usr/bin/env bash
# The main job: install dependencies, build kvcheck (Release), run the gate over the shipped
# configs (every checker that applies; each config's verdict must match its [meta] expect),
# then simulate the Azure conversation trace under vLLM FCFS (report and plot in out/azure).
# Exit code: the gate's (0 pass, 5 inconclusive, 12/13 unexpected violation, 255 internal).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target kvcheck
bin=build/release/kvcheck
mkdir -p out/gate
status=0
"$bin" gate --dir configs --jobs "$(nproc)" --time-limit 1500 --out out/gate/traces \
  --junit out/gate/junit.xml --sarif out/gate/kvcheck.sarif --json out/gate/report.json \
  | tee out/gate/summary.md || status=${PIPESTATUS[0]}
"$bin" simulate configs/vllm_fcfs_azure_conv.toml --out out/azure
echo "ci/gate.sh: gate report in out/gate, Azure report in out/azure"
exit "$status"
