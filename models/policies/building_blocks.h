#pragma once
/// \file building_blocks.h
/// Scheduling steps shared by several policies, written once over a PolicyView (domain-generic).
/// Each is a faithful transcription of an engine loop (sources in papers.md section 5).

namespace kvcheck::blocks {

/// Tokens a running request processes next: the rest of its prompt (capped by the remaining
/// token budget when chunking) or one decode token.
template <class PV>
typename PV::Int next_tokens(const PV& v, typename PV::Ref r, typename PV::Int budget) {
  using D = typename PV::Domain;
  const auto rest = v.prompt(r) - v.computed(r);
  return D::select(v.in_prefill(r), D::min(rest, budget), D::lit(1));
}

/// vLLM V1's running loop (`scheduler.py`): serve running requests oldest first while the token
/// budget lasts; when one cannot grow, preempt the most recently admitted running request
/// (LIFO, recompute) until it fits, or preempt the request itself and stop. Returns whether
/// anything was preempted. `budget` is decreased by the tokens scheduled.
template <class PV>
typename PV::Bool serve_running_lifo(PV& v, typename PV::Int& budget) {
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
    const Int need = v.blocks_after(r, n) - v.held_blocks(r);
    for (int j = rb - 1; j > k; --j) {
      const Bool shortage = live && v.free_blocks() < need;
      if (D::definitely_false(shortage)) break;
      const Bool victim = shortage && D::lit(j) < cut && v.running_valid(j);
      v.preempt(v.running_at(j), victim);
      cut = D::select(victim, D::lit(j), cut);
      preempted = preempted || victim;
    }
    const Bool self = live && v.free_blocks() < need;
    v.preempt(r, self);
    preempted = preempted || self;
    stopped = stopped || self;
    const Bool ok = live && !self;
    v.schedule(r, n, ok);
    budget = budget - D::select(ok, n, D::lit(0));
  }
  return preempted;
}

/// FCFS admission with head-of-line blocking (vLLM's waiting loop): admit from the queue head
/// while the prompt (or, when chunking, its first chunk) fits the token budget, the pool keeps
/// `watermark` blocks free, and the running set stays under max_num_seqs; stop at the first
/// request that does not fit. Only runs where `allowed` holds.
template <class PV>
void admit_fcfs(PV& v, typename PV::Bool allowed, typename PV::Int& budget,
                typename PV::Int watermark) {
  using D = typename PV::Domain;
  using Int = typename PV::Int;
  using Bool = typename PV::Bool;
  const auto& e = v.params().engine;
  const Int cap = D::lit(e.max_num_seqs);
  Int running = v.num_running();
  Bool alive = allowed;
  for (int k = 0; k < v.waiting_bound(); ++k) {
    const Bool live = alive && v.waiting_valid(k);
    if (D::definitely_false(live)) break;
    const auto r = v.waiting_at(k);
    const Int n = e.chunked_prefill ? D::min(v.prompt(r), budget) : v.prompt(r);
    const Bool fits_budget = e.chunked_prefill ? budget > D::lit(0) : v.prompt(r) <= budget;
    const Bool fits_memory = v.free_blocks() - v.blocks_after(r, n) >= watermark;
    const Bool ok = live && fits_budget && fits_memory && running < cap;
    v.admit(r, ok);
    v.schedule(r, n, ok);
    budget = budget - D::select(ok, n, D::lit(0));
    running = running + D::select(ok, D::lit(1), D::lit(0));
    alive = ok;
  }
}

/// Every running request processes its next tokens, with no memory check (Dong & Cao's
/// Algorithm 1 relies on its budgets instead).
template <class PV>
void serve_running_unchecked(PV& v) {
  using D = typename PV::Domain;
  for (int k = 0; k < v.running_bound(); ++k) {
    const auto r = v.running_at(k);
    v.schedule(r, next_tokens(v, r, D::lit(v.params().engine.max_batched_tokens)),
               v.running_valid(k));
  }
}

}  // namespace kvcheck::blocks
