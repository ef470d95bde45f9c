#include "theory/p1_necessary.h"

#include <limits>

#include "theory/p1_work.h"
#include "theory/tolerance.h"

namespace kvcheck::theory {

P1Necessary p1_necessary(std::span<const ClassSpec> classes, std::int64_t capacity,
                         std::int64_t lookahead) {
  P1Necessary r;
  r.capacity = static_cast<double>(capacity);
  for (const auto& c : classes) {
    const auto w = p1_work(c.prompt, c.output, lookahead);
    r.work.push_back(w);
    r.total_work = saturating_add(r.total_work, w);
    r.load += c.rate * static_cast<double>(w);
  }
  r.lambda_star = r.total_work > 0 ? r.capacity / static_cast<double>(r.total_work) : 0.0;
  r.rate_scale_limit =
      r.load > 0.0 ? r.capacity / r.load : std::numeric_limits<double>::infinity();
  r.holds = approx_leq(r.load, r.capacity);
  return r;
}

}  // namespace kvcheck::theory
