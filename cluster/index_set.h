#pragma once
/// \file index_set.h
/// A set of GPU indices with O(1) insert, erase, membership and uniform pick: the simulator's
/// free decode slots and idle prefill slots, so that an event costs what it touches, not n.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cluster/rng.h"

namespace kvcheck::cluster {

class IndexSet {
 public:
  explicit IndexSet(std::size_t n) : pos_(n, -1) {}
  bool contains(std::size_t g) const { return pos_[g] >= 0; }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  void insert(std::size_t g) {
    if (contains(g)) return;
    pos_[g] = static_cast<std::int64_t>(items_.size());
    items_.push_back(g);
  }
  void erase(std::size_t g) {
    if (!contains(g)) return;
    const auto p = static_cast<std::size_t>(pos_[g]);
    items_[p] = items_.back();
    pos_[items_[p]] = static_cast<std::int64_t>(p);
    items_.pop_back();
    pos_[g] = -1;
  }
  void set(std::size_t g, bool member) { member ? insert(g) : erase(g); }
  std::size_t pick(Rng& rng) const { return items_[rng.below(items_.size())]; }
  std::size_t back() const { return items_.back(); }

 private:
  std::vector<std::int64_t> pos_;
  std::vector<std::size_t> items_;
};

}  // namespace kvcheck::cluster
