#pragma once
/// \file rates.h
/// Which arrival rates the analyses use: the [[classes]] rate fields when any is positive, else
/// the workload's rate when it is a single-type generator (deterministic: burst / interval per
/// step; poisson: rate per step), as one class of the workload's (prompt, output).
#include <optional>
#include <string>
#include <vector>

#include "io/config.h"
#include "models/params.h"

namespace kvcheck::theory {

struct ResolvedRates {
  std::vector<ClassSpec> classes;  ///< prompt, output, rate (+ budget, threshold) per class
  std::string source;              ///< in words, e.g. "[[classes]] rate"
  std::vector<std::string> notes;  ///< e.g. a workload rate that differs from the class rates
};

/// The rates of `cfg`, or nullopt when it has none (an explicit or trace workload and no
/// positive [[classes]] rate).
std::optional<ResolvedRates> resolve_rates(const Config& cfg);

}  // namespace kvcheck::theory
