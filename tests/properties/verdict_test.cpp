// The verdict lattice of properties/verdict.h (issue 19: run 2's survivors verdict.h:33 and :46).
// The expectation is the order the header documents,
//   Error > Violated > Unknown > BoundedOk > Proved > NotChecked,
// written out again below as a plain list, and the two tie rules it states ("two BoundedOk keep
// the smaller depth; two Violated keep the earlier step"); every ordered pair of kinds is
// combined, so no two kinds may share a rank and neither argument order may win by position.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "properties/verdict.h"

namespace kvcheck {
namespace {

/// The documented order, least severe first (the test's own oracle).
const std::vector<VerdictKind> kOrder = {VerdictKind::NotChecked, VerdictKind::Proved,
                                         VerdictKind::BoundedOk,  VerdictKind::Unknown,
                                         VerdictKind::Violated,   VerdictKind::Error};

/// One verdict of each kind, each told apart by its reason (and depth where it has one).
Verdict sample(VerdictKind k, std::int64_t depth = 7) {
  switch (k) {
    case VerdictKind::NotChecked: return {};
    case VerdictKind::Proved: return Verdict::proved("proved");
    case VerdictKind::BoundedOk: return Verdict::bounded_ok(depth);
    case VerdictKind::Unknown: return Verdict::unknown("unknown");
    case VerdictKind::Violated: return Verdict::violated(depth, PropertyKind::Safety, "violated");
    case VerdictKind::Error: return Verdict::error("error");
  }
  return {};
}

TEST(VerdictLattice, SeverityIsTheDocumentedOrder) {
  for (std::size_t i = 0; i < kOrder.size(); ++i)
    EXPECT_EQ(severity(kOrder[i]), static_cast<int>(i)) << "kind #" << i;
}

// Every ordered pair of different kinds: the more severe one, whichever side it is on.
TEST(VerdictLattice, CombineKeepsTheMoreSevereKindInEitherOrder) {
  for (std::size_t i = 0; i < kOrder.size(); ++i)
    for (std::size_t j = 0; j < kOrder.size(); ++j) {
      if (i == j) continue;
      const auto a = sample(kOrder[i]), b = sample(kOrder[j]);
      const auto want = kOrder[std::max(i, j)];
      const auto got = combine(a, b);
      EXPECT_EQ(got.kind, want) << "pair " << i << ", " << j;
      EXPECT_EQ(got.reason, sample(want).reason) << "pair " << i << ", " << j;
    }
}

// Equal kinds: BoundedOk and Violated keep the smaller depth (either order); the others keep
// the first argument (told apart here by the reason).
TEST(VerdictLattice, CombineOfEqualKinds) {
  for (const auto k : {VerdictKind::BoundedOk, VerdictKind::Violated}) {
    EXPECT_EQ(combine(sample(k, 3), sample(k, 5)).depth, 3);
    EXPECT_EQ(combine(sample(k, 5), sample(k, 3)).depth, 3);
    EXPECT_EQ(combine(sample(k, 4), sample(k, 4)).depth, 4);
  }
  EXPECT_EQ(combine(Verdict::unknown("first"), Verdict::unknown("second")).reason, "first");
  EXPECT_EQ(combine(Verdict::proved("first"), Verdict::proved("second")).reason, "first");
  EXPECT_EQ(combine(Verdict::error("first"), Verdict::error("second")).reason, "first");
}

// A violated liveness property keeps its exit code through combine with a milder verdict.
TEST(VerdictLattice, ExitCodesFollowTheKind) {
  EXPECT_EQ(to_exit_code(Verdict{}), ExitCode::Ok);
  EXPECT_EQ(to_exit_code(Verdict::proved()), ExitCode::Ok);
  EXPECT_EQ(to_exit_code(Verdict::bounded_ok(3)), ExitCode::Ok);
  EXPECT_EQ(to_exit_code(Verdict::unknown("u")), ExitCode::Inconclusive);
  EXPECT_EQ(to_exit_code(Verdict::violated(2, PropertyKind::Safety, "s")),
            ExitCode::SafetyViolation);
  EXPECT_EQ(to_exit_code(Verdict::violated(2, PropertyKind::Liveness, "l")),
            ExitCode::LivenessViolation);
  EXPECT_EQ(to_exit_code(Verdict::error("e")), ExitCode::InternalError);
  EXPECT_EQ(to_exit_code(combine(Verdict::bounded_ok(4),
                                 Verdict::violated(2, PropertyKind::Liveness, "l"))),
            ExitCode::LivenessViolation);
}

}  // namespace
}  // namespace kvcheck
