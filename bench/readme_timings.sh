#!/usr/bin/env bash
# The README's timed commands, measured: wall and CPU seconds, exit code, the machine and its
# load, as a Markdown table (issue 13: "the README's figures come from a script"). With
# --loaded, every command runs a second time beside one busy loop per core, and the two runs'
# outputs are compared with times and memory stripped: the same input must take the same path
# (same verdicts, same solver queries in the same order, same conflicts and decisions) on an
# idle and a loaded machine, since every decision inside the algorithms is taken on Z3 resource
# units, never seconds.
#
#   bench/readme_timings.sh [--loaded] [--kvcheck PATH] [--quick]
#     --quick   skip the 30-55 s solver-only run of Example 2 (--seed-runs 0)
#
# Writes the table to stdout and the raw outputs to out/readme-timings/.
set -euo pipefail
cd "$(dirname "$0")/.."
LOADED=0 QUICK=0 KV=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --loaded) LOADED=1; shift ;;
    --quick) QUICK=1; shift ;;
    --kvcheck) KV=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "readme_timings.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ -z $KV ]]; then
  cmake --preset release > /dev/null
  cmake --build --preset release --target kvcheck > /dev/null
  KV=build/release/kvcheck
fi
OUT=out/readme-timings
rm -rf "$OUT"
mkdir -p "$OUT"

CMDS=(
  "check configs/bmc_p2_example2_paper.toml --out $OUT/tour"
  "prove configs/vllm_fcfs_azure_conv.toml --out $OUT/tour"
  "prove configs/p1_alg1_sec41.toml --out $OUT/tour"
  "prove configs/z3_p1_alg1_safe.toml --out $OUT/tour"
  "prove configs/bmc_vllm_fcfs_n8.toml --out $OUT/tour"
  "check configs/bmc_vllm_fcfs_n8.toml --depth 40 --out $OUT/tour"
  "explore configs/explore_p2_example2_unstable.toml --out $OUT/tour"
  "simulate configs/vllm_fcfs_azure_conv.toml --out $OUT/azure"
)
[[ $QUICK == 1 ]] || CMDS+=("check configs/bmc_p2_example2_paper.toml --seed-runs 0 --out $OUT/tour")

# Times, memory, rates and paths vary between runs; verdicts, query names, conflicts and
# decisions must not.
# Dropped: the heartbeat ("still solving after 5 s", printed every 5 s of wall time) and rates.
normalize() {
  sed -E -e '/still solving after/d' -e 's/[0-9]+(\.[0-9]+)?( ?)(s|ms)\b/T\2\3/g' \
         -e 's/memory=[0-9.]+/memory=M/g' -e 's/[0-9.]+ ([a-z]+)\/s\b/R \1\/s/g' \
         -e 's/in T s/in T/g' "$1"
}

run_one() {  # run_one INDEX TAG CMD: prints "rc wall user+sys"
  local i=$1 tag=$2 cmd=$3 log=$OUT/$1.$2.txt
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$OUT/$i.$tag.cpu" $KV $cmd > "$log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  local cpu
  # GNU time puts "Command exited with non-zero status N" before the numbers: the last line
  cpu=$(tail -n 1 "$OUT/$i.$tag.cpu" | awk '{printf "%.2f", $1 + $2}')
  echo "$rc $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}') $cpu"
}

echo "kvcheck README timings: $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
if [[ $LOADED == 1 ]]; then
  echo "| command | exit | wall s (idle) | CPU s | wall s (loaded) | same path |"
  echo "|---|---|---|---|---|---|"
else
  echo "| command | exit | wall s | CPU s |"
  echo "|---|---|---|---|"
fi
status=0
for i in "${!CMDS[@]}"; do
  cmd=${CMDS[$i]}
  read -r rc wall cpu < <(run_one "$i" idle "$cmd")
  shown=${cmd// --out $OUT\/tour/}
  shown=${shown// --out $OUT\/azure/}
  if [[ $LOADED == 1 ]]; then
    hogs=()
    for _ in $(seq "$(nproc)"); do (while :; do :; done) & hogs+=($!); done
    read -r rc2 wall2 _ < <(run_one "$i" loaded "$cmd")
    kill "${hogs[@]}" 2> /dev/null || true
    wait "${hogs[@]}" 2> /dev/null || true
    same=yes
    if [[ $rc != "$rc2" ]] || ! diff -q <(normalize "$OUT/$i.idle.txt") \
                                       <(normalize "$OUT/$i.loaded.txt") > /dev/null; then
      same="**no** (see $OUT/$i.*.txt)"; status=1
    fi
    echo "| \`kvcheck $shown\` | $rc | $wall | $cpu | $wall2 | $same |"
  else
    echo "| \`kvcheck $shown\` | $rc | $wall | $cpu |"
  fi
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
