#pragma once
/// \file predicates.h
/// The property predicates, each written once over a view V (ConcreteView or the Z3 backend's
/// SymbolicView) and returning V::Bool. Evaluated on the state after an iteration together with
/// that iteration's observations (step_*).
#include "models/engine_rules.h"
#include "properties/property.h"

namespace kvcheck {

template <class V>
typename V::Bool exact_delivery(const V& v) {
  using D = typename V::Domain;
  typename V::Bool ok = D::truth(true);
  for (int k = 0; k < v.completed_bound(); ++k) {
    const auto r = v.completed_at(k);
    ok = ok && (!v.completed_valid(k) || v.generated(r) == v.output(r));
  }
  for (int k = 0; k < v.running_bound(); ++k) {
    const auto r = v.running_at(k);
    ok = ok && (!v.running_valid(k) || v.generated(r) < v.output(r));
  }
  return ok;
}

/// `schedulable`: every waiting request could be admitted on an idle engine
/// (models/engine_rules.h, never_admissible).
template <class V>
typename V::Bool schedulable(const V& v) {
  using D = typename V::Domain;
  typename V::Bool ok = D::truth(true);
  for (int k = 0; k < v.waiting_bound(); ++k) {
    const auto r = v.waiting_at(k);
    ok = ok && (!v.waiting_valid(k) ||
                !never_admissible<D>(v.params(), v.prompt(r), v.computed(r), v.generated(r)));
  }
  return ok;
}

/// Requests in vLLM V0's swapped queue; 0 for a view without swap (view.h, SwapView).
template <class V>
typename V::Int count_swapped(const V& v) {
  if constexpr (requires { v.count_swapped(); })
    return v.count_swapped();
  else
    return V::Domain::lit(0);
}

/// `swap_space`: no swap out of the last iteration found the CPU pool too small.
template <class V>
typename V::Bool swap_space_ok(const V& v) {
  if constexpr (requires { v.step_swap_abort(); })
    return !v.step_swap_abort();
  else
    return V::Domain::truth(true);
}

template <class V>
typename V::Bool holds(PropertyId id, const V& v) {
  using D = typename V::Domain;
  const auto& p = v.params();
  switch (id) {
    case PropertyId::KvNoOverflow: return !v.step_overflow();
    case PropertyId::KvWithinCapacity:
      return v.step_used_blocks() <= D::lit(p.engine.num_blocks);
    case PropertyId::NoEviction: return v.step_evictions() == D::lit(0);
    case PropertyId::NoPreemption: return v.step_preemptions() == D::lit(0);
    case PropertyId::Conservation:
      return v.count_arrived() == v.count_waiting() + v.count_running() + count_swapped(v) +
                                      v.count_done() + v.count_rejected();
    case PropertyId::ExactDelivery: return exact_delivery(v);
    case PropertyId::Alg1MemoryBound:
      // Over the view's class budgets where it has them (a population proof's ranged b_k).
      if constexpr (requires { v.alg1_memory_bound(); })
        return v.step_used_tokens() <= v.alg1_memory_bound();
      else
        return v.step_used_tokens() <= D::lit(alg1_memory_bound(p));
    case PropertyId::Progress:
      return !v.step_batch_empty() ||
             (v.count_waiting() + v.count_running() + count_swapped(v) == D::lit(0));
    case PropertyId::Schedulable: return schedulable(v);
    case PropertyId::SwapSpace: return swap_space_ok(v);
  }
  return D::truth(true);
}

}  // namespace kvcheck
