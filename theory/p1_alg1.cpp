#include "theory/p1_alg1.h"

#include <algorithm>
#include <limits>

#include "theory/p1_work.h"
#include "theory/tolerance.h"

namespace kvcheck::theory {

P1Alg1 p1_alg1(std::span<const ClassSpec> classes, std::int64_t capacity,
               std::int64_t lookahead) {
  P1Alg1 r;
  r.capacity = capacity;
  r.budgets_exceed_rates = true;
  r.min_budget_slack = std::numeric_limits<double>::infinity();
  for (const auto& c : classes) {
    r.memory_bound =
        saturating_add(r.memory_bound, saturating_mul(c.budget, p1_work(c.prompt, c.output, lookahead)));
    const auto b = static_cast<double>(c.budget);
    const bool ok = strictly_less(c.rate, b);
    r.budget_exceeds_rate.push_back(ok);
    r.budgets_exceed_rates = r.budgets_exceed_rates && ok;
    r.min_budget_slack = std::min(r.min_budget_slack, b - c.rate);
  }
  if (classes.empty()) r.min_budget_slack = 0.0;
  r.memory_strict = r.memory_bound < capacity;
  r.memory_weak = r.memory_bound <= capacity;
  r.holds = r.memory_strict && r.budgets_exceed_rates;
  return r;
}

}  // namespace kvcheck::theory
