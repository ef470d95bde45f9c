#pragma once
/// \file vllm_fcfs.h
/// vLLM V1-style FCFS (`vllm/v1/core/sched/scheduler.py`, papers.md 5.2): running requests
/// first, oldest first, under one token budget (chunked prefill optional); LIFO recompute
/// preemption when a running request cannot grow; waiting requests are admitted FCFS with
/// head-of-line blocking, keeping `watermark_blocks` free, and only if nothing was preempted in
/// this iteration (unless `admit_after_preempt`).
#include "models/policies/building_blocks.h"
#include "models/policy_traits.h"

namespace kvcheck {

template <class PV>
void vllm_fcfs_step(PV& v) {
  blocks::vllm_v1_step(
      v, [](PV& pv, auto& budget) { return blocks::serve_running_lifo(pv, budget); },
      [](PV& pv, auto allowed, auto& budget, auto watermark) {
        blocks::admit_fcfs(pv, allowed, budget, watermark);
      });
}

// Steady skip: running requests decode first (budget and running count constant in a steady
// run); the queue head is blocked by the token budget or max_num_seqs (constant) or by free
// blocks (only shrink while everyone grows), so it stays blocked until an event.
inline constexpr PolicyTraits vllm_fcfs_traits{
    .source = "vLLM V1 scheduler (papers.md 5.2)",
    .summary = "running first, LIFO recompute, no admission after a preemption, watermark, chunked prefill",
    .needs_classes = false,
    .steady_skip = true};

}  // namespace kvcheck
