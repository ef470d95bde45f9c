#include "theory/p2_fluid.h"

#include <limits>

#include "theory/tolerance.h"

namespace kvcheck::theory {

P2Fluid p2_fluid(std::span<const ClassSpec> classes, double d0, double d1) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  P2Fluid f;
  for (const auto& c : classes) {
    const auto l_prime = c.output - 1;
    f.a += c.rate * p2_work(c.prompt, l_prime);
    f.throughput += c.rate * static_cast<double>(l_prime);
  }
  f.d1a = d1 * f.a;
  f.drift_ok = strictly_less(f.d1a, 1.0);
  f.m_star = f.drift_ok ? d0 * f.a / (1.0 - f.d1a) : kInf;
  f.dt_star = f.drift_ok ? d0 / (1.0 - f.d1a) : kInf;
  for (const auto& c : classes) f.n_star.push_back(f.drift_ok ? c.rate * f.dt_star : kInf);
  return f;
}

bool p2_in_region(const P2Fluid& f, double capacity) {
  return f.drift_ok && approx_leq(f.m_star, capacity);
}

double p2_rate_scale_limit(const P2Fluid& f, double d0, double d1, double capacity) {
  if (f.a <= 0.0) return std::numeric_limits<double>::infinity();
  return capacity / (f.a * (d0 + d1 * capacity));
}

}  // namespace kvcheck::theory
