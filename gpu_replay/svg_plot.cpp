// The replay's SVG plot (declared in replay.h): blocks in use per step, engine vs model, the
// pool size, OOM steps and the backend's iteration times.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "gpu_replay/replay.h"
#include "io/input_error.h"

namespace kvcheck::engine {
namespace {

constexpr double kW = 900, kH = 420, kLeft = 60, kRight = 20, kTop = 30, kMid = 280, kBottom = 400;

std::string polyline(const std::vector<std::pair<double, double>>& pts, const char* colour) {
  std::string p;
  for (const auto& [x, y] : pts) p += fmt::format("{:.1f},{:.1f} ", x, y);
  return fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"/>\n", colour, p);
}

}  // namespace

void write_svg(const ReplayReport& r, const std::filesystem::path& svg) {
  std::ofstream f(svg);
  if (!f) throw config_error(svg.string(), "", "cannot write the plot");
  const double n = std::max<double>(1.0, static_cast<double>(r.log.size()));
  double tmax = 1e-12;
  for (const auto& l : r.log) tmax = std::max(tmax, l.seconds);
  const double bmax = static_cast<double>(std::max<std::int64_t>(1, r.num_blocks)) * 1.1;
  auto x = [&](std::size_t i) { return kLeft + (kW - kLeft - kRight) * static_cast<double>(i) / n; };
  auto yb = [&](double b) { return kMid - (kMid - kTop) * b / bmax; };
  auto yt = [&](double t) { return kBottom - (kBottom - kMid - 20) * t / tmax; };
  std::vector<std::pair<double, double>> eng, model, time;
  f << fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"11\">\n", kW, kH);
  f << fmt::format("<text x=\"{}\" y=\"18\">kvcheck replay on {} — {}</text>\n", kLeft, r.backend, r.summary());
  for (std::size_t i = 0; i < r.log.size(); ++i) {
    const auto& l = r.log[i];
    eng.emplace_back(x(i), yb(static_cast<double>(l.used_blocks)));
    model.emplace_back(x(i), yb(static_cast<double>(l.model_used_blocks)));
    time.emplace_back(x(i), yt(l.seconds));
    if (l.oom || l.model_overflow)
      f << fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{3}\"/>\n", x(i), kTop, kMid,
                       l.oom ? "red" : "orange");
  }
  const double pool = yb(static_cast<double>(r.num_blocks));
  f << fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"black\" stroke-dasharray=\"4 3\"/>\n", kLeft, kW - kRight, pool);
  f << fmt::format("<text x=\"{}\" y=\"{:.1f}\">pool {} blocks</text>\n", kLeft + 4, pool - 4, r.num_blocks);
  f << polyline(model, "#999999") << polyline(eng, "#1f77b4") << polyline(time, "#2ca02c");
  f << fmt::format("<text x=\"4\" y=\"{}\">blocks</text><text x=\"4\" y=\"{}\">time</text>\n", kTop + 10, kMid + 30);
  f << fmt::format("<text x=\"{}\" y=\"{}\">blue: engine blocks, grey: model blocks, red: engine OOM, orange: model overflow only; green: iteration time (max {:.3g} s)</text>\n",
                   kLeft, kH - 4, tmax);
  f << "</svg>\n";
}

}  // namespace kvcheck::engine
