#!/usr/bin/env bash
# run_spin.sh N -- exhaust the state space of vllm_fcfs.pml (beside this script) with SPIN
# for N requests in all, and print one line:
#   N=<n> states=<stored> transitions=<stored+matched> pan_s=<pan: elapsed time>
#   wall_s=<fastest wall time of ./pan over REPEAT runs> mem_mb=<total actual memory usage>
# SPIN as the benchmark prescribes: Debian's spin 6.5.2, pan compiled with -DSAFETY (no cycle
# detection; partial-order reduction left at its default, it has nothing to reduce with one
# process), one core, a full (exhaustive, not bitstate) search.
# Environment:
#   REPEAT=3        runs of ./pan; wall_s is the fastest (pan_s, pan's own 10 ms clock, is
#                   the one of that run)
#   HASH=           pan -w<HASH> (log2 of the hash table slots); empty = pan's default (-w24,
#                   a 128 MiB table that dominates mem_mb and part of the time at these sizes)
#   SPIN_DEFS=      extra -D flags for spin -a (e.g. "-DNB=6 -DMAXSEQS=2")
#   KEEP=1          keep the temp directory (printed on stderr)
set -euo pipefail

if ! command -v spin >/dev/null 2>&1; then
  echo "run_spin.sh: spin is not installed (apt-get install spin)" >&2
  exit 2
fi
if [[ $# -ne 1 || ! $1 =~ ^[0-9]+$ || $1 -lt 1 ]]; then
  echo "usage: run_spin.sh N   (N >= 1 requests in all)" >&2
  exit 2
fi
N=$1
REPEAT=${REPEAT:-3}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d /tmp/run_spin.XXXXXX)
if [[ ${KEEP:-0} == 1 ]]; then echo "run_spin.sh: keeping $TMP" >&2; else trap 'rm -rf "$TMP"' EXIT; fi

cd "$TMP"
cp "$HERE/vllm_fcfs.pml" .
# shellcheck disable=SC2086
spin -DN="$N" ${SPIN_DEFS:-} -a vllm_fcfs.pml >spin.log 2>&1 || {
  echo "run_spin.sh: spin -a failed:" >&2; cat spin.log >&2; exit 1; }
# -w: gcc's -Wstringop-overflow warnings on pan's bound-checked array stores are spurious
gcc -O2 -DSAFETY -w -o pan pan.c 2>gcc.log || {
  echo "run_spin.sh: gcc failed:" >&2; cat gcc.log >&2; exit 1; }

PAN_ARGS=(-m100000)
[[ -n ${HASH:-} ]] && PAN_ARGS+=("-w$HASH")

best=""
for ((i = 0; i < REPEAT; i++)); do
  t0=$(date +%s.%N)
  ./pan "${PAN_ARGS[@]}" >pan.out 2>&1 || true
  t1=$(date +%s.%N)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
  if grep -q "max search depth too small" pan.out; then
    echo "run_spin.sh: pan: max search depth too small (raise -m)" >&2; exit 1
  fi
  if ! grep -q "errors: 0" pan.out; then
    echo "run_spin.sh: pan reported errors:" >&2; cat pan.out >&2; exit 1
  fi
  if [[ -z $best ]] || awk -v w="$wall" -v b="$best" 'BEGIN { exit !(w < b) }'; then
    best=$wall
    cp pan.out pan.best
  fi
done

states=$(awk '/states, stored/ {print $1; exit}' pan.best)
trans=$(awk '/transitions \(= stored\+matched\)/ {print $1; exit}' pan.best)
pan_s=$(awk '/pan: elapsed time/ {print $4; exit}' pan.best)
mem=$(awk '/total actual memory usage/ {print $1; exit}' pan.best)
printf 'N=%s states=%s transitions=%s pan_s=%s wall_s=%.3f mem_mb=%s\n' \
  "$N" "$states" "$trans" "$pan_s" "$best" "$mem"
