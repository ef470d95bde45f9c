// Issue 12: a non-finite number is never "within tolerance" of anything, so no condition on an
// infinite or NaN value can hold (it used to print "inf <= 64 holds", verdict ok, exit 0).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "io/config.h"
#include "theory/analyze.h"
#include "theory/report.h"
#include "theory/p1_alg1.h"
#include "theory/p1_necessary.h"
#include "theory/p4_capacity.h"
#include "theory/tolerance.h"

namespace kvcheck::theory {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

TEST(Tolerance, FiniteValuesCompareUpToTheRelativeTolerance) {
  EXPECT_TRUE(approx_equal(1.0, 1.0 + 1e-12));
  EXPECT_TRUE(approx_equal(1e20, 1e20 * (1 + 1e-10)));
  EXPECT_FALSE(approx_equal(1.0, 1.001));
  EXPECT_TRUE(approx_leq(1.0, 2.0));
  EXPECT_TRUE(approx_leq(2.0 + 1e-12, 2.0));
  EXPECT_FALSE(approx_leq(2.1, 2.0));
  EXPECT_TRUE(strictly_less(1.0, 2.0));
  EXPECT_FALSE(strictly_less(2.0, 2.0 + 1e-12));
  const double dmax = std::numeric_limits<double>::max();
  EXPECT_TRUE(approx_equal(dmax, dmax));
  EXPECT_TRUE(approx_leq(-dmax, dmax));
}

TEST(Tolerance, NonFiniteValuesNeverCompareEqualOrHold) {
  for (double bad : {kInf, -kInf, kNan}) {
    SCOPED_TRACE(bad);
    for (double other : {0.0, 64.0, -1.0, 1e308, kInf, -kInf, kNan}) {
      EXPECT_FALSE(approx_equal(bad, other)) << other;
      EXPECT_FALSE(approx_equal(other, bad)) << other;
      EXPECT_FALSE(approx_leq(bad, other)) << other;
      EXPECT_FALSE(approx_leq(other, bad)) << other;
      EXPECT_FALSE(strictly_less(bad, other)) << other;
      EXPECT_FALSE(strictly_less(other, bad)) << other;
    }
  }
}

ClassSpec cls(std::int64_t prompt, std::int64_t output, double rate) {
  ClassSpec c;
  c.name = "c";
  c.prompt = prompt;
  c.output = output;
  c.rate = rate;
  return c;
}

TEST(Tolerance, OverflowingLoadsFailTheNecessaryConditions) {
  // P1 Prop 3.2: 1e308 * work(10, 20) = inf > 16492; P4 Thm 2(a): inf tokens > any capacity.
  const std::vector<ClassSpec> huge{cls(10, 20, 1e308)};
  EXPECT_FALSE(p1_necessary(huge, 16492).holds);
  EXPECT_FALSE(p4_necessary(p4_load(huge), 64.0));
  EXPECT_FALSE(p4_below_capacity(p4_load(huge), 64.0));
}

TEST(Tolerance, HugeKvBoundsSaturateInsteadOfWrapping) {
  // b * w = (2^31 - 1) * p1_work(2^30, 2^30) is about 2^91: it used to wrap (to a negative or
  // small bound), and "bound < M" could hold. Saturated, it fails against M = 16492.
  ClassSpec c = cls(std::int64_t{1} << 30, std::int64_t{1} << 30, 1.0);
  c.budget = (std::int64_t{1} << 31) - 1;
  const auto r = p1_alg1(std::vector<ClassSpec>{c, c, c}, 16492, 1);
  EXPECT_EQ(r.memory_bound, std::numeric_limits<std::int64_t>::max());
  EXPECT_FALSE(r.memory_strict);
  EXPECT_FALSE(r.memory_weak);
  EXPECT_FALSE(r.holds);
  // Six classes of work 1.5 x 2^60 each: the total passes 2^63.
  const auto n = p1_necessary(std::vector<ClassSpec>{c, c, c, c, c, c}, 16492);
  EXPECT_GT(n.total_work, 0);
  EXPECT_FALSE(n.holds);
}

/// One applicable analysis with one failing necessary condition `lhs <= rhs`.
AnalysisReport one_necessary(double lhs, double rhs) {
  Condition c;
  c.id = "x.cond";
  c.source = "X";
  c.statement = "lhs <= rhs";
  c.lhs = lhs;
  c.rhs = rhs;
  c.relation = "<=";
  c.holds = approx_leq(lhs, rhs);
  PaperAnalysis a;
  a.id = "x";
  a.applicable = true;
  a.conditions.push_back(c);
  AnalysisReport r;
  r.analyses.push_back(a);
  return r;
}

TEST(Tolerance, AConditionOnANonFiniteNumberIsUndecidedNeitherOkNorViolated) {
  // 65 <= 64 fails: a necessary condition, so unstable (13). inf or nan on either side (a
  // capacity b_max / 0 of an instantaneous machine, an overflowed load) is not evidence either
  // way: inconclusive (5), never ok (0) and never a violation (13).
  EXPECT_EQ(to_exit_code(report_verdict(one_necessary(65, 64))), ExitCode::LivenessViolation);
  EXPECT_EQ(to_exit_code(report_verdict(one_necessary(1, 64))), ExitCode::Ok);
  for (const auto& [lhs, rhs] : {std::pair{kInf, 64.0}, {1.0, kInf}, {kNan, 1.0}, {1.0, -kInf}}) {
    SCOPED_TRACE(std::to_string(lhs) + " <= " + std::to_string(rhs));
    const auto v = report_verdict(one_necessary(lhs, rhs));
    EXPECT_EQ(to_exit_code(v), ExitCode::Inconclusive) << v.reason;
  }
}

TEST(Tolerance, AnalyzeNeverSaysOkForAnInfiniteLoad) {
  // The config's rate is finite at load; overriding it here stands for any overflow on the way.
  auto cfg = parse_config(
      "[engine]\nnum_blocks = 64\nmax_batched_tokens = 64\nchunked_prefill = true\n"
      "[policy]\nname = \"sarathi\"\n[[classes]]\nprompt = 2\noutput = 2\nrate = 1.0\n"
      "[workload]\nkind = \"class_mix\"\ncount = 10\n",
      "t.toml");
  cfg.model.classes[0].rate = 1e308;
  const auto r = analyze(cfg);
  EXPECT_NE(to_exit_code(report_verdict(r)), ExitCode::Ok) << "a condition on inf held";
  for (const auto& a : r.analyses)
    for (const auto& c : a.conditions)
      if (!std::isfinite(c.lhs) || !std::isfinite(c.rhs)) {
        EXPECT_FALSE(c.holds) << c.id << ": " << c.lhs << " " << c.relation << " " << c.rhs;
      }
}

}  // namespace
}  // namespace kvcheck::theory
