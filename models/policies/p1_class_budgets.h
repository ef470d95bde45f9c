#pragma once
/// \file p1_class_budgets.h
/// Dong & Cao (arXiv 2604.11001) Algorithm 1, known output lengths: each slot, activate up to
/// b_k waiting requests of class k in FIFO order; every active request decodes one token; no
/// memory check and no eviction. Memory safety rests on inequality (2): sum_k b_k w_k <= M.
#include <vector>

#include "models/policies/building_blocks.h"
#include "models/policy_traits.h"

namespace kvcheck {

template <class PV>
void p1_class_budgets_step(PV& v) {
  using D = typename PV::Domain;
  using Int = typename PV::Int;
  blocks::serve_running_unchecked(v);
  const auto& classes = v.params().classes;
  std::vector<Int> left;  // activations left per class this slot
  Int total_left = D::lit(0);
  for (std::size_t c = 0; c < classes.size(); ++c) {
    left.push_back(v.class_budget(c));
    total_left = total_left + left.back();
  }
  for (int k = 0; k < v.waiting_bound(); ++k) {
    const auto live = v.waiting_valid(k) && total_left > D::lit(0);
    if (D::definitely_false(live)) break;
    const auto r = v.waiting_at(k);
    const auto cls = v.klass(r);
    Int mine = D::lit(0);
    for (std::size_t c = 0; c < left.size(); ++c)
      mine = mine + D::select(cls == D::lit(static_cast<std::int64_t>(c)), left[c], D::lit(0));
    const auto ok = live && mine > D::lit(0);
    v.admit(r, ok);
    v.schedule(r, v.known_tokens(r), ok);
    for (std::size_t c = 0; c < left.size(); ++c)
      left[c] = left[c] - D::select(ok && cls == D::lit(static_cast<std::int64_t>(c)),
                                    D::lit(1), D::lit(0));
    total_left = total_left - D::select(ok, D::lit(1), D::lit(0));
  }
}

// Steady skip: budgets reset every slot; a steady slot admitted nobody, so every waiting
// request's class has budget 0, and that stays so until something arrives.
inline constexpr PolicyTraits p1_class_budgets_traits{
    .source = "Dong & Cao Alg. 1",
    .summary = "per-class activation budgets, no memory check",
    .needs_classes = true,
    .steady_skip = true};

}  // namespace kvcheck
