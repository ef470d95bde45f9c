#pragma once
/// \file replay.h
/// Re-executing a recorded Trace on the concrete simulator and checking it, history-checker
/// style: the workload runs under the trace's params with the recorded nondeterministic picks
/// (ScriptedChoices), for as many iterations as recorded, and every recorded StepState must
/// equal the re-executed one. A trace whose meta says "violated" must also violate the
/// recorded property at the recorded step (a property of properties/property.h, or "stalled");
/// a lasso's cycle property is reported in `unchecked`. A divergence is a value, not an
/// exception.
#include <cstdint>
#include <string>

#include "counterexamples/trace.h"

namespace kvcheck {

struct ReplayResult {
  bool reproduced = false;
  /// Index into Trace::states of the first differing state (-1: none, or a whole-trace check
  /// such as the violated property).
  std::int64_t state = -1;
  /// The first differing field as an ITF path, e.g. "states[4].running" or
  /// "states[4].requests[id=2].generated". ITF state k is Trace::states[k - 1] (ITF state 0 is
  /// the initial state), so the path points into the .itf.json file.
  std::string field;
  std::string expected, actual;  ///< the recorded and the re-executed values, rendered
  std::int64_t states_checked = 0;  ///< recorded states that matched before the divergence
  /// What a reproduced replay did not check: a lasso witness's property (e.g. the explorer's
  /// "starvation" or "instability", with Trace::loop set) is a claim about the cycle, not a
  /// per-step predicate, so replay checks its states only and says so here.
  std::string unchecked;

  /// One line: "reproduced (N states)" or "diverged at FIELD: expected X, actual Y".
  std::string message() const;
};

/// Replays `t` on the simulator (models/ + sim/, the same policy definitions every backend
/// runs). Never throws on a consistent Trace (one read_itf accepted).
ReplayResult replay(const Trace& t);

/// Whether #meta's status agrees with the rest of #meta ("ok" names no violation, "violated"
/// names one; nothing else): sets `r`'s divergence fields and clears `reproduced` when not.
/// replay() applies it before the violation check; engine replays call it too.
void check_recorded_status(const Trace& t, ReplayResult& r);

}  // namespace kvcheck
