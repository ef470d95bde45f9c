#pragma once
/// \file rates.h
/// Which arrival rates the analyses use, and in which unit: the [[classes]] rate fields when any
/// is positive, else the workload's rate when it is a single-type generator (deterministic:
/// burst / interval per step, or burst / period per second; poisson: rate), as one class of the
/// workload's (prompt, output). Rates are per step unless the workload's arrivals are timed
/// (`clock = "seconds"`, trace, random, dataset): then per second. Each analysis converts to the
/// unit its paper's model needs (`per_step`, `per_time`) and says how in its inputs.
#include <optional>
#include <string>
#include <vector>

#include "io/config.h"
#include "models/params.h"

namespace kvcheck::theory {

enum class RateUnit { PerStep, PerSecond };

struct ResolvedRates {
  std::vector<ClassSpec> classes;  ///< prompt, output, rate (+ budget, threshold) per class
  RateUnit unit = RateUnit::PerStep;
  std::string source;              ///< in words, e.g. "[[classes]] rate"
  std::vector<std::string> notes;  ///< e.g. a workload rate that differs from the class rates
};

/// The rates of `cfg`, or nullopt when it has none (an explicit or trace workload and no
/// positive [[classes]] rate).
std::optional<ResolvedRates> resolve_rates(const Config& cfg);

/// True when the workload's arrivals carry times (rates per second).
bool timed_arrivals(const WorkloadSpec& w);

/// `r` with every class rate multiplied by `factor` and the unit set to `unit`; `how` (in words)
/// is appended to the source.
ResolvedRates rescaled(const ResolvedRates& r, double factor, RateUnit unit,
                       const std::string& how);

/// "per step" / "per second".
const char* unit_text(RateUnit u);

}  // namespace kvcheck::theory
