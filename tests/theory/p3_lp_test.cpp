// P3's fluid LPs (theory/p3_lp.h) and the GLPK layer (theory/glpk_lp.h), against numbers
// computed without an LP solver.
//
// Section 6.2 instance, by papers.md 3.3's knapsack reduction (python3, independent of GLPK):
//   With q_d = 0 (Prop 3.2 holds here) a class-i completion rate r_i <= lambda_i costs
//   x_i = P_i r_i tau / C of prefill and D_i r_i decode tokens/s; decode capacity is
//   (B-1) X / tau + B gamma (1 - X), X = sum x_i. So sum_i a_i r_i <= B gamma with
//   a_i = D_i + (P_i tau / C)(B gamma - (B-1)/tau): a fractional knapsack, greedy on w_i / a_i.
//   Separate charging: prefill throughput p_i <= lambda_i earns c_p P_i; decode tokens T earn
//   c_d each, T <= B gamma - k (tau / C) sum P_i p_i (k = B gamma - (B-1)/tau), T <= sum D_i p_i;
//   a prefill token earns c_p = 0.1 > its decode-capacity cost c_d k tau / C = 0.00718, so
//   every arrival is prefilled and T takes what is left.
//
//   B,C,al,be,ga=16,256,0.0174,6.2e-5,45.45; P=[300,3000]; D=[1000,400]; lam=[0.5,0.5]
//   cp,cd=0.1,0.2; tau=al+be*C; k=B*ga-(B-1)/tau
//   a=[D[i]+P[i]*tau/C*k for i in (0,1)]; w=[cp*P[i]+cd*D[i] for i in (0,1)]
//   cap=B*ga; r=[0,0]
//   for i in sorted((0,1),key=lambda i:-w[i]/a[i]): r[i]=min(lam[i],cap/a[i]); cap-=a[i]*r[i]
//   -> tau 0.033272, k 276.37047, R* = 297.7031698642446, r = [0.46827465158367226, 0.5],
//      x = [0.018258321336904616, 0.19495312499999998]
//   Pi=sum(P[i]*lam[i]); X=Pi*tau/C; T=min(B*ga-k*X, sum(D[i]*lam[i]))
//   -> separate R~* = cp*Pi + cd*T = 298.58655675, X = 0.21444843749999998, T = 667.93278375
//
// Tiny instance, by hand: B = 4, C = 2, alpha = beta = 0.5 (tau = 1), gamma = 2, one class
// P = 2, D = 4, lambda = 1, theta = 1, c_p = c_d = 1 (w = 6). mu_p = 1, mu_m = 1/4, mu_s = 1/2.
// k = B gamma - (B-1)/tau = 5, a = D + (P tau / C) k = 9 against B gamma = 8: r = 8/9, so
// x = 8/9, mixed slots (B-1) x = 8/3 and solo slots B (1 - x) = 4/9 both full
// (8/3 / 4 + 4/9 / 2 = 8/9 completions), q_p = (1 - 8/9) / 1 = 1/9, R* = 6 x 8/9 = 16/3.
// With separate charging and c_p = 10: objective 2 c_p p + T with T = min(4p, 8 - 5p); beyond
// p = 8/9 it is 8 + 15p, increasing, so p = 1 = x: no solo GPU, y_m = 3, T = 3 tokens/s,
// r = 3/4, q_d = (1 - 3/4) / 1 = 1/4, R~* = 20 + 3 = 23.
#include <gtest/gtest.h>

#include <stdexcept>

#include "theory/glpk_lp.h"
#include "theory/p3_lp.h"

