#pragma once
/// \file state_store.h
/// The explorer's visited set: encoded states (state_codec.h) in an open-addressing hash table,
/// numbered in insertion order (breadth-first discovery order). Two storage modes:
/// - Exact: every state's bytes are kept in one arena and compared on a hash match. Complete.
/// - HashCompaction: only a 64-bit fingerprint per state is kept (Holzmann's hash compaction);
///   two distinct states with the same fingerprint are taken for one, so the search may miss
///   states and a result without a violation is not a proof. The caller must say so.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace kvcheck::explicit_state {

enum class StateStorage { Exact, HashCompaction };

/// A 64-bit hash of a byte string, never 0 (0 marks an empty slot).
std::uint64_t state_fingerprint(std::span<const std::uint8_t> bytes);

class StateStore {
 public:
  explicit StateStore(StateStorage mode);

  /// Adds `bytes` unless an equal state (Exact) or an equal fingerprint (HashCompaction) is
  /// present; true when it was added, with id size() - 1.
  bool insert(std::span<const std::uint8_t> bytes);
  /// Whether insert(bytes) would find it present.
  bool contains(std::span<const std::uint8_t> bytes) const;
  std::size_t size() const { return count_; }
  /// Exact mode: the bytes of state `id`.
  std::span<const std::uint8_t> bytes(std::size_t id) const;
  /// Bytes this store holds (arena, offsets, table), capacity included.
  std::size_t memory_bytes() const;

 private:
  bool equal(std::size_t id, std::span<const std::uint8_t> b) const;
  /// The slot holding `b`, or the empty slot where it would go; `found` says which.
  std::size_t find(std::span<const std::uint8_t> b, std::uint64_t h, bool& found) const;
  std::uint64_t tag_of(std::uint64_t h) const;
  void grow();
  std::size_t slot_of(std::uint64_t h) const { return static_cast<std::size_t>(h) & (table_.size() - 1); }

  StateStorage mode_;
  std::size_t count_ = 0;
  /// Exact: (hash's high 32 bits << 32) | (id + 1); HashCompaction: the fingerprint. 0 = empty.
  std::vector<std::uint64_t> table_;
  std::vector<std::uint8_t> arena_;      ///< Exact: the states' bytes, back to back
  std::vector<std::uint64_t> offsets_;   ///< Exact: state i is arena_[offsets_[i], offsets_[i+1])
};

}  // namespace kvcheck::explicit_state
