// The bounded series and the KV/queue chart as a reader uses them (issue 19): how many points
// a series has and what each sums, and on the chart the value a point is drawn at, read back
// through the axis's own tick labels. Every expectation is worked out in the comments.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "models/choice_source.h"
#include "sim/metrics.h"
#include "sim/series.h"
#include "sim/simulator.h"
#include "sim/svg_plot.h"

namespace kvcheck {
namespace {

// ---- Downsampler ------------------------------------------------------------------------------

TEST(DownsamplerByHand, NoSamplesNoPoints) { EXPECT_TRUE(Downsampler(4).points().empty()); }

// Width 1 at first: one sample closes its own bucket, and no empty bucket follows it.
TEST(DownsamplerByHand, OneSampleIsOnePoint) {
  Downsampler d(4);
  d.add(0, 0.0, 3, 1, 2);
  const auto pts = d.points();
  ASSERT_EQ(pts.size(), 1U);
  EXPECT_EQ(pts[0], (SeriesPoint{0, 0.0, 1, 3, 3, 1, 1, 2, 2}));
}

// max_points 4, samples kv = 1, 2, 3, 4, 5, 6 at steps 0..5 (waiting = running = 0, time = step):
//   after 4 samples: 4 buckets of width 1 -> merged pairwise: {0,1} {2,3}, width 2
//   sample 5 (kv 5) opens a partial bucket: points {0,1} {2,3} {4}      -> 3 points
//   sample 6 (kv 6) closes it:              points {0,1} {2,3} {4,5}    -> 3 points, none empty
//   sums: 1+2 = 3, 3+4 = 7, 5+6 = 11; maxima 2, 4, 6; first steps 0, 2, 4
TEST(DownsamplerByHand, PairsMergeAndPartialBucketsCount) {
  Downsampler d(4);
  for (int s = 0; s < 5; ++s) d.add(s, s, s + 1, 0, 0);
  EXPECT_EQ(d.width(), 2);
  auto pts = d.points();
  ASSERT_EQ(pts.size(), 3U);
  EXPECT_EQ(pts[2].iterations, 1);
  EXPECT_EQ(pts[2].kv_sum, 5);
  d.add(5, 5.0, 6, 0, 0);
  pts = d.points();
  ASSERT_EQ(pts.size(), 3U);
  const std::int64_t steps[] = {0, 2, 4}, sums[] = {3, 7, 11}, maxima[] = {2, 4, 6};
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(pts[i].step, steps[i]);
    EXPECT_EQ(pts[i].iterations, 2);
    EXPECT_EQ(pts[i].kv_sum, sums[i]);
    EXPECT_EQ(pts[i].kv_max, maxima[i]);
  }
}

// The report's series holds at most 400 points by default (sim/README.md: report.json's
// `series.points`, "<= 400 points of 2^k iterations each"). 401 iterations do not fit in 400
// points of one iteration, so they are grouped (here as the simulator's metrics and as a bare
// Downsampler), and every iteration is still counted once.
void expect_at_most_400_points(const std::vector<SeriesPoint>& pts, std::int64_t width) {
  EXPECT_LE(pts.size(), 400U);
  EXPECT_GE(width, 2);
  std::int64_t iterations = 0;
  for (const auto& q : pts) iterations += q.iterations;
  EXPECT_EQ(iterations, 401);
}

TEST(DownsamplerByHand, TheDefaultCapIs400Points) {
  Downsampler d;
  for (int s = 0; s < 401; ++s) d.add(s, s, 1, 0, 1);
  expect_at_most_400_points(d.points(), d.width());
}

// One request (prompt 1, output 401) alone in a pool of 1000 1-token blocks: 401 iterations
// (vLLM FCFS, plain stepper: step 0 prefills, steps 1..400 decode, the last completes).
TEST(MetricsByHand, TheReportSeriesHasAtMost400Points) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 1000;
  Workload w;
  Request r;
  r.prompt = 1;
  r.output = 401;
  w.requests = {r};
  MetricsCollector metrics(p);
  StepObserver* obs[] = {&metrics};
  SeededChoices ch(1);
  const auto out = simulate(p, TimeModel{}, w, ch, SimOptions{}, obs);
  EXPECT_TRUE(out.finished);
  EXPECT_EQ(out.steps, 401);
  expect_at_most_400_points(metrics.metrics().series, metrics.metrics().series_width);
}

