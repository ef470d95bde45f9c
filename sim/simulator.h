#pragma once
/// \file simulator.h
/// The concrete engine loop: runs the engine step (models/engine_step.h) over a workload,
/// checks the configured properties after every iteration and hands each iteration to
/// observers (metrics, ITF writer, GPU replay). The plain stepper here is the reference; a
/// faster event-skipping loop must produce the same observations (tests/sim).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/params.h"
#include "models/request.h"
#include "models/time_model.h"
#include "properties/property.h"
#include "properties/verdict.h"
#include "sim/livelock.h"
#include "sim/steady_run.h"

namespace kvcheck {

/// Sees every iteration right after it ends (the view holds the post-iteration state and
/// `last_step()` the iteration's record).
class StepObserver {
 public:
  virtual ~StepObserver() = default;
  virtual void on_step(const ConcreteView& v) = 0;
  /// Whether this observer accepts steady runs (below) in place of per-iteration calls. The
  /// event-skipping loop (SimOptions::skip_steady) only skips when every observer says yes.
  virtual bool accepts_steady_runs() const { return false; }
  /// A run of skipped steady iterations; `v` holds the state after the last of them.
  virtual void on_steady_run(const ConcreteView& v, const SteadyRun& run) { (void)v, (void)run; }
  /// Called once after the last iteration with the final state.
  virtual void on_finish(const ConcreteView& v) { (void)v; }
};

struct SimOptions {
  std::vector<PropertyId> properties;
  std::int64_t max_steps = 10'000'000;
  std::int64_t max_idle_steps = 10'000;
  bool stop_at_violation = false;
  /// Event-skipping: jump over steady iterations in bulk (sim/steady_skip.h) where the policy
  /// allows it and every observer accepts steady runs. Same outcome and observations as the
  /// plain stepper (tests/sim check it); off by default so the plain stepper stays the reference.
  bool skip_steady = false;
};

struct PropertyViolation {
  PropertyId id;
  std::int64_t step;
  std::string detail = {};  ///< who and why, where the property can say (schedulable)
};

struct SimOutcome {
  std::int64_t steps = 0;                     ///< iterations run
  bool finished = false;                      ///< every request completed or was rejected
  bool stalled = false;                       ///< max_idle_steps empty iterations in a row
  /// The engine state recurred with work done in between (preemption thrash): the run stops
  /// there, a liveness violation (sim/livelock.h).
  std::optional<Livelock> livelock;
  bool hit_max_steps = false;
  std::int64_t unfinished = 0;   ///< requests neither completed nor rejected at the end
  std::int64_t not_arrived = 0;  ///< of those, requests whose arrival was never reached
  std::vector<PropertyViolation> violations;  ///< first violation of each property
  /// The run's verdict: Violated (first violation) / stalled / livelock -> liveness; else
  /// BoundedOk(steps).
  /// With `require_complete` (a run meant to cover the whole workload: `simulate` and the gate
  /// when no horizon was declared), a run that stopped at max_steps with requests left is
  /// UNKNOWN ("incomplete"), never ok.
  Verdict verdict(bool require_complete = false) const;
};

SimOutcome simulate(const ModelParams& params, const TimeModel& time, const Workload& workload,
                    ChoiceSource& choices, const SimOptions& opts,
                    std::span<StepObserver* const> observers = {});

}  // namespace kvcheck
