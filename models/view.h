#pragma once
/// \file view.h
/// The state view: the one interface every policy and the engine step are written against.
///
/// A view exposes the engine state of one backend through a domain `D` (models/domain.h):
/// `ConcreteView` (models/concrete_view.h) holds real containers and running sums, so a step
/// costs what the batch costs; the Z3 backend's `SymbolicView` holds N request slots as SMT
/// terms. Policies are function templates over a view, so each policy has exactly one definition.
///
/// Semantics every implementation must share (the differential test checks them):
///  - Positions: `running_at(k)` (admission order, 0 = oldest) and `waiting_at(k)` (queue order,
///    0 = head) index snapshots taken by `snapshot()`; actions do not move positions until the
///    next snapshot. `*_valid(k)` says whether position k holds a request (always true for the
///    concrete view, `k < count` for a symbolic one). Loops run to `*_bound()`, a plain int.
///  - Actions are conditional: they take effect only where `when` holds.
///     schedule(r, n, when): r processes n tokens this iteration; its KV reservation grows to
///         blocks_for(computed + n + lookahead) blocks, immediately visible in free_blocks().
///     admit(r, when): waiting -> running, placed after all running requests (newest).
///     preempt(r, when): running -> waiting with recompute (KV freed, progress lost), re-queued at
///         the front (in admission order) or back, per EngineParams::requeue.
///     choose(id, lo, hi): a nondeterministic integer input in [lo, hi] (recorded per step).
///  - Swap (vLLM V0's `preemption_mode = "swap"`; a view that has it models `SwapView`):
///     swap_out(r, when): running -> swapped, its KV blocks moved to the CPU pool (computed
///         tokens kept); appended to the swapped queue in call order. A CPU pool too small for
///         it is recorded (V0 aborts the engine; the `swap_space` property fails).
///     swap_in(r, when): swapped -> running (placed after all running requests), its blocks
///         moved back to the GPU pool, immediately visible in free_blocks().
///     `swapped_at(k)` indexes the swapped queue's snapshot like `waiting_at(k)`. ConcreteView
///     and SymbolicView (check / prove's unrolling) have these members; the every-N generic
///     view and the population view lack them: policies guard the calls with
///     `PolicyView::kCanSwap`, and prove never runs a swap config on those two. The explorer
///     runs ConcreteView and keeps the swapped queue in its state.
///  - Parameters that a proof may range over (params.h `Knob`: pool size, watermark,
///    max_num_seqs, token budget) are read with `knob(k)`, never as `D::lit(params()...)`.
///  - Policies see no output length: they are given a PolicyView, which omits `output()`.
#include <concepts>
#include <cstdint>

#include "models/engine_rules.h"
#include "models/params.h"

namespace kvcheck {

template <class V>
concept SchedulerView = requires(V& v, const V& cv, typename V::Ref r, int k,
                                 typename V::Int n, typename V::Bool b) {
  typename V::Domain;
  { cv.running_bound() } -> std::convertible_to<int>;
  { cv.running_at(k) } -> std::same_as<typename V::Ref>;
  { cv.running_valid(k) } -> std::convertible_to<typename V::Bool>;
  { cv.waiting_bound() } -> std::convertible_to<int>;
  { cv.waiting_at(k) } -> std::same_as<typename V::Ref>;
  { cv.waiting_valid(k) } -> std::convertible_to<typename V::Bool>;
  { cv.prompt(r) } -> std::convertible_to<typename V::Int>;
  { cv.computed(r) } -> std::convertible_to<typename V::Int>;
  { cv.generated(r) } -> std::convertible_to<typename V::Int>;
  { cv.klass(r) } -> std::convertible_to<typename V::Int>;
  { cv.arrival_rank(r) } -> std::convertible_to<typename V::Int>;
  { cv.held_blocks(r) } -> std::convertible_to<typename V::Int>;
  { cv.free_blocks() } -> std::convertible_to<typename V::Int>;
  { cv.num_running() } -> std::convertible_to<typename V::Int>;
  { cv.knob(Knob::NumBlocks) } -> std::convertible_to<typename V::Int>;
  { cv.params() } -> std::convertible_to<const ModelParams&>;
  v.schedule(r, n, b);
  v.admit(r, b);
  v.preempt(r, b);
  { v.choose(k, std::int64_t{}, std::int64_t{}) } -> std::convertible_to<typename V::Int>;
};

/// A view that also represents vLLM V0's swap preemption (a swapped queue and a CPU pool).
template <class V>
concept SwapView = SchedulerView<V> && requires(V& v, const V& cv, typename V::Ref r, int k,
                                                typename V::Bool b) {
  { cv.swapped_bound() } -> std::convertible_to<int>;
  { cv.swapped_at(k) } -> std::same_as<typename V::Ref>;
  { cv.swapped_valid(k) } -> std::convertible_to<typename V::Bool>;
  { cv.num_swapped() } -> std::convertible_to<typename V::Int>;
  { cv.free_cpu_blocks() } -> std::convertible_to<typename V::Int>;
  v.swap_out(r, b);
  v.swap_in(r, b);
};

/// What a policy may see and do: the view minus the hidden output length and engine internals.
template <SchedulerView V>
class PolicyView {
 public:
  using Domain = typename V::Domain;
  using Int = typename V::Int;
  using Bool = typename V::Bool;
  using Ref = typename V::Ref;

