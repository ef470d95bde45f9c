/// \file config_fuzz.cpp
/// libFuzzer target: the TOML config reader (`parse_config`) and, on every config it accepts,
/// the section readers of the checkers (`[bmc]`, `[fuzz]`, `[explore]`) over the same text.
/// Each input is read twice: as a whole config, and appended to a small valid model (kBase), so
/// that an input such as "[bmc]\nslots = 99" reaches the section readers directly.
/// Contract: a parse succeeds or throws InputError; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "checkers/z3/bmc_spec.h"
#include "checkers/explicit/explore_options.h"
#include "checkers/fuzz/fuzz_spec.h"
#include "io/config.h"
#include "io/input_error.h"

namespace {

/// A valid model with classes (so per-class fields have something to refer to) and no checker
/// sections; LLVMFuzzerInitialize checks that it still parses.
constexpr const char* kBase = R"toml([meta]
name = "fuzz_base"

[engine]
block_size = 1
num_blocks = 120
lookahead = 1

[policy]
name = "p1_class_budgets"

[[classes]]
name = "short"
prompt = 4
output = 4
budget = 2

[[classes]]
name = "long"
prompt = 4
output = 8
budget = 1

[workload]
kind = "explicit"
requests = [{ arrival = 0, prompt = 4, output = 4, class = 0 },
            { arrival = 1, prompt = 4, output = 8, class = 1 }]

[check]
properties = ["kv_no_overflow", "conservation"]
)toml";

/// Runs one section reader; InputError is the accepted outcome for a bad section.
template <class F>
void section(F&& read) {
  try {
    (void)read();
  } catch (const kvcheck::InputError&) {
  }
}

/// Parses `text` as a config and, if it is one, runs the section readers on it.
void read_config(const std::string& text) {
  kvcheck::Config cfg;
  try {
    // A relative directory: a `trace` path resolves against it and is never opened here.
    cfg = kvcheck::parse_config(text, "fuzz/config.toml");
  } catch (const kvcheck::InputError&) {
    return;
  }
  section([&] { return kvcheck::parse_bmc_spec(cfg); });
  section([&] { return kvcheck::fuzz::parse_fuzz_spec(cfg); });
  section([&] { return kvcheck::explicit_state::read_explore_options(cfg); });
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  try {
    (void)kvcheck::parse_config(kBase, "fuzz/config.toml");
  } catch (const kvcheck::InputError& e) {
    std::fprintf(stderr, "config_fuzz: the base model no longer parses (update kBase): %s\n",
                 e.what());
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  read_config(text);
  read_config(kBase + text);
  return 0;
}
