#pragma once
/// \file p4_policies.h
/// Li, Dai, Peng (arXiv 2504.07347) section 4.3's four stylized policies. Every arrival joins
/// the pool; they differ only in batch composition under the token budget b_max
/// (engine.max_batched_tokens) and request cap k_max (policy.max_batch_seqs). Orca and
/// Sarathi-Serve are work-conserving, hence throughput-optimal (Theorem 2); FasterTransformer
/// and vanilla vLLM are not and can be unstable at loads the hardware can carry.
#include <algorithm>
#include <cstdint>

#include "models/policies/batch_composition.h"
#include "models/policy_traits.h"

namespace kvcheck {

/// Sarathi-Serve: one decode token per decoding request, then prefill chunks FCFS.
template <class PV>
void sarathi_step(PV& v) {
  using D = typename PV::Domain;
  auto b = blocks::batch_budget(v);
  blocks::decode_fcfs(v, D::truth(true), b);
  blocks::prefill_fcfs(v, D::truth(true), b, true);
}

/// Orca: prefill tokens FCFS (chunked) first, then one decode token per decoding request.
template <class PV>
void orca_step(PV& v) {
  using D = typename PV::Domain;
  auto b = blocks::batch_budget(v);
  const auto decoding = blocks::any_decoding(v);  // decided before this batch's prefills
  blocks::prefill_fcfs(v, D::truth(true), b, true);
  blocks::decode_fcfs(v, decoding, b);
}

/// FasterTransformer (stylized): while anyone decodes, a decode-only batch; otherwise a
/// prefill-only batch of whole prompts.
template <class PV>
void faster_transformer_step(PV& v) {
  auto b = blocks::batch_budget(v);
  const auto decoding = blocks::any_decoding(v);
  blocks::decode_fcfs(v, decoding, b);
  blocks::prefill_fcfs(v, !decoding, b, false);
}

/// Vanilla vLLM (stylized): while a prefill is pending, a prefill-only batch of whole prompts
/// (head-of-line); otherwise a decode-only batch.
template <class PV>
void vanilla_vllm_step(PV& v) {
  auto b = blocks::batch_budget(v);
  const auto pending = blocks::prefill_pending(v);
  blocks::prefill_fcfs(v, pending, b, false);
  blocks::decode_fcfs(v, !pending, b);
}

/// Sarathi-Serve with static class priorities (P4 section 5.4's agent network, papers.md 4.4
/// item 3): the classes are priority levels, class 0 first. Class-major: each level's decode
/// tokens, then its prefill chunks (FCFS within the level), before the next level gets any of
/// the budget. With one class it is sarathi_step. Like vllm_priority, a request's priority is
/// its class, which the workload states (not its output length).
template <class PV>
void sarathi_priority_step(PV& v) {
  using D = typename PV::Domain;
  auto b = blocks::batch_budget(v);
  const auto levels = static_cast<std::int64_t>(v.params().classes.size());
  for (std::int64_t c = 0; c < std::max<std::int64_t>(levels, 1); ++c) {
    const auto at_level = [&v, c](typename PV::Ref r) { return v.klass(r) == D::lit(c); };
    blocks::decode_fcfs(v, D::truth(true), b, at_level);
    blocks::prefill_fcfs(v, D::truth(true), b, true, at_level);
  }
}

// Steady skip: decode-first: all R decoders fit b_max and k_max; a waiting request is
// admitted unless the decoders used the whole budget or k_max, which stays so while R is
// constant.
inline constexpr PolicyTraits sarathi_traits{
    .source = "Li, Dai, Peng §4.3",
    .summary = "decode-first, mixed, chunked: work-conserving",
    .needs_classes = false,
    .steady_skip = true};

// No steady skip: a steady run of one level may leave budget that a lower level's waiting
// request would take at the next level boundary; not argued, so not skipped.
inline constexpr PolicyTraits sarathi_priority_traits{
    .source = "Li, Dai, Peng §5.4",
    .summary = "Sarathi with static class priorities, class-major (agent networks)",
    .needs_classes = true,
    .steady_skip = false};

// Steady skip: prefill-first: a steady step admitted nobody, so the queue is empty (or the
// budgets are 0).
inline constexpr PolicyTraits orca_traits{
    .source = "Li, Dai, Peng §4.3",
    .summary = "prefill-first, mixed, chunked: work-conserving",
    .needs_classes = false,
    .steady_skip = true};

// Steady skip: decode-only batches while anyone decodes: in a steady run everyone decodes
// throughout.
inline constexpr PolicyTraits faster_transformer_traits{
    .source = "Li, Dai, Peng §4.3",
    .summary = "decode-first, no mixing, whole prefills: not work-conserving",
    .needs_classes = false,
    .steady_skip = true};

// Steady skip: decode-only batches only when no prefill is pending: the queue is empty
// throughout.
inline constexpr PolicyTraits vanilla_vllm_traits{
    .source = "Li, Dai, Peng §4.3",
    .summary = "prefill-first, no mixing, whole prefills: not work-conserving",
    .needs_classes = false,
    .steady_skip = true};

}  // namespace kvcheck
