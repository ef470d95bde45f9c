#pragma once
/// \file report_text.h
/// The readable table `kvcheck analyze` prints on stdout.
#include <string>

#include "theory/report.h"

namespace kvcheck::theory {

/// Renders `r` as text: per paper its inputs, numbers and conditions (value, relation, bound,
/// holds/FAILS), the not-applicable analyses with the reason, then the verdict and exit code.
std::string format_report(const AnalysisReport& r);

}  // namespace kvcheck::theory
