#include "checkers/fuzz/fuzz_case.h"

#include <ostream>

namespace kvcheck::fuzz {

std::int64_t FuzzCase::requests() const {
  std::int64_t n = 0;
  for (const auto& g : groups) n += g.count;
  return n;
}

Workload FuzzCase::workload(std::int64_t max_requests, std::int64_t max_per_step,
                            std::int64_t last_arrival) const {
  Workload w;
  w.clock = ArrivalClock::Steps;
  std::int64_t step = 0, in_step = 0, last_step = -1;
  for (const auto& g : groups) {
    step += g.gap;
    if (last_arrival >= 0 && step > last_arrival) return w;
    if (step != last_step) in_step = 0, last_step = step;
    for (std::int64_t i = 0; i < g.count; ++i) {
      if (max_per_step > 0 && in_step >= max_per_step) break;
      ++in_step;
      if (max_requests > 0 && static_cast<std::int64_t>(w.requests.size()) >= max_requests)
        return w;
      Request r;
      r.arrival_step = step;
      r.arrival_time = static_cast<double>(step);
      r.prompt = g.prompt;
      r.output = g.output;
      r.klass = g.klass;
      w.requests.push_back(r);
    }
  }
  return w;
}

void showValue(const FuzzCase& c, std::ostream& os) {
  os << c.shape << " seed=" << c.choice_seed << " requests=" << c.requests() << " [";
  for (std::size_t i = 0; i < c.groups.size(); ++i) {
    const auto& g = c.groups[i];
    os << (i ? ", " : "") << "+" << g.gap << ":" << g.count << "x(" << g.prompt << "," << g.output
       << ",c" << g.klass << ")";
  }
  os << "]";
}

}  // namespace kvcheck::fuzz
