#pragma once
/// \file confirm.h
/// Every symbolic counterexample is replayed on the concrete simulator before it is reported:
/// the concrete run must violate the same property at the same step, else the verdict is unsound
/// (an internal error, exit 255).
#include <filesystem>
#include <string>

#include "checkers/z3/bmc_session.h"
#include "counterexamples/trace.h"
#include "models/time_model.h"

namespace kvcheck {

struct Confirmation {
  Trace trace;             ///< the concrete run, recorded up to the violation
  bool reproduced = false; ///< same property, same step
  std::string detail;      ///< what the concrete run did when not reproduced
};

/// The linked Z3's version, "major.minor.build" (recorded in traces and gate reports: solver
/// versions change verdict times by orders of magnitude, verification.md B.6).
std::string z3_version();

/// Replays `cex` with record_run (scripted choices) and compares. `meta` seeds the trace's
/// metadata (source, config name/hash); the Z3 version is filled in here.
Confirmation confirm_counterexample(const ModelParams& params, const TimeModel& time,
                                    const Counterexample& cex, TraceMeta meta);

}  // namespace kvcheck

namespace kvcheck {

/// Confirms `cex` concretely and, when reproduced, writes the trace as ITF to
/// `out_dir / (stem + ".itf.json")`. Returns the confirmation; `path` receives the file written.
Confirmation confirm_and_write(const ModelParams& params, const TimeModel& time,
                               const Counterexample& cex, TraceMeta meta,
                               const std::filesystem::path& out_dir, const std::string& stem,
                               std::filesystem::path& path);

}  // namespace kvcheck
