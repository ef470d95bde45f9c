// The papers' worked numbers (papers.md sections 1.5, 2.2-2.4, 2.7, 4.1, 4.5), each computed by
// theory/ from the paper's inputs and compared with the number the paper (or its reproduction)
// prints. A drift in any formula fails one of these.
#include <gtest/gtest.h>

#include <cmath>
#include <tuple>
#include <vector>

#include "theory/p1_alg1.h"
#include "theory/p1_necessary.h"
#include "theory/p1_work.h"
#include "theory/p2_fluid.h"
#include "theory/p2_nested_wait.h"
#include "theory/p2_wait.h"
#include "theory/p4_capacity.h"

namespace kvcheck::theory {
namespace {

ClassSpec cls(std::int64_t prompt, std::int64_t output, double rate, std::int64_t budget = 0,
              std::int64_t threshold = 0) {
  ClassSpec c;
  // Appended piecewise: "c" + std::to_string(...) trips GCC 12's -Wrestrict false positive at -O3.
  c.name = "c";
  c.name += std::to_string(prompt);
  c.name += "_";
  c.name += std::to_string(output);
  c.prompt = prompt;
  c.output = output;
  c.rate = rate;
  c.budget = budget;
  c.threshold = threshold;
  return c;
}

/// P1 section 4.1: (l, o) = (10,20), (10,40), (10,60), common rate and budget.
std::vector<ClassSpec> p1_sec41(double rate, std::int64_t budget) {
  return {cls(10, 20, rate, budget), cls(10, 40, rate, budget), cls(10, 60, rate, budget)};
}

constexpr std::int64_t kP1M = 16492;

TEST(P1Work, MatchesThePapersClosedFormAndSection41) {
  EXPECT_EQ(p1_work(10, 20), 410);
  EXPECT_EQ(p1_work(10, 40), 1220);
  EXPECT_EQ(p1_work(10, 60), 2430);
  for (std::int64_t l = 0; l < 5; ++l)
    for (std::int64_t o = 1; o < 30; ++o) EXPECT_EQ(2 * p1_work(l, o), 2 * l * o + o + o * o);
  EXPECT_EQ(p1_work(10, 20, 0), 410 - 20);  // vLLM accounting holds one entry less per slot
}

TEST(P1Necessary, Section41ThresholdAndTheUnstableLambda5) {
  const auto at5 = p1_necessary(p1_sec41(5.0, 4), kP1M);
  EXPECT_EQ(at5.work, (std::vector<std::int64_t>{410, 1220, 2430}));
  EXPECT_EQ(at5.total_work, 4060);
  EXPECT_NEAR(at5.lambda_star, 4.0621, 5e-5);
  EXPECT_DOUBLE_EQ(at5.load, 20300.0);
  EXPECT_FALSE(at5.holds);
  EXPECT_TRUE(p1_necessary(p1_sec41(4.0, 4), kP1M).holds);
  // the threshold itself is on the boundary (<= holds), just above it fails
  EXPECT_TRUE(p1_necessary(p1_sec41(at5.lambda_star, 4), kP1M).holds);
  EXPECT_FALSE(p1_necessary(p1_sec41(at5.lambda_star * (1 + 1e-6), 4), kP1M).holds);
  EXPECT_NEAR(at5.rate_scale_limit * 5.0, at5.lambda_star, 1e-12);
}

TEST(P1Alg1, Section41BudgetsKeepMemoryButNotQueuesAtLambda5) {
  const auto s = p1_alg1(p1_sec41(5.0, 4), kP1M);
  EXPECT_EQ(s.memory_bound, 16240);
  EXPECT_TRUE(s.memory_strict);
  EXPECT_FALSE(s.budgets_exceed_rates);
  EXPECT_FALSE(s.holds);
  EXPECT_DOUBLE_EQ(s.min_budget_slack, -1.0);
  EXPECT_TRUE(p1_alg1(p1_sec41(3.0, 4), kP1M).holds);
  // b = 5 breaks inequality (2): 5 * 4060 = 20300 > M (configs/p1_alg1_unsafe.toml)
  const auto b5 = p1_alg1(p1_sec41(3.0, 5), kP1M);
  EXPECT_EQ(b5.memory_bound, 20300);
  EXPECT_FALSE(b5.memory_weak);
  EXPECT_FALSE(b5.holds);
}

TEST(P1Alg1, EqualityIsWeakButNotStrict) {
  const auto s = p1_alg1(p1_sec41(3.0, 4), 16240);
  EXPECT_TRUE(s.memory_weak);
  EXPECT_FALSE(s.memory_strict);
  EXPECT_FALSE(s.holds);
  EXPECT_FALSE(p1_alg1(p1_sec41(4.0, 4), kP1M).budgets_exceed_rates);  // b_k = lambda_k
}

TEST(P2Fluid, Example2) {
  // l = 1, l' = 1 (kvcheck output 2), lambda = 4, d1 = 0.04, d0 = 1 - 12 d1
  const std::vector<ClassSpec> c{cls(1, 2, 4.0)};
  const auto f = p2_fluid(c, 0.52, 0.04);
  EXPECT_DOUBLE_EQ(p2_work(1, 1), 3.0);
  EXPECT_NEAR(f.a, 12.0, 1e-12);
  EXPECT_TRUE(f.drift_ok);
  EXPECT_NEAR(f.m_star, 12.0, 1e-9);
  EXPECT_NEAR(f.dt_star, 1.0, 1e-12);
  ASSERT_EQ(f.n_star.size(), 1u);
  EXPECT_NEAR(f.n_star[0], 4.0, 1e-9);
  EXPECT_DOUBLE_EQ(f.throughput, 4.0);
  EXPECT_TRUE(p2_in_region(f, 12.0));  // C = M*: on the boundary
  EXPECT_FALSE(p2_in_region(f, 11.9));
  EXPECT_NEAR(p2_rate_scale_limit(f, 0.52, 0.04, 12.0), 1.0, 1e-9);
}

TEST(P2Fluid, OverloadHasNoEquilibrium) {
  const std::vector<ClassSpec> c{cls(1, 2, 30.0)};  // d1 A = 0.04 * 90 = 3.6
  const auto f = p2_fluid(c, 0.52, 0.04);
  EXPECT_FALSE(f.drift_ok);
  EXPECT_TRUE(std::isinf(f.m_star));
  EXPECT_FALSE(p2_in_region(f, 1e12));
}

TEST(P2Fluid, MultiTypeSumsTheTypes) {
  // 0.7 p512d20 + 0.3 p512d50 (kvcheck outputs 21, 51): A is the rate-weighted sum of S_j
  const std::vector<ClassSpec> c{cls(512, 21, 0.7), cls(512, 51, 0.3)};
  const auto f = p2_fluid(c, 0.01, 1e-6);
  const double a = 0.7 * 21 * (512 + 10.0) + 0.3 * 51 * (512 + 25.0);
  EXPECT_NEAR(f.a, a, 1e-9 * a);
  EXPECT_NEAR(f.m_star, 0.01 * a / (1 - 1e-6 * a), 1e-6);
  EXPECT_NEAR(f.n_star[0] / f.n_star[1], 0.7 / 0.3, 1e-12);
  EXPECT_DOUBLE_EQ(f.throughput, 0.7 * 20 + 0.3 * 50);
}

// Table 2 (real data): M*(lambda) = d0 lambda S / (1 - d1 lambda S) depends on d0 S and d1 S
// only. Two entries (lambda = 50, 60) fix them; the code must then predict the other two
// entries and the crossing M* = C at lambda ~ 74.1 (C ~ 1.37e5).
TEST(P2Fluid, Table2MStarOfLambdaAndItsCrossing) {
  const double m50 = 34377, m60 = 55758;
  const double alpha = (1 / m50 - 1 / m60) / (1.0 / 50 - 1.0 / 60);  // 1 / (d0 S)
  const double beta = alpha / 50 - 1 / m50;                          // d1 / d0
  const ClassSpec shape = cls(58, 148, 1.0);  // any shape: S cancels
  const double s = p2_work(shape.prompt, shape.output - 1);
  const double d0 = 1 / (alpha * s), d1 = beta * d0;
  auto m_star = [&](double lambda) {
    ClassSpec c = shape;
    c.rate = lambda;
    return p2_fluid(std::vector<ClassSpec>{c}, d0, d1).m_star;
  };
  EXPECT_NEAR(m_star(50), m50, 1e-6 * m50);
  EXPECT_NEAR(m_star(70), 100327, 1e-3 * 100327);
  EXPECT_NEAR(m_star(80), 250509, 1e-3 * 250509);
  const auto at1 = p2_fluid(std::vector<ClassSpec>{shape}, d0, d1);
  EXPECT_NEAR(p2_rate_scale_limit(at1, d0, d1, 1.37e5), 74.1, 0.05);
  for (double lambda = 10; lambda <= 80; lambda += 10)  // monotone in lambda
    EXPECT_LT(m_star(lambda), m_star(lambda + 5));
}

TEST(P2Fluid, ScaleLimitIsTheRegionBoundary) {
  const std::vector<ClassSpec> c{cls(20, 11, 0.3), cls(100, 31, 0.1), cls(7, 2, 2.0)};
  for (const double cap : {500.0, 5000.0, 50000.0}) {
    const double theta = p2_rate_scale_limit(p2_fluid(c, 0.02, 1e-4), 0.02, 1e-4, cap);
    auto scaled = [&](double k) {
      auto s = c;
      for (auto& x : s) x.rate *= k;
      return p2_fluid(s, 0.02, 1e-4);
    };
    EXPECT_TRUE(p2_in_region(scaled(theta * (1 - 1e-6)), cap));
    EXPECT_FALSE(p2_in_region(scaled(theta * (1 + 1e-6)), cap));
  }
}

TEST(P2Wait, Example2ThresholdsMeetEq11WithEquality) {
  const std::vector<ClassSpec> c4{cls(1, 2, 4.0, 0, 4)};
  const auto w = p2_wait(c4, 0.52, 0.04, 12.0);
  EXPECT_NEAR(w.m_pi, 12.0, 1e-12);
  EXPECT_NEAR(w.dt, 1.0, 1e-12);
  EXPECT_TRUE(w.window_ok);
  EXPECT_FALSE(w.window_strict);
  EXPECT_TRUE(w.holds);
  // threshold 3: a full batch (M^pi = 9, dt = 0.88) cannot drain 4 arrivals per unit time
  EXPECT_FALSE(p2_wait(std::vector<ClassSpec>{cls(1, 2, 4.0, 0, 3)}, 0.52, 0.04, 12.0).window_ok);
  // threshold 5: dt = 1.12 < 5/4 (strict), but M^pi = 15 > C = 12
  const auto w5 = p2_wait(std::vector<ClassSpec>{cls(1, 2, 4.0, 0, 5)}, 0.52, 0.04, 12.0);
  EXPECT_TRUE(w5.window_strict);
  EXPECT_FALSE(w5.memory_ok);
  EXPECT_FALSE(w5.holds);
}

// Eq. 14's theta_k: e^{-theta n} (1 - p + p e^theta)^{n_prev} = 1. With n_prev = 2, n = 1 the
// equation is x^2 - (1/p) x + (1 - p)/p = 0 in x = e^{theta/2}, whose root above 1 is
// (1 - p)/p: p = 1/4 gives x = 3, theta = ln 9; p = 0.4 gives x = 1.5, theta = ln 2.25, where
// Eq. 21's bound 8 (1 - 0.8) / 2 = 0.8 is nearly tight. (6, 2, 0.3) has no closed form: python3's
// bisection of 6 ln(0.7 + 0.3 e^t) - 2 t gives 0.30570646971249704.
TEST(P2NestedWait, CramerLundbergRootAgainstClosedForms) {
  EXPECT_NEAR(cramer_lundberg_root(2, 1, 0.25), std::log(9.0), 1e-12);
  EXPECT_NEAR(cramer_lundberg_root(2, 1, 0.4), std::log(2.25), 1e-12);
  EXPECT_NEAR(cramer_lundberg_root(6, 2, 0.3), 0.30570646971249704, 1e-12);
  EXPECT_DOUBLE_EQ(cramer_lundberg_lower_bound(2, 1, 0.25), 2.0);
  EXPECT_NEAR(cramer_lundberg_lower_bound(2, 1, 0.4), 0.8, 1e-12);
  for (const auto& [np, n, p] : {std::tuple{2, 1, 0.25}, {2, 1, 0.4}, {6, 2, 0.3}, {10, 3, 0.25}})
    EXPECT_GE(cramer_lundberg_root(np, n, p), cramer_lundberg_lower_bound(np, n, p));
  EXPECT_EQ(cramer_lundberg_root(2, 1, 0.5), 0.0);      // zero drift: no positive root
  EXPECT_TRUE(std::isinf(cramer_lundberg_root(2, 1, 0.0)));  // no survivor, ever
}

// configs/p2_nested_wait_safe.toml's classes with rates (0.75, 0.25), d0 = 1, d1 = 0.01, C = 22,
// horizon 999 iterations, delta = 0.01. By hand (papers.md 2.5):
//   Eq. 13: delta_1 = 2, s_bar_1 = 1/2, delta_2 = 2, s_bar_2 = 5/2:
//           M^pi = 2 (2 + 1/2) 2 + 1 (2 + 5/2) 2 = 10 + 9 = 19
//   Eq. 12: dt = 1 + 0.19 = 1.19 < n_1 / sum lambda = 2; p_2 = 1/4 < n_2 / n_1 = 1/2 < 1
//   Eq. 14: theta_2 = ln 9; M_req = 19 + (2 + 1) (1 + ln(2 x 1000 / 0.01) / ln 9) = 38.6657 > 22
TEST(P2NestedWait, TwoSegmentsEqs12To14ByHand) {
  const std::vector<ClassSpec> c{cls(2, 2, 0.75, 0, 2), cls(2, 4, 0.25, 0, 1)};
  const auto w = p2_nested_wait(c, 1.0, 0.01, 22.0, 999.0, 0.01);
  EXPECT_NEAR(w.m_pi, 19.0, 1e-12);
  EXPECT_NEAR(w.dt, 1.19, 1e-12);
  EXPECT_NEAR(w.entry_window, 2.0, 1e-12);
  EXPECT_TRUE(w.window_ok);
  EXPECT_TRUE(w.thresholds_ok);
  ASSERT_EQ(w.segments.size(), 2U);
  EXPECT_NEAR(w.segments[1].p, 0.25, 1e-12);
  EXPECT_NEAR(w.segments[1].theta, std::log(9.0), 1e-12);
  EXPECT_NEAR(w.log_term, std::log(200000.0), 1e-12);
  EXPECT_NEAR(w.m_req, 38.66566918752757, 1e-9);
  EXPECT_TRUE(w.base_ok);
  EXPECT_FALSE(w.memory_ok);
  EXPECT_TRUE(p2_nested_wait(c, 1.0, 0.01, 39.0, 999.0, 0.01).memory_ok);
  EXPECT_FALSE(p2_nested_wait(c, 1.0, 0.01, 18.0, 999.0, 0.01).base_ok);
}

// Three segments with different prompts (App. A's per-segment envelope: the largest prompt of
// the classes reaching the segment): (l, o, lambda, n) = (1, 3, .5, 4), (3, 5, .3, 2),
// (2, 8, .2, 1). Segment 1 (l = 3, stages 0..2): 4 (3 + 4 + 5) = 48; segment 2 (l = 3, stages
// 3..4): 2 (6 + 7) = 26; segment 3 (l = 2, stages 5..7): 7 + 8 + 9 = 24; M^pi = 98.
// p_2 = 0.5 / 1 = n_2 / n_1: Eq. 12 fails at equality, theta_2 does not exist, M_req = inf;
// p_3 = 0.2 / 0.5 = 0.4: theta_3 = ln 2.25.
TEST(P2NestedWait, ThreeSegmentsUseTheLargestPromptReachingEach) {
  const std::vector<ClassSpec> c{cls(1, 3, 0.5, 0, 4), cls(3, 5, 0.3, 0, 2),
                                 cls(2, 8, 0.2, 0, 1)};
  const auto w = p2_nested_wait(c, 1.0, 0.0, 1000.0, 100.0, 0.01);
  EXPECT_NEAR(w.m_pi, 98.0, 1e-12);
  EXPECT_FALSE(w.thresholds_ok);
  EXPECT_EQ(w.segments[1].theta, 0.0);
  EXPECT_TRUE(std::isinf(w.m_req));
  EXPECT_FALSE(w.memory_ok);
  EXPECT_NEAR(w.segments[2].p, 0.4, 1e-12);
  EXPECT_NEAR(w.segments[2].theta, std::log(2.25), 1e-12);
}

TEST(P4Capacity, CodeLlama34bReferenceNumbers) {
  EXPECT_NEAR(p4_batch_time(11.28, 35.47, 128, 128), 46.75, 1e-9);
  EXPECT_NEAR(p4_batch_time(11.28, 35.47, 128, 512), 153.16, 1e-9);
  EXPECT_NEAR(p4_batch_time(11.28, 35.47, 128, 129), 11.28 + 2 * 35.47, 1e-9);
  const double cap = p4_capacity(11.28, 35.47, 128, 512);
  EXPECT_NEAR(cap, 3.343, 5e-4);
  // (v_p, v_d) = (100, 100): kvcheck prompt 100, output 101 (the prefill samples a token)
  const auto load = p4_load(std::vector<ClassSpec>{cls(100, 101, 1.0)});
  EXPECT_DOUBLE_EQ(load.m_p + load.m_d, 200.0);
  EXPECT_NEAR(p4_max_rate(load.m_p + load.m_d, cap), 0.016715, 5e-7);
  EXPECT_NEAR(p4_max_rate(129 + 112, cap), 0.01387, 5e-6);  // Fig. 1 workload
}

TEST(P4Capacity, LoadAgainstCapacity) {
  const double cap = p4_capacity(11.28, 35.47, 128, 512);
  const auto below = p4_load(std::vector<ClassSpec>{cls(100, 101, 0.0160)});
  const auto above = p4_load(std::vector<ClassSpec>{cls(100, 101, 0.0175)});
  EXPECT_TRUE(p4_necessary(below, cap));
  EXPECT_TRUE(p4_below_capacity(below, cap));
  EXPECT_FALSE(p4_necessary(above, cap));
  EXPECT_FALSE(p4_below_capacity(above, cap));
  // at capacity exactly: the necessary condition holds, the strict one of 2(b) does not
  const auto at = p4_load(std::vector<ClassSpec>{cls(100, 101, cap / 200.0)});
  EXPECT_TRUE(p4_necessary(at, cap));
  EXPECT_FALSE(p4_below_capacity(at, cap));
  // a mix: lambda (m_p + m_d) is the rate-weighted token sum
  const auto mix = p4_load(std::vector<ClassSpec>{cls(100, 101, 0.01), cls(300, 51, 0.03)});
  EXPECT_DOUBLE_EQ(mix.lambda, 0.04);
  EXPECT_NEAR(mix.tokens, 0.01 * 200 + 0.03 * 350, 1e-12);
  EXPECT_NEAR(mix.m_p, (0.01 * 100 + 0.03 * 300) / 0.04, 1e-12);
}

TEST(P4Capacity, BudgetNotAMultipleOfB0UsesTheBestBatch) {
  // b_max = 200, b0 = 128: b = 200 takes 2 steps (200/82.22 = 2.43/ms), b = 128 one
  // (128/46.75 = 2.74/ms): the capacity is the better of the two
  EXPECT_NEAR(p4_capacity(11.28, 35.47, 128, 200), 128 / 46.75, 1e-12);
  EXPECT_NEAR(p4_capacity(0.0, 1.0, 1, 7), 1.0, 1e-12);  // t_b = b: one token per unit
}

}  // namespace
}  // namespace kvcheck::theory
