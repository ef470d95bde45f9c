#include "checkers/explicit/instability.h"

#include <boost/graph/howard_cycle_ratio.hpp>
#include <boost/graph/strong_components.hpp>
#include <fmt/format.h>
#include <map>

namespace kvcheck::explicit_state {
namespace {

constexpr double kEps = 1e-9;

struct SubEdge {
  std::uint32_t base = 0;
  double w1 = 0.0, w2 = 1.0;
};
using SubGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS,
                                       boost::no_property, SubEdge>;

/// One component's internal edges as its own graph (every vertex keeps an out-edge).
SubGraph component_graph(const ExploredGraph& g, const std::vector<int>& comp, int c,
                         std::vector<Vertex>& local_to_global) {
  std::map<Vertex, std::size_t> local;
  for (std::size_t v = 0; v < comp.size(); ++v)
    if (comp[v] == c) {
      local.emplace(v, local_to_global.size());
      local_to_global.push_back(v);
    }
  SubGraph s(local_to_global.size());
  for (std::uint32_t id = 0; id < g.edges.size(); ++id) {
    const auto u = g.edge_source[id], w = g.edge_target[id];
    if (comp[u] != c || comp[w] != c) continue;
    boost::add_edge(local.at(u), local.at(w),
                    SubEdge{id, static_cast<double>(g.edges[id].arrival_count -
                                                    g.edges[id].completions), 1.0},
                    s);
  }
  return s;
}

/// The critical cycle's base edge ids, ordered so that each edge starts where the last ended.
std::vector<std::uint32_t> ordered_cycle(const SubGraph& s,
                                         const std::vector<boost::graph_traits<SubGraph>::edge_descriptor>& cc) {
  std::map<std::size_t, std::size_t> by_source;
  for (std::size_t i = 0; i < cc.size(); ++i) by_source[boost::source(cc[i], s)] = i;
  std::vector<std::uint32_t> out;
  auto v = boost::source(cc.front(), s);
  for (std::size_t n = 0; n < cc.size(); ++n) {
    const auto& e = cc[by_source.at(v)];
    out.push_back(s[e].base);
    v = boost::target(e, s);
  }
  return out;
}

}  // namespace

CycleRatioResult find_instability(const ExploredGraph& g, const BfsTree& t) {
  CycleRatioResult r;
  std::vector<int> comp(boost::num_vertices(g.g));
  const int n = boost::strong_components(
      g.g, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, g.g)));
  std::vector<bool> cyclic(static_cast<std::size_t>(n), false);
  for (std::uint32_t id = 0; id < g.edges.size(); ++id)
    if (comp[g.edge_source[id]] == comp[g.edge_target[id]])
      cyclic[static_cast<std::size_t>(comp[g.edge_source[id]])] = true;
  for (int c = 0; c < n; ++c) {
    if (!cyclic[static_cast<std::size_t>(c)]) continue;
    std::vector<Vertex> to_global;
    const auto s = component_graph(g, comp, c, to_global);
    std::vector<boost::graph_traits<SubGraph>::edge_descriptor> cc;
    const double ratio = boost::maximum_cycle_ratio(s, boost::get(boost::vertex_index, s),
                                                    boost::get(&SubEdge::w1, s),
                                                    boost::get(&SubEdge::w2, s), &cc);
    if (ratio <= r.max_ratio || cc.empty()) continue;
    r.max_ratio = ratio;
    if (ratio <= kEps) continue;
    const auto cycle = ordered_cycle(s, cc);
    Witness w;
    w.edges = path_to(g, t, g.edge_source[cycle.front()]);
    w.loop = w.edges.size();
    w.edges.insert(w.edges.end(), cycle.begin(), cycle.end());
    w.property = "instability";
    w.kind = PropertyKind::Liveness;
    w.detail = fmt::format("backlog grows by {:+.3f} requests per iteration on a {}-step cycle",
                           ratio, cycle.size());
    r.witness = std::move(w);
  }
  return r;
}

}  // namespace kvcheck::explicit_state
