#!/usr/bin/env bash
# The benchmarks in short mode (issue 15): every row of bench/short_mode.json runs its program
# with its filter for a short time and compares one counter with a floor (a quarter of the
# development machine's figure). Below the floor prints REGRESSION (advisory: CI's load varies,
# and tests assert behaviour, not timings); a benchmark that crashes or reports an error fails.
# Usage: ci/bench-short.sh BUILD_DIR   (a build with KVCHECK_BUILD_BENCHMARKS=ON)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: ci/bench-short.sh BUILD_DIR}
[[ -x $build/bench/explorer_bench ]] || { echo "ci/bench-short.sh: no benchmarks in $build (KVCHECK_BUILD_BENCHMARKS=OFF?)" >&2; exit 1; }
python3 - "$build" <<'PY'
import json, os, subprocess, sys, tempfile
build = sys.argv[1]
rows = json.load(open("bench/short_mode.json"))["rows"]
failed = regressions = 0
load = open("/proc/loadavg").read().split()[0]
print(f"bench-short: {len(rows)} rows, load average {load}")
for r in rows:
    out = os.path.join(tempfile.gettempdir(), "kvcheck-bench-short.json")
    cmd = [f"{build}/bench/{r['program']}", f"--benchmark_filter={r['filter']}",
           "--benchmark_min_time=0.05", f"--benchmark_out={out}", "--benchmark_out_format=json"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    name = f"{r['program']} {r['filter']}"
    if p.returncode != 0:
        print(f"FAILED  {name}: exit {p.returncode}\n{(p.stdout + p.stderr)[-2000:]}")
        failed += 1
        continue
    bms = json.load(open(out)).get("benchmarks", [])
    if not bms or any(b.get("error_occurred") for b in bms):
        print(f"FAILED  {name}: " + ("no benchmark matched" if not bms else bms[0].get("error_message", "error")))
        failed += 1
        continue
    b = bms[0]
    c = r.get("counter")
    if c is None:
        print(f"ok      {name}: {b['real_time']:.3g} {b['time_unit']} (ran)")
        continue
    v = b.get(c)
    if v is None:
        print(f"FAILED  {name}: no counter {c}")
        failed += 1
        continue
    bad = ("floor" in r and v < r["floor"]) or ("ceiling" in r and v > r["ceiling"])
    bound = f">= {r['floor']:g}" if "floor" in r else f"<= {r['ceiling']:g}"
    target = f", target {r['target']:g}" if "target" in r else ""
    print(f"{'REGRESSION' if bad else 'ok':<8}{name}: {c} = {v:.4g} (short-mode bound {bound}{target})")
    regressions += bad
print(f"bench-short: {len(rows) - failed} ran, {failed} failed, {regressions} below their bound (advisory)")
sys.exit(1 if failed else 0)
PY
