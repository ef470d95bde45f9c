#!/usr/bin/env bash
# Installs the Debian packages kvcheck builds and tests with. Idempotent; run as root.
# The CUDA toolkit is not a Debian package here: when nvcc is on PATH the CUDA engine is built too.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config
  libz3-dev z3 librapidcheck-dev libboost-graph-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
  libglpk-dev
  cvc5
  clang libclang-rt-14-dev
  python3 python3-jsonschema
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "ci/install-deps.sh: missing packages (${missing[*]}); run as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "ci/install-deps.sh: all ${#packages[@]} packages present"
