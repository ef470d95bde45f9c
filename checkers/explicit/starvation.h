#pragma once
/// \file starvation.h
/// Starvation lassos: a reachable cycle on which one waiting request stays waiting on every
/// step while, on at least one step, the pool had room to admit it (PolicyView::blocks_after
/// of its first chunk <= free blocks, below max_num_seqs). Found with boost::strong_components
/// on the product of the state graph with the tracked request's queue position.
#include <cstdint>
#include <optional>

#include "checkers/explicit/shortest_counterexample.h"

namespace kvcheck::explicit_state {

/// Number of strongly connected components of the state graph, and how many are non-trivial
/// (several vertices, or a self-loop).
struct SccCount {
  std::int64_t total = 0, nontrivial = 0;
};
SccCount count_sccs(const ExploredGraph& g);

/// A starvation lasso (BFS path to the cycle, then the cycle), or nullopt. Bounded mode only.
std::optional<Witness> find_starvation(const ExploredGraph& g, const BfsTree& t);

}  // namespace kvcheck::explicit_state
