#pragma once
/// \file step_record.h
/// What happened in one engine iteration, as the concrete backends report it. The simulator's
/// metrics, the ITF writer, the property checks and the GPU replay all read this one record.
#include <cstdint>
#include <utility>
#include <vector>

namespace kvcheck {

/// The events of one iteration that a recorded trace keeps (counterexamples/trace.h's
/// StepState is this plus the state after the iteration): who arrived, was rejected, admitted,
/// preempted, evicted, completed; the batch; the nondeterministic picks; the pool's peak.
struct StepEvents {
  std::int64_t step = 0;
  std::vector<std::int32_t> arrived, rejected, admitted, preempted, evicted, completed;
  std::vector<std::pair<std::int32_t, std::int64_t>> batch;  ///< (request, tokens processed)
  std::vector<std::int64_t> picks;                           ///< nondeterministic inputs used
  std::int64_t demand_blocks = 0;   ///< KV blocks the policy's plan reserved (> pool: overflow)
  std::int64_t used_blocks = 0;     ///< KV blocks reserved during the iteration (its peak)
  std::int64_t used_tokens = 0;     ///< KV tokens reserved during the iteration
  bool overflow = false;            ///< the policy's plan exceeded the pool (engine evicted)
  /// vLLM V0's swap mode (models/policies/vllm_v0.h): requests swapped out to the CPU pool
  /// (in V0's `swapped_out` order) and swapped back in (in swapped-queue order).
  std::vector<std::int32_t> swapped_out, swapped_in;
  /// A swap out found too few free CPU blocks: V0 raises "Aborted due to the lack of CPU swap
  /// space" and the whole engine stops (the `swap_space` property fails).
  bool swap_abort = false;
  std::int64_t cpu_used_blocks = 0;  ///< CPU swap blocks held after the iteration
  bool operator==(const StepEvents&) const = default;
};

/// Everything the engine reports of one iteration: its events, its timing and token counts.
struct StepRecord : StepEvents {
  double start_time = 0.0;  ///< seconds (== step for the unit time model)
  double duration = 0.0;    ///< seconds; 0 for an empty batch
  std::int64_t prefill_tokens = 0;  ///< prompt tokens processed
  std::int64_t decode_tokens = 0;   ///< decode tokens processed
  std::int64_t kv_tokens = 0;       ///< sum over the batch of its requests' KV tokens (P2's Eq. 1)
  std::int64_t waiting_after = 0, running_after = 0, done_after = 0, swapped_after = 0;

  void clear() {
    arrived.clear(); rejected.clear(); admitted.clear(); preempted.clear(); evicted.clear();
    completed.clear(); batch.clear(); picks.clear(); swapped_out.clear(); swapped_in.clear();
    demand_blocks = used_blocks = used_tokens = prefill_tokens = decode_tokens = kv_tokens = 0;
    cpu_used_blocks = 0;
    overflow = swap_abort = false;
    duration = 0.0;
  }
  bool empty_batch() const { return batch.empty(); }
};

}  // namespace kvcheck
