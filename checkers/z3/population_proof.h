#pragma once
/// \file population_proof.h
/// Unbounded proofs over the population encoding (population_view.h): k-induction in Z3 over
/// the per-(class, stage) counts, so a proof covers every workload of the configured classes,
/// with any number of requests and arrivals per step, at the papers' own scale.
///
/// The claim R of one step: every requested property holds in it, kv_no_overflow holds (the
/// encoding does not model which requests an overflow evicts, so it claims there is none),
/// the view's obligations hold (the visible waiting prefix suffices, admitted requests run),
/// and the post-state is well-formed (counts >= 0, run[k][s] <= run_cap, conservation of
/// requests). Base cases are BMC from the empty engine; the step case starts from a free
/// well-formed state. A sat step case is "not inductive" (UNKNOWN), never a violation: a
/// violation is reported only when BMC from the empty engine reaches it AND the per-request
/// simulator (ConcreteView) replays the same arrivals into a property violation.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checkers/z3/bmc_session.h"
#include "checkers/z3/population_view.h"
#include "properties/property.h"
#include "properties/verdict.h"

namespace kvcheck {

struct PopulationBounds {
  /// Empty: kv_no_overflow, no_eviction, conservation, and alg1_memory_bound for
  /// p1_class_budgets. Supported: kv_no_overflow, kv_within_capacity, no_eviction,
  /// no_preemption, conservation, exact_delivery, alg1_memory_bound, progress.
  std::vector<PropertyId> properties;
  std::int64_t max_arrivals = -1;  ///< per class per step; < 0 = unbounded
  /// k-induction depths tried: 1..max_k. With the caps in the claim both policies are
  /// 1-inductive when safe; k = 2 on p1_alg1_unsafe's 585 positions took 330 s (k = 1: 11 s).
  int max_k = 1;
  /// When no k <= max_k is inductive: BMC from the empty engine up to this depth looks for a
  /// real violation (replayed concretely). <= max_k: no further search.
  int cex_depth = 0;
  std::int64_t cap_delta = 0;  ///< tests only: plants wrong caps (population_layout)
  /// p1_class_budgets only: prove for every class budget vector with each b_k in [lo, hi]
  /// (`[prove] class_budget`) instead of the configured budgets. The b_k are constants
  /// constrained to the range in every query, the caps are hi, and a base case that breaks a
  /// property is UNKNOWN naming the budgets (no replay: the config's own budgets differ).
  std::optional<std::pair<std::int64_t, std::int64_t>> class_budget;
};

struct PopulationResult {
  Verdict verdict;          ///< Proved / Violated / Unknown (reason says why)
  bool applicable = false;  ///< false: the encoding does not take this model (verdict Unknown)
  std::int64_t k = 0;       ///< induction depth when Proved
  std::string claim;        ///< what was proved, in words (set when Proved)
  /// Violated: class-k arrivals at each step, arrivals[step][k], replayed concretely.
  std::vector<std::vector<std::int64_t>> arrivals;
  std::uint64_t work = 0;   ///< Z3 resource units used (rlimit count)
};

/// Proves the properties for every workload of the model's classes (see the file comment).
/// Uses opts.rlimit (per query) and opts.timeout_ms; unknown / exhausted is UNKNOWN.
PopulationResult prove_population(const ModelParams& params, const PopulationBounds& bounds,
                                  const SolverOptions& opts);

/// One step of the encoding from `pre` with class-k arrivals `arrivals[k]`: the post-state,
/// the named parts of the claim R, and the step's KV usage (for the differential test).
struct PopulationStep {
  PopState post;
  std::vector<std::pair<std::string, SymBool>> claim;
  std::vector<SymBool> side;  ///< definitions of fresh constants: assert them
  SymInt used_blocks, used_tokens;
  SymBool overflow;
};
PopulationStep population_step(const ModelParams& params, const PopulationLayout& layout,
                               const std::vector<PropertyId>& properties, const PopState& pre,
                               const std::vector<SymInt>& arrivals,
                               const std::vector<SymInt>& budgets = {});

/// "b_k in [0, 4] for each of the 3 classes" (empty when `bounds` has no class_budget range).
std::string describe_class_budgets(const ModelParams& params, const PopulationBounds& bounds);

/// The properties a proof over `params` checks when `bounds.properties` is empty, and whether
/// the encoding supports `id`.
std::vector<PropertyId> population_default_properties(const ModelParams& params);
bool population_supports(PropertyId id);

}  // namespace kvcheck
