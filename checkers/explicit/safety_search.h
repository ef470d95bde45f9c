#pragma once
/// \file safety_search.h
/// The explorer's safety pass: breadth-first search over encoded states (state_store.h) that
/// keeps per state only its parent and the index of the transition that reached it, and stops
/// at the first BFS layer with a violating transition. The first violating transition met
/// (states in discovery order, transitions in expansion order) is the one the graph analysis
/// (shortest_counterexample.h) would report: the shortest counterexample stays the shortest, and
/// is the same one. No graph is built; starvation and instability need the graph (state_graph.h).
#include <cstdint>
#include <optional>
#include <vector>

#include "checkers/explicit/explore_options.h"
#include "checkers/explicit/state_graph.h"
#include "checkers/explicit/state_store.h"
#include "checkers/explicit/successors.h"

namespace kvcheck::explicit_state {

struct SafetySearch {
  std::int64_t states = 0;       ///< states stored
  std::int64_t transitions = 0;  ///< transitions generated
  std::int64_t layers = 0;       ///< BFS layers expanded
  /// Every reachable state was expanded (no violation, no state limit). With hash compaction
  /// this still does not mean every reachable state was seen (`storage`).
  bool exhausted = false;
  StateStorage storage = StateStorage::Exact;
  std::size_t memory_bytes = 0;  ///< the store's bytes plus the per-state parent records
  bool window_exhausted = false;  ///< saturated: some transition admitted the whole window
  /// The first violating transition: the transition indices (in SuccessorGenerator::expand
  /// order) of the path from the initial state, the violating one last.
  std::optional<std::vector<std::uint32_t>> violation;
};

/// Searches from gen.initial(), storing at most opts.max_states states.
SafetySearch safety_search(const SuccessorGenerator& gen, const ExploreOptions& opts);

/// The path of `ordinals` re-expanded from the initial state, as an ExploredGraph of its own
/// (vertex i = the state after i steps, edge i = step i), for the witness and trace code.
ExploredGraph path_graph(const SuccessorGenerator& gen, const std::vector<std::uint32_t>& ordinals);

}  // namespace kvcheck::explicit_state
