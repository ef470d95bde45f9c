#pragma once
/// \file p2_fcfs.h
/// Ao et al. (arXiv 2504.11320) section 4.1 FCFS: batch every resident prompt, LIFO-evicting
/// (recompute) when the resident state no longer fits, then admit prefills from the queue in
/// arrival order while the batch's memory fits C. No token budget, no watermark, admissions
/// also after an eviction. Its Example 2 trap: (12 prefills) -> evict 6 -> (6 decodes) -> ...
#include "models/policies/building_blocks.h"
#include "models/policy_traits.h"

namespace kvcheck {

template <class PV>
void p2_fcfs_step(PV& v) {
  using D = typename PV::Domain;
  auto budget = D::lit(kUnlimited);
  (void)blocks::serve_running_lifo(v, budget);
  blocks::admit_fcfs(v, D::truth(true), budget, D::lit(0));
}

// Steady skip: the same loops as vLLM with an unlimited budget and no watermark: the same
// argument (sim/steady_skip.cpp).
inline constexpr PolicyTraits p2_fcfs_traits{
    .source = "Ao et al. §4.1",
    .summary = "greedy FCFS; Example 2's trap",
    .needs_classes = false,
    .steady_skip = true};

}  // namespace kvcheck
