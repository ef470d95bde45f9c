#pragma once
/// \file svg_chart.h
/// The one SVG chart writer behind every plot kvcheck draws (simulate's kv_queue.svg,
/// replay's replay_blocks.svg): a line chart with an x axis, a left and an optional right y
/// axis, "nice" ticks with labels, axis titles in the margins, vertical event markers, and a
/// legend in its own band above the plot area, never over the data. No external tools.
#include <string>
#include <utility>
#include <vector>

namespace kvcheck {

/// One y axis. `top` <= 0: rounded up from the data to a whole `step`; `step` <= 0: a "nice"
/// step for about five ticks.
struct ChartAxis {
  std::string title;
  std::string colour = "#444";
  double top = 0;
  double step = 0;
};

/// A polyline in data coordinates, against the left axis or the right one.
struct ChartLine {
  std::string style;  ///< SVG stroke attributes, e.g. stroke="#1f77b4" stroke-width="2"
  std::vector<std::pair<double, double>> points;
  bool right = false;
};

/// A vertical line across the plot area at data x (an event such as an OOM step).
struct ChartMarker {
  double x = 0;
  std::string colour;
};

/// A legend row: a short line drawn in `style` and its text.
struct LegendEntry {
  std::string style;
  std::string text;
};

struct Chart {
  std::string title;     ///< on top (escaped)
  std::string x_title;   ///< below the x axis
  double x_min_top = 0;  ///< the x axis reaches at least this far, whatever the data
  int x_ticks = 8;       ///< about this many x ticks
  ChartAxis left;
  bool has_right = false;
  ChartAxis right;
  std::vector<ChartMarker> markers;  ///< drawn under the lines
  std::vector<ChartLine> lines;      ///< drawn in order
  std::vector<LegendEntry> legend;   ///< two entries a row, above the plot area
  std::string footnote;              ///< small print under the chart (escaped)
};

/// The chart as SVG text. Points, tops and markers that are not finite are skipped.
std::string render_svg(const Chart& c);

/// "Nice" tick step (1, 2 or 5 times a power of ten) for about `ticks` ticks over [0, hi];
/// always finite and > 0 (1 for a range that is not finite or not positive).
double nice_step(double hi, int ticks);

/// Most ticks one axis draws, whatever the data.
inline constexpr int kMaxTicks = 64;

/// The ticks 0, step, 2 step, ... up to `hi` (a top within 1e-9 steps of a multiple counts),
/// at most kMaxTicks of them and all finite: {0} when `hi` or `step` is not finite and
/// positive. Example: axis_ticks(10, 2) == {0, 2, 4, 6, 8, 10}.
std::vector<double> axis_ticks(double hi, double step);

}  // namespace kvcheck
