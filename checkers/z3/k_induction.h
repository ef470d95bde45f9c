#pragma once
/// \file k_induction.h
/// Unbounded safety (`kvcheck prove`) by k-induction over the symbolic model. The inductive
/// claim is Q = (every property holds in the step) && (the post-state is well-formed and meets
/// the user's [bmc] invariants); base cases are BMC from the initial state, the step case starts
/// from an arbitrary well-formed state with arbitrary inputs in the configured bounds. Because
/// the invariants are part of Q, a wrong strengthening costs completeness, never soundness.
/// What is proved: for all workloads of <= N requests within the configured input bounds, every
/// property holds after every step, forever. Before k-induction, the allocation invariant
/// (allocation_invariant.h) is tried; when it holds, it is the proof and the claim states it.
#include <optional>
#include <string>

#include "checkers/z3/bmc_session.h"
#include "properties/verdict.h"

namespace kvcheck {

struct ProveResult {
  Verdict verdict;                    ///< Proved / Violated / Unknown / Error
  std::optional<Counterexample> cex;  ///< set iff Violated
  std::int64_t k = 0;                 ///< induction depth when Proved
  std::string claim;                  ///< what was proved, in words
  bool vacuous = false;               ///< nothing is ever scheduled (checkers/z3/vacuity.h)
};

/// k-induction without the deadline's catch (prove_k_induction wraps it).
ProveResult prove_unguarded(const ModelParams& params, const BmcSpec& spec,
                            const SolverOptions& opts);

/// Tries k = 1..spec.max_k. Past opts.deadline, an interrupted solver call is UNKNOWN.
ProveResult prove_k_induction(const ModelParams& params, const BmcSpec& spec,
                              const SolverOptions& opts);

/// "for all workloads of <= N requests with ..." for this spec.
std::string describe_scope(const BmcSpec& spec);

}  // namespace kvcheck
