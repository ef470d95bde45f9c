#pragma once
/// \file paced_fcfs.h
/// An example team's policy, kept out of kvcheck's tree: vLLM's FCFS loop with paced
/// admission. Running requests are served first, oldest first, under the token budget, with
/// LIFO recompute when one cannot grow (blocks::serve_running_lifo); then the queue is admitted
/// FCFS with head-of-line blocking, keeping `[policy] watermark_blocks` free, not in an
/// iteration that preempted, and at most kPacedAdmissions requests per iteration, so that a
/// burst of arrivals enters the batch a few prefills at a time.
#include "models/policies/building_blocks.h"
#include "models/policy_traits.h"

namespace kvcheck {

/// Admissions per iteration. A policy reads only kvcheck's own config keys, so the team's own
/// constant lives here (the watermark comes from the config).
inline constexpr int kPacedAdmissions = 2;

template <class PV>
void paced_fcfs_step(PV& v) {
  using D = typename PV::Domain;
  using Int = typename PV::Int;
  using Bool = typename PV::Bool;
  const auto& p = v.params();
  Int budget = D::lit(p.engine.max_batched_tokens);
  const Bool preempted = blocks::serve_running_lifo(v, budget);
  const Int watermark = D::lit(p.policy.watermark_blocks);
  const Int cap = D::lit(p.engine.max_num_seqs);
  Int running = v.num_running();
  Bool alive = !preempted;
  // A queue position past the pacing limit can never be admitted: the loop's bound is plain.
  const int bound = v.waiting_bound() < kPacedAdmissions ? v.waiting_bound() : kPacedAdmissions;
  for (int k = 0; k < bound; ++k) {
    const Bool live = alive && v.waiting_valid(k);
    if (D::definitely_false(live)) break;
    const auto r = v.waiting_at(k);
    const Int n = v.prompt(r);  // whole prompts: no chunked prefill
    const Bool fits = n <= budget && v.free_blocks() - v.blocks_after(r, n) >= watermark;
    const Bool ok = live && fits && running < cap;
    v.admit(r, ok);
    v.schedule(r, n, ok);
    budget = budget - D::select(ok, n, D::lit(0));
    running = running + D::select(ok, D::lit(1), D::lit(0));
    alive = ok;
  }
}

// No steady skip: the pacing limit makes the queue head's admission depend on how many were
// admitted before it in the same iteration; false is always safe (sim/steady_skip.cpp).
inline constexpr PolicyTraits paced_fcfs_traits{
    .source = "examples/custom_policy (out of tree)",
    .summary = "vLLM FCFS, at most 2 admissions per iteration, watermark, no chunking",
    .needs_classes = false,
    .steady_skip = false};

}  // namespace kvcheck
