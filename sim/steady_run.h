#pragma once
/// \file steady_run.h
/// What the event-skipping loop hands observers instead of one `on_step` per iteration: a run of
/// *steady* iterations (every running request decodes one token; nothing arrives, is admitted,
/// preempted, evicted, completed or rejected; no overflow). Per iteration only the values that
/// still change are listed; the rest are constant over the run and given once.
#include <cstdint>
#include <span>

namespace kvcheck {

/// One skipped iteration.
struct SteadyStep {
  std::int64_t step = 0;         ///< iteration index
  double start_time = 0.0;       ///< seconds, as StepRecord::start_time
  double duration = 0.0;         ///< seconds, as StepRecord::duration
  std::int64_t used_blocks = 0;  ///< KV blocks reserved during the iteration
  std::int64_t used_tokens = 0;  ///< KV tokens reserved during the iteration
  std::int64_t kv_tokens = 0;    ///< StepRecord::kv_tokens (KV tokens of the batch after it)
};

/// A run of consecutive steady iterations. Each has a batch of `running` requests with one
/// decode token each (decode_tokens == running, prefill_tokens == 0) and leaves `waiting`
/// requests queued and `done` completed.
struct SteadyRun {
  std::int64_t waiting = 0, running = 0, done = 0;
  std::span<const SteadyStep> steps;
};

}  // namespace kvcheck
