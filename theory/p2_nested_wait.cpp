#include "theory/p2_nested_wait.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "theory/tolerance.h"

namespace kvcheck::theory {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// n_prev ln(1 - p + p e^theta) - theta n, the log of Eq. 14's product, without overflow.
double log_mgf_gap(std::int64_t n_prev, std::int64_t n, double p, double theta) {
  const double log_mgf = theta > 1.0 ? theta + std::log(p + (1.0 - p) * std::exp(-theta))
                                     : std::log1p(p * std::expm1(theta));
  return static_cast<double>(n_prev) * log_mgf - theta * static_cast<double>(n);
}

/// p_k for every segment: the rate of the classes reaching it over the rate reaching the one
/// before (segment 0: 1).
std::vector<double> continuation(std::span<const ClassSpec> classes) {
  std::vector<double> tail(classes.size() + 1, 0.0);
  for (std::size_t k = classes.size(); k-- > 0;) tail[k] = tail[k + 1] + classes[k].rate;
  std::vector<double> p(classes.size(), 1.0);
  for (std::size_t k = 1; k < classes.size(); ++k)
    p[k] = tail[k - 1] > 0.0 ? tail[k] / tail[k - 1] : 0.0;
  return p;
}

NestedSegment segment(std::span<const ClassSpec> classes, std::size_t k, double p) {
  NestedSegment s;
  for (std::size_t j = k; j < classes.size(); ++j)
    s.l = std::max(s.l, static_cast<double>(classes[j].prompt));
  s.last = classes[k].output - 1;
  s.first = k == 0 ? 0 : classes[k - 1].output;  // l'_{k-1} + 1
  s.n = classes[k].threshold;
  s.delta = static_cast<double>(s.last - s.first + 1);
  s.s_bar = static_cast<double>(s.first + s.last) / 2.0;
  s.p = p;
  return s;
}

}  // namespace

double cramer_lundberg_root(std::int64_t n_prev, std::int64_t n, double p) {
  if (!(p > 0.0)) return kInf;
  if (!(p * static_cast<double>(n_prev) < static_cast<double>(n)) || n >= n_prev) return 0.0;
  double lo = 0.0, hi = 1.0;
  while (log_mgf_gap(n_prev, n, p, hi) <= 0.0) hi *= 2.0;
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = (lo + hi) / 2.0;
    (log_mgf_gap(n_prev, n, p, mid) <= 0.0 ? lo : hi) = mid;
  }
  return (lo + hi) / 2.0;
}

double cramer_lundberg_lower_bound(std::int64_t n_prev, std::int64_t n, double p) {
  return 8.0 * (static_cast<double>(n) - static_cast<double>(n_prev) * p) /
         static_cast<double>(n_prev);
}

P2NestedWait p2_nested_wait(std::span<const ClassSpec> classes, double d0, double d1,
                            double capacity, double horizon_over_d0, double delta) {
  P2NestedWait w;
  const auto p = continuation(classes);
  double total_rate = 0.0;
  for (const auto& c : classes) total_rate += c.rate;
  const auto m = static_cast<double>(classes.size());
  w.log_term = std::log(m * (1.0 + horizon_over_d0) / delta);
  w.thresholds_ok = true;
  for (std::size_t k = 0; k < classes.size(); ++k) {
    auto s = segment(classes, k, p[k]);
    w.m_pi += static_cast<double>(s.n) * (s.l + s.s_bar) * s.delta;
    if (k > 0) {
      const auto n_prev = classes[k - 1].threshold;
      const double ratio = static_cast<double>(s.n) / static_cast<double>(n_prev);
      w.thresholds_ok = w.thresholds_ok && s.p < ratio && ratio < 1.0;
      s.theta = cramer_lundberg_root(n_prev, s.n, s.p);
      s.theta_lower = cramer_lundberg_lower_bound(n_prev, s.n, s.p);
      const double boundary = s.l + static_cast<double>(s.first - 1);  // l + l'_{k-1}
      const double tail = s.theta > 0.0 ? w.log_term / s.theta : kInf;
      s.buffer = boundary * (static_cast<double>(s.n) + tail);
    }
    w.m_req += s.buffer;
    w.segments.push_back(s);
  }
  w.m_req += w.m_pi;
  w.dt = d0 + d1 * w.m_pi;
  w.entry_window = total_rate > 0.0 && !classes.empty()
                       ? static_cast<double>(classes[0].threshold) / total_rate
                       : kInf;
  w.window_ok = std::isinf(w.entry_window) ? std::isfinite(w.dt)
                                            : strictly_less(w.dt, w.entry_window);
  w.base_ok = approx_leq(w.m_pi, capacity);
  w.memory_ok = approx_leq(w.m_req, capacity);
  return w;
}

}  // namespace kvcheck::theory
