#pragma once
/// \file state_graph.h
/// The reachable state graph as a Boost.Graph adjacency_list: vertices are canonical states
/// (vertex 0 is the initial state, numbered in breadth-first discovery order), edges are
/// transitions, deduplicated through a hash map. Edge weights for the cycle-ratio analysis:
/// w1 = arrivals - completions (backlog change), w2 = 1 (one iteration).
#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <vector>

#include "checkers/explicit/successors.h"

namespace kvcheck::explicit_state {

struct EdgeProps {
  std::uint32_t id = 0;  ///< index into ExploredGraph::edges
  double w1 = 0.0;       ///< arrivals - completions
  double w2 = 1.0;       ///< iterations
};

using StateGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                          EdgeProps>;
using Vertex = boost::graph_traits<StateGraph>::vertex_descriptor;
using Edge = boost::graph_traits<StateGraph>::edge_descriptor;

struct ExploredGraph {
  StateGraph g;
  std::vector<ExplicitState> states;  ///< by vertex
  std::vector<Transition> edges;      ///< by EdgeProps::id (their `next` is cleared)
  std::vector<Vertex> edge_source, edge_target;  ///< by EdgeProps::id
  bool complete = true;               ///< false when max_states stopped the exploration
  double seconds = 0.0;               ///< wall time of the construction
};

/// Adds the edge u -> v carrying `t` (its id is the next index into g.edges, its weight w1 is
/// t's arrivals - completions); `t.next` is cleared (the target's state is g.states[v]).
void add_transition(ExploredGraph& g, Vertex u, Vertex v, Transition t);

/// Explores breadth-first from gen.initial(), at most `max_states` vertices.
ExploredGraph build_graph(const SuccessorGenerator& gen, std::int64_t max_states);

}  // namespace kvcheck::explicit_state
