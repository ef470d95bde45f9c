#!/usr/bin/env bash
# compare.sh KVCHECK [N...] -- SPIN and kvcheck side by side on the same bounds, one after the
# other under the same load: for each N (default 4 5 6 7 8) the Promela model (run_spin.sh,
# -DSAFETY, hash table sized 2^20, the fastest of 3 runs) and `kvcheck explore` on
# vllm_fcfs_n4.toml with max_requests = N (the fastest of 3 runs of its own search time, the
# time the CLI prints; start-up excluded on both sides: pan's time is its search, kvcheck's its
# safety pass). Prints one Markdown row per N, with the load average, and kvcheck / SPIN.
# Target (issue 15): kvcheck's time to exhaust <= 1/4 of SPIN's.
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: compare.sh KVCHECK [N...]" >&2; exit 2; }
KVCHECK=$(realpath -m "$1")
shift
[[ -x $KVCHECK ]] || { echo "compare.sh: no kvcheck binary at $KVCHECK" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NS=("$@")
((${#NS[@]})) || NS=(4 5 6 7 8)
TMP=$(mktemp -d /tmp/compare.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

echo "| N | states (both) | SPIN pan search s | kvcheck search s | kvcheck / SPIN | kvcheck bytes/state | load |"
echo "|---|---|---|---|---|---|---|"
for n in "${NS[@]}"; do
  spin_line=$(HASH=20 REPEAT=3 "$HERE/run_spin.sh" "$n")
  s_states=$(sed -n 's/.*states=\([0-9]*\).*/\1/p' <<<"$spin_line")
  s_time=$(sed -n 's/.*pan_s=\([0-9.]*\).*/\1/p' <<<"$spin_line")
  sed -e "/^\[explore\]/,\$ s/^max_requests = .*/max_requests = $n/" "$HERE/vllm_fcfs_n4.toml" >"$TMP/c.toml"
  best="" k_states="" bps=""
  for _ in 1 2 3; do
    out=$("$KVCHECK" explore "$TMP/c.toml")
    line=$(grep -m1 " states, " <<<"$out")
    t=$(sed -n 's/.* transitions in \([0-9.]*\) s.*/\1/p' <<<"$line")
    k_states=$(sed -n 's/.*: \([0-9]*\) states,.*/\1/p' <<<"$line")
    bps=$(sed -n 's/.*(\([0-9]*\) bytes\/state.*/\1/p' <<<"$line")
    if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
  done
  [[ $k_states == "$s_states" ]] || echo "compare.sh: N=$n: state counts differ (SPIN $s_states, kvcheck $k_states)" >&2
  ratio=$(awk -v k="$best" -v s="$s_time" 'BEGIN { if (s > 0) printf "%.2f", k / s; else print "n/a (SPIN < 10 ms)" }')
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "| $n | $k_states | $s_time | $best | $ratio | $bps | $load |"
done
