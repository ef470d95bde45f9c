#pragma once
/// \file params.h
/// Configuration constants of one model instance: the engine (KV pool, budgets, accounting) and
/// the policy's parameters. Plain data; validation lives in io/config_loader.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "models/policies/registry.h"
#include "models/policy_traits.h"

namespace kvcheck {

inline constexpr std::int64_t kUnlimited = std::numeric_limits<std::int32_t>::max();

/// The scheduler policies kvcheck models, one enumerator per line of the registry
/// (models/policies/registry.h); each has exactly one definition in models/policies/, and its
/// traits (source, summary) say what it is: policy_traits(kind).
enum class PolicyKind {
#define KVCHECK_POLICY_ENUMERATOR(kind, name) kind,
  KVCHECK_POLICIES(KVCHECK_POLICY_ENUMERATOR)
#undef KVCHECK_POLICY_ENUMERATOR
};

/// Where a preempted / evicted request re-enters the waiting queue.
enum class Requeue { Front, Back };

/// How vLLM V0 preempts (`PreemptionMode`, vllm/core/scheduler.py): recompute (KV freed, the
/// request prefilled again) or swap (its KV blocks moved to a CPU pool, resumed later by a
/// swap in). Only `vllm_v0` reads it (models/policies/vllm_v0.h).
enum class PreemptionMode { Recompute, Swap };

/// Engine-level constants shared by every policy.
struct EngineParams {
  std::int64_t block_size = 1;   ///< tokens per KV block
  std::int64_t num_blocks = 0;   ///< KV pool size in blocks (capacity M = num_blocks * block_size)
  /// Extra KV slots a scheduled request reserves beyond its computed tokens. 0 = vLLM (the sampled
  /// token's KV is written next step); 1 = Dong & Cao's accounting l + g + 1.
  std::int64_t lookahead = 0;
  std::int64_t max_num_seqs = kUnlimited;        ///< cap on running requests
  std::int64_t max_batched_tokens = kUnlimited;  ///< token budget per iteration
  bool chunked_prefill = false;                  ///< split prompts across iterations
  Requeue requeue = Requeue::Front;              ///< where preempted/evicted requests go
  /// The papers' engines reject at arrival a request whose peak KV exceeds the pool
  /// (`unservable`, models/engine_rules.h). vLLM does not: it only rejects requests longer than
  /// `max_model_len`, and one that the usable pool cannot hold waits (or thrashes) for good.
  bool reject_unservable = true;
  /// vLLM: requests with prompt + output tokens above this are rejected at arrival (the API's
  /// "maximum context length" error). kUnlimited = no such limit (the papers' engines).
  std::int64_t max_model_len = kUnlimited;
  /// Recompute preemption keeps the sampled output (vLLM: `num_computed_tokens = 0`, the
  /// output tokens stay and are recomputed as part of a prefill of prompt + output so far).
  /// false = the papers' restart: progress and output are lost.
  bool recompute_keeps_output = false;
  /// vLLM's `long_prefill_token_threshold`: a prefill chunk is at most this many tokens
  /// (0 = no cap).
  std::int64_t long_prefill_token_threshold = 0;
  /// Blocks the engine reserves and never allocates (vLLM V1's `BlockPool.null_block`: 1).
  /// Informational: `num_blocks` above is already the usable pool (the config reader subtracts).
  std::int64_t null_blocks = 0;
  /// vLLM V0's CPU swap pool in blocks (`num_cpu_blocks` = swap_space bytes / KV block bytes,
  /// vllm/worker/worker.py `determine_num_available_blocks`). Read only with
  /// `[policy] preemption_mode = "swap"` (vllm_v0); 0 = no CPU pool.
  std::int64_t cpu_blocks = 0;
};

/// One request class (type): known prompt and output lengths, an arrival rate for generators and
/// the analysis, and Algorithm 1's activation budget.
struct ClassSpec {
  std::string name;
  std::int64_t prompt = 0;
  std::int64_t output = 0;
  double rate = 0.0;         ///< arrivals per step (or per second for timed workloads)
  std::int64_t budget = 0;   ///< P1 Algorithm 1 activation budget b_k
  std::int64_t threshold = 0;  ///< P2 WAIT threshold n_j (0: the type is never served)
  double abandon_rate = 0.0;   ///< P3 theta_i: abandonments per waiting request per second
};

/// Policy-specific knobs. Fields a policy does not use are ignored by it.
struct PolicyParams {
  PolicyKind kind = PolicyKind::VllmFcfs;
  std::int64_t watermark_blocks = 0;    ///< vLLM: blocks kept free when admitting
  /// vLLM V1 (PR #44594): the watermark applies only when something is already scheduled in
  /// the step (an idle engine always admits). false: every admission keeps it (V0-like).
  bool watermark_only_when_busy = false;
  /// Admission needs blocks for the request's whole current length (prompt + output so far;
  /// V1's `scheduler_reserve_full_isl`, default on since PR #37307), not just its first chunk.
  bool full_sequence_admission = false;
  bool admit_after_preempt = false;     ///< vLLM V1: no admissions in a step that preempted
  /// P2 WAIT: when no type is eligible, every type with a waiting prompt or a paused resident
  /// runs anyway, at most n_j per stage (the released code forces batches; here the timeout is
  /// zero idle iterations). false: strict Algorithm 1, which the proofs use.
  bool wait_force_when_idle = false;
  std::int64_t flow_budget_min = 0;     ///< P1 Algorithm 2: B_t ~ U{min..max}
  std::int64_t flow_budget_max = 0;
  std::int64_t max_batch_seqs = kUnlimited;  ///< P4's k_max: requests per batch
  /// vLLM V0 (`vllm_v0` only): `SchedulerConfig.preemption_mode`; Recompute is what V0 picks
  /// for single-sequence requests when the user forces no mode.
  PreemptionMode preemption_mode = PreemptionMode::Recompute;
  /// Mutation twins only (gate/mutation_twin.h): the policy's view of the pool is this many
  /// blocks larger than the pool the engine has, i.e. its free-block guard is broken. Never
  /// read from a config or a trace; 0 in every real model.
  std::int64_t pool_view_slack = 0;
};

/// The scalar parameters a proof may range over (`[prove]` ranges, checkers/z3/prove_ranges.h):
/// the policies and the engine step read them through the view (`v.knob(k)`, and the block
/// size and lookahead through PolicyView::blocks_for / blocks_after and the view's own
/// reservation), so a symbolic view can hand out a constrained constant where the concrete one
/// hands out the value. A ranged block size makes the reservation a division by a constant
/// (nonlinear for Z3). Everything else (chunking flags, max_model_len, ...) stays exact.
enum class Knob { NumBlocks, WatermarkBlocks, MaxNumSeqs, MaxBatchedTokens, BlockSize, Lookahead };
inline constexpr Knob kKnobs[] = {Knob::NumBlocks,        Knob::WatermarkBlocks,
                                  Knob::MaxNumSeqs,       Knob::MaxBatchedTokens,
                                  Knob::BlockSize,        Knob::Lookahead};
inline constexpr std::size_t kNumKnobs = std::size(kKnobs);

/// Everything that defines the transition system apart from the workload.
struct ModelParams {
  EngineParams engine;
  PolicyParams policy;
  std::vector<ClassSpec> classes;
};

/// Whether the engine swaps (vLLM V0's `preemption_mode = "swap"`): a swapped queue and a CPU
/// pool exist (models/view.h, SwapView).
inline bool swaps(const ModelParams& p) {
  return p.policy.preemption_mode == PreemptionMode::Swap;
}

/// The knob's value in `p`.
inline std::int64_t knob_value(const ModelParams& p, Knob k) {
  switch (k) {
    case Knob::NumBlocks: return p.engine.num_blocks;
    case Knob::WatermarkBlocks: return p.policy.watermark_blocks;
    case Knob::MaxNumSeqs: return p.engine.max_num_seqs;
    case Knob::MaxBatchedTokens: return p.engine.max_batched_tokens;
    case Knob::BlockSize: return p.engine.block_size;
    case Knob::Lookahead: return p.engine.lookahead;
  }
  return 0;
}
/// The knob's config key (`[engine] num_blocks` -> "num_blocks").
std::string_view knob_key(Knob k);

std::string_view to_string(PolicyKind k);
bool parse_policy_kind(std::string_view s, PolicyKind& out);
/// Every policy kvcheck models, in registry order.
std::vector<PolicyKind> all_policy_kinds();
/// The policy's traits (its header's `<name>_traits`).
const PolicyTraits& policy_traits(PolicyKind k);
std::string_view to_string(Requeue r);
std::string_view to_string(PreemptionMode m);

}  // namespace kvcheck
