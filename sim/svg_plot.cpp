#include "sim/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace kvcheck {
namespace {

constexpr const char* kKvMean = "stroke=\"#1f77b4\" stroke-width=\"2\"";
constexpr const char* kKvMax = "stroke=\"#1f77b4\" stroke-width=\"1\" stroke-dasharray=\"2,2\"";
constexpr const char* kWaiting = "stroke=\"#ff7f0e\" stroke-width=\"2\"";
constexpr const char* kRunning = "stroke=\"#2ca02c\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\"";

}  // namespace

std::string kv_queue_svg(const Metrics& m, const std::string& title) {
  ChartLine kv{kKvMean, {}, false}, kv_peak{kKvMax, {}, false};
  ChartLine wait{kWaiting, {}, true}, run{kRunning, {}, true};
  const double pool = static_cast<double>(std::max<std::int64_t>(1, m.num_blocks));
  for (const auto& p : m.series) {
    if (!std::isfinite(p.time)) continue;  // a point at an infinite time cannot be drawn
    const double n = static_cast<double>(std::max<std::int64_t>(1, p.iterations));
    kv.points.emplace_back(p.time, 100.0 * static_cast<double>(p.kv_sum) / n / pool);
    // the maximum too: a mean over a point's iterations must not hide the peak the report prints
    kv_peak.points.emplace_back(p.time, 100.0 * static_cast<double>(p.kv_max) / pool);
    wait.points.emplace_back(p.time, static_cast<double>(p.waiting_sum) / n);
    run.points.emplace_back(p.time, static_cast<double>(p.running_sum) / n);
  }
  Chart c;
  c.title = title;
  c.x_title = "simulated time (s)";
  c.x_min_top = std::isfinite(m.sim_seconds) ? std::max(m.sim_seconds, 0.0) : 0.0;
  c.left = {"KV blocks reserved (% of pool)", "#1f77b4", 100, 20};
  c.has_right = true;
  c.right = {"requests: waiting, running (mean per point)", "#444", 0, 0};
  c.lines = {std::move(run), std::move(wait), std::move(kv), std::move(kv_peak)};
  c.legend = {{kKvMean, "KV blocks reserved, mean per point (% of pool)"},
              {kKvMax, "KV blocks reserved, maximum per point"},
              {kWaiting, "waiting requests (queue)"},
              {kRunning, "running requests"}};
  c.footnote = fmt::format("each point: mean over {} iteration(s) (KV: also its maximum); {} "
                           "iterations, {} points", m.series_width, m.iterations, m.series.size());
  return render_svg(c);
}

}  // namespace kvcheck
