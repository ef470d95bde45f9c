#pragma once
/// \file random_model.h
/// Random small engine models for the differential tests (the symbolic unrolling against the
/// concrete engine: differential_test.cpp from the empty engine, prefix_bmc_test.cpp from a
/// simulated prefix), stated once.
#include <cstdint>
#include <random>
#include <string>

#include "models/params.h"

namespace kvcheck::test {

/// A random small model for `kind`: small pool (min_blocks..10 blocks), block size, budgets; two
/// classes. With
/// `vllm_rules`, also the vLLM V1 rules of docs/vllm.md at random (recompute keeping the
/// output, full-sequence admission, the V1 watermark, the long-prefill cap, max_model_len
/// instead of the papers' rejection).
inline ModelParams random_params(PolicyKind kind, std::mt19937_64& rng, bool vllm_rules = false,
                                 std::int64_t min_blocks = 3) {
  const auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  ModelParams p;
  p.policy.kind = kind;
  p.engine.block_size = pick(1, 2);
  p.engine.num_blocks = pick(min_blocks, 10);
  p.engine.lookahead = pick(0, 1);
  p.engine.chunked_prefill = pick(0, 1) == 1;
  p.engine.max_batched_tokens = pick(0, 1) == 1 ? kUnlimited : pick(2, 8);
  p.engine.max_num_seqs = pick(0, 1) == 1 ? kUnlimited : pick(1, 4);
  p.engine.requeue = pick(0, 1) == 1 ? Requeue::Front : Requeue::Back;
  p.policy.watermark_blocks = pick(0, 1);
  p.policy.admit_after_preempt = pick(0, 1) == 1;
  p.policy.flow_budget_min = pick(0, 2);
  p.policy.flow_budget_max = p.policy.flow_budget_min + pick(0, 2);
  p.policy.max_batch_seqs = pick(0, 1) == 1 ? kUnlimited : pick(1, 4);
  for (int c = 0; c < 2; ++c)
    p.classes.push_back({std::string(c == 0 ? "c0" : "c1"), pick(1, 3), pick(1, 3), 1.0, pick(1, 2),
                         pick(1, 2)});
  if (!vllm_rules) return p;
  p.engine.recompute_keeps_output = pick(0, 3) > 0;
  p.engine.reject_unservable = pick(0, 1) == 1;
  p.engine.max_model_len = pick(0, 1) == 1 ? kUnlimited : pick(3, 8);
  p.engine.long_prefill_token_threshold = pick(0, 2);
  p.policy.full_sequence_admission = pick(0, 1) == 1;
  p.policy.watermark_only_when_busy = pick(0, 1) == 1;
  p.policy.watermark_blocks = pick(0, 2);
  p.policy.wait_force_when_idle = pick(0, 1) == 1;  // p2_wait's forced batches (issue 16)
  return p;
}

}  // namespace kvcheck::test
