#!/usr/bin/env bash
# Mutation testing of the fast test tier (issue 19): how many small planted bugs `ctest -L fast`
# catches. Samples N mutants (a fixed seed: the same commit gives the same sample) from the
# product code, applies each alone to a private copy of the committed tree (git archive HEAD into
# WORKDIR, never the working tree), rebuilds there incrementally, runs `ctest -L fast`, and
# records killed / survived / build-failed / timeout. Prints the score and the survivors.
#
#   ci/mutation.sh [-n N] [-s SEED] [-w WORKDIR] [-t TEST_TIMEOUT_S] [-j JOBS] [--list]
#
#   -n N        mutants to sample (default 30)
#   -s SEED     sampling seed (default 19)
#   -w WORKDIR  private copy and build (default /tmp/kvmut); reused: a second run rebuilds less
#   -t SECONDS  per-test timeout for ctest (default 120); a mutant that hangs counts as killed
#   -j JOBS     build and ctest parallelism (default 2)
#   --list      print every candidate site and exit (no build)
#
# Operators (one per mutant): relational < <= > >= == != swapped for a neighbour, && <-> ||,
# binary + <-> -, * -> /, an integer literal n -> n+1 or n-1, true <-> false. Only spaced binary
# operators are mutated (` < `), which skips templates, includes and shifts; comment and
# preprocessor lines are skipped. Folders: models properties checkers counterexamples io sim.
# Score = killed / (killed + survived); build failures are not counted (the compiler caught them).
# Results: WORKDIR/results.tsv (one line per mutant) and the summary on stdout.
set -euo pipefail

N=30 SEED=19 WORK=/tmp/kvmut TIMEOUT=120 JOBS=2 LIST=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) N=$2; shift 2 ;;
    -s) SEED=$2; shift 2 ;;
    -w) WORK=$2; shift 2 ;;
    -t) TIMEOUT=$2; shift 2 ;;
    -j) JOBS=$2; shift 2 ;;
    --list) LIST=1; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "mutation.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

ROOT=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
SRC=$WORK/src BUILD=$WORK/build
mkdir -p "$WORK"

# --- the copy: the committed tree at HEAD ------------------------------------------------------
HEAD_SHA=$(git -C "$ROOT" rev-parse HEAD)
if [[ -f $WORK/applied ]]; then  # an earlier run was stopped with a mutant applied: undo it
  cp "$WORK/orig" "$SRC/$(cat "$WORK/applied")"
  rm -f "$WORK/applied"
fi
if [[ ! -f $WORK/head || $(cat "$WORK/head") != "$HEAD_SHA" ]]; then
  # A new HEAD: only files whose content changed are replaced, so the build stays incremental.
  rm -rf "$WORK/new"
  mkdir -p "$WORK/new" "$SRC"
  git -C "$ROOT" archive "$HEAD_SHA" | tar -x -C "$WORK/new"
  python3 - "$WORK/new" "$SRC" <<'PY'
import filecmp, os, shutil, sys
new, src = sys.argv[1], sys.argv[2]
for d, _, files in os.walk(new):
    for f in files:
        a = os.path.join(d, f)
        b = os.path.join(src, os.path.relpath(a, new))
        if not os.path.exists(b) or not filecmp.cmp(a, b, shallow=False):
            os.makedirs(os.path.dirname(b), exist_ok=True)
            shutil.copy(a, b)  # a fresh mtime: rebuilt
for d, _, files in os.walk(src):
    for f in files:
        b = os.path.join(d, f)
        if not os.path.exists(os.path.join(new, os.path.relpath(b, src))):
            os.remove(b)
PY
  rm -rf "$WORK/new"
  echo "$HEAD_SHA" > "$WORK/head"
fi

# --- candidate sites and the sample -----------------------------------------------------------
MUTANTS=$WORK/mutants.tsv
python3 - "$SRC" "$N" "$SEED" "$LIST" > "$MUTANTS" <<'PY'
import os, random, re, sys
src, n, seed, list_only = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
folders = ["models", "properties", "checkers", "counterexamples", "io", "sim"]
swaps = {"<": ["<=", ">="], "<=": ["<", ">"], ">": [">=", "<="], ">=": [">", "<"],
         "==": ["!="], "!=": ["=="], "&&": ["||"], "||": ["&&"], "+": ["-"], "-": ["+"],
         "*": ["/"]}
op_re = re.compile(r"(?<=[\w)\]]) (<=|>=|==|!=|&&|\|\||<|>|\+|-|\*) (?=[\w(!\-])")
int_re = re.compile(r"(?<![\w.'])(\d+)(?![\w.'])")
bool_re = re.compile(r"\b(true|false)\b")
sites = []
for folder in folders:
    for dirpath, _, files in sorted(os.walk(os.path.join(src, folder))):
        for f in sorted(files):
            if not f.endswith((".h", ".cpp")):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, src)
            with open(path, encoding="utf-8") as fh:
                lines = fh.read().split("\n")
            for i, line in enumerate(lines):
                code = line.split("//")[0]
                s = code.strip()
                if not s or s.startswith(("#", "*", "/*", "static_assert")) or '"' in code:
                    continue
                for m in op_re.finditer(code):
                    for to in swaps[m.group(1)]:
                        sites.append((rel, i + 1, m.start(1), m.group(1), to))
                for m in int_re.finditer(code):
                    v = int(m.group(1))
                    sites.append((rel, i + 1, m.start(1), m.group(1), str(v + 1)))
                    if v > 0:
                        sites.append((rel, i + 1, m.start(1), m.group(1), str(v - 1)))
                for m in bool_re.finditer(code):
                    sites.append((rel, i + 1, m.start(1), m.group(1),
                                  "false" if m.group(1) == "true" else "true"))
