#include "checkers/explicit/state_graph.h"

#include <chrono>
#include <unordered_map>

namespace kvcheck::explicit_state {

void add_transition(ExploredGraph& g, Vertex u, Vertex v, Transition t) {
  EdgeProps p;
  p.id = static_cast<std::uint32_t>(g.edges.size());
  p.w1 = static_cast<double>(t.arrival_count - t.completions);
  boost::add_edge(u, v, p, g.g);
  g.edge_source.push_back(u);
  g.edge_target.push_back(v);
  t.next = {};
  g.edges.push_back(std::move(t));
}

ExploredGraph build_graph(const SuccessorGenerator& gen, std::int64_t max_states) {
  const auto t0 = std::chrono::steady_clock::now();
  ExploredGraph out;
  std::unordered_map<ExplicitState, Vertex, ExplicitStateHash> index;
  out.states.push_back(gen.initial());
  index.emplace(out.states.front(), boost::add_vertex(out.g));
  std::vector<Transition> succ;
  for (std::size_t u = 0; u < out.states.size() && out.complete; ++u) {
    succ.clear();
    gen.expand(out.states[u], succ);
    for (auto& t : succ) {
      auto it = index.find(t.next);
      if (it == index.end()) {
        if (static_cast<std::int64_t>(out.states.size()) >= max_states) {
          out.complete = false;
          break;
        }
        it = index.emplace(t.next, boost::add_vertex(out.g)).first;
        out.states.push_back(t.next);
      }
      add_transition(out, u, it->second, std::move(t));
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace kvcheck::explicit_state
