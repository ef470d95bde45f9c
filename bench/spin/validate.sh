#!/usr/bin/env bash
# validate.sh -- checks that vllm_fcfs.pml and kvcheck's explicit-state explorer build the same
# state graph, on the benchmark's config and on variants of it (README.md, "Equivalence").
# Per variant (num_blocks, max_num_seqs, max_batched_tokens, max_arrivals_per_step,
# max_requests) it writes a variant of vllm_fcfs_n4.toml into a temp dir and checks:
#  1. kv_no_overflow holds in both, and SPIN's "states, stored" equals kvcheck's state count
#     and SPIN's transitions (stored + matched) equal kvcheck's transitions + 1 (pan counts the
#     initial state as one). Both with the hidden per-step temporaries and with -DNOHIDDEN.
#  2. for no_preemption and progress: the verdicts agree, and where kvcheck finds a shortest
#     counterexample of L steps, SPIN finds none within L-1 steps and one within L (pan DFS on
#     the model bounded by -DMAXSTEPS, exhaustive) and SPIN's BFS (pan -DBFS, -DNOHIDDEN)
#     trail, replayed with spin -t, has L engine steps.
# Usage: validate.sh [KVCHECK binary]   (default: ../../build/h1/kvcheck)
# Prints one line per check and "ALL OK" or the number of mismatches; exit 0 iff all agree.
set -uo pipefail

if ! command -v spin >/dev/null 2>&1; then
  echo "validate.sh: spin is not installed (apt-get install spin)" >&2
  exit 2
