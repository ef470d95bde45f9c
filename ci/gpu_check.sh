#!/usr/bin/env bash
# Every GPU check of the decode engine in one call (docs/gpu-replay.md).
#
#   ci/gpu_check.sh            (here, with nvcc, no GPU needed) configure build/gpu-check for
#                              sm_90, build the engine's binaries, copy them and the shared
#                              libraries they need (ldd) into the git-ignored .device/
#   ci/gpu_check.sh --run      (on the GPU machine, from the repository root, with .device/
#                              carried over) run, writing everything under $OUT:
#                                1. the GPU tests (gtest XML) and the CPU engine tests
#                                2. compute-sanitizer memcheck on the GPU test target
#                                3. replay on CUDA of every counterexamples/**/*.itf.json that
#                                   predicts an overflow, and live engine runs of the shipped
#                                   *_unsafe configs (CSV logs + SVG plots)
#                                4. calibration (tiny fp32 and llama1b bf16): [time] fragments
#                                5. the decode benchmark (JSON), with the ratio to the roofline
#                              summary.txt lists PASS / FAIL / SKIP per check; the exit status
#                              is 1 when any check failed.
# Environment: BUILD_DIR (default build/gpu-check), DEVICE_DIR (default .device), WERROR=ON
# (warnings as errors; off by default so a warning elsewhere cannot block the GPU checks),
# KVCHECK_PACK_CUDA_LIBS=1 also packs libcudart / libcublas / libcublasLt (large; by default the
# GPU machine's own CUDA libraries are used).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build/gpu-check}
DEVICE_DIR=${DEVICE_DIR:-.device}
BINARIES=(kvcheck kvcheck_engine_run tests/gpu_replay/gpu_replay_cuda_test
          tests/gpu_replay/gpu_replay_engine_test tests/gpu_replay/gpu_replay_paged_attention_test
          bench/engine_bench)

build() {
  set -e
  command -v nvcc >/dev/null || { echo "gpu_check: nvcc not on PATH" >&2; exit 1; }
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKVCHECK_ENABLE_CUDA=ON \
        -DCMAKE_CUDA_ARCHITECTURES=90 -DKVCHECK_WERROR="${WERROR:-OFF}" -DKVCHECK_BUILD_BENCHMARKS=ON \
        -DKVCHECK_BUILD_TESTS=ON >/dev/null
  local targets=()
  for b in "${BINARIES[@]}"; do targets+=("$(basename "$b")"); done
  cmake --build "$BUILD_DIR" --target "${targets[@]}" -j"${JOBS:-2}"
  rm -rf "$DEVICE_DIR" && mkdir -p "$DEVICE_DIR/bin" "$DEVICE_DIR/lib"
  for b in "${BINARIES[@]}"; do
    cp "$BUILD_DIR/$b" "$DEVICE_DIR/bin/" && strip --strip-unneeded "$DEVICE_DIR/bin/$(basename "$b")"
  done
  pack_libs
  echo "gpu_check: packed $(du -sh "$DEVICE_DIR" | cut -f1) into $DEVICE_DIR; on the GPU machine run: ci/gpu_check.sh --run"
}

