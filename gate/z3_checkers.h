#pragma once
/// \file z3_checkers.h
/// The Z3 backend (checkers/z3/bmc.h, checkers/z3/k_induction.h) behind the Checker interface. Both
/// apply to configs with a [bmc] section. Every VIOLATED result is replayed on the concrete
/// simulator first (checkers/z3/confirm.h); one that does not reproduce becomes ERROR, never a
/// verdict.
#include <optional>
#include <string>

#include "gate/checker.h"

namespace kvcheck {

/// `kvcheck check`: BMC to the [bmc] depth (or budget.depth).
class BmcChecker final : public Checker {
 public:
  std::string name() const override { return "bmc"; }
  bool applicable(const Config& cfg) const override;
  CheckResult run(const Config& cfg, const CheckBudget& budget) override;
};

/// `kvcheck prove`: k-induction up to [bmc] max_k.
class ProveChecker final : public Checker {
 public:
  std::string name() const override { return "prove"; }
  bool applicable(const Config& cfg) const override;
  CheckResult run(const Config& cfg, const CheckBudget& budget) override;
};

/// The mutated twin of a config `prove` showed safe (gate/mutation_twin.h), checked by the
/// same prove; a VIOLATED twin's counterexample is replayed concretely (ERROR if it does not
/// reproduce). Nothing when no twin applies (`why` says why).
std::optional<CheckResult> run_mutation_twin(const Config& cfg, const CheckBudget& budget,
                                             std::string& why);

}  // namespace kvcheck
