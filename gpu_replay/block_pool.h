#pragma once
/// \file block_pool.h
/// Host-side KV block accounting shared by every backend (engines.md 3.1): exactly
/// `num_blocks` block ids, a FIFO free list, reference counts and counters. Running out of
/// blocks is a refused allocation (counted), never undefined behaviour.
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

namespace kvcheck::engine {

struct PoolCounters {
  std::int64_t allocs = 0;         ///< blocks handed out
  std::int64_t frees = 0;          ///< blocks returned to the free list
  std::int64_t peak_used = 0;      ///< most blocks in use at once
  std::int64_t failed_allocs = 0;  ///< allocation requests refused for lack of blocks
};

class BlockPool {
 public:
  explicit BlockPool(std::int32_t num_blocks);

  std::int32_t num_blocks() const { return num_blocks_; }
  std::int64_t num_free() const { return static_cast<std::int64_t>(free_.size()); }
  std::int64_t num_used() const { return num_blocks_ - num_free(); }
  bool can_allocate(std::int64_t n) const { return n >= 0 && n <= num_free(); }

  /// Appends `n` fresh blocks (ref count 1) to `table`, all or nothing. Returns false, leaves
  /// `table` unchanged and counts a failed allocation when fewer than `n` are free.
  bool allocate(std::int64_t n, std::vector<std::int32_t>& table);
  /// Adds a reference to an allocated block (prefix sharing / fork).
  void add_ref(std::int32_t block);
  /// Drops one reference from each block, last block first; blocks reaching 0 return to the
  /// free list in that order. Appends the ids that became free to `freed` when non-null.
  /// Throws std::logic_error on a block that is not allocated (a double free).
  void free(std::span<const std::int32_t> blocks, std::vector<std::int32_t>* freed = nullptr);

  std::int32_t ref_count(std::int32_t block) const;
  const PoolCounters& counters() const { return counters_; }
  /// True when every block is free with ref count 0 and allocs == frees (nothing leaked).
  bool leak_free() const;

 private:
  std::int32_t num_blocks_;
  std::deque<std::int32_t> free_;
  std::vector<std::int32_t> refs_;
  PoolCounters counters_;
};

}  // namespace kvcheck::engine
