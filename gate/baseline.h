#pragma once
/// \file baseline.h
/// Gating a change, not a config: the same manifest's report from the old build (its --json)
/// against the new build's, config by config and checker by checker. What a reviewer of a
/// scheduler change asks: which verdicts flipped, which counterexamples are new, which serving
/// metrics on the configs' own workloads (gate_metrics.h) got worse beyond a tolerance.
#include <ostream>
#include <string>
#include <vector>

#include "gate/gate.h"

namespace kvcheck {

struct BaselineChange {
  enum class Kind {
    VerdictChanged,     ///< a checker's verdict differs (kind, violated property or step)
    NewCounterexample,  ///< VIOLATED now, not before (a subset of VerdictChanged, listed once)
    ExpectationBroken,  ///< the config's expectation held before and fails now
    ExpectationFixed,   ///< it failed before and holds now
    MetricWorse,        ///< a metric moved the wrong way by more than the tolerance
    MetricBetter,       ///< ... the right way by more than the tolerance
    ConfigAdded,
    ConfigRemoved,
  };
  Kind kind;
  std::string config, checker, what, before, after;
  /// Worse for the change under review: an expectation broken, a metric worse, or (on a
  /// config expected "ok") a verdict more severe than before (PROVED -> BOUNDED_OK / UNKNOWN
  /// / VIOLATED); on a config expected "violated", a VIOLATED verdict lost.
  bool regression = false;
};

struct BaselineDiff {
  double tolerance = 0.0;
  std::vector<BaselineChange> changes;
  bool regressed() const;
};

/// Compares by config path (entries), then checker name (rows). A metric is worse when it
/// moved in its bad direction by more than `tolerance` x |before| (so any increase of a count
/// that was 0 is worse).
BaselineDiff compare_to_baseline(const GateReport& before, const GateReport& after,
                                 double tolerance);

/// The changes as a Markdown section (appended to the gate's table).
void write_baseline_markdown(const BaselineDiff& d, std::ostream& os);

}  // namespace kvcheck
