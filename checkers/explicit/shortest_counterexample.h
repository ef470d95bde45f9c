#pragma once
/// \file shortest_counterexample.h
/// Shortest paths in the explored graph: boost::breadth_first_search from the initial state,
/// recording each vertex's tree edge and distance. The violating transition whose source is
/// nearest the initial state, walked back through the tree, is a shortest counterexample.
#include <cstdint>
#include <optional>
#include <vector>

#include "checkers/explicit/explore_options.h"
#include "checkers/explicit/state_graph.h"
#include "checkers/explicit/witness.h"

namespace kvcheck::explicit_state {

struct BfsTree {
  std::vector<Edge> tree_edge;       ///< by vertex: the BFS tree edge into it (unset for 0)
  std::vector<std::int64_t> dist;    ///< by vertex: steps from the initial state
};

/// Runs boost::breadth_first_search from vertex 0.
BfsTree bfs_tree(const ExploredGraph& g);

/// The edge ids of a shortest path from vertex 0 to `v`.
std::vector<std::uint32_t> path_to(const ExploredGraph& g, const BfsTree& t, Vertex v);

/// A shortest path ending in a transition after which one of opts.properties fails (the
/// lowest-indexed failing property is reported), or nullopt when none fails.
std::optional<Witness> shortest_violation(const ExploredGraph& g, const BfsTree& t,
                                          const ExploreOptions& opts);

}  // namespace kvcheck::explicit_state
