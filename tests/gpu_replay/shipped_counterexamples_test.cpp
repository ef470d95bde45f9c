// Every shipped counterexample (counterexamples/**/*.itf.json: the fuzz corpus and the
// confirmed traces of the unsafe configs, the solver and the explorer) is re-executed on the
// CPU decode engine: the same batches, the same blocks in use, and an overflow predicted by the
// model is confirmed by the engine's pool at the same step. ci/gpu_check.sh does the same on
// CUDA.
#include <gtest/gtest.h>

#include <filesystem>

#include "counterexamples/itf.h"
#include "gpu_replay/replay.h"

namespace kvcheck::engine {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> shipped_traces() {
  std::vector<fs::path> out;
  for (const auto& e :
       fs::recursive_directory_iterator(fs::path(KVCHECK_SOURCE_DIR) / "counterexamples"))
    if (e.path().string().ends_with(".itf.json")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ShippedCounterexamples, EveryTraceReplaysOnTheCpuEngine) {
  const auto traces = shipped_traces();
  ASSERT_GE(traces.size(), 8u);
  int overflows = 0;
  for (const auto& p : traces) {
    SCOPED_TRACE(p.string());
    const auto trace = read_itf(p);
    const auto rep = replay_on_engine(trace, BackendKind::Cpu, ReplayOptions{});
    EXPECT_TRUE(rep.reproduced()) << rep.summary();
    EXPECT_FALSE(rep.divergence.has_value());
    if (rep.predicted_overflow) {
      ++overflows;
      ASSERT_TRUE(rep.engine_oom.has_value()) << "the engine's pool never ran out";
      EXPECT_EQ(*rep.engine_oom, *rep.predicted_overflow);
    }
  }
  EXPECT_GE(overflows, 5) << "the shipped set must include overflow predictions to confirm";
}

}  // namespace
}  // namespace kvcheck::engine
