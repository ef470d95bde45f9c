#pragma once
/// \file engine_step.h
/// One engine iteration, written once over any view: arrivals, the policy's plan, the engine's
/// overflow fallback, token progress and completions. Every backend runs this same function.
#include "models/engine_rules.h"
#include "models/policy.h"
#include "models/view.h"

namespace kvcheck {

/// The engine's fallback when a plan reserves more blocks than the pool holds: an overflow
/// event (recorded; the `kv_no_overflow` property fails) repaired by evicting the most recently
/// admitted running requests (recompute) until the plan fits, as Dong & Cao's model does.
template <class V>
void evict_on_overflow(V& v) {
  using D = typename V::Domain;
  const auto total = v.knob(Knob::NumBlocks);
  v.note_overflow(v.used_blocks() > total);
  for (int j = v.running_bound() - 1; j >= 0; --j) {
    const auto over = v.running_valid(j) && v.used_blocks() > total;
    if (D::definitely_false(over)) break;
    v.evict(v.running_at(j), over);
  }
}

/// Token progress of every scheduled request, and completion when its output is delivered.
template <class V>
void advance_batch(V& v) {
  using D = typename V::Domain;
  for (int k = 0; k < v.running_bound(); ++k) {
    const auto r = v.running_at(k);
    const auto n = v.sched(r);
    const auto live = v.running_valid(k) && n > D::lit(0);
    typename V::Int computed = n, generated = n;
    progress_after<D>(v.params().engine, v.prompt(r), v.computed(r), v.generated(r), n, computed, generated);
    const auto done = live && generated >= v.output(r);
    v.finish(r, computed, generated, done, live);
  }
}

/// One iteration of the engine under the configured policy.
template <class V>
void engine_step(V& v) {
  v.begin_step();
  {
    PolicyView<V> pv(v);
    run_policy(pv);
  }
  v.commit();
  evict_on_overflow(v);
  v.batch_ready();
  advance_batch(v);
  v.end_step();
}

}  // namespace kvcheck
