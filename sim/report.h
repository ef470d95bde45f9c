#pragma once
/// \file report.h
/// The reports of one `kvcheck simulate` run: report.json (every metric, the verdict, the
/// config's name and hash, the kvcheck version), report.txt (a readable table, also printed to
/// stdout) and kv_queue.svg (KV usage and queue length over time, svg_plot.h).
#include <cstdint>
#include <filesystem>
#include <string>

#include "properties/verdict.h"
#include "sim/metrics.h"
#include "sim/simulator.h"

namespace kvcheck {

/// Where a run came from, for the reports' headers.
struct RunInfo {
  std::string kvcheck_version;
  std::string config_name, config_path, config_hash;
  std::string policy;        ///< PolicyKind name
  std::string workload;      ///< one-line description of the workload used
  std::uint64_t seed = 0;    ///< seed of the policy's nondeterministic choices
  bool skip_steady = false;  ///< whether the event-skipping loop ran
  double wall_seconds = 0.0; ///< host time of the simulation
};

/// Everything the reports show.
struct RunReport {
  RunInfo info;
  SimOutcome outcome;
  Verdict verdict;
  Metrics metrics;
};

/// report.json's text (pretty-printed; keys documented in sim/README.md).
std::string report_json(const RunReport& r);
/// report.txt's text.
std::string report_text(const RunReport& r);

/// Writes report.json, report.txt and kv_queue.svg into `dir` (created if missing). Throws
/// InputError (ConfigError) naming the path when the directory or a file cannot be written.
void write_reports(const RunReport& r, const std::filesystem::path& dir);

}  // namespace kvcheck
