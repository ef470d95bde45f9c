#pragma once
/// \file report_json.h
/// The gate's report as JSON (`kvcheck gate --json`), complete enough to rebuild every other
/// report from it: each entry's rows with their verdicts, summaries, times, trace paths and
/// counterexamples (embedded as ITF), the twin, the skipped checkers and the judgement. Shards
/// of one gate (`--shard I/N`) each write one; `kvcheck gate --merge` reads them back and
/// writes the Markdown, JUnit and SARIF of the whole run.
#include <filesystem>
#include <ostream>
#include <vector>

#include "gate/gate.h"

namespace kvcheck {

void write_report_json(const GateReport& r, std::ostream& os);

/// Reads one report written by `write_report_json`. Throws InputError (exit 150) naming the
/// file, the JSON path and the reason when it is not one.
GateReport read_report_json(const std::filesystem::path& path);

/// The reports' entries as one report, ordered by config path (so a merge does not depend on
/// the order of the shards). Throws InputError (150) when two reports name the same config or
/// were made by different Z3 versions.
GateReport merge_reports(const std::vector<std::filesystem::path>& paths);

}  // namespace kvcheck
