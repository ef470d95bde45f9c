/// \file config_fuzz.cpp
/// libFuzzer target: the TOML config reader (`parse_config`) and, on every config it accepts,
/// the section readers of the checkers (`[bmc]`, `[fuzz]`, `[explore]`) over the same text.
/// Contract: a parse succeeds or throws InputError; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "checkers/bmc_spec.h"
#include "checkers/explicit/explore_options.h"
#include "checkers/fuzz/fuzz_spec.h"
#include "io/config.h"
#include "io/input_error.h"

namespace {

/// Runs one section reader; InputError is the accepted outcome for a bad section.
template <class F>
void section(F&& read) {
  try {
    (void)read();
  } catch (const kvcheck::InputError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  kvcheck::Config cfg;
  try {
    // A relative directory: a `trace` path resolves against it and is never opened here.
    cfg = kvcheck::parse_config(text, "fuzz/config.toml");
  } catch (const kvcheck::InputError&) {
    return 0;
  }
  section([&] { return kvcheck::parse_bmc_spec(cfg); });
  section([&] { return kvcheck::fuzz::parse_fuzz_spec(cfg); });
  section([&] { return kvcheck::explicit_state::read_explore_options(cfg); });
  return 0;
}
