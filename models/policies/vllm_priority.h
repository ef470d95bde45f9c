#pragma once
/// \file vllm_priority.h
/// vLLM V1's PRIORITY policy (`vllm/v1/core/sched/scheduler.py` `Scheduler.schedule`,
/// `vllm/v1/core/sched/request_queue.py` `PriorityRequestQueue`; docs/vllm.md rows 6, 9, 11,
/// 12). A request's priority is its class index (lower = first, as vLLM's `priority`), ties by
/// arrival: key = (priority, arrival). Running requests are served in admission order as under
/// FCFS, but when one cannot allocate, the victim is the running request with the LARGEST key
/// (`max(self.running, key=lambda r: (r.priority, r.arrival_time))`), the request itself
/// included; a victim already scheduled in this step gives its tokens back to the budget
/// (`token_budget += num_scheduled_tokens.pop(...)`; the view's preempt frees its reservation).
/// Waiting requests form a heap by key: admission takes them in key order, not queue order (a
/// preempted request re-enters the heap, not the front), with vllm_fcfs's admission check and
/// head-of-line blocking at the first key that does not fit. No admission after a preemption.
#include <vector>

#include "models/policies/building_blocks.h"
#include "models/policy_traits.h"

namespace kvcheck::priority {

/// True when key (ka, ra) is smaller than key (kb, rb): priority first, then arrival.
template <class D>
typename D::Bool key_less(typename D::Int ka, typename D::Int ra, typename D::Int kb,
                          typename D::Int rb) {
  return ka < kb || (ka == kb && ra < rb);
}

/// One-hot over the positions (`at(k)` gives the Ref) where `cand[k]` holds: the candidate with
/// the largest key (`largest`) or the smallest. All false when no candidate.
template <class PV, class At>
std::vector<typename PV::Bool> pick_by_key(const PV& v, const std::vector<typename PV::Bool>& cand,
                                           At at, bool largest) {
  using D = typename PV::Domain;
  auto any = D::truth(false);
  auto bk = D::lit(0), br = D::lit(-1);  // the best key so far (valid where `any`)
  for (std::size_t k = 0; k < cand.size(); ++k) {
    const auto r = at(static_cast<int>(k));
    const auto kk = v.klass(r), kr = v.arrival_rank(r);
    const auto better = largest ? key_less<D>(bk, br, kk, kr) : key_less<D>(kk, kr, bk, br);
    const auto take = cand[k] && (!any || better);
    bk = D::select(take, kk, bk);
    br = D::select(take, kr, br);
    any = any || cand[k];
  }
  std::vector<typename PV::Bool> out;
  for (std::size_t k = 0; k < cand.size(); ++k)  // arrival ranks are distinct
    out.push_back(cand[k] && v.arrival_rank(at(static_cast<int>(k))) == br);
  return out;
}

/// Preempts, where `when` holds, the running request with the largest key among those not
/// preempted yet (`gone`); tokens it was given in this step (`given`) return to the budget.
template <class PV>
void preempt_largest(PV& v, typename PV::Bool when, std::vector<typename PV::Bool>& gone,
                     std::vector<typename PV::Int>& given, typename PV::Int& budget) {
  using D = typename PV::Domain;
  std::vector<typename PV::Bool> cand;
  for (int j = 0; j < v.running_bound(); ++j)
    cand.push_back(v.running_valid(j) && !gone[static_cast<std::size_t>(j)]);
  const auto victim = pick_by_key(v, cand, [&v](int j) { return v.running_at(j); }, true);
  for (std::size_t j = 0; j < victim.size(); ++j) {
    const auto w = when && victim[j];
    v.preempt(v.running_at(static_cast<int>(j)), w);
    gone[j] = gone[j] || w;
    budget = budget + D::select(w, given[j], D::lit(0));
    given[j] = D::select(w, D::lit(0), given[j]);
  }
}

/// vLLM's running loop under PRIORITY: serve running requests in admission order while the
/// token budget lasts; when one cannot grow, preempt the largest key until it fits or it is
/// itself the victim (then stop). At most running_bound() victims per request: the request is a
/// candidate itself. Returns whether anything was preempted; `budget` ends net of the tokens
/// scheduled.
template <class PV>
typename PV::Bool serve_running(PV& v, typename PV::Int& budget) {
  using D = typename PV::Domain;
  using Bool = typename PV::Bool;
  const int rb = v.running_bound();
  std::vector<Bool> gone(static_cast<std::size_t>(rb), D::truth(false));
  std::vector<typename PV::Int> given(static_cast<std::size_t>(rb), D::lit(0));
  Bool stopped = D::truth(false), preempted = D::truth(false);
  for (int k = 0; k < rb; ++k) {
    const auto ku = static_cast<std::size_t>(k);
    const Bool on = v.running_valid(k) && !stopped && budget > D::lit(0);
    if (D::definitely_false(on)) break;
    const Bool live = on && !gone[ku];  // a victim of an earlier request is skipped
    const auto r = v.running_at(k);
    const auto n = blocks::next_tokens(v, r, budget);
    const auto need = v.blocks_after(r, n) - v.held_blocks(r);
    for (int round = 0; round < rb; ++round) {
      const Bool shortage = live && !gone[ku] && v.free_blocks() < need;
      if (D::definitely_false(shortage)) break;
      preempt_largest(v, shortage, gone, given, budget);
      preempted = preempted || shortage;
    }
    const Bool ok = live && !gone[ku];
    stopped = stopped || (live && gone[ku]);
    v.schedule(r, n, ok);
    given[ku] = D::select(ok, n, D::lit(0));
    budget = budget - given[ku];
  }
  return preempted;
}

/// vLLM's waiting loop over the PRIORITY heap: each round admits the waiting request with the
/// smallest key not admitted yet if admission_check passes; the first that does not fit ends
/// admission (head-of-line blocking). O(W) per round (W^2 comparisons symbolically in all).
template <class PV>
void admit_by_key(PV& v, typename PV::Bool allowed, typename PV::Int& budget,
                  typename PV::Int watermark) {
  using D = typename PV::Domain;
  using Bool = typename PV::Bool;
  const int wb = v.waiting_bound();
  std::vector<Bool> left;  // waiting and not admitted in this step
  for (int k = 0; k < wb; ++k) left.push_back(v.waiting_valid(k));
  auto running = v.num_running();
  Bool alive = allowed;
  for (int round = 0; round < wb; ++round) {
    if (D::definitely_false(alive)) break;
    const auto head = pick_by_key(v, left, [&v](int k) { return v.waiting_at(k); }, false);
    Bool admitted = D::truth(false);
    for (int k = 0; k < wb; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      if (D::definitely_false(head[ku])) continue;  // only the head acts (an optimisation)
      const auto r = v.waiting_at(k);
      const auto a = blocks::admission_check(v, r, budget, running, watermark);
      const Bool ok = alive && head[ku] && a.fits;
      blocks::admit_one(v, r, a.n, ok, budget, running);
      left[ku] = left[ku] && !ok;
      admitted = admitted || ok;
    }
    alive = admitted;
  }
}

}  // namespace kvcheck::priority

namespace kvcheck {

template <class PV>
void vllm_priority_step(PV& v) {
  using D = typename PV::Domain;
  const auto& p = v.params();
  auto budget = D::lit(p.engine.max_batched_tokens);
  const auto preempted = priority::serve_running(v, budget);
  const auto allowed = p.policy.admit_after_preempt ? D::truth(true) : !preempted;
  priority::admit_by_key(v, allowed, budget, D::lit(p.policy.watermark_blocks));
}

// Steady skip, as vllm_fcfs: running requests decode first (budget and running count constant
// in a steady run; nobody is short of memory, so nobody is preempted and the victim rule never
// runs); the smallest-key waiting request is blocked by the token budget or max_num_seqs
// (constant) or by free blocks (only shrink while everyone grows), and which request has the
// smallest key changes only with an arrival (an event), so it stays blocked until an event.
inline constexpr PolicyTraits vllm_priority_traits{
    .source = "vLLM V1 scheduler, PRIORITY policy (docs/vllm.md)",
    .summary = "as vllm_fcfs, but priority = class: victim = largest (class, arrival), waiting heap by (class, arrival)",
    .needs_classes = false,
    .steady_skip = true,
    .orders_by_arrival = true};

}  // namespace kvcheck
