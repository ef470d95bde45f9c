#pragma once
/// \file svg_plot.h
/// A self-contained SVG line chart of a run's series: KV usage (% of the pool, left axis) and
/// queue length (waiting requests, right axis) over simulated time, with axes, ticks, labels
/// and a legend. No external tools.
#include <string>
#include <vector>

#include "sim/metrics.h"

namespace kvcheck {

/// The chart as SVG text. `title` is shown on top (escaped).
std::string kv_queue_svg(const Metrics& m, const std::string& title);

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
