// worse(): the gate's fold of exit codes, against the order written out by hand (ok <
// inconclusive < liveness < safety < every error code), in both argument orders.
#include <gtest/gtest.h>

#include <vector>

#include "properties/verdict.h"

namespace kvcheck {
namespace {

TEST(ExitCodeOrder, WorseFollowsTheHandWrittenOrder) {
  using E = ExitCode;
  // Each row is strictly worse than every row before it; codes in one row are errors alike.
  const std::vector<std::vector<E>> order = {
      {E::Ok},
      {E::Inconclusive},
      {E::LivenessViolation},
      {E::SafetyViolation},
      {E::ReplayDiverged, E::TraceParseError, E::ConfigError, E::InternalError}};
  for (std::size_t i = 0; i < order.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      for (const E hi : order[i])
        for (const E lo : order[j]) {
          EXPECT_EQ(worse(hi, lo), hi) << to_int(hi) << " vs " << to_int(lo);
          EXPECT_EQ(worse(lo, hi), hi) << to_int(lo) << " vs " << to_int(hi);
        }
  for (const auto& row : order)
    for (const E c : row) EXPECT_EQ(worse(c, c), c);
  // Two error codes of the same rank: the first argument is kept.
  EXPECT_EQ(worse(E::ConfigError, E::InternalError), E::ConfigError);
  EXPECT_EQ(worse(E::InternalError, E::ConfigError), E::InternalError);
}

}  // namespace
}  // namespace kvcheck
