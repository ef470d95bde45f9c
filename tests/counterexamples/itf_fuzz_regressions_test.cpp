// The ITF reader on the inputs libFuzzer found (tests/fuzz_readers/regressions/itf/): each one
// is an InputError(150) naming the file, never another exception or a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "counterexamples/itf.h"
#include "io/input_error.h"

namespace kvcheck {
namespace {

const std::filesystem::path kRegressions =
    std::filesystem::path(KVCHECK_SOURCE_DIR) / "tests/fuzz_readers/regressions/itf";

/// Parses `text`; the one accepted failure is an InputError with the trace exit code.
void expect_parses_or_input_error(const std::string& text, const std::string& name) {
  try {
    (void)parse_itf(text, name);
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::TraceParseError) << e.what();
    EXPECT_EQ(e.file(), name);
  }
}

TEST(ItfFuzzRegressions, NumberOutOfDoubleRangeIsAnInputError) {
  // nlohmann's parser throws out_of_range.406 (not parse_error) for a number beyond a double.
  for (const std::string text : {"1e400", "[1e400]", "{\"states\": [-1e99999]}"}) {
    try {
      (void)parse_itf(text, "big.itf.json");
      ADD_FAILURE() << "accepted " << text;
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), ExitCode::TraceParseError);
      EXPECT_NE(std::string(e.what()).find("number overflow"), std::string::npos) << e.what();
    }
  }
}

TEST(ItfFuzzRegressions, EveryReproducerIsAnInputErrorOrAParse) {
  ASSERT_TRUE(std::filesystem::is_directory(kRegressions)) << kRegressions;
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kRegressions)) {
    if (!entry.is_regular_file() || entry.path().extension() == ".md") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    SCOPED_TRACE(entry.path().string());
    expect_parses_or_input_error(text, entry.path().filename().string());
    ++count;
  }
  EXPECT_GT(count, 0);
}

}  // namespace
}  // namespace kvcheck
