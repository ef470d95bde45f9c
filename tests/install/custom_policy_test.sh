#!/usr/bin/env bash
# The kvcheck:: package, end to end (tests/install/README.md):
#   (a) cmake --install the already-built kvcheck build tree into a temporary prefix;
#   (b) configure and build examples/custom_policy against it (find_package(kvcheck) and
#       kvcheck_add_checker: a kvcheck compiled with the example's own policy, paced_fcfs);
#   (c) gate the example's twin configs with that checker: exit 0 (both expectations met), the
#       unsafe twin VIOLATED on no_preemption (at step 2, where vllm_fcfs would preempt at step 1)
#       by a counterexample under paced_fcfs;
#   (d) run the installed stock kvcheck (--version, --help) and the example's own ctest.
# Usage: custom_policy_test.sh <kvcheck build dir> <kvcheck source dir> <work dir>
# The example is built at -O0 without debug information (the cheapest full build of every
# layer), with clang when it is installed; KVCHECK_EXAMPLE_JOBS (default 2) sets its parallelism.
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$3
jobs=${KVCHECK_EXAMPLE_JOBS:-2}
example="$src/examples/custom_policy"

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix="$work/prefix"

step() { printf '== %s (%s s)\n' "$1" "$SECONDS"; }

step "(a) install $build into $prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
test -x "$prefix/bin/kvcheck"
test -f "$prefix/lib/cmake/kvcheck/kvcheckConfig.cmake"
test -f "$prefix/share/kvcheck/src/models/policies/registry.h"
test ! -e "$prefix/share/kvcheck/src/tests"

step "(b) configure and build examples/custom_policy"
generator=()
if command -v ninja > /dev/null; then generator=(-G Ninja); fi
# clang when present (ci/install-deps.sh installs it for the readers' fuzzing): at -O0 it
# compiles kvcheck's template-heavy sources in about half gcc's time (measured 2026-12-07: 186 s
# for the whole example on 2 idle cores; gcc's translation units took 1.5-1.8x as long), and a
# second compiler building every layer is a portability check of its own.
compiler=()
if command -v clang++ > /dev/null && command -v clang > /dev/null; then
  compiler=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang)
fi
cmake -S "$example" -B "$work/example" "${generator[@]}" "${compiler[@]}" \
      -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 \
      > "$work/configure.log"
grep -q "extra policies registered by $example/registration.h" "$work/configure.log"
start=$SECONDS
cmake --build "$work/example" -j "$jobs" > "$work/build.log"
echo "example build: $((SECONDS - start)) s with -j $jobs (${compiler[*]:-the default compiler})"
checker="$work/example/paced_kvcheck"
test -x "$checker"

step "(c) gate the example's twins with paced_kvcheck"
cd "$example"
rc=0
"$checker" gate configs/paced_fcfs_safe.toml configs/paced_fcfs_unsafe.toml \
    --json "$work/gate.json" > "$work/gate.md" || rc=$?
cat "$work/gate.md"
if [ "$rc" -ne 0 ]; then
  echo "FAIL: the gate exited $rc, expected 0 (both twins as declared)" >&2
  exit 1
fi
python3 - "$work/gate.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
entries = {e["name"]: e for e in report["entries"]}
assert set(entries) == {"paced_fcfs_safe", "paced_fcfs_unsafe"}, sorted(entries)
for name, e in entries.items():
    assert e["met"], f"{name}: expectation not met: {e['why']}"
safe, unsafe = entries["paced_fcfs_safe"], entries["paced_fcfs_unsafe"]
assert all(r["verdict"]["kind"] != "violated" for r in safe["rows"]), safe["rows"]
hits = [r for r in unsafe["rows"] if r["verdict"]["kind"] == "violated"
        and "no_preemption" in r["verdict"]["reason"]]
assert hits, f"paced_fcfs_unsafe: no checker VIOLATED no_preemption: {unsafe['rows']}"
# The pacing rule really ran: vllm_fcfs (3 admissions at step 0) preempts at step 1 on this
# workload, paced_fcfs (2 at step 0) at step 2 (the config's comment works it out by hand).
sim = [r for r in hits if r["checker"] == "simulate"]
assert sim and sim[0]["verdict"]["depth"] == 2, f"expected the preemption at step 2: {sim}"
policies = {json.dumps(r["counterexample"]).count('"paced_fcfs"') > 0 for r in hits
            if "counterexample" in r}
assert policies == {True}, "the counterexample does not run paced_fcfs"
print("gate report: safe met, unsafe VIOLATED no_preemption by",
      ", ".join(r["checker"] for r in hits))
PY

step "(d) the installed stock kvcheck and the example's ctest"
"$prefix/bin/kvcheck" --version
"$prefix/bin/kvcheck" --help > /dev/null
if "$prefix/bin/kvcheck" gate configs/paced_fcfs_safe.toml > /dev/null 2>&1; then
  echo "FAIL: the stock kvcheck accepted paced_fcfs" >&2
  exit 1
fi
ctest --test-dir "$work/example" --output-on-failure > "$work/ctest.log" || {
  cat "$work/ctest.log"; exit 1; }
step "passed"
