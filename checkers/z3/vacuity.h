#pragma once
/// \file vacuity.h
/// A check must be able to fail. When no workload inside the `[bmc]` bounds ever gets a token
/// scheduled (every request rejected, a zero budget, arrivals beyond the depth, ...), every
/// property holds for the empty reason that nothing happens, and PROVED or BOUNDED_OK would
/// say nothing. Before `check` and `prove` answer, this module looks for one reachable step
/// that schedules work: first by simulating workloads inside the bounds (a concrete witness),
/// then, when none is found, by asking the solver whether any step up to the horizon has a
/// non-empty batch. No witness and an unsat answer is VACUOUS (a config error at the CLI:
/// exit 151); an unknown answer is UNKNOWN; never a pass.
#include <cstdint>
#include <string>

#include "checkers/z3/bmc_session.h"
#include "properties/verdict.h"

namespace kvcheck {

enum class Activity { Exercised, Vacuous, Unknown };

struct VacuityResult {
  Activity activity = Activity::Unknown;
  std::string detail;  ///< how it was decided, in words
};

/// Whether some workload inside `spec` schedules a token within `horizon` steps; one line on
/// opts.progress when set. No properties at all is Vacuous.
VacuityResult check_activity(const ModelParams& params, const BmcSpec& spec,
                             std::int64_t horizon, const SolverOptions& opts);

/// "The last step `s` unrolled schedules work" (a non-empty batch): the activity every
/// non-vacuity query asks for, here and in BMC from a prefix (prefix_bmc.cpp).
SymBool last_step_busy(const BmcSession& s);

/// The UNKNOWN verdict for a check that is not shown exercised ("vacuous: ..." when it is not).
Verdict not_exercised(const VacuityResult& r);

/// The horizon `prove` uses: long enough for the last possible arrival to be scheduled.
std::int64_t prove_activity_horizon(const BmcSpec& spec);

}  // namespace kvcheck
