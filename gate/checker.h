#pragma once
/// \file checker.h
/// The narrow interface every verification backend is adapted to (style.md habit 4): one call,
/// a verdict as a value, an optional counterexample trace and a few statistics. The gate, the
/// CLI and the tests iterate over checkers without knowing which engine is behind them.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "counterexamples/trace.h"
#include "io/config.h"
#include "properties/verdict.h"

namespace kvcheck {

/// Budget and knobs common to all checkers; each adapter maps them onto its own options.
struct CheckBudget {
  std::int64_t depth = 0;          ///< BMC depth / explorer depth limit (0: the config's)
  std::int64_t runs = 0;           ///< random cases (0: the config's)
  std::uint64_t seed = 1;
  std::int64_t timeout_ms = 0;     ///< 0: none
  /// The gate's outer wall-clock guard (--time-limit): a checker started or running past it
  /// ends UNKNOWN, never a pass. Unset: none.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  /// A line here every few seconds while one solver query runs (null: none). Printing only.
  std::ostream* heartbeat = nullptr;
};

struct CheckResult {
  Verdict verdict;
  std::optional<Trace> counterexample;  ///< for Violated
  std::string summary;                  ///< one line: depth reached, states, cases, time
  double seconds = 0.0;
  /// What the check measured, by name (the simulate checker: gate/gate_metrics.h); the gate's
  /// --baseline compares them with the old build's.
  std::map<std::string, double> metrics;
};

class Checker {
 public:
  virtual ~Checker() = default;
  /// Short name used on the command line and in reports ("simulate", "bmc", "prove", ...).
  virtual std::string name() const = 0;
  /// Whether this checker can say anything about `cfg` (e.g. it has the section it needs).
  virtual bool applicable(const Config& cfg) const = 0;
  virtual CheckResult run(const Config& cfg, const CheckBudget& budget) = 0;
};

/// Every checker built into this binary, in the order the gate runs them.
std::vector<std::unique_ptr<Checker>> all_checkers();

}  // namespace kvcheck
