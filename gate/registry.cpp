// The checkers built into this binary, in the order the gate runs them: cheapest first.
#include "gate/checker.h"
#include "gate/search_checkers.h"
#include "gate/simulate_checker.h"
#include "gate/z3_checkers.h"

namespace kvcheck {

std::vector<std::unique_ptr<Checker>> all_checkers() {
  std::vector<std::unique_ptr<Checker>> out;
  out.push_back(std::make_unique<SimulateChecker>());
  out.push_back(std::make_unique<ExploreChecker>());
  out.push_back(std::make_unique<FuzzChecker>());
  out.push_back(std::make_unique<BmcChecker>());
  out.push_back(std::make_unique<ProveChecker>());
  return out;
}

}  // namespace kvcheck
