#include "checkers/explicit/shortest_counterexample.h"

#include <algorithm>
#include <bit>
#include <boost/graph/breadth_first_search.hpp>
#include <string>

namespace kvcheck::explicit_state {

BfsTree bfs_tree(const ExploredGraph& g) {
  BfsTree t;
  const auto n = boost::num_vertices(g.g);
  t.tree_edge.resize(n);
  t.dist.assign(n, -1);
  if (n == 0) return t;
  t.dist[0] = 0;
  auto index = boost::get(boost::vertex_index, g.g);
  auto pe = boost::make_iterator_property_map(t.tree_edge.begin(), index);
  auto pd = boost::make_iterator_property_map(t.dist.begin(), index);
  boost::breadth_first_search(
      g.g, Vertex{0},
      boost::visitor(boost::make_bfs_visitor(
          std::make_pair(boost::record_edge_predecessors(pe, boost::on_tree_edge()),
                         boost::record_distances(pd, boost::on_tree_edge())))));
  return t;
}

std::vector<std::uint32_t> path_to(const ExploredGraph& g, const BfsTree& t, Vertex v) {
  std::vector<std::uint32_t> out;
  while (v != 0) {
    const auto e = t.tree_edge[v];
    out.push_back(g.g[e].id);
    v = boost::source(e, g.g);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::optional<Witness> shortest_violation(const ExploredGraph& g, const BfsTree& t,
                                          const ExploreOptions& opts) {
  std::optional<std::uint32_t> best;
  for (std::uint32_t id = 0; id < g.edges.size(); ++id) {
    if (g.edges[id].violated == 0) continue;
    const auto d = t.dist[g.edge_source[id]];
    if (d < 0) continue;
    if (!best || d < t.dist[g.edge_source[*best]]) best = id;
  }
  if (!best) return std::nullopt;
  Witness w;
  w.edges = path_to(g, t, g.edge_source[*best]);
  w.edges.push_back(*best);
  const auto bit = static_cast<std::size_t>(std::countr_zero(g.edges[*best].violated));
  const auto& pi = info(opts.properties[bit]);
  w.property = std::string(pi.name);
  w.kind = pi.kind;
  w.detail = w.property + " fails after step " + std::to_string(w.edges.size() - 1) +
             " (shortest: " + std::to_string(w.edges.size()) + " steps)";
  return w;
}

}  // namespace kvcheck::explicit_state
