#pragma once
/// \file instability.h
/// Instability witnesses: boost::maximum_cycle_ratio (Howard's algorithm) on every non-trivial
/// strongly connected component, with w1 = arrivals - completions and w2 = 1 per transition.
/// A positive maximum is a reachable cycle on which the backlog grows by that many requests
/// per iteration; its critical cycle, after the BFS path to it, is the lasso. Meaningful in
/// saturated mode, where the backlog is off the state.
#include <limits>
#include <optional>

#include "checkers/explicit/shortest_counterexample.h"

namespace kvcheck::explicit_state {

struct CycleRatioResult {
  /// The maximum over all cycles of sum(w1)/sum(w2); -infinity when the graph has no cycle.
  double max_ratio = -std::numeric_limits<double>::infinity();
  std::optional<Witness> witness;  ///< set when max_ratio > 0
};

CycleRatioResult find_instability(const ExploredGraph& g, const BfsTree& t);

}  // namespace kvcheck::explicit_state