fi
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KVCHECK=$(realpath -m "${1:-$HERE/../../build/h1/kvcheck}")
[[ -x $KVCHECK ]] || { echo "validate.sh: no kvcheck binary at $KVCHECK" >&2; exit 2; }
TMP=$(mktemp -d /tmp/spin_validate.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
cp "$HERE/vllm_fcfs.pml" "$TMP/"
cd "$TMP"
FAIL=0

# variants: NB MAXSEQS MAXTOK MAXARR N
VARIANTS=(
  "12 4 8 2 4" "12 4 8 2 5" "12 4 8 2 6"   # the benchmark
  "5 4 8 2 4"  "6 2 8 2 5"  "4 4 3 2 4"  "3 3 2 1 5"
  "8 1 8 2 4"  "7 3 4 2 5"  "6 4 8 1 6"  "5 2 5 2 5"  "9 4 8 2 5"
)

toml() {  # NB MAXSEQS MAXTOK MAXARR N PROP > file
  sed -e "s/^num_blocks = .*/num_blocks = $1/" \
      -e "s/^max_num_seqs = .*/max_num_seqs = $2/" \
      -e "s/^max_batched_tokens = .*/max_batched_tokens = $3/" \
      -e "s/^max_arrivals_per_step = .*/max_arrivals_per_step = $4/" \
      -e "/^\[explore\]/,\$ s/^max_requests = .*/max_requests = $5/" \
      -e "s/^properties = .*/properties = [\"$6\"]/" "$HERE/vllm_fcfs_n4.toml"
}

# pan on the model: spin defs in $1, extra gcc flags in $2, pan args in $3; output on stdout
pan_run() {
  # shellcheck disable=SC2086
  spin $1 -a vllm_fcfs.pml >/dev/null 2>spin.err || { cat spin.err >&2; return 1; }
  # shellcheck disable=SC2086
  gcc -O2 -w -DSAFETY $2 -o pan pan.c || return 1
  rm -f vllm_fcfs.pml.trail
  # shellcheck disable=SC2086
  ./pan $3 2>&1
}

report() {  # ok|MISMATCH text
  echo "$1  $2"
  [[ $1 == ok ]] || FAIL=$((FAIL + 1))
}

for v in "${VARIANTS[@]}"; do
  read -r nb seqs tok arr n <<<"$v"
  defs="-DN=$n -DNB=$nb -DMAXSEQS=$seqs -DMAXTOK=$tok -DMAXARR=$arr"
  tag="NB=$nb seqs=$seqs tokens=$tok arrivals=$arr N=$n"

  # 1. the whole graph, kv_no_overflow
  toml "$nb" "$seqs" "$tok" "$arr" "$n" kv_no_overflow >v.toml
  kv=$("$KVCHECK" explore v.toml 2>&1)
  ks=$(sed -n 's/.*: \([0-9]*\) states, \([0-9]*\) transitions in.*/\1/p' <<<"$kv" | head -1)
  kt=$(sed -n 's/.*: \([0-9]*\) states, \([0-9]*\) transitions in.*/\2/p' <<<"$kv" | head -1)
  grep -q "kv_no_overflow fails" <<<"$kv" && report MISMATCH "$tag: kvcheck finds kv_no_overflow violated"
  for hid in "" "-DNOHIDDEN"; do
    out=$(pan_run "$defs $hid" "" "-m100000")
    ss=$(awk '/states, stored/ {print $1; exit}' <<<"$out")
    st=$(awk '/transitions \(= stored\+matched\)/ {print $1; exit}' <<<"$out")
    errs=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' <<<"$out")
    if [[ $ss == "$ks" && $st == $((kt + 1)) && $errs == 0 ]] && ! grep -q "too small" <<<"$out"; then
      report ok "$tag ${hid:-hidden}: states $ss = $ks, transitions $st = $kt + 1"
    else
      report MISMATCH "$tag ${hid:-hidden}: SPIN states $ss transitions $st errors $errs, kvcheck states $ks transitions $kt"
    fi
  done

  # 2. shortest counterexamples
  for prop in no_preemption progress; do
    macro=-DPROP_$(tr '[:lower:]' '[:upper:]' <<<"$prop")
    toml "$nb" "$seqs" "$tok" "$arr" "$n" "$prop" >v.toml
    kv=$("$KVCHECK" explore v.toml 2>&1)
    L=$(sed -n "s/.*$prop fails after step [0-9]* (shortest: \([0-9]*\) steps).*/\1/p" <<<"$kv" | head -1)
    if [[ -z $L ]]; then
      grep -q "state limit" <<<"$kv" && report MISMATCH "$tag $prop: kvcheck incomplete"
      out=$(pan_run "$defs $macro" "" "-m100000")
      if grep -q "errors: 0" <<<"$out"; then
        report ok "$tag $prop: holds in both"
      else
        report MISMATCH "$tag $prop: holds in kvcheck, SPIN: $(grep -m1 'assertion violated' <<<"$out")"
      fi
      continue
    fi
    below=$(pan_run "$defs $macro -DMAXSTEPS=$((L - 1))" "" "-m100000" | sed -n 's/.*errors: \([0-9]*\).*/\1/p')
    at=$(pan_run "$defs $macro -DMAXSTEPS=$L" "" "-m100000" | sed -n 's/.*errors: \([0-9]*\).*/\1/p')
    pan_run "$defs $macro -DNOHIDDEN" "-DBFS" "" >/dev/null
    bfs=-
    if [[ -f vllm_fcfs.pml.trail ]]; then
      # every engine step starts with `h_budget = MAXTOK` (spin -t -p prints it with the value)
      # shellcheck disable=SC2086
      bfs=$(spin -t -p $defs $macro -DNOHIDDEN vllm_fcfs.pml 2>/dev/null | grep -c "\[h_budget = $tok\]")
    fi
    if [[ $below == 0 && $at != 0 && $bfs == "$L" ]]; then
      report ok "$tag $prop: shortest $L steps in kvcheck; SPIN: none within $((L - 1)), one within $L, BFS trail $bfs steps"
    else
      report MISMATCH "$tag $prop: kvcheck shortest $L; SPIN errors within $((L - 1)): $below, within $L: $at, BFS trail steps: $bfs"
    fi
  done
done

if ((FAIL == 0)); then echo "ALL OK"; else echo "$FAIL MISMATCHES"; exit 1; fi