# Shared libraries the binaries need, minus glibc and the driver (and, by default, CUDA's own).
pack_libs() {
  local skip='linux-vdso|ld-linux|/libc\.so|/libm\.so|/libpthread|/libdl\.so|/librt\.so|libcuda\.so'
  [[ "${KVCHECK_PACK_CUDA_LIBS:-0}" == 1 ]] || skip+='|libcudart|libcublas'
  for b in "$DEVICE_DIR"/bin/*; do
    ldd "$b" | awk '/=>/ {print $3}' | grep -vE "$skip" | while read -r lib; do
      [[ -f "$lib" ]] && cp -Ln "$lib" "$DEVICE_DIR/lib/" 2>/dev/null
    done
  done
  strip --strip-unneeded "$DEVICE_DIR"/lib/*.so* 2>/dev/null || true
}

SUMMARY=""
FAILED=0
record() {  # record NAME STATUS DETAIL
  SUMMARY+="$(printf '%-34s %-5s %s' "$1" "$2" "$3")"$'\n'
  [[ "$2" == FAIL ]] && FAILED=1
  echo "gpu_check: $1: $2 $3"
}

step() {  # step NAME LOGFILE CMD...: runs CMD, logs it, records PASS/FAIL
  local name=$1 log=$2; shift 2
  "$@" >"$log" 2>&1
  local rc=$?
  if [[ $rc == 0 ]]; then record "$name" PASS "$(basename "$log")"; else record "$name" FAIL "rc=$rc, see $(basename "$log")"; fi
  return $rc
}

run_checks() {
  OUT=${OUT:-$DEVICE_DIR/out}
  mkdir -p "$OUT/replay" "$OUT/live"
  local bin=$DEVICE_DIR/bin
  export LD_LIBRARY_PATH="$PWD/$DEVICE_DIR/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
  (nvidia-smi; echo; for b in "$bin"/*; do echo "== $b"; ldd "$b" | grep -E 'not found|cuda|cublas'; done) >"$OUT/environment.txt" 2>&1
  if grep -q "=> not found" "$OUT/environment.txt"; then record environment FAIL "missing shared libraries, see environment.txt"; fi
  step gpu_tests "$OUT/gpu_tests.txt" "$bin/gpu_replay_cuda_test" --gtest_output="xml:$OUT/gpu_tests.xml"
  grep -q "SKIPPED" "$OUT/gpu_tests.txt" && record gpu_tests_device FAIL "tests skipped: no device visible"
  step cpu_engine_tests "$OUT/cpu_engine_tests.txt" bash -c "'$bin/gpu_replay_engine_test' && '$bin/gpu_replay_paged_attention_test'"
  local cs; cs=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)
  if [[ -n "$cs" ]]; then
    step memcheck "$OUT/memcheck.txt" "$cs" --tool memcheck --error-exitcode 1 --leak-check full "$bin/gpu_replay_cuda_test"
  else
    record memcheck SKIP "compute-sanitizer not installed on this machine"
  fi
  local traces=() t
  while IFS= read -r t; do grep -qE '"overflow"[[:space:]]*:[[:space:]]*true' "$t" && traces+=("$t"); done \
    < <(find counterexamples -name '*.itf.json' 2>/dev/null | sort)
  if [[ ${#traces[@]} == 0 ]]; then
    record replay_traces SKIP "no counterexamples/**/*.itf.json predicts an overflow"
  else
    for t in "${traces[@]}"; do
      step "replay $(basename "$t")" "$OUT/replay/$(basename "$t").txt" "$bin/kvcheck" replay "$t" --backend cuda
    done
    step replay_logs "$OUT/replay/engine_run.txt" "$bin/kvcheck_engine_run" --backend cuda --out "$OUT/replay" \
      $(printf -- '--trace %s ' "${traces[@]}")
  fi
  local c
  for c in configs/*_unsafe.toml; do
    grep -qE 'expect_property[[:space:]]*=[[:space:]]*"kv_no_overflow"' "$c" || continue
    # Explicit (few-request) workloads only: the device budget is minutes, and the thousands of
    # requests of p1_alg1_unsafe belong to the benchmark, not to a confirmation run.
    grep -qE '^kind[[:space:]]*=[[:space:]]*"explicit"' "$c" || continue
    step "live $(basename "$c")" "$OUT/live/$(basename "$c").txt" timeout 120 "$bin/kvcheck_engine_run" --backend cuda \
      --config "$c" --out "$OUT/live"
  done
  step calibrate_tiny "$OUT/calibrate_tiny.txt" "$bin/kvcheck" calibrate --backend cuda --model tiny \
    --out "$OUT/time_cuda_tiny.toml" --csv "$OUT/calibrate_tiny.csv"
  step calibrate_llama1b "$OUT/calibrate_llama1b.txt" "$bin/kvcheck" calibrate --backend cuda --model llama1b \
    --dtype bf16 --decode 1 16 64 128 --context 128 512 1024 --prefill 128 512 --out "$OUT/time_cuda_llama1b.toml" \
    --csv "$OUT/calibrate_llama1b.csv"
  step benchmark "$OUT/engine_bench.txt" "$bin/engine_bench" --benchmark_filter=Cuda --benchmark_repetitions=3 \
    --benchmark_out="$OUT/engine_bench.json" --benchmark_out_format=json
  if command -v python3 >/dev/null && [[ -f "$OUT/engine_bench.json" ]]; then
    python3 - "$OUT/engine_bench.json" >"$OUT/roofline.txt" <<'PY'
import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("aggregate_name") == "median" and "roofline_us" in b:
        r = b["real_time"] / b["roofline_us"]
        print(f'{b["run_name"]}: {b["real_time"]:.1f} us vs roofline {b["roofline_us"]:.1f} us = {r:.2f}x '
              f'({"meets" if r <= 1.5 else "misses"} the 1.5x target)')
PY
  fi
  printf '%s' "$SUMMARY" >"$OUT/summary.txt"
  echo "gpu_check: results in $OUT"
  return $FAILED
}

case "${1:-}" in
  --run) run_checks ;;
  ""|--build) build ;;
  *) echo "usage: ci/gpu_check.sh [--build | --run]" >&2; exit 2 ;;
esac
