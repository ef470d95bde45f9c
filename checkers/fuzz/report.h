#pragma once
/// \file report.h
/// Printing a FuzzReport: the human-readable summary (verdict, statistics, coverage shares,
/// stability, the reproduce line) and summary.json. `deterministic` leaves out wall-clock
/// figures so two runs with the same seed print identical text (tested).
#include <filesystem>
#include <string>

#include "checkers/fuzz/fuzzer.h"

namespace kvcheck::fuzz {

/// The text report.
std::string format_report(const FuzzReport& r, bool deterministic = false);

/// summary.json content (verification.md B.4).
std::string summary_json(const FuzzReport& r);

}  // namespace kvcheck::fuzz
