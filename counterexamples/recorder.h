#pragma once
/// \file recorder.h
/// Building Traces from concrete runs: an observer that snapshots every iteration, and a helper
/// that runs the simulator over a workload and returns the recorded trace.
#include "counterexamples/trace.h"
#include "models/concrete_view.h"
#include "sim/simulator.h"

namespace kvcheck {

/// The recorded state of `v` after its last iteration.
StepState snapshot(const ConcreteView& v);

class TraceRecorder final : public StepObserver {
 public:
  explicit TraceRecorder(Trace& t) : trace_(t) {}
  void on_step(const ConcreteView& v) override { trace_.states.push_back(snapshot(v)); }

 private:
  Trace& trace_;
};

/// Runs the simulator and records every iteration. `meta` is copied into the trace and its
/// status / violated property / depth are filled from the outcome.
Trace record_run(const ModelParams& params, const TimeModel& time, const Workload& workload,
                 ChoiceSource& choices, const SimOptions& opts, TraceMeta meta,
                 SimOutcome* outcome = nullptr);

}  // namespace kvcheck
