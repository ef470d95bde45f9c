#!/usr/bin/env bash
# The main job: install dependencies, build kvcheck (Release), and run the gate over the shipped
# configs: every config's verdict must match its expectation, and the Azure conversation trace
# is simulated under vLLM FCFS with a report in out/azure.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target kvcheck
bin=build/release/kvcheck
mkdir -p out
"$bin" simulate configs/vllm_fcfs_azure_conv.toml --out out/azure
