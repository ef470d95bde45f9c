#pragma once
/// \file prefix_run.h
/// The concrete half of "BMC from a simulated prefix" (docs/z3-backend.md): the config's own
/// workload simulated on ConcreteView (models/engine_step.h, the policy template) up to a step
/// S, and the engine state it reaches there as plain numbers, for Unroller to start from
/// (`Unroller::initial` with a ConcreteStart). Z3-free.
///
/// The prefix is re-expressed as a step-clocked workload: the requests that arrived before S, in
/// workload order, each arriving at the step it arrived at in the simulation. Requests arriving
/// at S or later never act before S, so this workload followed by any arrivals at steps >= S
/// replays the same S steps from the empty engine (checked: the prefix is simulated a second
/// time from that workload with the recorded choices and must reach the same state).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "counterexamples/trace.h"
#include "models/concrete_view.h"
#include "models/params.h"
#include "models/request.h"
#include "models/time_model.h"
#include "properties/property.h"

namespace kvcheck {

/// One resident request (waiting or running) of the sampled state, as a symbolic slot holds it.
struct ResidentSlot {
  std::int32_t id = 0;  ///< index in the prefix workload (= workload order)
  Request input;
  Status status = Status::Waiting;
  std::int64_t pos = 0;  ///< queue position (waiting) / admission order (running)
  std::int64_t computed = 0, generated = 0, blocks = 0, tokens = 0;
};

/// The engine state at the start of step `step`, as numbers. Requests that are done or were
/// rejected are left out: they hold nothing and never act again (every count a property reads,
/// e.g. `conservation`, drops them on both sides).
struct ConcreteStart {
  std::int64_t step = 0;  ///< the index of the first step BMC unrolls
  std::int64_t used = 0;  ///< the pool's block counter
  std::vector<ResidentSlot> residents;  ///< in workload order
};

/// The residents of `v` (waiting, running and swapped) in request order, with their queue
/// positions.
ConcreteStart concrete_start(const ConcreteView& v, std::int64_t step);

/// A simulated prefix of the config's workload.
struct PrefixRun {
  Workload workload;  ///< the requests that arrived before `start.step`, step clock
  std::vector<std::vector<std::int64_t>> picks;  ///< the policy's choices, per step index
  std::vector<StepState> states;  ///< every iteration of the prefix (ITF states)
  ConcreteStart start;
  /// A property of `properties` already failed inside the prefix: the step, and the prefix
  /// workload / picks / states end there (a counterexample without the solver).
  std::optional<PropertyId> violated;
  std::int64_t violation_step = -1;
};

/// Simulates `w` (any clock, open loop) under `time` with seeded choices (seed 1, as
/// workload_witness) until the start of step `step`, checking `properties` after every
/// iteration. Throws InputError (ConfigError, field `flag`) when `step` is negative, when the
/// workload's run ends before `step` (every request has left) or when `w` is a closed loop;
/// std::logic_error when the step-clock re-run does not reach the same state.
PrefixRun simulate_prefix(const ModelParams& params, const TimeModel& time, const Workload& w,
                          std::int64_t step, const std::vector<PropertyId>& properties,
                          const std::string& flag = "--from-step");

/// `--from-step auto`: the step (at most `max_steps`) at whose start the simulated run of `w`
/// holds the most KV blocks (the earliest such step); 0 when nothing is ever held.
std::int64_t fullest_step(const ModelParams& params, const TimeModel& time, const Workload& w,
                          std::int64_t max_steps);

}  // namespace kvcheck
