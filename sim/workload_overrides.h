#pragma once
/// \file workload_overrides.h
/// Command-line overrides of a config's [workload] for `kvcheck simulate`. Precedence: a flag
/// given on the command line wins over the config's value; fields without a flag keep the
/// config's value.
#include <cstdint>
#include <optional>
#include <string>

#include "io/config.h"
#include "models/request.h"

namespace kvcheck {

struct WorkloadOverrides {
  std::optional<std::string> kind;       ///< --workload: explicit|deterministic|poisson|class_mix|trace
  std::optional<std::string> trace;      ///< --trace: Azure-format CSV (implies kind trace)
  std::optional<double> time_scale;      ///< --time-scale: trace arrival times x this (> 0)
  std::optional<double> rate;            ///< --rate: arrivals per step (> 0)
  std::optional<std::int64_t> count;     ///< --count: generated requests, or a trace's first rows
  std::optional<std::uint64_t> seed;     ///< --seed: generator seed
  std::optional<std::int64_t> max_steps; ///< --max-steps: [check] max_steps
};

/// Applies `o` over `cfg` (flag > config). Throws InputError(ConfigError) with a one-line message
/// naming the flag and the reason when a value is invalid or the result is incomplete.
void apply_overrides(Config& cfg, const WorkloadOverrides& o);

/// "explicit", "deterministic", ... for a kind.
std::string to_string(WorkloadKind k);

/// One line describing the workload used: kind, size and source.
std::string describe_workload(const WorkloadSpec& spec, const Workload& w);

}  // namespace kvcheck
