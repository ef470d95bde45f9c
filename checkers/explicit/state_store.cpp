#include "checkers/explicit/state_store.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace kvcheck::explicit_state {
namespace {

constexpr std::size_t kInitialSlots = 1024;

std::uint64_t mix(std::uint64_t h) {  // murmur3's finaliser
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

std::uint64_t state_fingerprint(std::span<const std::uint8_t> bytes) {
  // one multiply per 8 bytes, murmur3's finaliser once at the end
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ (bytes.size() * 0xff51afd7ed558ccdULL);
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  h = mix(h ^ tail);
  return h == 0 ? 1 : h;
}

StateStore::StateStore(StateStorage mode) : mode_(mode), table_(kInitialSlots, 0) {
  if (mode_ == StateStorage::Exact) offsets_.push_back(0);
}

std::span<const std::uint8_t> StateStore::bytes(std::size_t id) const {
  if (mode_ != StateStorage::Exact || id >= count_)
    throw std::logic_error("StateStore::bytes: no bytes kept for this state");
  return {arena_.data() + offsets_[id], static_cast<std::size_t>(offsets_[id + 1] - offsets_[id])};
}

bool StateStore::equal(std::size_t id, std::span<const std::uint8_t> b) const {
  const auto have = bytes(id);
  return have.size() == b.size() && std::equal(have.begin(), have.end(), b.begin());
}

std::uint64_t StateStore::tag_of(std::uint64_t h) const {
  return mode_ == StateStorage::Exact ? (h >> 32) << 32 : h;
}

std::size_t StateStore::find(std::span<const std::uint8_t> b, std::uint64_t h, bool& found) const {
  const auto tag = tag_of(h);
  const bool exact = mode_ == StateStorage::Exact;
  for (auto s = slot_of(h);; s = (s + 1) & (table_.size() - 1)) {
    const auto v = table_[s];
    found = v != 0 && (exact ? (v >> 32) == (tag >> 32) && equal((v & 0xffffffffULL) - 1, b)
                             : v == tag);
    if (v == 0 || found) return s;
  }
}

bool StateStore::contains(std::span<const std::uint8_t> b) const {
  bool found = false;
  find(b, state_fingerprint(b), found);
  return found;
}

bool StateStore::insert(std::span<const std::uint8_t> b) {
  if (2 * (count_ + 1) > table_.size()) grow();
  const auto h = state_fingerprint(b);
  bool found = false;
  const auto s = find(b, h, found);
  if (found) return false;
  const bool exact = mode_ == StateStorage::Exact;
  table_[s] = exact ? tag_of(h) | (count_ + 1) : tag_of(h);
  ++count_;
  if (exact) {
    arena_.insert(arena_.end(), b.begin(), b.end());
    offsets_.push_back(arena_.size());
  }
  return true;
}

void StateStore::grow() {
  if (mode_ == StateStorage::Exact && count_ >= 0xffffffffULL)
    throw std::length_error("StateStore: more than 2^32 - 1 states");
  std::vector<std::uint64_t> old(table_.size() * 2, 0);
  old.swap(table_);
  for (const auto v : old) {
    if (v == 0) continue;
    const auto h = mode_ == StateStorage::Exact ? state_fingerprint(bytes((v & 0xffffffffULL) - 1)) : v;
    auto s = slot_of(h);
    while (table_[s] != 0) s = (s + 1) & (table_.size() - 1);
    table_[s] = v;
  }
}

std::size_t StateStore::memory_bytes() const {
  return table_.capacity() * sizeof(std::uint64_t) + arena_.capacity() +
         offsets_.capacity() * sizeof(std::uint64_t);
}

}  // namespace kvcheck::explicit_state
