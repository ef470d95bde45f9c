#pragma once
/// \file explicit_state.h
/// The explorer's canonical state: the resident requests of a ConcreteView, re-indexed by queue
/// order (waiting), admission order (running) and swap-out order (vLLM V0's swapped queue),
/// plus the number of arrivals so far when the bounded mode caps them. Request identities and
/// the clock are not part of the state, so equal engine configurations reached by different
/// histories are one vertex. The CPU swap pool's usage is not stored: it is the sum of the
/// swapped residents' blocks (ConcreteView::restore recomputes it), as the GPU pool's usage is
/// the sum of the waiting and running residents' blocks.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace kvcheck::explicit_state {

/// One resident request: its shape and its engine progress.
struct ResidentRequest {
  std::int64_t prompt = 1, output = 1, klass = 0;
  std::int64_t computed = 0, generated = 0, blocks = 0, tokens = 0;
  /// Rank in arrival order among the residents (0 = oldest), kept only for a policy that orders
  /// by arrival (PolicyTraits::orders_by_arrival); 0 otherwise, so such states stay merged.
  std::int64_t arrival = 0;
  bool operator==(const ResidentRequest&) const = default;
};

struct ExplicitState {
  std::vector<ResidentRequest> waiting;  ///< queue order, 0 = head (empty in saturated mode)
  std::vector<ResidentRequest> running;  ///< admission order, 0 = oldest
  /// vLLM V0's swapped queue (preemption_mode = "swap"), swap-out order, 0 = head (swapped in
  /// first); each holds its progress and, in `blocks`, its blocks in the CPU pool. Empty in
  /// every other configuration.
  std::vector<ResidentRequest> swapped;
  std::int64_t arrived = 0;              ///< arrivals so far (bounded mode with max_requests)
  bool operator==(const ExplicitState&) const = default;
};

/// FNV-1a style hash over every field; the swapped queue is mixed in only when it is non-empty,
/// so a swap-free state hashes as before.
struct ExplicitStateHash {
  std::size_t operator()(const ExplicitState& s) const {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    const auto mix = [&h](std::int64_t v) {
      h ^= static_cast<std::uint64_t>(v);
      h *= 0x100000001b3ULL;
    };
    const auto mix_req = [&mix](const ResidentRequest& r) {
      mix(r.prompt); mix(r.output); mix(r.klass); mix(r.computed);
      mix(r.generated); mix(r.blocks); mix(r.tokens);
      if (r.arrival != 0) mix(r.arrival);  // the hash of a state without arrival order as before
    };
    mix(s.arrived);
    mix(static_cast<std::int64_t>(s.waiting.size()));
    for (const auto& r : s.waiting) mix_req(r);
    mix(static_cast<std::int64_t>(s.running.size()));
    for (const auto& r : s.running) mix_req(r);
    if (!s.swapped.empty()) {
      mix(static_cast<std::int64_t>(s.swapped.size()));
      for (const auto& r : s.swapped) mix_req(r);
    }
    return static_cast<std::size_t>(h);
  }
};

}  // namespace kvcheck::explicit_state
