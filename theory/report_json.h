#pragma once
/// \file report_json.h
/// The `--json FILE` form of an analysis: every input, number and condition, and the verdict.
#include <string>

#include "theory/report.h"

namespace kvcheck::theory {

/// `r` as a JSON document (2-space indented):
/// {"config", "name", "rate_source", "notes", "verdict" (ok/inconclusive/unstable),
///  "sufficient_condition_evaluated", "verdict_reason", "exit_code",
///  "analyses": [{"id", "title", "applicable", "missing_field", "missing_reason", "inputs",
///                "numbers": {name: value}, "units": {name: unit},
///                "conditions": [{"id", "source", "statement", "role", "holds", "lhs",
///                                "relation", "rhs", "note"}], "notes"}]}.
/// Infinite numbers (e.g. M* when d1 A >= 1) are written as null.
std::string report_json(const AnalysisReport& r);

}  // namespace kvcheck::theory
