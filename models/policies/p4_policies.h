#pragma once
/// \file p4_policies.h
/// Li, Dai, Peng (arXiv 2504.07347) section 4.3's four stylized policies. Every arrival joins
/// the pool; they differ only in batch composition under the token budget b_max
/// (engine.max_batched_tokens) and request cap k_max (policy.max_batch_seqs). Orca and
/// Sarathi-Serve are work-conserving, hence throughput-optimal (Theorem 2); FasterTransformer
/// and vanilla vLLM are not and can be unstable at loads the hardware can carry.
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

// Steady skip: decode-first: all R decoders fit b_max and k_max; a waiting request is
// admitted unless the decoders used the whole budget or k_max, which stays so while R is
// constant.
inline constexpr PolicyTraits sarathi_traits{
    .source = "Li, Dai, Peng §4.3",
    .summary = "decode-first, mixed, chunked: work-conserving",
    .needs_classes = false,
    .steady_skip = true};

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
