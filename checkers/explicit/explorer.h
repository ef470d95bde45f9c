#pragma once
/// \file explorer.h
/// The explicit-state checker: builds the reachable graph of a small configuration with the
/// one engine step, then runs the analyses (shortest safety counterexample, starvation lassos,
/// positive-drift cycles) and turns each finding into a replay-checked Trace. Returns values;
/// printing and writing files are the CLI's job.
#include <cstdint>
#include <optional>

#include "checkers/explicit/explore_options.h"
#include "checkers/explicit/witness.h"
#include "counterexamples/trace.h"
#include "io/config.h"
#include "properties/verdict.h"

namespace kvcheck::explicit_state {

/// One finding with its re-recorded trace.
struct Finding {
  Witness witness;
  Trace trace;
};

struct ExploreReport {
  /// PROVED (whole finite graph explored, nothing found), VIOLATED (safety first, then
  /// starvation, then instability), UNKNOWN (state limit or too small a queue window and
  /// nothing found), ERROR (a witness did not replay: a bug in kvcheck).
  Verdict verdict;
  std::int64_t states = 0, transitions = 0;
  /// The state graph was built (starvation or instability ran); otherwise the safety pass
  /// settled the run and there are no SCC counts.
  bool graph = false;
  /// SCCs of the graph; 0 when no graph was built.
  std::int64_t sccs = 0, nontrivial_sccs = 0;
  double seconds = 0.0;               ///< graph construction
  bool complete = false;              ///< the whole reachable graph was explored
  /// The safety pass stored fingerprints only (explore.storage = "hash_compaction"), and no
  /// graph analysis ran after it: complete or not, the search may have missed states.
  bool hash_compaction = false;
  /// Bytes the safety pass held for its visited states (0 when only the graph ran).
  std::size_t memory_bytes = 0;
  bool window_exhausted = false;      ///< saturated: some step admitted the whole window
  std::optional<double> max_cycle_ratio;  ///< when the instability analysis ran (and cycles exist)
  std::optional<Finding> safety, starvation, instability;
};

/// Explores `cfg` under `opts`.
ExploreReport explore(const Config& cfg, const ExploreOptions& opts);

}  // namespace kvcheck::explicit_state
