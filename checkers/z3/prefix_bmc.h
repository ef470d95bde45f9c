#pragma once
/// \file prefix_bmc.h
/// BMC from a reachable state sampled by simulation (`kvcheck check --from-step S`, issue 14):
/// the config's own workload is simulated concretely up to step S (checkers/z3/prefix_run.h),
/// and BMC unrolls `depth` more steps from the state it reaches, with the prefix's residents in
/// slots whose inputs and fields are numerals and `spec.slots` symbolic requests arriving at
/// steps S + [bmc] arrival range. A counterexample is the whole run: the prefix's workload plus
/// the model's arrivals, the prefix's choices plus the model's, so its trace starts from the
/// empty engine and replays (confirmed like every counterexample).
///
/// Verdicts: VIOLATED (in the prefix itself, or by the solver after it) or UNKNOWN. A run
/// with no violation counts as clean only if some run from the sampled state schedules work
/// within the depth (else it is vacuous, `PrefixBmcResult::vacuous`). Only runs
/// through the sampled state are explored, so "no violation" is never BOUNDED_OK for the config:
/// it is UNKNOWN with that reason (exit 5), as is a solver unknown, an exhausted rlimit or the
/// wall-clock guard.
#include <cstdint>
#include <optional>

#include "checkers/z3/bmc_session.h"
#include "checkers/z3/prefix_run.h"
#include "properties/verdict.h"

namespace kvcheck {

/// More residents than this in the sampled state: UNKNOWN saying so (each resident is a slot of
/// every step's position tables, quadratic in the slots; docs/z3-backend.md "BMC from a
/// simulated prefix" has the measurements).
inline constexpr std::size_t kMaxPrefixResidents = 64;

struct PrefixBmcResult {
  Verdict verdict;  ///< Violated or Unknown, never a pass
  std::optional<Counterexample> cex;  ///< set iff Violated: the whole run from the empty engine
  PrefixRun prefix;                   ///< the simulated prefix (its states: the trace's first ones)
  bool in_prefix = false;             ///< the violation is in the simulated prefix itself
  /// Every depth up to the one asked was unsat: no violation within it from the sampled state
  /// (the verdict is still UNKNOWN: the caller knows whether that state is the config's own
  /// start, step 0, where it means BOUNDED_OK).
  bool clean = false;
  /// No run from the sampled state schedules any work within the depth (so `clean` would be
  /// vacuous): the verdict is UNKNOWN saying so, and `clean` is false.
  bool vacuous = false;
};

/// BMC of spec.properties for `depth` steps from the state `w` reaches at step `step` (see the
/// file comment). Throws InputError for a bad `step` (prefix_run.h).
PrefixBmcResult run_prefix_bmc(const ModelParams& params, const TimeModel& time,
                               const Workload& w, const BmcSpec& spec, std::int64_t step,
                               std::int64_t depth, const SolverOptions& opts,
                               std::size_t max_residents = kMaxPrefixResidents);

/// Whether `states` (a replayed trace's) begins with the prefix's states, field for field.
bool starts_with_prefix(const std::vector<StepState>& states, const PrefixRun& prefix);

}  // namespace kvcheck
