#pragma once
/// \file bmc.h
/// Bounded model checking (`kvcheck check`): incremental unrolling from the initial state,
/// every property checked after every step, stopping at the first depth where one can fail, so
/// the counterexample is a shortest one. Verdicts: VIOLATED (with the counterexample),
/// BOUNDED_OK(depth), UNKNOWN (solver unknown / timeout).
#include <optional>

#include "checkers/z3/bmc_session.h"
#include "properties/verdict.h"

namespace kvcheck {

struct BmcResult {
  Verdict verdict;
  std::optional<Counterexample> cex;  ///< set iff verdict is Violated
  /// No workload inside the bounds schedules any work within the depth (checkers/z3/vacuity.h):
  /// the verdict is UNKNOWN with the reason; the CLI reports it as a config error.
  bool vacuous = false;
};

/// BMC without the deadline's catch (run_bmc wraps it: past opts.deadline, Z3's "canceled"
/// from an interrupted call is UNKNOWN).
BmcResult run_bmc_unguarded(const ModelParams& params, const BmcSpec& spec, std::int64_t depth,
                            const SolverOptions& opts);

/// BMC of spec.properties for `depth` steps over spec.slots symbolic requests.
BmcResult run_bmc(const ModelParams& params, const BmcSpec& spec, std::int64_t depth,
                    const SolverOptions& opts);

/// The first of `props` that is false in `m` (index into props), or props.size() if none.
std::size_t first_false(const z3::model& m, const std::vector<SymBool>& props);

}  // namespace kvcheck
