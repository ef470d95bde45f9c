#pragma once
/// \file prove_pipeline.h
/// What `kvcheck prove` proves, written once for `prove` and `buffer`: first the every-N proof
/// (generic_proof.h) of the requested pool properties (for every number of requests, every
/// workload and the [prove] ranges); the remaining properties by k-induction over the [bmc]
/// slots (k_induction.h). The verdict is PROVED only when both parts are, and, when ranges were
/// declared, only when the every-N part covers them (k-induction is for the configured values
/// only): otherwise UNKNOWN with the reason.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checkers/z3/generic_proof.h"
#include "checkers/z3/k_induction.h"

namespace kvcheck {

/// The `[prove]` ranges (prove_ranges.h): parameters the every-N proof covers (`knobs`), and
/// Dong & Cao's class budgets b_k, which the population encoding covers (`class_budget`: each
/// class's b_k anywhere in [lo, hi]).
struct ProveRanges {
  std::vector<KnobRange> knobs;
  std::optional<std::pair<std::int64_t, std::int64_t>> class_budget;
  bool empty() const { return knobs.empty() && !class_budget; }
};

/// "num_blocks in [8, 64], ..., b_k in [0, 4] for each of the 3 classes".
std::string describe_ranges(const ModelParams& params, const ProveRanges& ranges);

struct PipelineResult {
  ProveResult result;               ///< the combined verdict; `claim` states every scope
  std::vector<PropertyId> every_n;  ///< the properties proved for every N (empty: none)
  std::optional<GenericProof> generic;  ///< the every-N attempt, when one was made
  std::string every_n_claim;        ///< "kv_no_overflow, ...: for every number of requests ..."
  /// `every_n_only`: requested properties that no every-N argument of this pipeline covers for
  /// this policy at any parameter value (neither the every-N proof's nor the population
  /// encoding's): their UNKNOWN does not depend on the value (`buffer --every-n` stops there).
  std::vector<PropertyId> no_argument;
};

/// Runs both parts. An empty property list is UNKNOWN ("no property"), never PROVED about
/// nothing (the config readers already reject one; this keeps callers by hand honest). `opts.progress`, when set, receives "every N: ..." before k-induction's own
/// lines.
/// `every_n_only`: properties that neither the every-N proof nor the population encoding proves
/// are UNKNOWN ("not proved for every N") instead of going to k-induction over the slots
/// (`buffer --every-n`: a smallest value whose proof has the deployment's scope).
PipelineResult prove_pipeline(const ModelParams& params, const BmcSpec& spec,
                              const ProveRanges& ranges, const SolverOptions& opts,
                              bool every_n_only = false);

/// "a, b, c" for property ids.
std::string property_names(const std::vector<PropertyId>& ids);

}  // namespace kvcheck
