// The replay's SVG plot (declared in replay.h), drawn by the one chart writer (sim/svg_chart.h):
// KV blocks in use per step on the engine and in the model, the pool, the steps where the
// engine's pool refused (OOM) or only the model overflowed, and the backend's iteration time
// on the right axis.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "gpu_replay/replay.h"
#include "io/input_error.h"
#include "sim/svg_chart.h"

namespace kvcheck::engine {
namespace {

constexpr const char* kEngine = "stroke=\"#1f77b4\" stroke-width=\"2\"";
constexpr const char* kModel = "stroke=\"#999999\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\"";
constexpr const char* kPool = "stroke=\"black\" stroke-width=\"1\" stroke-dasharray=\"4,3\"";
constexpr const char* kTime = "stroke=\"#2ca02c\" stroke-width=\"1\"";

}  // namespace

std::string replay_svg(const ReplayReport& r) {
  Chart c;
  c.title = "kvcheck replay on " + r.backend;
  c.x_title = "step";
  c.left = {"KV blocks in use", "#1f77b4", 0, 0};
  c.has_right = true;
  c.right = {"iteration time (ms)", "#2ca02c", 0, 0};
  ChartLine engine{kEngine, {}, false}, model{kModel, {}, false}, time{kTime, {}, true};
  double last = 0;
  for (const auto& l : r.log) {
    const auto x = static_cast<double>(l.step);
    last = std::max(last, x);
    engine.points.emplace_back(x, static_cast<double>(l.used_blocks));
    model.points.emplace_back(x, static_cast<double>(l.model_used_blocks));
    time.points.emplace_back(x, 1e3 * l.seconds);
    if (l.oom) c.markers.push_back({x, "red"});
    else if (l.model_overflow) c.markers.push_back({x, "orange"});
  }
  c.x_min_top = std::max(1.0, last);
  const auto pool = static_cast<double>(r.num_blocks);
  ChartLine pool_line{kPool, {{0, pool}, {c.x_min_top, pool}}, false};
  c.lines = {std::move(pool_line), std::move(model), std::move(engine), std::move(time)};
  c.legend = {{kEngine, "KV blocks in use, engine"},
              {kModel, "KV blocks in use, model"},
              {kPool, fmt::format("pool ({} blocks)", r.num_blocks)},
              {kTime, "iteration time (ms)"},
              {"stroke=\"red\"", "engine OOM (pool refused)"},
              {"stroke=\"orange\"", "model overflow only"}};
  c.footnote = r.summary();
  return render_svg(c);
}

void write_svg(const ReplayReport& r, const std::filesystem::path& svg) {
  std::ofstream f(svg);
  if (!f || !(f << replay_svg(r))) throw config_error(svg.string(), "", "cannot write the plot");
}

}  // namespace kvcheck::engine