// ---- the chart, read back -------------------------------------------------------------------

/// The y coordinates of the points of the polyline drawn with style `marker`.
std::vector<double> polyline_ys(const std::string& svg, const std::string& marker) {
  const auto at = svg.find("<polyline fill=\"none\" " + marker);
  EXPECT_NE(at, std::string::npos) << marker;
  if (at == std::string::npos) return {};
  const auto from = svg.find("points=\"", at) + 8, to = svg.find('"', from);
  std::vector<double> ys;
  const std::string pts = svg.substr(from, to - from);
  for (std::size_t p = 0; p < pts.size();) {
    const auto comma = pts.find(',', p), space = pts.find(' ', comma);
    ys.push_back(std::strtod(pts.c_str() + comma + 1, nullptr));
    p = space + 1;
  }
  return ys;
}

/// Tick label -> its pixel row, for the axis whose labels have this anchor and colour
/// (a label's baseline is 4 px below its tick).
std::map<double, double> tick_rows(const std::string& svg, const std::string& anchor,
                                   const std::string& color) {
  std::map<double, double> out;
  const std::string tail = "\" text-anchor=\"" + anchor + "\" fill=\"" + color + "\">";
  for (auto at = svg.find(tail); at != std::string::npos; at = svg.find(tail, at + 1)) {
    const auto y_at = svg.rfind("y=\"", at) + 3;
    const double y = std::strtod(svg.c_str() + y_at, nullptr);
    const double label = std::strtod(svg.c_str() + at + tail.size(), nullptr);
    out[label] = y - 4;
  }
  return out;
}

/// The value at pixel row `y` on an axis, by linear interpolation between its 0 tick and its
/// top tick (the axis is linear).
double value_at(const std::map<double, double>& ticks, double y) {
  const auto& [v0, y0] = *ticks.begin();
  const auto& [v1, y1] = *ticks.rbegin();
  return v0 + (y0 - y) / (y0 - y1) * (v1 - v0);
}

/// A tick label's text: the value as %g writes it.
std::string fmt_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

constexpr char kKv[] = "stroke=\"#1f77b4\"";
constexpr char kWait[] = "stroke=\"#ff7f0e\"";

SeriesPoint point(double time, std::int64_t iterations, std::int64_t kv_sum,
                  std::int64_t waiting_sum) {
  SeriesPoint p;
  p.time = time;
  p.iterations = iterations;
  p.kv_sum = kv_sum;
  p.waiting_sum = waiting_sum;
  return p;
}

// A pool of ONE block, full in the only iteration: 1 of 1 blocks = 100 % of the pool, drawn at
// the left axis's top tick (100).
TEST(KvQueueSvgByHand, OneBlockPoolFullIsAHundredPercent) {
  Metrics m;
  m.num_blocks = 1;
  m.iterations = 1;
  m.sim_seconds = 1.0;
  m.series = {point(0.0, 1, 1, 0)};
  const auto svg = kv_queue_svg(m, "t");
  const auto kv = polyline_ys(svg, kKv);
  const auto left = tick_rows(svg, "end", "#1f77b4");
  ASSERT_EQ(kv.size(), 1U);
  ASSERT_EQ(left.rbegin()->first, 100.0);
  EXPECT_NEAR(value_at(left, kv[0]), 100.0, 0.1);
}

