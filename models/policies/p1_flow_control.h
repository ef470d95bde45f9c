#pragma once
/// \file p1_flow_control.h
/// Dong & Cao (arXiv 2604.11001) Algorithm 2, unknown output lengths: draw a global activation
/// budget B_t; tentatively admit the first min(B_t, |waiting|) requests FIFO; while the slot's
/// memory U = sum_active (l+g+1) + sum_admitted (l+1) exceeds M, drop the last admitted, then
/// evict the most recently activated (recompute, re-queued per EngineParams::requeue). Dropping
/// admitted-from-the-end until U fits keeps the longest fitting prefix, which is how it is
/// written here.
#include "models/policies/building_blocks.h"
#include "models/policy_traits.h"

namespace kvcheck {

template <class PV>
void p1_flow_control_step(PV& v) {
  using D = typename PV::Domain;
  using Int = typename PV::Int;
  using Bool = typename PV::Bool;
  const auto& p = v.params();
  const Int budget = v.choose(0, p.policy.flow_budget_min, p.policy.flow_budget_max);
  const Int total = v.total_blocks();
  const int rb = v.running_bound();
  Int used = D::lit(0);  // U over the active set, in blocks (tokens when block_size == 1)
  for (int k = 0; k < rb; ++k)
    used = used + D::select(v.running_valid(k), v.blocks_after(v.running_at(k), D::lit(1)),
                            D::lit(0));
  const Bool over = used > total;
  Int cut = D::lit(rb);
  for (int j = rb - 1; j >= 0; --j) {  // LIFO repair of the active set
    const Bool evict = v.running_valid(j) && used > total;
    if (D::definitely_false(evict)) break;
    const auto r = v.running_at(j);
    v.preempt(r, evict);
    used = used - D::select(evict, v.blocks_after(r, D::lit(1)), D::lit(0));
    cut = D::select(evict, D::lit(j), cut);
  }
  for (int k = 0; k < rb; ++k)
    v.schedule(v.running_at(k), D::lit(1), v.running_valid(k) && D::lit(k) < cut);
  Bool alive = !over;
  Int count = D::lit(0);
  for (int k = 0; k < v.waiting_bound(); ++k) {
    const Bool live = alive && v.waiting_valid(k) && count < budget;
    if (D::definitely_false(live)) break;
    const auto r = v.waiting_at(k);
    const Int need = v.blocks_after(r, v.known_tokens(r));
    const Bool ok = live && used + need <= total;
    v.admit(r, ok);
    v.schedule(r, v.known_tokens(r), ok);
    used = used + D::select(ok, need, D::lit(0));
    count = count + D::select(ok, D::lit(1), D::lit(0));
    alive = ok;
  }
}

// No steady skip: it draws a random budget B_t every slot (a recorded choice); a bulk skip
// cannot replay the draws without a second copy of the policy.
inline constexpr PolicyTraits p1_flow_control_traits{
    .source = "Dong & Cao Alg. 2",
    .summary = "random budget B_t, LIFO repair",
    .needs_classes = false,
    .steady_skip = false};

}  // namespace kvcheck
