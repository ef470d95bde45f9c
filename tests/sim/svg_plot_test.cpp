// Issue 12: the plot's axes stay bounded whatever the data: extreme, subnormal or non-finite
// time ranges give at most kMaxTicks ticks and a finite SVG (they used to loop forever).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "sim/metrics.h"
#include "sim/svg_plot.h"

namespace kvcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kMax = std::numeric_limits<double>::max();
constexpr double kDenorm = 5e-324;

TEST(AxisTicks, OrdinaryRangesTickEveryStepUpToTheTop) {
  EXPECT_EQ(axis_ticks(10, 2), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(axis_ticks(9.9, 2), (std::vector<double>{0, 2, 4, 6, 8}));
  EXPECT_EQ(axis_ticks(1, 0.2).size(), 6U);  // 0.2 * 5 is 1 up to rounding: the top is kept
  EXPECT_EQ(axis_ticks(0, 1), (std::vector<double>{0}));
}

TEST(AxisTicks, ExtremeRangesAndStepsAreBounded) {
  const std::pair<double, double> cases[] = {
      {kMax, nice_step(kMax, 8)}, {1e308, 1.0},     {1e308, kDenorm}, {1.0, 0.0},
      {1.0, -1.0},                {1.0, kDenorm},   {kInf, 1.0},      {kInf, kInf},
      {kNan, 1.0},                {1.0, kNan},      {kDenorm, nice_step(kDenorm, 8)},
      {-5.0, 1.0},                {1.0, kInf},
  };
  for (const auto& [hi, step] : cases) {
    SCOPED_TRACE(std::to_string(hi) + " step " + std::to_string(step));
    const auto t = axis_ticks(hi, step);
    ASSERT_FALSE(t.empty());
    EXPECT_LE(t.size(), static_cast<std::size_t>(kMaxTicks));
    EXPECT_EQ(t.front(), 0.0);
    for (double v : t) EXPECT_TRUE(std::isfinite(v)) << v;
  }
}

// The documented contract of axis_ticks exactly (sim/svg_chart.h): {0} alone when the top
// or the step is not finite and positive; otherwise every multiple of the step up to the top,
// but never more than kMaxTicks = 64 ticks.
TEST(AxisTicks, InvalidRangesGiveZeroAloneAndLongOnesStopAtSixtyFour) {
  const std::pair<double, double> invalid[] = {{kInf, 2.0}, {kNan, 2.0}, {-5.0, 1.0}, {0.0, 1.0},
                                               {10.0, kInf}, {10.0, kNan}, {10.0, 0.0},
                                               {10.0, -1.0}};
  for (const auto& [hi, step] : invalid)
    EXPECT_EQ(axis_ticks(hi, step), (std::vector<double>{0})) << hi << " step " << step;
  const auto many = axis_ticks(1000, 1);
  ASSERT_EQ(many.size(), 64u);
  EXPECT_EQ(many.back(), 63.0);
  EXPECT_EQ(axis_ticks(63, 1).size(), 64u);  // 0..63: exactly the cap
  EXPECT_EQ(axis_ticks(62, 1).size(), 63u);
}

// A point with a non-finite coordinate is neither drawn nor used for an axis's range: the
// left axis is scaled from the finite points alone (largest 5: nice step 1, top 5).
TEST(SvgChart, NonFinitePointsAreSkipped) {
  Chart c;
  c.title = "t";
  c.x_min_top = 4;
  c.lines = {{"stroke=\"black\"", {{1, kInf}, {2, 5}, {kNan, 3}, {3, -kInf}}, false}};
  const auto svg = render_svg(c);
  EXPECT_EQ(svg.find("inf"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("nan"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">5</text>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find(">6</text>"), std::string::npos) << svg;
  // exactly one point drawn: (2, 5) at x = 80 + 2/4 * 800 = 480, y = the plot top, 96
  EXPECT_NE(svg.find("points=\"480.0,96.0 \""), std::string::npos) << svg;
}

TEST(NiceStep, IsFiniteAndPositiveForAnyRange) {
  for (double hi : {kMax, 1e308, kInf, kNan, kDenorm, 1e-310, 0.0, -1.0}) {
    SCOPED_TRACE(hi);
    const double s = nice_step(hi, 8);
    EXPECT_TRUE(std::isfinite(s)) << s;
    EXPECT_GT(s, 0.0);
  }
  EXPECT_DOUBLE_EQ(nice_step(3500, 8), 500);  // hand: 3500 / 8 = 437.5 -> 5 x 10^2
}

Metrics metrics_spanning(double seconds) {
  Metrics m;
  m.iterations = 2;
  m.num_blocks = 4;
  m.sim_seconds = seconds;
  SeriesPoint a, b;
  a.iterations = b.iterations = 1;
  a.kv_sum = 2, b.kv_sum = 4;
  a.waiting_sum = 1, b.waiting_sum = 3;
  b.step = 1;
  b.time = seconds / 2;
  m.series = {a, b};
  return m;
}

TEST(KvQueueSvg, ExtremeTimeRangesGiveAFiniteChart) {
  for (double s : {1e308, kMax, kInf, kNan, kDenorm, 1e-310}) {
    SCOPED_TRACE(s);
    const auto svg = kv_queue_svg(metrics_spanning(s), "x");
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
    EXPECT_EQ(svg.find("nan"), std::string::npos);
    EXPECT_EQ(svg.find("inf"), std::string::npos);
  }
}

}  // namespace
}  // namespace kvcheck
