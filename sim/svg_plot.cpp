#include "sim/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace kvcheck {
namespace {

// Canvas and plot area, in SVG user units.
constexpr double kWidth = 960, kHeight = 460;
// The legend sits in the band between the title and the plot area, never over the data.
constexpr double kLeft = 80, kRight = 880, kTop = 96, kBottom = 380;

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

struct Scale {
  double lo, hi, px_lo, px_hi;
  double operator()(double v) const {
    return hi > lo ? px_lo + (v - lo) / (hi - lo) * (px_hi - px_lo) : px_lo;
  }
};

std::string label(double v) { return fmt::format("{:g}", v); }

std::string polyline(const std::vector<std::pair<double, double>>& pts, const Scale& x,
                     const Scale& y, const char* style) {
  std::string out = fmt::format("<polyline fill=\"none\" {} points=\"", style);
  for (const auto& [px, py] : pts) out += fmt::format("{:.1f},{:.1f} ", x(px), y(py));
  return out + "\"/>\n";
}

std::string x_axis(const Scale& x, double step) {
  std::string out = fmt::format(
      "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333\"/>\n", kLeft, kBottom,
      kRight, kBottom);
  for (const double t : axis_ticks(x.hi, step)) {
    const double px = x(t);
    out += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" "
                       "stroke=\"#ddd\"/>\n", px, kTop, kBottom);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", px,
                       kBottom + 18, label(t));
  }
  return out + fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">simulated time "
                           "(s)</text>\n", (kLeft + kRight) / 2, kBottom + 42);
}

std::string y_axis(const Scale& y, double step, bool left, const char* color,
                   const std::string& title) {
  const double ax = left ? kLeft : kRight;
  std::string out = fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\"/>\n", ax, kTop, kBottom,
      color);
  for (const double v : axis_ticks(y.hi, step)) {
    const double py = y(v);
    if (left)
      out += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" "
                         "stroke=\"#ddd\"/>\n", kLeft, py, kRight);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\" fill=\"{}\">{}</text>\n",
                       left ? ax - 8 : ax + 8, py + 4, left ? "end" : "start", color, label(v));
  }
  const double tx = left ? 22 : kWidth - 18;
  return out + fmt::format("<text transform=\"translate({},{}) rotate(-90)\" text-anchor=\"middle\" "
                           "fill=\"{}\">{}</text>\n", tx, (kTop + kBottom) / 2, color, title);
}

std::string legend() {
  // Two rows of two entries above the plot area (y 44..84), left-aligned with it.
  const char* rows[][2] = {
      {"stroke=\"#1f77b4\" stroke-width=\"2\"", "KV blocks reserved, mean per point (% of pool)"},
      {"stroke=\"#1f77b4\" stroke-width=\"1\" stroke-dasharray=\"2,2\"",
       "KV blocks reserved, maximum per point"},
      {"stroke=\"#ff7f0e\" stroke-width=\"2\"", "waiting requests (queue)"},
      {"stroke=\"#2ca02c\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\"",
       "running requests"}};
  std::string out;
  for (int i = 0; i < 4; ++i) {
    const double x = kLeft + (i % 2) * 400, y = 52 + (i / 2) * 22;
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {}/>\n", x, y, x + 30,
                       y, rows[i][0]);
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", x + 38, y + 4, rows[i][1]);
  }
  return out;
}

}  // namespace

double nice_step(double hi, int ticks) {
  if (!(hi > 0) || !std::isfinite(hi)) return 1.0;
  const double raw = hi / std::max(1, ticks);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  // A subnormal range underflows mag to 0 (a step of 0 never advances): one step over it all.
  if (!(mag > 0) || !std::isfinite(mag)) return hi;
  for (double m : {1.0, 2.0, 5.0})
    if (raw <= m * mag) return m * mag;
  return std::isfinite(10.0 * mag) ? 10.0 * mag : hi;
}

std::vector<double> axis_ticks(double hi, double step) {
  std::vector<double> out{0.0};
  if (!(hi > 0) || !std::isfinite(hi) || !(step > 0) || !std::isfinite(step)) return out;
  // Counted by index, never by t += step, which stops advancing once step < ulp(t).
  const double n = std::min(std::floor(hi / step + 1e-9), static_cast<double>(kMaxTicks - 1));
  for (int i = 1; i <= static_cast<int>(n); ++i) out.push_back(i * step);
  return out;
}

std::string kv_queue_svg(const Metrics& m, const std::string& title) {
  std::vector<std::pair<double, double>> kv, kv_peak, wait, run;
  double qmax = 0, tmax = std::isfinite(m.sim_seconds) ? std::max(m.sim_seconds, 0.0) : 0.0;
  for (const auto& p : m.series) {
    if (!std::isfinite(p.time)) continue;  // a point at an infinite time cannot be drawn
    tmax = std::max(tmax, p.time);
    const double n = static_cast<double>(std::max<std::int64_t>(1, p.iterations));
    const double pool = static_cast<double>(std::max<std::int64_t>(1, m.num_blocks));
    kv.emplace_back(p.time, 100.0 * static_cast<double>(p.kv_sum) / n / pool);
    // the maximum too: a mean over a point's iterations must not hide the peak the report prints
    kv_peak.emplace_back(p.time, 100.0 * static_cast<double>(p.kv_max) / pool);
    wait.emplace_back(p.time, static_cast<double>(p.waiting_sum) / n);
    run.emplace_back(p.time, static_cast<double>(p.running_sum) / n);
    qmax = std::max({qmax, wait.back().second, run.back().second});
  }
  const double xmax = tmax, xstep = nice_step(xmax, 8);
  const double qstep = nice_step(std::max(qmax, 1.0), 5);
  // Rounded up to a whole step, unless that overflows (xmax near DBL_MAX).
  const double xtop = std::max(xstep, std::ceil(xmax / xstep) * xstep);
  const Scale x{0, std::isfinite(xtop) ? xtop : xmax, kLeft, kRight};
  const Scale ykv{0, 100, kBottom, kTop};
  const Scale yq{0, std::ceil(std::max(qmax, 1.0) / qstep) * qstep, kBottom, kTop};
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"13\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n<text x=\"{2}\" y=\"30\" text-anchor=\"middle\" font-size=\"16\" "
      "font-weight=\"bold\">{3}</text>\n", kWidth, kHeight, kWidth / 2, escape(title));
  out += x_axis(x, xstep) + y_axis(ykv, 20, true, "#1f77b4", "KV blocks reserved (% of pool)");
  out += y_axis(yq, qstep, false, "#444", "requests: waiting, running (mean per point)");
  out += polyline(run, x, yq, "stroke=\"#2ca02c\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\"");
  out += polyline(wait, x, yq, "stroke=\"#ff7f0e\" stroke-width=\"2\"");
  out += polyline(kv, x, ykv, "stroke=\"#1f77b4\" stroke-width=\"2\"");
  out += polyline(kv_peak, x, ykv,
                  "stroke=\"#1f77b4\" stroke-width=\"1\" stroke-dasharray=\"2,2\"");
  out += legend();
  out += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#555\">each point: mean over "
                     "{} iteration(s) (KV: also its maximum); {} iterations, {} points</text>\n",
                     kLeft, kHeight - 12, m.series_width, m.iterations, m.series.size());
  return out + "</svg>\n";
}

}  // namespace kvcheck
