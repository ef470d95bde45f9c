#include "checkers/explicit/starvation.h"

#include <boost/graph/strong_components.hpp>
#include <deque>
#include <string>

namespace kvcheck::explicit_state {
namespace {

struct ProductEdge {
  std::uint32_t base = 0;  ///< the state-graph edge it follows
  bool capacity = false;   ///< the tracked request could have been admitted
};
using ProductGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS,
                                           boost::no_property, ProductEdge>;
using PVertex = boost::graph_traits<ProductGraph>::vertex_descriptor;

/// Vertex (v, p): state v with the tracked request at waiting position p.
struct Product {
  ProductGraph g;
  std::vector<std::size_t> offset;  ///< first product vertex of each state
  std::vector<Vertex> state_of;     ///< by product vertex
};

Product build_product(const ExploredGraph& g) {
  Product p;
  for (std::size_t v = 0; v < g.states.size(); ++v) {
    p.offset.push_back(p.state_of.size());
    for (std::size_t k = 0; k < g.states[v].waiting.size(); ++k) p.state_of.push_back(v);
  }
  // Grow in place: copy-assigning an adjacency_list trips GCC 12's -Wmaybe-uninitialized.
  for (std::size_t v = 0; v < p.state_of.size(); ++v) boost::add_vertex(p.g);
  for (std::uint32_t id = 0; id < g.edges.size(); ++id) {
    const auto& t = g.edges[id];
    for (std::size_t k = 0; k < t.waiting_next.size(); ++k) {
      if (t.waiting_next[k] < 0) continue;
      const auto from = p.offset[g.edge_source[id]] + k;
      const auto to = p.offset[g.edge_target[id]] + static_cast<std::size_t>(t.waiting_next[k]);
      boost::add_edge(from, to, ProductEdge{id, t.capacity[k]}, p.g);
    }
  }
  return p;
}

/// Base edge ids of a shortest product path from `from` to `to` within `from`'s component
/// (breadth-first); empty when they are the same vertex.
std::vector<std::uint32_t> path_within(const Product& p, const std::vector<int>& comp,
                                       PVertex from, PVertex to) {
  std::vector<long> via(boost::num_vertices(p.g), -1);
  std::vector<std::uint32_t> edge_in(boost::num_vertices(p.g));
  std::deque<PVertex> q{from};
  via[from] = static_cast<long>(from);
  while (!q.empty() && via[to] < 0) {
    const auto u = q.front();
    q.pop_front();
    for (auto [e, end] = boost::out_edges(u, p.g); e != end; ++e) {
      const auto w = boost::target(*e, p.g);
      if (via[w] >= 0 || comp[w] != comp[from]) continue;
      via[w] = static_cast<long>(u);
      edge_in[w] = p.g[*e].base;
      q.push_back(w);
    }
  }
  std::vector<std::uint32_t> out;
  for (auto v = to; v != from; v = static_cast<PVertex>(via[v])) out.push_back(edge_in[v]);
  return {out.rbegin(), out.rend()};
}

}  // namespace

SccCount count_sccs(const ExploredGraph& g) {
  std::vector<int> comp(boost::num_vertices(g.g));
  SccCount c;
  c.total = boost::strong_components(
      g.g, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, g.g)));
  std::vector<std::int64_t> size(static_cast<std::size_t>(c.total), 0);
  std::vector<bool> cyclic(static_cast<std::size_t>(c.total), false);
  for (auto x : comp) ++size[static_cast<std::size_t>(x)];
  for (std::uint32_t id = 0; id < g.edges.size(); ++id)
    if (comp[g.edge_source[id]] == comp[g.edge_target[id]])
      cyclic[static_cast<std::size_t>(comp[g.edge_source[id]])] = true;
  for (auto b : cyclic) c.nontrivial += b ? 1 : 0;
  return c;
}

std::optional<Witness> find_starvation(const ExploredGraph& g, const BfsTree& t) {
  const auto p = build_product(g);
  std::vector<int> comp(boost::num_vertices(p.g));
  boost::strong_components(
      p.g, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, p.g)));
  // Vertex by vertex over out-edges (boost::edges() trips GCC 12's -Wmaybe-uninitialized).
  for (std::size_t u = 0; u < boost::num_vertices(p.g); ++u) {
  for (auto [e, end] = boost::out_edges(u, p.g); e != end; ++e) {
    const auto w = boost::target(*e, p.g);
    if (!p.g[*e].capacity || comp[u] != comp[w]) continue;
    Witness wit;
    wit.edges = path_to(g, t, p.state_of[u]);
    wit.loop = wit.edges.size();
    wit.edges.push_back(p.g[*e].base);
    for (auto id : path_within(p, comp, w, u)) wit.edges.push_back(id);
    wit.property = "starvation";
    wit.kind = PropertyKind::Liveness;
    wit.detail = "the request at queue position " + std::to_string(u - p.offset[p.state_of[u]]) +
                 " waits forever on a " + std::to_string(wit.edges.size() - *wit.loop) +
                 "-step cycle although the pool has room for it";
    return wit;
  }
  }
  return std::nullopt;
}

}  // namespace kvcheck::explicit_state
