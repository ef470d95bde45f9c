#pragma once
/// \file engine_rules.h
/// Engine rules shared by every backend, written once over a domain D.
#include "models/params.h"

namespace kvcheck {

/// Blocks needed for `tokens` KV tokens.
template <class D>
typename D::Int blocks_for(const EngineParams& e, typename D::Int tokens) {
  return D::ceil_div(tokens, D::lit(e.block_size));
}

/// A request that can never complete on this engine is rejected at arrival (never hung): its
/// largest footprint, prompt + output - 1 + lookahead tokens, exceeds the pool, or its prompt
/// cannot fit one iteration's token budget without chunked prefill.
template <class D>
typename D::Bool unservable(const EngineParams& e, typename D::Int prompt, typename D::Int output) {
  const auto peak = blocks_for<D>(e, prompt + output - D::lit(1) + D::lit(e.lookahead));
  const auto too_big = peak > D::lit(e.num_blocks);
  if (e.chunked_prefill) return too_big;
  return too_big || prompt > D::lit(e.max_batched_tokens);
}

/// Progress after an iteration in which a request processed `n` > 0 tokens: prompt tokens first
/// (the iteration that finishes the prompt samples the first output token), then one decode
/// token per iteration. Returns the new (computed, generated) pair through the out-parameters.
template <class D>
void progress_after(typename D::Int prompt, typename D::Int computed, typename D::Int generated,
                    typename D::Int n, typename D::Int& computed_out,
                    typename D::Int& generated_out) {
  computed_out = computed + n;
  const auto first_token = D::select(computed_out >= prompt, D::lit(1), D::lit(0));
  generated_out = D::select(generated == D::lit(0), first_token, generated + D::lit(1));
}

}  // namespace kvcheck
