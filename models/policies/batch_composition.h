#pragma once
/// \file batch_composition.h
/// Batch-composition steps of Li, Dai, Peng's stylized policies (papers.md 4.3): a batch holds
/// at most `budget` tokens (b_max) and `seqs` requests (k_max); a request still in prefill gets
/// no decode token in the same batch (constraint 6a). No memory check: P4's model has no KV
/// limit, so these rely on a large pool (the engine's overflow fallback applies otherwise).
#include <type_traits>

#include "models/policies/building_blocks.h"

namespace kvcheck::blocks {

/// Budget state of the batch being composed.
template <class PV>
struct BatchBudget {
  typename PV::Int tokens;  ///< tokens left (b_max minus scheduled)
  typename PV::Int seqs;    ///< requests left (k_max minus scheduled)
};

template <class PV>
BatchBudget<PV> batch_budget(const PV& v) {
  using D = typename PV::Domain;
  return {v.knob(Knob::MaxBatchedTokens), D::lit(v.params().policy.max_batch_seqs)};
}

/// True iff some running request is in its decode phase.
template <class PV>
typename PV::Bool any_decoding(const PV& v) {
  using D = typename PV::Domain;
  typename PV::Bool any = D::truth(false);
  for (int k = 0; k < v.running_bound(); ++k)
    any = any || (v.running_valid(k) && v.generated(v.running_at(k)) > D::lit(0));
  return any;
}

/// True iff a prefill is pending: a running request mid-prompt, or anyone waiting.
template <class PV>
typename PV::Bool prefill_pending(const PV& v) {
  using D = typename PV::Domain;
  typename PV::Bool any = D::truth(v.waiting_bound() > 0) && v.waiting_valid(0);
  for (int k = 0; k < v.running_bound(); ++k)
    any = any || (v.running_valid(k) && v.in_prefill(v.running_at(k)));
  return any;
}

/// Which requests a batch-composition step may serve: every one (the default, which adds no
/// term), or those `pick(r)` selects (a priority level: sarathi_priority).
struct EveryRequest {};

template <class PV, class Pick>
typename PV::Bool picked(const PV& v, typename PV::Ref r, typename PV::Bool cond,
                         const Pick& pick) {
  if constexpr (std::is_same_v<Pick, EveryRequest>) {
    (void)v, (void)r, (void)pick;
    return cond;
  } else {
    return cond && pick(r);
  }
}

/// One decode token for every decoding running request, FCFS (admission order), while the
/// batch has room. Only where `when` holds, and only the requests `pick` selects.
template <class PV, class Pick = EveryRequest>
void decode_fcfs(PV& v, typename PV::Bool when, BatchBudget<PV>& b, const Pick& pick = {}) {
  using D = typename PV::Domain;
  for (int k = 0; k < v.running_bound(); ++k) {
    const auto room = when && b.tokens > D::lit(0) && b.seqs > D::lit(0);
    if (D::definitely_false(room)) break;
    const auto r = v.running_at(k);
    const auto ok =
        picked(v, r, room && v.running_valid(k) && v.generated(r) > D::lit(0), pick);
    v.schedule(r, D::lit(1), ok);
    b.tokens = b.tokens - D::select(ok, D::lit(1), D::lit(0));
    b.seqs = b.seqs - D::select(ok, D::lit(1), D::lit(0));
  }
}

/// Prefill tokens FCFS: first running requests mid-prompt (admission order), then waiting
/// requests (queue order, admitted when they get tokens). With `chunked`, a prompt takes what
/// budget is left and the FCFS-first prefill is finished before the next is touched; without,
/// whole prompts only, stopping at the first that does not fit (head-of-line). Only the
/// requests `pick` selects are candidates.
template <class PV, class Pick = EveryRequest>
void prefill_fcfs(PV& v, typename PV::Bool when, BatchBudget<PV>& b, bool chunked,
                  const Pick& pick = {}) {
  using D = typename PV::Domain;
  using Int = typename PV::Int;
  auto alive = when;
  auto serve = [&](typename PV::Ref r, typename PV::Bool candidate, bool admit) {
    const Int rest = v.known_tokens(r) - v.computed(r);
    const Int n = chunked ? D::min(rest, b.tokens) : rest;
    const auto fits = (chunked ? b.tokens > D::lit(0) : rest <= b.tokens) && b.seqs > D::lit(0);
    const auto ok = alive && candidate && fits;
    if (admit) v.admit(r, ok);
    v.schedule(r, n, ok);
    b.tokens = b.tokens - D::select(ok, n, D::lit(0));
    b.seqs = b.seqs - D::select(ok, D::lit(1), D::lit(0));
    alive = alive && (!candidate || ok);  // stop at the first candidate that does not fit
  };
  for (int k = 0; k < v.running_bound(); ++k) {
    if (D::definitely_false(alive)) return;
    const auto r = v.running_at(k);
    serve(r, picked(v, r, v.running_valid(k) && v.in_prefill(r), pick), false);
  }
  for (int k = 0; k < v.waiting_bound(); ++k) {
    if (D::definitely_false(alive)) return;
    const auto r = v.waiting_at(k);
    serve(r, picked(v, r, v.waiting_valid(k), pick), true);
  }
}

}  // namespace kvcheck::blocks
