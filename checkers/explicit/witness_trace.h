#pragma once
/// \file witness_trace.h
/// Turning a Witness into a Trace that `kvcheck replay` replays: the workload is rebuilt from
/// the path's arrival choices (saturated mode: a backlog large enough to keep the policy's
/// window full, plus the per-step arrivals), the picks are scripted, and the run is re-recorded
/// with record_run, so the trace is exactly what the concrete simulator does. The re-recorded
/// states are then checked against the explored path.
#include <string>

#include "checkers/explicit/explore_options.h"
#include "checkers/explicit/state_graph.h"
#include "checkers/explicit/witness.h"
#include "counterexamples/trace.h"
#include "io/config.h"

namespace kvcheck::explicit_state {

/// The workload whose concrete run follows the witness's arrival choices.
Workload witness_workload(const ExploredGraph& g, const Witness& w, const ExploreOptions& opts);

/// Re-records the witness through record_run; sets meta (source "explore", the violated
/// property, the violation step) and `loop` for lassos.
Trace witness_trace(const ExploredGraph& g, const Witness& w, const Config& cfg,
                    const ExploreOptions& opts);

/// True when every recorded state of `t` matches the explored state reached by the same step
/// (residents' shapes and progress, in queue, admission and swap-out order) and, for a safety witness,
/// the recorded run fails the same property at the last step. `why` says what differed.
bool trace_matches(const Trace& t, const ExploredGraph& g, const Witness& w,
                   const ExploreOptions& opts, std::string& why);

}  // namespace kvcheck::explicit_state
