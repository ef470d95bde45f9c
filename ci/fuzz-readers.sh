#!/usr/bin/env bash
# libFuzzer over the readers of user files (tests/fuzz_readers/README.md): the TOML config reader
# with the checkers' section readers, the ITF trace reader, the Azure CSV reader.
#
#   ci/fuzz-readers.sh             short mode (CI): replay the regressions, a fixed number of runs
#   ci/fuzz-readers.sh --long N    N executions per target (>= 1000000 for the recorded long run)
#
# Builds build/fuzz (clang, ASan + UBSan, incremental), generates the seed corpus and the
# dictionaries from the shipped files into build/fuzz/fuzz-work/ (--long: build/fuzz/fuzz-long/),
# replays every file under tests/fuzz_readers/regressions/<target>/, then runs each target with
# -seed=1 from the seeds alone. Short mode stops a target at its first finding and is
# deterministic; long mode fuzzes in a child process (-fork=1) that restarts after a finding, so
# one finding does not end the run. Exits 1 on any finding (crash, sanitizer report, exception
# other than InputError, timeout > 5 s, > 2 GiB, leak) and prints each reproducer's path.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(config csv itf)
declare -A runs=([config]=100000 [csv]=100000 [itf]=20000)   # short mode: ~30 s of runs
declare -A max_len=([config]=8192 [csv]=8192 [itf]=65536)
build=build/fuzz
flags_cxx="-fsanitize=address,undefined -fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined"
flags_cxx+=" -fno-omit-frame-pointer"

load() { uptime | sed 's/.*load average: *//'; }

build_targets() {
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DKVCHECK_LIBFUZZER=ON -DKVCHECK_ENABLE_CUDA=OFF -DKVCHECK_BUILD_TESTS=OFF \
    -DKVCHECK_BUILD_BENCHMARKS=OFF -DCMAKE_CXX_FLAGS="$flags_cxx" \
    >"$build.configure.log" 2>&1 || { cat "$build.configure.log" >&2; return 1; }
  cmake --build "$build" -j2 --target "${targets[@]/%/_fuzz}"
}

