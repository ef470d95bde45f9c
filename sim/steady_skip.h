#pragma once
/// \file steady_skip.h
/// The event-skipping part of the simulator loop. After a plain iteration that was *steady*
/// (every running request, each past its prompt, decoded one token and nothing else happened),
/// or after any plain iteration that leaves the queue empty and every running request served
/// and past its prompt (so an arrival or completion needs no extra plain witness iteration),
/// the following iterations are steady until an event: an arrival, a completion, the step
/// where the KV pool would run short (the policy would preempt or the engine evict), a
/// step-varying property failing, or the step limit. Those iterations are applied to the view in
/// bulk (ConcreteView::apply_steady_run) and handed to observers as one SteadyRun; the event
/// iteration itself is run by the plain engine step. Whether a policy's plan really stays steady
/// is decided in one place, `policy_allows_skipping`.
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "models/concrete_view.h"
#include "models/params.h"
#include "models/request.h"
#include "models/time_model.h"
#include "sim/simulator.h"

namespace kvcheck {

/// Whether the policy's plan, after a steady iteration (or a settling one: empty queue, every
/// running request served and past its prompt), stays "one decode token for every running
/// request, admit nobody" for as long as nothing arrives, nothing completes and the KV pool
/// does not run short. Requires admission to be monotone while the queue head is blocked, and
/// the per-iteration budgets to fit one token per request that the settling iteration served.
bool policy_allows_skipping(PolicyKind k);

/// Whether property `p` can only change its truth value at an event iteration (so skipped
/// steady iterations need no evaluation), given that skipping stops before any pool shortage
/// and, for Alg1MemoryBound, before its token bound is exceeded.
bool property_allows_skipping(PropertyId p);

/// Applies runs of steady iterations in bulk. One per simulate() call.
class SteadySkipper {
 public:
  /// Skipping is enabled when opts.skip_steady is set, the policy and every checked property
  /// allow it and every observer accepts steady runs.
  SteadySkipper(const ModelParams& params, const TimeModel& time, const Workload& workload,
                const SimOptions& opts, std::span<StepObserver* const> observers);

  bool enabled() const { return enabled_; }

  /// If v's last iteration was steady, applies up to `max_steps` further steady iterations to v,
  /// reports them to the observers and returns how many; returns 0 otherwise.
  std::int64_t skip(ConcreteView& v, std::int64_t max_steps);

 private:
  /// Block sizes up to this use a dense phase table (one counter per phase).
  static constexpr std::int64_t kMaxDensePhases = 256;
  /// Checks that v's last iteration was steady or settling (premises (a) and (b) in
  /// steady_skip.cpp) and, in one pass over its batch, lowers `limit` to the iterations before
  /// the first completion, sums the KV tokens of the running requests and fills phases_.
  bool scan(const ConcreteView& v, std::int64_t& limit, std::int64_t& kv);
  void compress_phases();
  void plan(const ConcreteView& v, std::int64_t limit, std::int64_t kv_tokens);

  const ModelParams& params_;
  const TimeModel& time_;
  const Workload& workload_;
  std::span<StepObserver* const> observers_;
  bool enabled_ = false;
  bool check_alg1_ = false;
  std::int64_t alg1_bound_ = 0;
  /// (phase, requests): dense (index = phase) or sorted sparse, per dense_.
  std::vector<std::pair<std::int64_t, std::int64_t>> phases_;
  bool dense_ = true;
  std::vector<SteadyStep> steps_;
};

}  // namespace kvcheck
