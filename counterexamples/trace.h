#pragma once
/// \file trace.h
/// A run or a counterexample as data: the model (params, time model), the workload, the
/// nondeterministic inputs per step, and the observed state after every step. Every backend
/// (simulate, BMC, fuzz, explorer) produces this; itf.h reads and writes it as ITF JSON
/// (Apalache ADR-015); replay.h re-executes it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/params.h"
#include "models/request.h"
#include "models/step_record.h"
#include "models/time_model.h"

namespace kvcheck {

/// The per-request part of a recorded state (residents, and requests completed in the step).
struct RequestSnapshot {
  std::int32_t id = 0;
  std::string status;          ///< "waiting" | "running" | "swapped" | "done"
  std::int64_t computed = 0;
  std::int64_t generated = 0;
  std::int64_t blocks = 0;
  bool operator==(const RequestSnapshot&) const = default;
};

/// The state after one iteration plus the iteration's action (ITF: one state per step; the
/// action and its nondeterministic picks are `mbt::actionTaken` / `mbt::nondetPicks`).
struct StepState : StepEvents {
  std::string action;  ///< "step" for an iteration (the only action of the engine model)
  std::vector<std::int32_t> waiting, running;  ///< queue order / admission order
  std::vector<std::int32_t> swapped;           ///< vLLM V0's swapped queue, in its order
  std::vector<RequestSnapshot> requests;       ///< residents and this step's completions, by id
  bool operator==(const StepState&) const = default;
};

struct TraceMeta {
  std::string kvcheck_version;
  std::string source;          ///< "simulate" | "bmc" | "prove" | "fuzz" | "explore" | ...
  std::string status;          ///< "ok" | "violated" | ...
  std::string config_name, config_hash;
  std::uint64_t seed = 0;
  std::int64_t depth = 0;      ///< steps recorded
  std::string violated_property;  ///< empty when none
  std::int64_t violation_step = -1;
  std::string z3_version;      ///< set by the Z3 backend
  std::string note;            ///< free text (e.g. RC_PARAMS reproduce string)
};

struct Trace {
  TraceMeta meta;
  ModelParams params;
  TimeModel time;
  Workload workload;
  std::vector<StepState> states;  ///< states[i] = after iteration i
  std::optional<std::int64_t> loop;  ///< ITF lasso start, for cyclic witnesses

  /// Per-step picks, as a ScriptedChoices source wants them.
  std::vector<std::vector<std::int64_t>> picks() const {
    std::vector<std::vector<std::int64_t>> out;
    for (const auto& s : states) out.push_back(s.picks);
    return out;
  }
};

}  // namespace kvcheck