dict_entries() { sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/' | sort -u; }

# Seeds: shipped and test configs (and their checker sections alone), ITF traces up to max_len,
# the first 50 lines of each CSV.
# Dictionaries: syntax, boundary numbers, the keys the shipped files use and the names the
# readers' sources spell out (so a key no shipped file sets is still tried).
make_seeds() {
  local work=$1 f
  rm -rf "$work"
  mkdir -p "$work"/seeds/{config,csv,itf}
  local name
  for f in configs/*.toml tests/*/configs/*.toml; do
    name=$(echo "${f%.toml}" | tr / _)
    cp "$f" "$work/seeds/config/$name.toml"
    # The checker sections alone: config_fuzz also reads an input appended to a valid model.
    awk '/^\[/ { keep = ($0 ~ /^\[(bmc|fuzz|explore)[].]/) } keep' "$f" \
      >"$work/seeds/config/$name.sections.toml"
    [[ -s $work/seeds/config/$name.sections.toml ]] || rm "$work/seeds/config/$name.sections.toml"
  done
  for f in data/azure-llm-2023/*.csv; do head -n 50 "$f" >"$work/seeds/csv/$(basename "$f")"; done
  while IFS= read -r f; do
    if (($(stat -c %s "$f") <= max_len[itf])); then
      cp "$f" "$work/seeds/itf/$(echo "$f" | tr / _)"
    fi
  done < <(find counterexamples tests -name '*.itf.json' | sort)
  local numbers=(0 -1 0.5 1e308 -2147483648 2147483647 9223372036854775807 9223372036854775808)
  {
    printf '%s\n' '[' ']' '[[' ']]' '=' '"' "'" '"""' '#' ',' '{' '}' true false inf nan -inf \
      1979-05-27 "${numbers[@]}"
    cat "$work"/seeds/config/*.toml | grep -o '^\s*\[\[*[A-Za-z0-9_.]*\]\]*' | tr -d ' ' || true
    cat "$work"/seeds/config/*.toml | grep -o '^\s*[A-Za-z0-9_]*\s*=' | tr -d ' =' || true
    grep -ohE '"[A-Za-z0-9_.]+"' io/config.cpp io/toml_section.cpp checkers/z3/bmc_spec.cpp \
      checkers/fuzz/fuzz_spec.cpp checkers/explicit/explore_options.cpp | tr -d '"' || true
  } | grep -v '^$' | dict_entries >"$work/config.dict"
  {
    printf '%s\n' '{' '}' '[' ']' ':' ',' null true false '"#bigint"' '"#set"' '"#map"' '"#tup"' \
      '"-9223372036854775808"' '"18446744073709551616"' 1e400 -0 '\u0000' "${numbers[@]}"
    cat "$work"/seeds/itf/*.json | grep -o '"[^"]*":' | sed 's/:$//' || true
    grep -ohE '"[A-Za-z0-9_:#.]+"' counterexamples/itf_read.cpp counterexamples/itf_names.h || true
  } | dict_entries >"$work/itf.dict"
  printf '%s\n' TIMESTAMP,ContextTokens,GeneratedTokens , 2023-11-16 ' 18:15:46.6805900' nan inf \
    "${numbers[@]}" | dict_entries >"$work/csv.dict"
  printf '"\\x0D\\x0A"\n"\\x0A"\n' >>"$work/csv.dict"
}

# Replays tests/fuzz_readers/regressions/<t>/ (fixed findings: any failure is fatal) and notes
# each file of its open/ folder (reported, not fixed yet: a notice, not a failure).
replay_regressions() {
  local t=$1 work=$2 bin=$3 f
  shift 3
  mapfile -t fixed < <(find "tests/fuzz_readers/regressions/$t" -maxdepth 1 -type f \
                       ! -name '*.md' 2>/dev/null | sort)
  if ((${#fixed[@]})) && ! "$bin" "$@" "${fixed[@]}" >"$work/$t.regressions.log" 2>&1; then
    tail -n 40 "$work/$t.regressions.log" >&2
    echo "fuzz-readers: $t: a fixed finding fails again (log $work/$t.regressions.log)" >&2
    return 1
  fi
  echo "fuzz-readers: $t: ${#fixed[@]} fixed findings replayed"
  while IFS= read -r f; do
    if "$bin" "$@" "$f" >"$work/$t.open.log" 2>&1; then
      echo "fuzz-readers: $t: $f passes now: move it up to tests/fuzz_readers/regressions/$t/"
    else
      echo "fuzz-readers: $t: OPEN finding (reported, not fixed yet): $f:" \
           "$(grep -m1 -E 'runtime error|ERROR|what\(\)' "$work/$t.open.log" || true)"
    fi
  done < <(find "tests/fuzz_readers/regressions/$t/open" -type f ! -name '*.md' 2>/dev/null | sort)
}

# Fuzzes target t; prints executions, time, coverage; lists and fails on findings.
fuzz_target() {
  local t=$1 work=$2 mode=$3
  local bin=$build/tests/fuzz_readers/${t}_fuzz findings=$work/findings/$t
  mkdir -p "$findings" "$work/corpus/$t"
  local flags=(-seed=1 -timeout=5 -rss_limit_mb=2048 -max_len="${max_len[$t]}"
               -dict="$work/$t.dict" -artifact_prefix="$findings/" -print_final_stats=1)
  replay_regressions "$t" "$work" "$bin" "${flags[@]}" || return 1
  [[ $mode == long ]] && flags+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  local t1=$SECONDS rc=0
  "$bin" "${flags[@]}" -runs="${runs[$t]}" "$work/corpus/$t" "$work/seeds/$t" \
    >"$work/$t.log" 2>&1 || rc=$?
  local execs cov
  execs=$(grep -oE 'number_of_executed_units: [0-9]+' "$work/$t.log" | grep -oE '[0-9]+' || true)
  [[ -n $execs ]] || execs=$(grep -oE '^#[0-9]+' "$work/$t.log" | tail -n 1 | tr -d '#' || true)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$work/$t.log" | tail -n 1 || true)
  echo "fuzz-readers: $t: rc=$rc, ${execs:-?} executions in $((SECONDS - t1)) s, $cov," \
       "corpus $(find "$work/corpus/$t" -type f | wc -l) files"
  local found
  found=$(find "$findings" -type f | sort)
  if ((rc != 0)) || [[ -n $found ]]; then
    ((rc != 0)) && tail -n 60 "$work/$t.log" >&2
    for f in $found; do echo "fuzz-readers: $t: FINDING $f (reproduce: $bin $f)" >&2; done
    return 1
  fi
}

main() {
  local mode=short
  if [[ ${1:-} == --long && ${2:-} =~ ^[0-9]+$ && $# -eq 2 ]]; then
    mode=long
    for t in "${targets[@]}"; do runs[$t]=$2; done
  elif [[ $# -gt 0 ]]; then
    echo "usage: $0 [--long N]" >&2
    return 2
  fi
  if ! command -v clang++ >/dev/null; then
    echo "fuzz-readers: no clang++ (ci/install-deps.sh)" >&2
    return 1
  fi
  local work=$build/fuzz-work
  [[ $mode == long ]] && work=$build/fuzz-long   # a short run alongside does not clobber it
  echo "fuzz-readers: $mode mode, $(date -u '+%F %T UTC'), $(nproc) cores, load $(load)," \
       "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  local t0=$SECONDS status=0
  build_targets
  echo "fuzz-readers: build $((SECONDS - t0)) s"
  make_seeds "$work"
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  for t in "${targets[@]}"; do fuzz_target "$t" "$work" "$mode" || status=1; done
  echo "fuzz-readers: total $((SECONDS - t0)) s, $(date -u '+%F %T UTC'), load $(load)," \
       "logs in $work/"
  return $status
}

# The whole script is parsed before it runs: editing it during a long run is safe.
main "$@"
exit