// Pool of 4 blocks; three points of 2 iterations each (sums below), 3 s simulated:
//   KV sums 2, 6, 8 -> means 1, 3, 4 blocks -> 25 %, 75 %, 100 % of the pool
//   waiting sums 0, 6, 3 -> means 0, 3, 1.5 -> the right axis reaches at least 3 and the
//   highest point is 3 (the data's maximum)
//   x axis: 3 s over about 8 ticks -> step 0.5 (3 / 8 = 0.375 -> 5 x 10^-1), ticks 0 .. 3
TEST(KvQueueSvgByHand, PointsReadBackAsTheirMeans) {
  Metrics m;
  m.num_blocks = 4;
  m.iterations = 6;
  m.series_width = 2;
  m.sim_seconds = 3.0;
  m.series = {point(0.0, 2, 2, 0), point(1.0, 2, 6, 6), point(2.0, 2, 8, 3)};
  const auto svg = kv_queue_svg(m, "t");

  const auto kv = polyline_ys(svg, kKv);
  const auto left = tick_rows(svg, "end", "#1f77b4");
  ASSERT_EQ(kv.size(), 3U);
  EXPECT_EQ(left.begin()->first, 0.0);
  EXPECT_EQ(left.rbegin()->first, 100.0);
  const double kv_pct[] = {25, 75, 100};
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(value_at(left, kv[i]), kv_pct[i], 0.1) << i;

  const auto wait = polyline_ys(svg, kWait);
  const auto right = tick_rows(svg, "start", "#444");
  ASSERT_EQ(wait.size(), 3U);
  ASSERT_GE(right.size(), 2U);
  EXPECT_EQ(right.begin()->first, 0.0);
  EXPECT_GE(right.rbegin()->first, 3.0);
  const double queue[] = {0, 3, 1.5};
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(value_at(right, wait[i]), queue[i], 0.01) << i;

  // x ticks: labels 0, 0.5, ..., 3 along the bottom axis
  std::vector<std::string> xs;
  const std::string tail = "\" text-anchor=\"middle\">";
  for (auto at = svg.find(tail); at != std::string::npos; at = svg.find(tail, at + 1)) {
    const auto end = svg.find('<', at);
    xs.push_back(svg.substr(at + tail.size(), end - at - tail.size()));
  }
  const std::vector<std::string> want = {"0", "0.5", "1", "1.5", "2", "2.5", "3",
                                         "simulated time (s)"};
  EXPECT_EQ(xs, want);
}

// A point's mean must not hide the peak the report prints: pool of 2 blocks, one point of 2
// iterations reserving 0 then 2 blocks (sum 2, max 2): the mean line sits at 1 of 2 = 50 %, the
// maximum line at 2 of 2 = 100 %, read back through the left axis's tick labels.
TEST(KvQueueSvgByHand, ThePeakIsDrawnBesideTheMean) {
  Metrics m;
  m.num_blocks = 2;
  m.iterations = 2;
  m.sim_seconds = 1.0;
  auto p = point(0.0, 2, 2, 0);
  p.kv_max = 2;
  m.series = {p};
  const auto svg = kv_queue_svg(m, "t");
  const auto left = tick_rows(svg, "end", "#1f77b4");
  const auto mean = polyline_ys(svg, "stroke=\"#1f77b4\" stroke-width=\"2\"");
  const auto peak = polyline_ys(svg, "stroke=\"#1f77b4\" stroke-width=\"1\"");
  ASSERT_EQ(mean.size(), 1U);
  ASSERT_EQ(peak.size(), 1U);
  EXPECT_NEAR(value_at(left, mean[0]), 50.0, 0.1);
  EXPECT_NEAR(value_at(left, peak[0]), 100.0, 0.1);
}

// The legend is outside the data: every legend label lies above the plot area's top (the row
// of the left axis's 100 % tick), so no point of any line can be hidden behind it.
TEST(KvQueueSvgByHand, TheLegendIsAboveThePlotArea) {
  Metrics m;
  m.num_blocks = 1;
  m.iterations = 1;
  m.sim_seconds = 1.0;
  m.series = {point(0.0, 1, 1, 0)};
  const auto svg = kv_queue_svg(m, "t");
  const double top = tick_rows(svg, "end", "#1f77b4").rbegin()->second;
  int labels = 0;
  for (const char* text : {"KV blocks reserved, mean per point", "KV blocks reserved, maximum",
                           "waiting requests (queue)", "running requests"}) {
    const auto at = svg.find(std::string(">") + text);
    ASSERT_NE(at, std::string::npos) << text;
    const auto y_at = svg.rfind("y=\"", at) + 3;
    EXPECT_LT(std::strtod(svg.c_str() + y_at, nullptr), top) << text;
    ++labels;
  }
  EXPECT_EQ(labels, 4);
}

