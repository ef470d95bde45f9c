// The replay plot, drawn by the one chart writer (sim/svg_chart.h), against positions worked
// out by hand: axes with ticks and titles, the OOM marker at its step, the legend above the
// plot area (issue 13: the replay plot had no axes).
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "gpu_replay/replay.h"

namespace kvcheck::engine {
namespace {

ReplayReport report() {
  ReplayReport r;
  r.backend = "cpu";
  r.num_blocks = 10;
  r.log = {{0, 0.001, 4, 3, 3, 3, false, false, ""},
           {1, 0.002, 4, 6, 6, 6, false, false, ""},
           {2, 0.004, 4, 10, 12, 12, true, true, "oom"}};
  r.predicted_overflow = 2;
  r.engine_oom = 2;
  return r;
}

// Six legend entries: three rows at y 52, 74, 96; the plot area starts below them (y 118) and
// ends 80 units above the canvas bottom (482 - 80 = 402).
TEST(ReplayPlot, TitleAxesTicksAndLegendOutsideTheData) {
  const auto svg = replay_svg(report());
  EXPECT_NE(svg.find(">kvcheck replay on cpu</text>"), std::string::npos);
  EXPECT_NE(svg.find("height=\"482\""), std::string::npos);
  EXPECT_NE(svg.find(">step</text>"), std::string::npos);
  EXPECT_NE(svg.find(">KV blocks in use</text>"), std::string::npos);
  EXPECT_NE(svg.find(">iteration time (ms)</text>"), std::string::npos);
  // x: last step 2, nice step 0.5 (2 / 8 = 0.25 rounds up to 5 x 0.1): ticks 0, 0.5, ..., 2.
  for (const char* t : {">0<", ">0.5<", ">1<", ">1.5<", ">2<"})
    EXPECT_NE(svg.find(t), std::string::npos) << t;
  // left: the largest value drawn is the model's 12 blocks at step 2: 12 / 5 = 2.4 rounds up
  // to a step of 5, so the axis tops out at 15 (its label at y = 118 + 4); the pool line's 10
  // is a tick below it.
  EXPECT_NE(svg.find("y=\"122.0\" text-anchor=\"end\" fill=\"#1f77b4\">15</text>"),
            std::string::npos);
  EXPECT_NE(svg.find("text-anchor=\"end\" fill=\"#1f77b4\">10</text>"), std::string::npos);
  // the legend rows lie above the plot area
  const std::regex legend_row(R"re(<line x1="(80|480)" y1="(\d+)" x2="(110|510)")re");
  int rows = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), legend_row);
       it != std::sregex_iterator(); ++it, ++rows)
    EXPECT_LT(std::stoi((*it)[2]), 118) << (*it)[0];
  EXPECT_EQ(rows, 6);
}

// The OOM at step 2 is a red line at the right end of the x axis (px 880), top to bottom.
TEST(ReplayPlot, OomMarkerAtItsStep) {
  const auto svg = replay_svg(report());
  EXPECT_NE(svg.find("<line x1=\"880.0\" y1=\"118\" x2=\"880.0\" y2=\"402\" stroke=\"red\"/>"),
            std::string::npos) << svg;
  // OOM wins over a model overflow at the same step: no orange marker line (only its legend's)
  EXPECT_EQ(svg.find("y2=\"402\" stroke=\"orange\"/>"), std::string::npos);
}

}  // namespace
}  // namespace kvcheck::engine
