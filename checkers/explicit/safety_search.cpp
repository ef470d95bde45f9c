#include "checkers/explicit/safety_search.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "checkers/explicit/state_codec.h"

namespace kvcheck::explicit_state {
namespace {

/// The states whose bytes the search still needs. Exact: the store's arena holds every state.
/// HashCompaction: only the layer being expanded and the one being discovered are kept.
class Frontier {
 public:
  Frontier(const StateStore& store, StateStorage mode) : store_(store), mode_(mode) {}
  void add(std::span<const std::uint8_t> b) {
    if (mode_ == StateStorage::Exact) return;
    next_.insert(next_.end(), b.begin(), b.end());
    next_off_.push_back(next_.size());
  }
  /// Starts the next layer: states [first, first + count) are expanded next.
  void advance(std::size_t first) {
    first_ = first;
    if (mode_ == StateStorage::Exact) return;
    cur_.swap(next_);
    cur_off_.swap(next_off_);
    next_.clear();
    next_off_.assign(1, 0);
  }
  std::span<const std::uint8_t> bytes(std::size_t id) const {
    if (mode_ == StateStorage::Exact) return store_.bytes(id);
    const auto k = id - first_;
    return {cur_.data() + cur_off_[k], static_cast<std::size_t>(cur_off_[k + 1] - cur_off_[k])};
  }
  std::size_t memory_bytes() const {
    return cur_.capacity() + next_.capacity() +
           (cur_off_.capacity() + next_off_.capacity()) * sizeof(std::uint64_t);
  }

 private:
  const StateStore& store_;
  StateStorage mode_;
  std::size_t first_ = 0;
  std::vector<std::uint8_t> cur_, next_;
  std::vector<std::uint64_t> cur_off_, next_off_{0};  // cur_off_ comes from next_off_
};

std::vector<std::uint32_t> ordinals_to(const std::vector<std::uint32_t>& parent,
                                       const std::vector<std::uint32_t>& via, std::size_t u) {
  std::vector<std::uint32_t> out;
  for (; u != 0; u = parent[u]) out.push_back(via[u]);
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

SafetySearch safety_search(const SuccessorGenerator& gen, const ExploreOptions& opts) {
  SafetySearch r;
  r.storage = opts.storage;
  StateStore store(opts.storage);
  Frontier frontier(store, opts.storage);
  std::vector<std::uint32_t> parent{0}, via{0};
  const StateCodec codec(resident_shapes(opts), gen.keeps_arrival_order());
  std::vector<std::uint8_t> buf;
  codec.encode(gen.initial(), buf);
  store.insert(buf);
  frontier.add(buf);
  bool full = false;
  for (std::size_t first = 0, end = 1; first < end && !r.violation && !full;
       first = end, end = store.size()) {
    frontier.advance(first);
    ++r.layers;
    for (std::size_t u = first; u < end && !r.violation && !full; ++u) {
      std::uint32_t k = 0;
      // Once the search is over, the remaining transitions of u are only counted.
      gen.visit(codec.decode(frontier.bytes(u)), ExpandDetail::NextAndVerdict,
                [&](const Transition& t) {
                  ++r.transitions;
                  const auto ordinal = k++;
                  if (r.violation || full) return;
                  r.window_exhausted = r.window_exhausted || t.window_exhausted;
                  if (t.violated != 0) {
                    r.violation = ordinals_to(parent, via, u);
                    r.violation->push_back(ordinal);
                    return;
                  }
                  buf.clear();
                  codec.encode(t.next, buf);
                  // At the limit only a state not seen yet ends the search (as build_graph).
                  if (store.size() >= static_cast<std::size_t>(opts.max_states)) {
                    full = !store.contains(buf);
                    return;
                  }
                  if (!store.insert(buf)) return;
                  frontier.add(buf);
                  parent.push_back(static_cast<std::uint32_t>(u));
                  via.push_back(ordinal);
                });
    }
  }
  r.states = static_cast<std::int64_t>(store.size());
  r.exhausted = !r.violation && !full;
  r.memory_bytes = store.memory_bytes() + frontier.memory_bytes() +
                   (parent.capacity() + via.capacity()) * sizeof(std::uint32_t);
  return r;
}

ExploredGraph path_graph(const SuccessorGenerator& gen, const std::vector<std::uint32_t>& ordinals) {
  ExploredGraph g;
  g.states.push_back(gen.initial());
  boost::add_vertex(g.g);
  std::vector<Transition> succ;
  for (const auto k : ordinals) {
    succ.clear();
    gen.expand(g.states.back(), succ);
    if (k >= succ.size()) throw std::logic_error("path_graph: no transition " + std::to_string(k));
    const auto u = boost::num_vertices(g.g) - 1;
    const auto v = boost::add_vertex(g.g);
    g.states.push_back(succ[k].next);
    add_transition(g, u, v, std::move(succ[k]));
  }
  g.complete = false;
  return g;
}

}  // namespace kvcheck::explicit_state
