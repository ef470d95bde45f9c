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
#include <utility>
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

/// One-hot over the waiting positions where `cand[k]` holds: the one with the smallest key
/// (the heap's top). All false when there is no candidate.
template <class PV>
std::vector<typename PV::Bool> smallest_key(const PV& v, const std::vector<typename PV::Bool>& cand) {
  using D = typename PV::Domain;
  auto any = D::truth(false);
  auto bk = D::lit(0), br = D::lit(0);  // the smallest key so far (valid where `any`)
  for (std::size_t k = 0; k < cand.size(); ++k) {
    const auto r = v.waiting_at(static_cast<int>(k));
    const auto kk = v.klass(r), kr = v.arrival_rank(r);
    const auto take = cand[k] && (!any || key_less<D>(kk, kr, bk, br));
    bk = D::select(take, kk, bk);
    br = D::select(take, kr, br);
    any = any || cand[k];
  }
  std::vector<typename PV::Bool> out;
  for (std::size_t k = 0; k < cand.size(); ++k)  // arrival ranks are distinct
    out.push_back(cand[k] && v.arrival_rank(v.waiting_at(static_cast<int>(k))) == br);
  return out;
}

/// vLLM's victim loop for running position k, which is `short_of` blocks (`need` > free), in
/// one pass. vLLM preempts the candidates (running, not preempted yet: not `gone`, k itself
/// included) in decreasing key order until k fits or k itself goes; so candidate j is a victim
/// iff its key is at least k's and the candidates with larger keys free too few blocks:
/// free + sum of their held blocks < need. A victim's tokens of this step (`given`) return to
/// the budget. The view's preempt frees its blocks (its reservation of this step included).
/// Victims are preempted in position order (vLLM: decreasing key); under PRIORITY only the
/// back-requeue order, which admission ignores, tells them apart.
template <class PV>
void preempt_for(PV& v, int k, typename PV::Bool short_of, typename PV::Int need,
                 std::vector<typename PV::Bool>& gone, std::vector<typename PV::Int>& given,
                 typename PV::Int& budget) {
  using D = typename PV::Domain;
  const auto n = gone.size();
  const auto key = [&v](int j) { return std::pair{v.klass(v.running_at(j)), v.arrival_rank(v.running_at(j))}; };
  const auto kk = key(k);
  std::vector<typename PV::Bool> cand, victim;
  for (std::size_t j = 0; j < n; ++j) cand.push_back(v.running_valid(static_cast<int>(j)) && !gone[j]);
  for (std::size_t j = 0; j < n; ++j) {
    const auto kj = key(static_cast<int>(j));
    auto larger = D::lit(0);  // blocks freed by the candidates preempted before j
    for (std::size_t i = 0; i < n; ++i) {
      const auto ki = key(static_cast<int>(i));
      const auto above = cand[i] && key_less<D>(kj.first, kj.second, ki.first, ki.second);
      larger = larger + D::select(above, v.held_blocks(v.running_at(static_cast<int>(i))), D::lit(0));
    }
    const auto from_k = static_cast<int>(j) == k ? D::truth(true)
                                                  : key_less<D>(kk.first, kk.second, kj.first, kj.second);
    victim.push_back(short_of && cand[j] && from_k && v.free_blocks() + larger < need);
  }
  for (std::size_t j = 0; j < n; ++j) {
    v.preempt(v.running_at(static_cast<int>(j)), victim[j]);
    gone[j] = gone[j] || victim[j];
    budget = budget + D::select(victim[j], given[j], D::lit(0));
    given[j] = D::select(victim[j], D::lit(0), given[j]);
  }
}

/// vLLM's running loop under PRIORITY: serve running requests in admission order while the
/// token budget lasts; when one cannot grow, preempt by key (preempt_for) until it fits or it
/// is itself a victim (then stop). Returns whether anything was preempted; `budget` ends net
/// of the tokens scheduled.
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
    const Bool short_of = live && v.free_blocks() < need;
    // Skipping the call where nobody is short is an optimisation (every victim needs short_of).
    if (!D::definitely_false(short_of)) preempt_for(v, k, short_of, need, gone, given, budget);
    preempted = preempted || short_of;  // short of blocks: someone (k at the latest) goes
    const Bool ok = live && !gone[ku];
    stopped = stopped || (live && gone[ku]);
    v.schedule(r, n, ok);
    given[ku] = D::select(ok, n, D::lit(0));
    budget = budget - given[ku];
  }
  return preempted;
}

/// vLLM's waiting loop over the PRIORITY heap: each round admits the waiting request with the
/// smallest key not admitted yet if admission_check passes (checked once, on the head's
/// values); the first that does not fit ends admission (head-of-line blocking). O(W) per round.
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
    const auto head = smallest_key(v, left);
    auto known = D::lit(0), computed = D::lit(0);
    Bool any = D::truth(false);
    for (int k = 0; k < wb; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      const auto r = v.waiting_at(k);
      known = known + D::select(head[ku], v.known_tokens(r), D::lit(0));
      computed = computed + D::select(head[ku], v.computed(r), D::lit(0));
      any = any || head[ku];
    }
    const auto a = blocks::admission_check(v, known, computed, budget, running, watermark);
    const Bool ok = a.fits_after(alive && any);
    for (int k = 0; k < wb; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      if (D::definitely_false(head[ku])) continue;  // only the head acts (an optimisation)
      blocks::admit_one(v, v.waiting_at(k), a.n, ok && head[ku], budget, running);
      left[ku] = left[ku] && !(ok && head[ku]);
    }
    alive = ok;
  }
}

}  // namespace kvcheck::priority

namespace kvcheck {

template <class PV>
void vllm_priority_step(PV& v) {
  blocks::vllm_v1_step(
      v, [](PV& pv, auto& budget) { return priority::serve_running(pv, budget); },
      [](PV& pv, auto allowed, auto& budget, auto watermark) {
        priority::admit_by_key(pv, allowed, budget, watermark);
      });
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
