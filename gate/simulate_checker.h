#pragma once
/// \file simulate_checker.h
/// The concrete simulator behind the Checker interface: one run of the config's workload with
/// its properties checked after every iteration. A clean run is BOUNDED_OK(iterations): it
/// says nothing about other workloads.
#include "gate/checker.h"

namespace kvcheck {

class SimulateChecker final : public Checker {
 public:
  static constexpr std::size_t kMaxTracedRequests = 2000;
  std::string name() const override { return "simulate"; }
  bool applicable(const Config&) const override { return true; }
  CheckResult run(const Config& cfg, const CheckBudget& budget) override;
};

}  // namespace kvcheck
