#include "theory/p2_wait.h"

#include <algorithm>
#include <limits>

#include "theory/p2_fluid.h"
#include "theory/tolerance.h"

namespace kvcheck::theory {

P2Wait p2_wait(std::span<const ClassSpec> classes, double d0, double d1, double capacity) {
  P2Wait w;
  w.min_window = std::numeric_limits<double>::infinity();
  for (const auto& c : classes) {
    if (!(c.rate > 0.0)) continue;
    w.m_pi += static_cast<double>(c.threshold) * p2_work(c.prompt, c.output - 1);
    w.min_window = std::min(w.min_window, static_cast<double>(c.threshold) / c.rate);
  }
  w.dt = d0 + d1 * w.m_pi;
  w.window_ok = approx_leq(w.dt, w.min_window);
  w.window_strict = strictly_less(w.dt, w.min_window);
  w.memory_ok = approx_leq(w.m_pi, capacity);
  w.holds = w.window_ok && w.memory_ok;
  return w;
}

}  // namespace kvcheck::theory