rng = random.Random(seed)
chosen = sites if list_only else rng.sample(sites, min(n, len(sites)))
print(f"# {len(sites)} candidate sites; sample of {len(chosen)} with seed {seed}",
      file=sys.stderr)
for k, (rel, line, col, frm, to) in enumerate(chosen):
    print(f"{k}\t{rel}\t{line}\t{col}\t{frm}\t{to}")
PY
if [[ $LIST == 1 ]]; then cat "$MUTANTS"; exit 0; fi

# --- baseline: configure, build the fast tests, they must pass ---------------------------------
FAST_TARGETS=$(python3 - "$SRC" <<'PY'
import pathlib, re, sys
names = []
for f in sorted(pathlib.Path(sys.argv[1], "tests").glob("*/CMakeLists.txt")):
    for m in re.finditer(r"kvcheck_add_test\(\s*(\w+)([^)]*)\)", f.read_text()):
        if re.search(r"\bLABEL\s+fast\b", m.group(2)):
            names.append(m.group(1))
print(" ".join(names))
PY
)
echo "fast test targets: $FAST_TARGETS"
build() { nice -n 10 cmake --build "$BUILD" --target $FAST_TARGETS -j"$JOBS" > "$WORK/build.log" 2>&1; }
run_fast() {
  (cd "$BUILD" && nice -n 10 ctest -L fast -j"$JOBS" --timeout "$TIMEOUT" --stop-on-failure \
     > "$WORK/ctest.log" 2>&1)
}
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  (cd "$SRC" && cmake --preset dev -B "$BUILD" > "$WORK/configure.log" 2>&1)
fi
T0=$(date +%s)
build || { echo "baseline build failed: $WORK/build.log" >&2; exit 1; }
run_fast || { echo "baseline: ctest -L fast fails on HEAD ($WORK/ctest.log)" >&2; exit 1; }
echo "baseline: $(grep -E 'tests passed' "$WORK/ctest.log") (build + tests $(( $(date +%s) - T0 )) s)"

# --- one mutant at a time ---------------------------------------------------------------------
RESULTS=$WORK/results.tsv
: > "$RESULTS"
apply() {  # apply FILE LINE COL FROM TO: replace FROM at LINE:COL (exactly there) in the copy
  python3 - "$SRC/$1" "$2" "$3" "$4" "$5" <<'PY'
import sys
path, line, col, frm, to = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
lines = open(path, encoding="utf-8").read().split("\n")
l = lines[line - 1]
assert l[col:col + len(frm)] == frm, (path, line, col, frm, l)
lines[line - 1] = l[:col] + to + l[col + len(frm):]
open(path, "w", encoding="utf-8").write("\n".join(lines))
PY
}
killed=0 survived=0 failed=0 timeouts=0
while IFS=$'\t' read -r k file line col from to; do
  [[ $k == \#* ]] && continue
  cp -p "$SRC/$file" "$WORK/orig"
  echo "$file" > "$WORK/applied"
  apply "$file" "$line" "$col" "$from" "$to"
  T0=$(date +%s)
  if ! build; then
    status=build-failed; failed=$((failed + 1))
  elif run_fast; then
    status=survived; survived=$((survived + 1))
  elif grep -q "Timeout" "$WORK/ctest.log"; then
    status=timeout; timeouts=$((timeouts + 1)); killed=$((killed + 1))
  else
    status=killed; killed=$((killed + 1))
  fi
  by=$(grep -m1 -oE '[0-9]+ - [A-Za-z0-9_./]+ \((Failed|Timeout)\)' "$WORK/ctest.log" || true)
  cp "$WORK/orig" "$SRC/$file"  # restore the copy; a new mtime makes the next build recompile it
  rm -f "$WORK/applied"
  printf '%s\t%s:%s\t%s -> %s\t%s\t%ss\t%s\n' "$k" "$file" "$line" "$from" "$to" "$status" \
    "$(( $(date +%s) - T0 ))" "$by" | tee -a "$RESULTS"
done < "$MUTANTS"

# rebuild the unmutated tree so a reused WORKDIR starts clean
build || true
scored=$((killed + survived))
echo
echo "mutation score: $killed killed / $scored scored = $(python3 -c "print(f'{100*$killed/max(1,$scored):.0f}%')")" \
     "($timeouts by timeout; $failed build failures not scored; seed $SEED, $N sampled, HEAD $HEAD_SHA)"
echo "survivors:"
awk -F'\t' '$4 == "survived" {print "  " $2 "  " $3}' "$RESULTS"
