// Calibration fitting on synthetic data with known coefficients, the non-negativity of the
// fit, the TOML fragment read back by io/config, and a real (tiny) CPU sweep.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <vector>

#include "gpu_replay/calibrate.h"
#include "gpu_replay/cpu_backend.h"
#include "io/config.h"
#include "test_support.h"

namespace kvcheck::engine {
namespace {

std::vector<CalibPoint> synthetic(double a, double b, double c, double d, double noise) {
  std::vector<CalibPoint> pts;
  int i = 0;
  for (std::int64_t P : {0, 16, 128})
    for (std::int64_t D : {0, 4, 32})
      for (std::int64_t ctx : {16, 256, 1024}) {
        if (P + D == 0) continue;
        const std::int64_t kv = D * (ctx + 1) + P;
        const double t = a + b * static_cast<double>(P) + c * static_cast<double>(D) + d * static_cast<double>(kv);
        const double wobble = noise * ((i++ % 3) - 1.0);  // deterministic +-noise
        pts.push_back({P, D, kv, t * (1.0 + wobble)});
      }
  return pts;
}

TEST(Calibrate, RecoversKnownLinearCoefficients) {
  const auto c = fit_time_models(synthetic(2e-3, 5e-6, 3e-5, 1e-7, 0.0));
  ASSERT_EQ(c.linear.coef.size(), 4u);
  EXPECT_NEAR(c.linear.coef[0], 2e-3, 1e-9);
  EXPECT_NEAR(c.linear.coef[1], 5e-6, 1e-11);
  EXPECT_NEAR(c.linear.coef[2], 3e-5, 1e-10);
  EXPECT_NEAR(c.linear.coef[3], 1e-7, 1e-12);
  EXPECT_NEAR(c.linear.r2, 1.0, 1e-9);
  EXPECT_LT(c.linear.mape, 1e-6);
  EXPECT_LT(c.p2.r2, c.linear.r2);  // P2's form cannot express the per-request term
}

TEST(Calibrate, NoisyDataGivesHonestQualityNumbers) {
  const auto c = fit_time_models(synthetic(2e-3, 5e-6, 3e-5, 1e-7, 0.05));
  EXPECT_GT(c.linear.mape, 1.0);
  EXPECT_LT(c.linear.mape, 10.0);
  EXPECT_LT(c.linear.r2, 1.0);
  EXPECT_NEAR(c.linear.coef[3], 1e-7, 2e-8);
}

TEST(Calibrate, CoefficientsStayNonNegative) {
  // time falls with P: plain least squares would give b < 0
  std::vector<std::vector<double>> X;
  std::vector<double> y;
  for (int p = 0; p < 10; ++p) { X.push_back({1.0, static_cast<double>(p)}); y.push_back(10.0 - 0.5 * p); }
  const auto f = fit_nonnegative(X, y);
  EXPECT_EQ(f.coef[1], 0.0);
  EXPECT_NEAR(f.coef[0], 7.75, 1e-9);  // the mean, the best constant
  EXPECT_THROW(fit_nonnegative({}, {}), std::invalid_argument);
}

TEST(Calibrate, TomlFragmentLoadsAsTheTimeModel) {
  const auto c = fit_time_models(synthetic(2e-3, 5e-6, 3e-5, 1e-7, 0.0));
  for (const auto kind : {TimeModelKind::Linear, TimeModelKind::P2Linear}) {
    const std::string text = "[engine]\nblock_size = 1\nnum_blocks = 100\n[policy]\nname = \"vllm_fcfs\"\n" +
                             time_toml(c, kind) +
                             "[workload]\nkind = \"explicit\"\nrequests = [{arrival = 0, prompt = 2, output = 2}]\n";
    const auto cfg = parse_config(text, "calibrated.toml");
    EXPECT_EQ(cfg.time.kind, kind);
    if (kind == TimeModelKind::Linear) {
      EXPECT_NEAR(cfg.time.ld, 1e-7, 1e-12);
    } else {
      EXPECT_NEAR(cfg.time.d1, c.p2.coef[1], 1e-6 * c.p2.coef[1]);
    }
  }
}

// A real (tiny) CPU sweep: the compositions it times are the grid, written out by hand; the
// fit's reported quality equals R^2 and MAPE recomputed here from its coefficients; and, as a
// least-squares optimum over c >= 0, it is no worse than the best constant (R^2 >= 0) nor than
// P2's d0 + d1*KV (a sub-model: b = c = 0).
TEST(Calibrate, CpuSweepTimesTheGridAndReportsItsFitHonestly) {
  const auto w = seeded_weights(test::small_model(), 2);
  SweepSpec s;
  s.decode_counts = {1, 4};
  s.contexts = {8, 32};
  s.prefills = {8, 32};
  s.repeats = 3;
  // 4 sequences of ceil((32 + 1) / 4) = 9 blocks, plus a prefill of ceil(32 / 4) = 8 blocks
  EXPECT_EQ(sweep_blocks(s, 4), 4 * 9 + 8);
  auto be = make_cpu_backend(w, {sweep_blocks(s, 4), 4});
  const auto pts = sweep(*be, w.config, 4, s);
  // (P, D, KV = D * (ctx + 1) + P): decode-only for D x ctx, prefill-only, then mixed with the
  // first decode count at the last context
  const std::vector<std::array<std::int64_t, 3>> grid = {
      {0, 1, 9}, {0, 1, 33}, {0, 4, 36}, {0, 4, 132}, {8, 0, 8}, {32, 0, 32}, {8, 1, 41},
      {32, 1, 65}};
  ASSERT_EQ(pts.size(), grid.size());
  for (std::size_t i = 0; i < pts.size(); ++i) {
    EXPECT_EQ(pts[i].prefill, grid[i][0]) << i;
    EXPECT_EQ(pts[i].decode, grid[i][1]) << i;
    EXPECT_EQ(pts[i].kv, grid[i][2]) << i;
    EXPECT_GT(pts[i].seconds, 0.0) << i;
  }
  const auto c = fit_time_models(pts);
  ASSERT_EQ(c.linear.coef.size(), 4u);
  for (double k : c.linear.coef) EXPECT_GE(k, 0.0);
  double mean = 0.0;
  for (const auto& p : pts) mean += p.seconds;
  mean /= static_cast<double>(pts.size());
  double ss_res = 0.0, ss_tot = 0.0, ape = 0.0;
  for (const auto& p : pts) {
    const auto& k = c.linear.coef;
    const double pred = k[0] + k[1] * static_cast<double>(p.prefill) +
                        k[2] * static_cast<double>(p.decode) + k[3] * static_cast<double>(p.kv);
    ss_res += (pred - p.seconds) * (pred - p.seconds);
    ss_tot += (p.seconds - mean) * (p.seconds - mean);
    ape += std::abs(pred - p.seconds) / p.seconds;
  }
  EXPECT_NEAR(c.linear.r2, 1.0 - ss_res / ss_tot, 1e-9);
  EXPECT_NEAR(c.linear.mape, 100.0 * ape / static_cast<double>(pts.size()), 1e-9);
  EXPECT_GE(c.linear.r2, -1e-9);
  EXPECT_GE(c.linear.r2, c.p2.r2 - 1e-9);
}

}  // namespace
}  // namespace kvcheck::engine
