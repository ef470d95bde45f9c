#pragma once
/// \file building_blocks.h
/// Scheduling steps shared by several policies, written once over a PolicyView (domain-generic).
/// Each is a faithful transcription of an engine loop (sources in papers.md section 5).
#include "models/engine_rules.h"

namespace kvcheck::blocks {

/// Tokens a running request processes next: the rest of its prompt (or of its known tokens
/// after a recompute that keeps the output; capped by the remaining token budget and by
/// `long_prefill_token_threshold`) or one decode token.
template <class PV>
typename PV::Int next_tokens(const PV& v, typename PV::Ref r, typename PV::Int budget) {
  using D = typename PV::Domain;
  const auto rest = v.known_tokens(r) - v.computed(r);
  const auto chunk = cap_chunk<D>(v.params().engine, D::min(rest, budget));
  return D::select(v.in_prefill(r), chunk, D::lit(1));
}

/// The watermark an admission must keep free. vLLM V1 (`watermark_only_when_busy`, PR
/// #44594: `has_scheduled_reqs=bool(self.running)`) applies it only while the running set,
/// counting requests admitted earlier in this step, is non-empty: an idle engine always
/// admits. Otherwise every admission keeps it.
template <class PV>
typename PV::Int admission_watermark(const PV& v, typename PV::Int running,
                                     typename PV::Int watermark) {
  using D = typename PV::Domain;
  if (!v.params().policy.watermark_only_when_busy) return watermark;
  return D::select(running > D::lit(0), watermark, D::lit(0));
}

/// Blocks a waiting request must find free to be admitted with a first chunk of n tokens:
/// the chunk's own reservation, or (`full_sequence_admission`, vLLM's
/// `scheduler_reserve_full_isl`) blocks for its whole current length.
template <class PV>
typename PV::Int admission_blocks(const PV& v, typename PV::Ref r, typename PV::Int n) {
  using D = typename PV::Domain;
  return kvcheck::admission_blocks<D>(v.params(), v.geometry(), v.known_tokens(r), v.computed(r),
                                     n);
}

/// Blocks running request r's reservation grows by when it processes n more tokens: what it
/// must find free (vLLM V1's `allocate_slots`).
template <class PV>
typename PV::Int growth_blocks(const PV& v, typename PV::Ref r, typename PV::Int n) {
  return v.blocks_after(r, n) - v.held_blocks(r);
}

/// vLLM's running loop (V1 `scheduler.py`; V0 `_schedule_running`): serve running requests
/// oldest first while the token budget lasts; when one cannot grow, preempt the most recently
/// admitted running request (LIFO, recompute) until it fits, or preempt the request itself and
/// stop. "Cannot grow" is free blocks < `demand(v, r, n)`, the blocks the engine's check asks
/// for (growth_blocks for V1; V0's `can_append_slots` asks for at least one). Returns whether
/// anything was preempted. `budget` is decreased by the tokens scheduled. `preempt(v, r, when)`
/// takes a victim out (recompute: `v.preempt`; vLLM V0's swap mode: `v.swap_out`).
template <class PV, class Demand, class Preempt>
typename PV::Bool serve_running_lifo(PV& v, typename PV::Int& budget, Demand demand,
                                     Preempt preempt) {
  using D = typename PV::Domain;
  using Int = typename PV::Int;
  using Bool = typename PV::Bool;
  const int rb = v.running_bound();
  Int cut = D::lit(rb);  // positions >= cut have been preempted
  Bool stopped = D::truth(false);
  Bool preempted = D::truth(false);
  for (int k = 0; k < rb; ++k) {
    const Bool live = v.running_valid(k) && D::lit(k) < cut && !stopped && budget > D::lit(0);
    if (D::definitely_false(live)) break;
    const auto r = v.running_at(k);
    const Int n = next_tokens(v, r, budget);
    const Int need = demand(v, r, n);
    for (int j = rb - 1; j > k; --j) {
      const Bool shortage = live && v.free_blocks() < need;
      if (D::definitely_false(shortage)) break;
      const Bool victim = shortage && D::lit(j) < cut && v.running_valid(j);
      preempt(v, v.running_at(j), victim);
      cut = D::select(victim, D::lit(j), cut);
      preempted = preempted || victim;
    }
    const Bool self = live && v.free_blocks() < need;
    preempt(v, r, self);
    preempted = preempted || self;
    stopped = stopped || self;
    const Bool ok = live && !self;
    v.schedule(r, n, ok);
    budget = budget - D::select(ok, n, D::lit(0));
  }
  return preempted;
}

/// The same with recompute preemption (`v.preempt`).
template <class PV, class Demand>
typename PV::Bool serve_running_lifo(PV& v, typename PV::Int& budget, Demand demand) {
  return serve_running_lifo(v, budget, demand,
                            [](PV& pv, typename PV::Ref r, typename PV::Bool when) {
                              pv.preempt(r, when);
                            });
}

/// The same, where a request cannot grow when fewer blocks are free than its reservation grows
/// by (vLLM V1).
template <class PV>
typename PV::Bool serve_running_lifo(PV& v, typename PV::Int& budget) {
  return serve_running_lifo(v, budget, [](const PV& pv, typename PV::Ref r, typename PV::Int n) {
    return growth_blocks(pv, r, n);
  });
}

/// One waiting request's admission check in vLLM's waiting loop (docs/vllm.md rules 11-15), for
/// a request with `known` tokens of which `computed` are computed: its first chunk `n` (all
/// known tokens without chunked prefill), and whether it fits the token
/// budget, the pool (keeping the watermark that `running`, the running count so far, calls for)
/// and max_num_seqs. Shared by every admission order (FCFS, PRIORITY).
template <class PV>
struct Admission {
  typename PV::Int n;
  typename PV::Bool fits_budget, fits_memory, fits_seqs;
  /// `pre && fits_budget && fits_memory && fits_seqs`, in that order: the allocation
  /// invariant's per-action queries (checkers/z3/allocation_invariant.cpp) are sensitive to
  /// the shape of the guard term, and this is the shape admit_fcfs always had.
  typename PV::Bool fits_after(typename PV::Bool pre) const {
    return pre && fits_budget && fits_memory && fits_seqs;
  }
};

template <class PV>
Admission<PV> admission_check(const PV& v, typename PV::Int known, typename PV::Int computed,
                              typename PV::Int budget, typename PV::Int running,
                              typename PV::Int watermark) {
  using D = typename PV::Domain;
  const auto& e = v.params().engine;
  const auto n = e.chunked_prefill ? cap_chunk<D>(e, D::min(known, budget)) : known;
  const auto fits_budget = e.chunked_prefill ? budget > D::lit(0) : known <= budget;
  const auto blocks = kvcheck::admission_blocks<D>(v.params(), v.geometry(), known, computed, n);
  const auto fits_memory = v.free_blocks() - blocks >= admission_watermark(v, running, watermark);
  return {n, fits_budget, fits_memory, running < v.knob(Knob::MaxNumSeqs)};
}

/// The same for waiting request r (its known and computed tokens).
template <class PV>
Admission<PV> admission_check(const PV& v, typename PV::Ref r, typename PV::Int budget,
                              typename PV::Int running, typename PV::Int watermark) {
  return admission_check(v, v.known_tokens(r), v.computed(r), budget, running, watermark);
}

/// Admits waiting request r with a first chunk of n tokens where `ok` holds, charging the token
/// budget and the running count.
template <class PV>
void admit_one(PV& v, typename PV::Ref r, typename PV::Int n, typename PV::Bool ok,
               typename PV::Int& budget, typename PV::Int& running) {
  using D = typename PV::Domain;
  v.admit(r, ok);
  v.schedule(r, n, ok);
  budget = budget - D::select(ok, n, D::lit(0));
  running = running + D::select(ok, D::lit(1), D::lit(0));
}

/// FCFS admission with head-of-line blocking (vLLM's waiting loop): admit from the queue head
/// while admission_check passes; stop at the first request that does not fit. Only runs where
/// `allowed` holds.
template <class PV>
void admit_fcfs(PV& v, typename PV::Bool allowed, typename PV::Int& budget,
                typename PV::Int watermark) {
  using D = typename PV::Domain;
  using Int = typename PV::Int;
  using Bool = typename PV::Bool;
  Int running = v.num_running();
  Bool alive = allowed;
  for (int k = 0; k < v.waiting_bound(); ++k) {
    const Bool live = alive && v.waiting_valid(k);
    if (D::definitely_false(live)) break;
    const auto r = v.waiting_at(k);
    const auto a = admission_check(v, r, budget, running, watermark);
    const Bool ok = a.fits_after(live);
    admit_one(v, r, a.n, ok, budget, running);
    alive = ok;
  }
}

/// Every running request processes its next tokens, with no memory check (Dong & Cao's
/// Algorithm 1 relies on its budgets instead).
template <class PV>
void serve_running_unchecked(PV& v) {
  for (int k = 0; k < v.running_bound(); ++k) {
    const auto r = v.running_at(k);
    v.schedule(r, next_tokens(v, r, v.knob(Knob::MaxBatchedTokens)),
               v.running_valid(k));
  }
}

/// vLLM V1's step (`scheduler.py` schedule()): the running requests first, under one token
/// budget, then, unless something was preempted in this step (or `admit_after_preempt`), the
/// waiting ones. `serve(v, budget)` returns whether it preempted; `admit(v, allowed, budget,
/// watermark)` admits. FCFS and PRIORITY differ only in those two.
template <class PV, class Serve, class Admit>
void vllm_v1_step(PV& v, Serve serve, Admit admit) {
  using D = typename PV::Domain;
  const auto& p = v.params();
  auto budget = v.knob(Knob::MaxBatchedTokens);
  const auto preempted = serve(v, budget);
  const auto allowed = p.policy.admit_after_preempt ? D::truth(true) : !preempted;
  admit(v, allowed, budget, v.knob(Knob::WatermarkBlocks));
}

}  // namespace kvcheck::blocks
