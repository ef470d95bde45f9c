#pragma once
/// \file fuzz_test_util.h
/// Paths and small helpers shared by the fuzz tests.
#include <filesystem>
#include <string>

#include "checkers/fuzz/fuzzer.h"
#include "io/config.h"

namespace kvcheck::fuzz::test {

inline std::filesystem::path source_dir() { return KVCHECK_SOURCE_DIR; }
/// A shipped config (configs/NAME.toml).
inline Config shipped(const std::string& name) {
  return load_config(source_dir() / "configs" / (name + ".toml"));
}
/// A fuzz test config (tests/fuzz/configs/NAME.toml).
inline Config fuzz_config(const std::string& name) {
  return load_config(source_dir() / "tests" / "fuzz" / "configs" / (name + ".toml"));
}
/// A fast search: `runs` cases from `seed`, no corpus, no stability experiment.
inline FuzzOptions quick(int runs, std::uint64_t seed) {
  FuzzOptions o;
  o.search.runs = runs;
  o.search.seed = seed;
  o.stability = false;
  return o;
}

}  // namespace kvcheck::fuzz::test
