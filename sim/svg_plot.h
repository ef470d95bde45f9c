#pragma once
/// \file svg_plot.h
/// A self-contained SVG line chart of a run's series: KV usage (% of the pool, left axis) and
/// queue length (waiting requests, right axis) over simulated time, with axes, ticks, labels
/// and a legend. No external tools.
#include <string>

#include "sim/metrics.h"

namespace kvcheck {

/// The chart as SVG text. `title` is shown on top (escaped).
std::string kv_queue_svg(const Metrics& m, const std::string& title);

/// "Nice" tick step (1, 2 or 5 times a power of ten) for about `ticks` ticks over [0, hi].
double nice_step(double hi, int ticks);

}  // namespace kvcheck
