#pragma once
/// \file engine_rules.h
/// Engine rules shared by every backend, written once over a domain D.
#include "models/params.h"

namespace kvcheck {

/// Blocks needed for `tokens` KV tokens with blocks of `block_size` tokens (a view's
/// `knob(Knob::BlockSize)`: the value, or a proof's ranged constant).
template <class D>
typename D::Int blocks_for(typename D::Int block_size, typename D::Int tokens) {
  return D::ceil_div(tokens, block_size);
}

/// The same at the configured block size (arrival rules and concrete-only callers).
template <class D>
typename D::Int blocks_for(const EngineParams& e, typename D::Int tokens) {
  return blocks_for<D>(D::lit(e.block_size), tokens);
}

/// The block size and lookahead a reservation uses, as a view reads them (`knob`): the
/// configured values, or a proof's ranged constants (checkers/z3/prove_ranges.h).
template <class D>
struct BlockGeometry {
  typename D::Int block_size, lookahead;
  static BlockGeometry configured(const EngineParams& e) {
    return {D::lit(e.block_size), D::lit(e.lookahead)};
  }
};

/// A request the engine rejects at arrival (never hung). vLLM rejects one whose prompt +
/// output exceeds `max_model_len` (the API's context-length check). The papers' engines
/// (`reject_unservable`) also reject one that can never complete: its largest footprint,
/// prompt + output - 1 + lookahead tokens, exceeds the pool. Without chunked prefill a prompt
/// longer than one iteration's token budget is rejected too (vLLM refuses to start with
/// max_model_len > max_num_batched_tokens then).
template <class D>
typename D::Bool unservable(const EngineParams& e, typename D::Int prompt, typename D::Int output) {
  auto out = D::truth(false);
  if (e.max_model_len < kUnlimited) out = prompt + output > D::lit(e.max_model_len);
  if (e.reject_unservable) {
    const auto peak = blocks_for<D>(e, prompt + output - D::lit(1) + D::lit(e.lookahead));
    out = out || peak > D::lit(e.num_blocks);
  }
  if (e.chunked_prefill) return out;
  return out || prompt > D::lit(e.max_batched_tokens);
}

/// Tokens of a request whose KV must exist before it samples its next token: the prompt, plus
/// the output sampled so far when a recompute keeps it (vLLM's `num_tokens`). With the papers'
/// restart, output is lost on preemption, so while a request is in prefill `generated` is 0
/// and this is the prompt.
template <class D>
typename D::Int known_tokens(const EngineParams& e, typename D::Int prompt,
                             typename D::Int generated) {
  return e.recompute_keeps_output ? prompt + generated : prompt;
}

/// True while a request still has KV to (re)compute before it decodes one token per
/// iteration: its prompt, or, when a recompute keeps the output, prompt + output so far but
/// the last token (which the next decode step computes).
template <class D>
typename D::Bool in_prefill(const EngineParams& e, typename D::Int prompt,
                            typename D::Int computed, typename D::Int generated) {
  if (!e.recompute_keeps_output) return computed < prompt;
  return computed <
         prompt + D::select(generated > D::lit(0), generated - D::lit(1), D::lit(0));
}

/// Progress after an iteration in which a request processed `n` > 0 tokens: prompt tokens first
/// (the iteration that finishes the prompt samples the first output token), then one decode
/// token per iteration. A recompute that keeps the output samples its next token once all of
/// prompt + output so far is computed again. Returns the new (computed, generated) pair through
/// the out-parameters.
template <class D>
void progress_after(const EngineParams& e, typename D::Int prompt, typename D::Int computed,
                    typename D::Int generated, typename D::Int n, typename D::Int& computed_out,
                    typename D::Int& generated_out) {
  computed_out = computed + n;
  if (e.recompute_keeps_output) {
    const auto sampled = computed_out >= prompt + generated;
    generated_out = generated + D::select(sampled, D::lit(1), D::lit(0));
    return;
  }
  const auto first_token = D::select(computed_out >= prompt, D::lit(1), D::lit(0));
  generated_out = D::select(generated == D::lit(0), first_token, generated + D::lit(1));
}

/// vLLM's `long_prefill_token_threshold`: a prefill chunk of at most that many tokens.
template <class D>
typename D::Int cap_chunk(const EngineParams& e, typename D::Int n) {
  if (e.long_prefill_token_threshold <= 0) return n;
  return D::min(n, D::lit(e.long_prefill_token_threshold));
}

/// Blocks a waiting request with `known` tokens must find free to be admitted with a first
/// chunk of `n` tokens (`computed` is 0 for a waiting request; stated so that the reservation's
/// own term is the one checked): the chunk's reservation (V1's
/// `allocate_slots`: computed + new + lookahead tokens) and, with `full_sequence_admission`
/// (V1's `scheduler_reserve_full_isl` / `full_sequence_must_fit`, PR #37307), also blocks for
/// its whole current length, min(num_tokens, max_model_len), without lookahead.
template <class D>
typename D::Int admission_blocks(const ModelParams& p, const BlockGeometry<D>& g,
                                 typename D::Int known, typename D::Int computed,
                                 typename D::Int n) {
  const auto& e = p.engine;
  const auto chunk = blocks_for<D>(g.block_size, computed + n + g.lookahead);
  if (!p.policy.full_sequence_admission) return chunk;
  const auto full = e.max_model_len < kUnlimited ? D::min(known, D::lit(e.max_model_len)) : known;
  return D::max(blocks_for<D>(g.block_size, full), chunk);
}

/// The same at the configured block size and lookahead.
template <class D>
typename D::Int admission_blocks(const ModelParams& p, typename D::Int known,
                                 typename D::Int computed, typename D::Int n) {
  return admission_blocks<D>(p, BlockGeometry<D>::configured(p.engine), known, computed, n);
}

/// A waiting request that vLLM-style FCFS admission (models/policies/building_blocks.h,
/// admit_fcfs) can never admit, not even on an idle engine with the whole pool free: its
/// smallest admission (the first chunk an idle step would give it) needs more blocks than the
/// pool minus the watermark an idle engine keeps (none under V1's rule).
template <class D>
typename D::Bool never_admissible(const ModelParams& p, typename D::Int prompt,
                                  typename D::Int computed, typename D::Int generated) {
  const auto& e = p.engine;
  const auto known = known_tokens<D>(e, prompt, generated);
  const auto n = e.chunked_prefill ? cap_chunk<D>(e, D::min(known, D::lit(e.max_batched_tokens)))
                                   : known;
  const auto idle_watermark = p.policy.watermark_only_when_busy ? 0 : p.policy.watermark_blocks;
  return admission_blocks<D>(p, known, computed, n) > D::lit(e.num_blocks - idle_watermark);
}

/// vLLM V0's block count for a swap of a request whose block table holds `computed` KV tokens
/// (vllm/core/block_manager.py @ 9a4b60a4c91d, `_can_swap`): its full blocks
/// (`get_num_full_blocks_touched`: floor(computed / block_size)) plus the blocks its one
/// unseen token touches (`get_num_blocks_touched_by_append_slots`: 1 with no lookahead), i.e.
/// blocks_for(computed + 1). Asked of the CPU pool by `can_swap_out` (no watermark) and of the
/// GPU pool by `can_swap_in` (free - touched >= watermark). The swap itself moves the blocks
/// the request holds, blocks_for(computed), one for one.
template <class D>
typename D::Int swap_touched_blocks(typename D::Int block_size, typename D::Int computed) {
  return blocks_for<D>(block_size, computed + D::lit(1));
}

/// The same at the configured block size.
template <class D>
typename D::Int swap_touched_blocks(const EngineParams& e, typename D::Int computed) {
  return swap_touched_blocks<D>(D::lit(e.block_size), computed);
}

}  // namespace kvcheck
