/// \file itf_fuzz.cpp
/// libFuzzer target: the ITF JSON trace reader (`parse_itf`, counterexamples/itf.h).
/// Contract: a parse succeeds or throws InputError; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "counterexamples/itf.h"
#include "io/input_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)kvcheck::parse_itf(text, "fuzz.itf.json");
  } catch (const kvcheck::InputError&) {
  }
  return 0;
}
