#pragma once
/// \file search_checkers.h
/// The randomized and explicit-state backends behind the Checker interface: RapidCheck
/// (checkers/fuzz) for configs with a [fuzz] section, the Boost.Graph explorer
/// (checkers/explicit) for configs with an [explore] section.
#include "gate/checker.h"

namespace kvcheck {

/// `kvcheck fuzz`: corpus replay, RapidCheck search with shrinking, stability, coverage.
class FuzzChecker final : public Checker {
 public:
  std::string name() const override { return "fuzz"; }
  bool applicable(const Config& cfg) const override;
  CheckResult run(const Config& cfg, const CheckBudget& budget) override;
};

/// `kvcheck explore`: reachable graph, shortest safety counterexample, starvation, drift.
class ExploreChecker final : public Checker {
 public:
  std::string name() const override { return "explore"; }
  bool applicable(const Config& cfg) const override;
  CheckResult run(const Config& cfg, const CheckBudget& budget) override;
};

}  // namespace kvcheck
