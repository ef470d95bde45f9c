#!/usr/bin/env bash
# Enforces the layer rules written in each folder's README.md: models/ and properties/ include
# neither Z3 nor CUDA nor any I/O library; only checkers/z3/symbolic_domain.h includes <z3++.h>;
# CUDA headers appear only in gpu_replay/; only theory/glpk_lp.cpp includes <glpk.h> (GLPK).
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
check() {  # check <description> <grep pattern> <paths...>
  local what=$1 pattern=$2; shift 2
  local hits
  hits=$(grep -rnE "$pattern" "$@" 2>/dev/null || true)
  if [[ -n $hits ]]; then
    echo "layer violation: $what"; echo "$hits"; fail=1
  fi
}
check "models/ and properties/ must not include Z3, CUDA, toml, json or CLI headers" \
  '#include *[<"](z3|cuda|cublas|toml|nlohmann|CLI)' models properties
check "only checkers/z3/symbolic_domain.h may include <z3++.h>" \
  '#include *[<"]z3' $(find . -path ./build -prune -o \( -name '*.h' -o -name '*.cpp' \) -print |
    grep -v '^./checkers/z3/symbolic_domain.h$' | grep -v '^./build/')
check "CUDA headers only in gpu_replay/" \
  '#include *[<"](cuda|cublas)' models properties io sim theory cluster checkers counterexamples cli
check "only theory/glpk_lp.cpp may include <glpk.h>" \
  '#include *[<"]glpk' $(find . -path ./build -prune -o \( -name '*.h' -o -name '*.cpp' \) -print |
    grep -v '^./theory/glpk_lp.cpp$' | grep -v '^./build/')
exit $fail