// The four legend entries sit in two columns of two rows, so no label overlaps another: the
// second entry 400 px right of the first (svg_chart.cpp: kLegendColumn), the third under the
// first one row (22 px) down, the fourth under the second.
TEST(KvQueueSvgByHand, TheLegendIsTwoColumnsOfTwoRows) {
  Metrics m;
  m.num_blocks = 1;
  m.iterations = 1;
  m.sim_seconds = 1.0;
  m.series = {point(0.0, 1, 1, 0)};
  const auto svg = kv_queue_svg(m, "t");
  std::vector<std::pair<double, double>> at;
  for (const char* text : {"KV blocks reserved, mean per point", "KV blocks reserved, maximum",
                           "waiting requests (queue)", "running requests"}) {
    const auto label = svg.find(std::string(">") + text);
    ASSERT_NE(label, std::string::npos) << text;
    const auto x = svg.rfind("<text x=\"", label) + 9;
    const auto y = svg.find("y=\"", x) + 3;
    at.emplace_back(std::strtod(svg.c_str() + x, nullptr), std::strtod(svg.c_str() + y, nullptr));
  }
  EXPECT_DOUBLE_EQ(at[1].first - at[0].first, 400.0);
  EXPECT_DOUBLE_EQ(at[1].second, at[0].second);
  EXPECT_DOUBLE_EQ(at[2].first, at[0].first);
  EXPECT_DOUBLE_EQ(at[2].second - at[0].second, 22.0);
  EXPECT_DOUBLE_EQ(at[3].first, at[1].first);
  EXPECT_DOUBLE_EQ(at[3].second, at[2].second);
}


// The two axis titles (rotated -90 degrees) sit in the margins: inside the 960 px canvas, clear
// of their axis's tick labels, vertically centred on the plot area. A rotated 13 px line of
// text extends at most one font size (13 px) left of its baseline x and a quarter of it
// (descenders) to the right; a tick label character is at most 0.6 em (7.8 px) wide. Left
// labels end at the axis's x - 8 (anchor end), right ones start at x + 8 (anchor start).
TEST(KvQueueSvgByHand, AxisTitlesLieInTheMarginsClearOfTheTickLabels) {
  Metrics m;
  m.num_blocks = 4;
  m.iterations = 2;
  m.sim_seconds = 2.0;
  m.series = {point(0.0, 1, 4, 1234), point(1.0, 1, 2, 0)};  // the right axis reaches 1234+
  const auto svg = kv_queue_svg(m, "t");
  struct Title {
    double x, y;
  };
  std::vector<Title> titles;
  const std::string key = "transform=\"translate(";
  for (auto at = svg.find(key); at != std::string::npos; at = svg.find(key, at + 1)) {
    char* end = nullptr;
    const double x = std::strtod(svg.c_str() + at + key.size(), &end);
    titles.push_back({x, std::strtod(end + 1, nullptr)});
  }
  ASSERT_EQ(titles.size(), 2U);  // left (KV), then right (requests)
  const auto left = tick_rows(svg, "end", "#1f77b4");
  const auto right = tick_rows(svg, "start", "#444");
  ASSERT_GE(right.rbegin()->first, 1234.0);
  auto widest = [](const std::map<double, double>& ticks) {
    std::size_t n = 0;
    for (const auto& [v, y] : ticks) n = std::max(n, fmt_label(v).size());
    return 7.8 * static_cast<double>(n);
  };
  // the axes' x: the KV axis's labels end 8 px left of it, the requests axis's start 8 px right
  const auto label_x = [&](const std::string& anchor, const std::string& color) {
    const std::string tail = "\" text-anchor=\"" + anchor + "\" fill=\"" + color + "\">";
    const auto at = svg.find(tail);
    const auto x_at = svg.rfind("x=\"", at) + 3;
    return std::strtod(svg.c_str() + x_at, nullptr);
  };
  const double left_labels_start = label_x("end", "#1f77b4") - widest(left);
  const double right_labels_end = label_x("start", "#444") + widest(right);
  EXPECT_GE(titles[0].x - 13.0, 0.0);
  EXPECT_LT(titles[0].x + 13.0 / 4, left_labels_start);
  EXPECT_LE(titles[1].x + 13.0 / 4, 960.0);
  EXPECT_GT(titles[1].x - 13.0, right_labels_end);
  // centred between the 0 % and 100 % rows
  const double mid = (left.begin()->second + left.rbegin()->second) / 2;
  EXPECT_DOUBLE_EQ(titles[0].y, mid);
  EXPECT_DOUBLE_EQ(titles[1].y, mid);
}
}  // namespace
}  // namespace kvcheck