  explicit PolicyView(V& v) : v_(v) {}

  /// Whether the view represents swap (SwapView): the swap members below exist only then.
  static constexpr bool kCanSwap = SwapView<V>;

  int running_bound() const { return v_.running_bound(); }
  Ref running_at(int k) const { return v_.running_at(k); }
  Bool running_valid(int k) const { return v_.running_valid(k); }
  int waiting_bound() const { return v_.waiting_bound(); }
  Ref waiting_at(int k) const { return v_.waiting_at(k); }
  Bool waiting_valid(int k) const { return v_.waiting_valid(k); }

  Int prompt(Ref r) const { return v_.prompt(r); }
  Int computed(Ref r) const { return v_.computed(r); }
  Int generated(Ref r) const { return v_.generated(r); }
  Int klass(Ref r) const { return v_.klass(r); }
  /// r's place in arrival order (workload order: earlier arrivals have smaller ranks; ranks are
  /// distinct). vLLM orders by `arrival_time`; kvcheck's workload lists requests in that order.
  Int arrival_rank(Ref r) const { return v_.arrival_rank(r); }
  Int held_blocks(Ref r) const { return v_.held_blocks(r); }
  /// True while r still has prompt tokens (or, after a recompute that keeps the output, known
  /// tokens) to process (models/engine_rules.h).
  Bool in_prefill(Ref r) const {
    return kvcheck::in_prefill<Domain>(v_.params().engine, v_.prompt(r), v_.computed(r),
                                       v_.generated(r));
  }
  /// Tokens r must have computed before it samples its next token (engine_rules.h).
  Int known_tokens(Ref r) const {
    return kvcheck::known_tokens<Domain>(v_.params().engine, v_.prompt(r), v_.generated(r));
  }

  /// The pool as the policy sees it: the engine's, unless a mutation twin widened the view
  /// (PolicyParams::pool_view_slack; 0 adds no term).
  Int free_blocks() const { return with_slack(v_.free_blocks()); }
  Int total_blocks() const { return with_slack(v_.knob(Knob::NumBlocks)); }
  /// A rangeable parameter (params.h `Knob`): the value, or a proof's constrained constant.
  Int knob(Knob k) const { return v_.knob(k); }
  /// Class c's budget b_c (Dong & Cao Alg. 1): the view's term where it has one (a population
  /// proof over a `[prove] class_budget` range), else the configured value.
  Int class_budget(std::size_t c) const {
    if constexpr (requires { v_.class_budget(c); }) return v_.class_budget(c);
    else return Domain::lit(v_.params().classes[c].budget);
  }
  Int num_running() const { return v_.num_running(); }
  const ModelParams& params() const { return v_.params(); }
  /// The block size and lookahead, read through the view (a proof may range over them).
  BlockGeometry<Domain> geometry() const {
    return {v_.knob(Knob::BlockSize), v_.knob(Knob::Lookahead)};
  }
  /// Blocks needed to hold `tokens` KV tokens.
  Int blocks_for(Int tokens) const {
    return kvcheck::blocks_for<Domain>(v_.knob(Knob::BlockSize), tokens);
  }
  /// Blocks r would hold after processing n more tokens this iteration.
  Int blocks_after(Ref r, Int n) const {
    return blocks_for(v_.computed(r) + n + v_.knob(Knob::Lookahead));
  }

  void schedule(Ref r, Int n, Bool when) { v_.schedule(r, n, when); }
  void admit(Ref r, Bool when) { v_.admit(r, when); }
  void preempt(Ref r, Bool when) { v_.preempt(r, when); }
  Int choose(int id, std::int64_t lo, std::int64_t hi) { return v_.choose(id, lo, hi); }

  // --- swap (SwapView only) --------------------------------------------------------------
  int swapped_bound() const requires SwapView<V> { return v_.swapped_bound(); }
  Ref swapped_at(int k) const requires SwapView<V> { return v_.swapped_at(k); }
  Bool swapped_valid(int k) const requires SwapView<V> { return v_.swapped_valid(k); }
  Int num_swapped() const requires SwapView<V> { return v_.num_swapped(); }
  void swap_out(Ref r, Bool when) requires SwapView<V> { v_.swap_out(r, when); }
  void swap_in(Ref r, Bool when) requires SwapView<V> { v_.swap_in(r, when); }

 private:
  Int with_slack(Int blocks) const {
    const auto slack = v_.params().policy.pool_view_slack;
    return slack == 0 ? blocks : blocks + Domain::lit(slack);
  }
  V& v_;
};

}  // namespace kvcheck
