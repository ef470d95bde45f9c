#include "gpu_replay/block_pool.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace kvcheck::engine {

BlockPool::BlockPool(std::int32_t num_blocks)
    : num_blocks_(num_blocks), refs_(static_cast<std::size_t>(std::max(num_blocks, 0)), 0) {
  if (num_blocks < 0) throw std::invalid_argument("BlockPool: negative num_blocks");
  for (std::int32_t b = 0; b < num_blocks; ++b) free_.push_back(b);
}

bool BlockPool::allocate(std::int64_t n, std::vector<std::int32_t>& table) {
  if (!can_allocate(n)) {
    ++counters_.failed_allocs;
    return false;
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const auto b = free_.front();
    free_.pop_front();
    refs_[static_cast<std::size_t>(b)] = 1;
    table.push_back(b);
  }
  counters_.allocs += n;
  counters_.peak_used = std::max(counters_.peak_used, num_used());
  return true;
}

void BlockPool::add_ref(std::int32_t block) {
  auto& r = refs_.at(static_cast<std::size_t>(block));
  if (r <= 0) throw std::logic_error("BlockPool::add_ref: block " + std::to_string(block) + " is free");
  ++r;
}

void BlockPool::free(std::span<const std::int32_t> blocks, std::vector<std::int32_t>* freed) {
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
    auto& r = refs_.at(static_cast<std::size_t>(*it));
    if (r <= 0) throw std::logic_error("BlockPool::free: block " + std::to_string(*it) + " is already free");
    if (--r == 0) {
      free_.push_back(*it);
      ++counters_.frees;
      if (freed) freed->push_back(*it);
    }
  }
}

std::int32_t BlockPool::ref_count(std::int32_t block) const {
  return refs_.at(static_cast<std::size_t>(block));
}

bool BlockPool::leak_free() const {
  return num_free() == num_blocks_ && counters_.allocs == counters_.frees &&
         std::all_of(refs_.begin(), refs_.end(), [](std::int32_t r) { return r == 0; });
}

}  // namespace kvcheck::engine
