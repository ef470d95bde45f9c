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
# -seed=1 from the seeds alone, so a run is deterministic. Exits 1 on any finding (crash, sanitizer report, exception
# other than InputError, timeout, out of memory, leak) and prints the reproducer's path.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(config csv itf)
declare -A runs=([config]=50000 [csv]=50000 [itf]=10000)   # short mode: ~40 s of runs
declare -A max_len=([config]=8192 [csv]=8192 [itf]=65536)
if [[ ${1:-} == --long ]]; then
  [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "usage: $0 [--long N]" >&2; exit 2; }
  for t in "${targets[@]}"; do runs[$t]=$2; done
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--long N]" >&2
  exit 2
fi

build=build/fuzz
work=$build/fuzz-work
[[ ${1:-} == --long ]] && work=$build/fuzz-long   # a short run alongside does not clobber it
echo "fuzz-readers: $(date -u '+%F %T UTC'), $(nproc) cores, load:$(uptime | sed 's/.*load average://')"
command -v clang++ >/dev/null || { echo "fuzz-readers: clang++ not found (ci/install-deps.sh)" >&2; exit 1; }

# --- build -----------------------------------------------------------------------------------
t0=$SECONDS
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKVCHECK_LIBFUZZER=ON -DKVCHECK_ENABLE_CUDA=OFF -DKVCHECK_BUILD_TESTS=OFF \
  -DKVCHECK_BUILD_BENCHMARKS=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
  >"$build.configure.log" 2>&1 || { cat "$build.configure.log" >&2; exit 1; }
cmake --build "$build" -j2 --target "${targets[@]/%/_fuzz}"
echo "fuzz-readers: build $((SECONDS - t0)) s"

# --- seeds and dictionaries, from the shipped files --------------------------------------------
rm -rf "$work"
mkdir -p "$work"/seeds/{config,csv,itf}
for f in configs/*.toml tests/*/configs/*.toml; do
  cp "$f" "$work/seeds/config/$(echo "${f%.toml}" | tr / _).toml"
done
for f in data/azure-llm-2023/*.csv; do
  head -n 50 "$f" >"$work/seeds/csv/$(basename "$f")"
done
while IFS= read -r f; do
  if (($(stat -c %s "$f") <= max_len[itf])); then
    cp "$f" "$work/seeds/itf/$(echo "$f" | tr / _)"
  fi
done < <(find counterexamples tests -name '*.itf.json' | sort)

dict_entries() { sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/' | sort -u; }
{
  printf '%s\n' '[' ']' '[[' ']]' '=' '"' "'" '"""' '#' ',' '{' '}' true false inf nan -inf \
    1e308 -1 0 9223372036854775807 9223372036854775808 0.5 1979-05-27
  cat "$work"/seeds/config/*.toml | grep -o '^\s*\[\[*[A-Za-z0-9_.]*\]\]*' | tr -d ' ' || true
  cat "$work"/seeds/config/*.toml | grep -o '^\s*[A-Za-z0-9_]*\s*=' | tr -d ' =' || true
} | grep -v '^$' | dict_entries >"$work/config.dict"
{
  printf '%s\n' '{' '}' '[' ']' ':' ',' null true false '"#bigint"' '"#set"' '"#map"' '"#tup"' \
    '"-9223372036854775808"' '"18446744073709551616"' 1e400 -0 '\u0000'
  cat "$work"/seeds/itf/*.json | grep -o '"[^"]*":' | tr -d ':' || true
} | dict_entries >"$work/itf.dict"
{
  printf '%s\n' TIMESTAMP,ContextTokens,GeneratedTokens , 2023-11-16 ' 18:15:46.6805900' \
    0 -1 9223372036854775807 9223372036854775808 nan inf 1e308
} | dict_entries >"$work/csv.dict"
printf '"\\x0D\\x0A"\n"\\x0A"\n' >>"$work/csv.dict"

# --- runs ---------------------------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz_readers/${t}_fuzz
  findings=$work/findings/$t
  mkdir -p "$findings" "$work/corpus/$t"
  flags=(-seed=1 -timeout=5 -rss_limit_mb=2048 -max_len="${max_len[$t]}" -dict="$work/$t.dict"
         -artifact_prefix="$findings/" -print_final_stats=1)
  mapfile -t regressions < <(find "tests/fuzz_readers/regressions/$t" -type f ! -name '*.md' \
                             2>/dev/null | sort)
  if ((${#regressions[@]})); then
    if ! "$bin" "${flags[@]}" "${regressions[@]}" >"$work/$t.regressions.log" 2>&1; then
      tail -n 40 "$work/$t.regressions.log" >&2
      echo "fuzz-readers: $t: a regression input fails again (log $work/$t.regressions.log)" >&2
      status=1
      continue
    fi
  fi
  t1=$SECONDS
  rc=0
  "$bin" "${flags[@]}" -runs="${runs[$t]}" "$work/corpus/$t" "$work/seeds/$t" \
    >"$work/$t.log" 2>&1 || rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$t.log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/$t.log" | tail -n 1 || true)
  echo "fuzz-readers: $t: rc=$rc, ${#regressions[@]} regressions replayed, ${execs:-?} executions" \
       "in $((SECONDS - t1)) s, $cov, corpus $(ls "$work/corpus/$t" | wc -l) files"
  if ((rc != 0)); then
    tail -n 60 "$work/$t.log" >&2
    for f in "$findings"/*; do
      [[ -e $f ]] && echo "fuzz-readers: $t: FINDING $f (reproduce: $bin $f)" >&2
    done
    status=1
  fi
done
echo "fuzz-readers: total $((SECONDS - t0)) s, logs in $work/;" \
     "$(date -u '+%F %T UTC'), load:$(uptime | sed 's/.*load average://')"
exit $status
