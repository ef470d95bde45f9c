#include "checkers/z3/vacuity.h"

#include "checkers/z3/seed_search.h"

namespace kvcheck {
namespace {

/// Simulated workloads tried before the solver is asked (none when seed_runs = 0).
constexpr std::int64_t kActivityRuns = 200;

/// The solver's answer: is there a step t < horizon with a non-empty batch?
VacuityResult solver_activity(const ModelParams& params, const BmcSpec& spec,
                              std::int64_t horizon, const SolverOptions& opts) {
  BmcSession s(params, spec, opts, false);
  SymbolicScope scope(s.ctx());
  for (std::int64_t t = 0; t < horizon; ++t) {
    (void)s.extend(false);
    const auto r = s.query(last_step_busy(s), "activity_" + std::to_string(t));
    if (r.result == z3::sat)
      return {Activity::Exercised, "the solver found a workload scheduling work at step " +
                                       std::to_string(t)};
    if (r.result == z3::unknown)
      return {Activity::Unknown, "could not decide whether any workload inside the [bmc] "
                                 "bounds schedules work (solver unknown at step " +
                                     std::to_string(t) + ": " + r.reason + ")"};
  }
  return {Activity::Vacuous, "no workload inside the [bmc] bounds (" + std::to_string(spec.slots) +
                                 " slots) gets a single token scheduled within " +
                                 std::to_string(horizon) + " steps, so every property holds "
                                 "vacuously; widen the bounds or fix the policy parameters"};
}

}  // namespace

SymBool last_step_busy(const BmcSession& s) {
  return SymBool{s.steps().back().obs.batch_size.e > 0};
}

std::int64_t prove_activity_horizon(const BmcSpec& spec) {
  return spec.arrival_hi + 1 + spec.depth;
}

Verdict not_exercised(const VacuityResult& r) {
  return Verdict::unknown((r.activity == Activity::Vacuous ? "vacuous: " : "") + r.detail);
}

VacuityResult check_activity(const ModelParams& params, const BmcSpec& spec,
                             std::int64_t horizon, const SolverOptions& opts) {
  VacuityResult r;
  if (spec.properties.empty()) {
    r = {Activity::Vacuous, "no property to check"};
  } else if (horizon <= 0) {
    r = {Activity::Vacuous, "a horizon of 0 steps checks nothing"};
  } else if (const auto w = activity_witness(params, spec, horizon,
                                             opts.seed_runs > 0 ? kActivityRuns : 0, opts.seed)) {
    r = {Activity::Exercised,
         "simulated workload " + std::to_string(*w) + " inside the bounds schedules work"};
  } else {
    r = solver_activity(params, spec, horizon, opts);
  }
  if (opts.progress) *opts.progress << "non-vacuity: " << r.detail << "\n" << std::flush;
  return r;
}

}  // namespace kvcheck