namespace kvcheck::theory {
namespace {

P3Instance sec62() { return p3_section62_instance(); }

P3Instance tiny(double c_p) {
  P3Instance inst;
  inst.B = 4;
  inst.C = 2;
  inst.alpha = 0.5;
  inst.beta = 0.25;
  inst.gamma = 2;
  inst.c_p = c_p;
  inst.c_d = 1;
  inst.classes = {{"only", 2, 4, 1.0, 1.0}};
  return inst;
}

TEST(P3Lp, Sec62BundledMatchesTheKnapsack) {
  const auto lp = solve_p3_lp(sec62(), P3Charging::Bundled);
  ASSERT_TRUE(lp.optimal()) << lp.message;
  EXPECT_NEAR(lp.objective, 297.7031698642446, 1e-6);
  EXPECT_NEAR(lp.classes[0].throughput, 0.46827465158367226, 1e-9);
  EXPECT_NEAR(lp.classes[1].throughput, 0.5, 1e-9);
  EXPECT_NEAR(lp.classes[0].x, 0.018258321336904616, 1e-9);
  EXPECT_NEAR(lp.classes[1].x, 0.19495312499999998, 1e-9);
  EXPECT_NEAR(lp.classes[0].q_p, (0.5 - 0.46827465158367226) / 0.1, 1e-8);
  EXPECT_NEAR(lp.classes[1].q_p, 0.0, 1e-9);
  for (const auto& c : lp.classes) EXPECT_NEAR(c.q_d, 0.0, 1e-9);  // Prop 3.2
  EXPECT_EQ(p3_mixed_gpus(lp.sum_x, 500), 107);  // ceil(500 x 0.213211) = ceil(106.6)
}

TEST(P3Lp, Sec62SeparateMatchesTheKnapsack) {
  const auto inst = sec62();
  const auto lp = solve_p3_lp(inst, P3Charging::Separate);
  ASSERT_TRUE(lp.optimal()) << lp.message;
  EXPECT_NEAR(lp.objective, 298.58655675, 1e-6);
  EXPECT_NEAR(lp.sum_x, 0.21444843749999998, 1e-9);
  double decode_tokens = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    decode_tokens += inst.classes[i].output * lp.classes[i].throughput;
    EXPECT_NEAR(lp.classes[i].q_p, 0.0, 1e-9);  // every arrival is prefilled
  }
  EXPECT_NEAR(decode_tokens, 667.93278375, 1e-6);
  EXPECT_EQ(p3_mixed_gpus(lp.sum_x, 500), 108);  // ceil(107.22)
}

TEST(P3Lp, TinyBundledByHand) {
  const auto lp = solve_p3_lp(tiny(1.0), P3Charging::Bundled);
  ASSERT_TRUE(lp.optimal()) << lp.message;
  EXPECT_NEAR(lp.objective, 16.0 / 3.0, 1e-9);
  EXPECT_NEAR(lp.classes[0].x, 8.0 / 9.0, 1e-9);
  EXPECT_NEAR(lp.classes[0].y_m, 8.0 / 3.0, 1e-9);
  EXPECT_NEAR(lp.classes[0].y_s, 4.0 / 9.0, 1e-9);
  EXPECT_NEAR(lp.classes[0].q_p, 1.0 / 9.0, 1e-9);
  EXPECT_NEAR(lp.classes[0].q_d, 0.0, 1e-9);
  EXPECT_EQ(p3_mixed_gpus(lp.sum_x, 9), 8);  // 9 x 8/9 is 8, not 9, despite rounding
  EXPECT_EQ(p3_mixed_gpus(lp.sum_x, 10), 9);
}

TEST(P3Lp, TinySeparateByHandKeepsADecodeBacklog) {
  const auto lp = solve_p3_lp(tiny(10.0), P3Charging::Separate);
  ASSERT_TRUE(lp.optimal()) << lp.message;
  EXPECT_NEAR(lp.objective, 23.0, 1e-9);
  EXPECT_NEAR(lp.classes[0].x, 1.0, 1e-9);
  EXPECT_NEAR(lp.classes[0].y_m, 3.0, 1e-9);
  EXPECT_NEAR(lp.classes[0].y_s, 0.0, 1e-9);
  EXPECT_NEAR(lp.classes[0].q_d, 0.25, 1e-9);
}

TEST(P3Lp, ServiceRatesAreEq4) {
  const auto r = p3_service_rates(tiny(1.0));
  EXPECT_DOUBLE_EQ(r.tau, 1.0);
  EXPECT_DOUBLE_EQ(r.mu_p[0], 1.0);
  EXPECT_DOUBLE_EQ(r.mu_m[0], 0.25);
  EXPECT_DOUBLE_EQ(r.mu_s[0], 0.5);
  EXPECT_DOUBLE_EQ(p3_weight(tiny(1.0), 0), 6.0);
}

TEST(P3Lp, OverloadWithoutAbandonmentIsInfeasibleNotACrash) {
  auto inst = tiny(1.0);
  inst.classes[0].abandon = 0.0;  // every arrival must be served, and 1 > 8/9 cannot be
  const auto lp = solve_p3_lp(inst, P3Charging::Bundled);
  EXPECT_EQ(lp.status, LpStatus::Infeasible);
  EXPECT_FALSE(lp.message.empty());
  inst.classes[0].rate = 0.5;  // below capacity: feasible, and every arrival completes
  const auto ok = solve_p3_lp(inst, P3Charging::Bundled);
  ASSERT_TRUE(ok.optimal());
  EXPECT_NEAR(ok.classes[0].throughput, 0.5, 1e-9);
  EXPECT_NEAR(ok.objective, 3.0, 1e-9);
}

TEST(P3Lp, Prop32) {
  const auto p = p3_prop32(sec62());
  EXPECT_NEAR(p.gamma_tau, 45.45 * 0.033272, 1e-12);
  EXPECT_DOUBLE_EQ(p.bound, 15.0 / 16.0);
  EXPECT_TRUE(p.holds);
  auto slow = sec62();
  slow.gamma = 20.0;  // 20 x 0.033272 = 0.665 < 0.9375
  EXPECT_FALSE(p3_prop32(slow).holds);
}

TEST(GlpkLp, StatusesAreValues) {
  LinearProgram unbounded;  // max x, x >= 0
  unbounded.add_column(1.0, {});
  EXPECT_EQ(solve_lp(unbounded).status, LpStatus::Unbounded);

  LinearProgram infeasible;  // x + y = 3 with x, y in [0, 1]
  const int x = infeasible.add_column(1.0, {0, 1}), y = infeasible.add_column(1.0, {0, 1});
  const int row = infeasible.add_row({3, 3});
  infeasible.set(row, x, 1);
  infeasible.set(row, y, 1);
  EXPECT_EQ(solve_lp(infeasible).status, LpStatus::Infeasible);

  LinearProgram small;  // max 3x + 2y, x + y <= 4, x + 3y <= 6, x <= 3: (3, 1), 11
  const int a = small.add_column(3.0, {0, 3}), b = small.add_column(2.0, {});
  const int r1 = small.add_row({-kLpInf, 4}), r2 = small.add_row({-kLpInf, 6});
  small.set(r1, a, 1);
  small.set(r1, b, 1);
  small.set(r2, a, 1);
  small.set(r2, b, 3);
  const auto s = solve_lp(small);
  ASSERT_EQ(s.status, LpStatus::Optimal);
  EXPECT_NEAR(s.objective, 11.0, 1e-12);
  EXPECT_NEAR(s.x[0], 3.0, 1e-12);
  EXPECT_NEAR(s.x[1], 1.0, 1e-12);
}

TEST(GlpkLp, MalformedProgramsThrowBeforeGlpkSeesThem) {
  LinearProgram lp;
  const int x = lp.add_column(1.0, {0, 1});
  const int row = lp.add_row({0, 1});
  lp.set(row, x, 1);
  lp.set(row, x, 2);  // a duplicate, on which GLPK would abort
  EXPECT_THROW((void)solve_lp(lp), std::invalid_argument);
  LinearProgram outside;
  outside.add_column(1.0, {});
  outside.set(0, 0, 1.0);  // no row 0
  EXPECT_THROW((void)solve_lp(outside), std::invalid_argument);
}

}  // namespace
}  // namespace kvcheck::theory
