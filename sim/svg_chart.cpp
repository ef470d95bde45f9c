#include "sim/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sim/xml_escape.h"

namespace kvcheck {
namespace {

// Canvas and plot area, in SVG user units. The legend has a band of its own between the title
// and the plot area (two entries a row, 22 units a row); the canvas grows with it.
constexpr double kWidth = 960, kLeft = 80, kRight = 880;
constexpr double kLegendY = 52, kLegendRow = 22, kLegendColumn = 400;

struct Layout {
  double height, top, bottom;
};

Layout layout(std::size_t legend_entries) {
  const double rows = std::max(2.0, std::ceil(static_cast<double>(legend_entries) / 2.0));
  const double height = 460 + kLegendRow * (rows - 2);
  return {height, kLegendY + kLegendRow * rows, height - 80};
}

struct Scale {
  double lo, hi, px_lo, px_hi;
  double operator()(double v) const {
    return hi > lo ? px_lo + (v - lo) / (hi - lo) * (px_hi - px_lo) : px_lo;
  }
};

std::string label(double v) { return fmt::format("{:g}", v); }

bool finite_point(const std::pair<double, double>& p) {
  return std::isfinite(p.first) && std::isfinite(p.second);
}

std::string polyline(const ChartLine& l, const Scale& x, const Scale& y) {
  std::string out = fmt::format("<polyline fill=\"none\" {} points=\"", l.style);
  for (const auto& p : l.points)
    if (finite_point(p)) out += fmt::format("{:.1f},{:.1f} ", x(p.first), y(p.second));
  return out + "\"/>\n";
}

std::string x_axis(const Scale& x, double step, const Layout& a, const std::string& title) {
  std::string out = fmt::format(
      "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333\"/>\n", kLeft, a.bottom,
      kRight, a.bottom);
  for (const double t : axis_ticks(x.hi, step)) {
    const double px = x(t);
    out += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" "
                       "stroke=\"#ddd\"/>\n", px, a.top, a.bottom);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", px,
                       a.bottom + 18, label(t));
  }
  return out + fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                           (kLeft + kRight) / 2, a.bottom + 42, xml_escape(title));
}

std::string y_axis(const Scale& y, double step, bool left, const ChartAxis& axis,
                   const Layout& a) {
  const double ax = left ? kLeft : kRight;
  std::string out = fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\"/>\n", ax, a.top, a.bottom,
      axis.colour);
  for (const double v : axis_ticks(y.hi, step)) {
    const double py = y(v);
    if (left)
      out += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" "
                         "stroke=\"#ddd\"/>\n", kLeft, py, kRight);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\" fill=\"{}\">{}</text>\n",
                       left ? ax - 8 : ax + 8, py + 4, left ? "end" : "start", axis.colour,
                       label(v));
  }
  const double tx = left ? 22 : kWidth - 18;
  return out + fmt::format("<text transform=\"translate({},{}) rotate(-90)\" text-anchor=\"middle\" "
                           "fill=\"{}\">{}</text>\n", tx, (a.top + a.bottom) / 2, axis.colour,
                           xml_escape(axis.title));
}

std::string legend(const std::vector<LegendEntry>& entries) {
  std::string out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const double x = kLeft + static_cast<double>(i % 2) * kLegendColumn;
    const double y = kLegendY + static_cast<double>(i / 2) * kLegendRow;
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {}/>\n", x, y, x + 30,
                       y, entries[i].style);
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", x + 38, y + 4,
                       xml_escape(entries[i].text));
  }
  return out;
}

/// The axis's top and step: as declared, or from the data (the largest finite y of its lines,
/// at least 1) rounded up to a whole nice step.
std::pair<double, double> y_range(const ChartAxis& axis, const std::vector<ChartLine>& lines,
                                  bool right) {
  double ymax = 0;
  for (const auto& l : lines)
    if (l.right == right)
      for (const auto& p : l.points)
        if (finite_point(p)) ymax = std::max(ymax, p.second);
  const double hi = axis.top > 0 && std::isfinite(axis.top) ? axis.top : std::max(ymax, 1.0);
  const double step = axis.step > 0 && std::isfinite(axis.step) ? axis.step : nice_step(hi, 5);
  const double top = axis.top > 0 && std::isfinite(axis.top) ? axis.top : std::ceil(hi / step) * step;
  return {top, step};
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

std::string render_svg(const Chart& c) {
  const Layout a = layout(c.legend.size());
  double xmax = std::isfinite(c.x_min_top) ? std::max(c.x_min_top, 0.0) : 0.0;
  for (const auto& l : c.lines)
    for (const auto& p : l.points)
      if (finite_point(p)) xmax = std::max(xmax, p.first);
  const double xstep = nice_step(xmax, c.x_ticks);
  // Rounded up to a whole step, unless that overflows (xmax near DBL_MAX).
  const double xtop = std::max(xstep, std::ceil(xmax / xstep) * xstep);
  const Scale x{0, std::isfinite(xtop) ? xtop : xmax, kLeft, kRight};
  const auto [ltop, lstep] = y_range(c.left, c.lines, false);
  const Scale yl{0, ltop, a.bottom, a.top};
  const auto [rtop, rstep] = y_range(c.right, c.lines, true);
  const Scale yr{0, rtop, a.bottom, a.top};
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"13\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n<text x=\"{2}\" y=\"30\" text-anchor=\"middle\" font-size=\"16\" "
      "font-weight=\"bold\">{3}</text>\n", kWidth, a.height, kWidth / 2, xml_escape(c.title));
  out += x_axis(x, xstep, a, c.x_title) + y_axis(yl, lstep, true, c.left, a);
  if (c.has_right) out += y_axis(yr, rstep, false, c.right, a);
  for (const auto& m : c.markers)
    if (std::isfinite(m.x))
      out += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" "
                         "stroke=\"{3}\"/>\n", x(m.x), a.top, a.bottom, m.colour);
  for (const auto& l : c.lines) out += polyline(l, x, l.right ? yr : yl);
  out += legend(c.legend);
  if (!c.footnote.empty())
    out += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#555\">{}</text>\n",
                       kLeft, a.height - 12, xml_escape(c.footnote));
  return out + "</svg>\n";
}

}  // namespace kvcheck
