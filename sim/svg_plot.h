#pragma once
/// \file svg_plot.h
/// simulate's chart of a run's series: KV usage (% of the pool, left axis: the mean over each
/// point's iterations and its maximum) and queue length (waiting and running requests, right
/// axis) over simulated time, drawn by the one chart writer (sim/svg_chart.h).
#include <string>

#include "sim/metrics.h"
#include "sim/svg_chart.h"

namespace kvcheck {

/// The chart as SVG text. `title` is shown on top (escaped).
std::string kv_queue_svg(const Metrics& m, const std::string& title);

}  // namespace kvcheck
