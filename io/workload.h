#pragma once
/// \file workload.h
/// Building the concrete workload a config describes: explicit lists, deterministic and Poisson
/// generators, per-class Poisson mixes, Azure-format CSV traces, and vLLM bench's random and
/// dataset workloads (io/bench_workload.h); every kind carries the config's max_concurrency.
#include <filesystem>

#include "io/config.h"
#include "models/request.h"

namespace kvcheck {

/// The workload of a config. Throws InputError (150 for trace files, 151 for config values).
Workload build_workload(const Config& c);

/// Arrivals per step of the config's generated workload: burst / interval, the Poisson rate,
/// or the sum of the class rates; 0 for explicit, trace, random and dataset workloads and for
/// generators with `clock = "seconds"` (no per-step rate to read).
double arrivals_per_step(const Config& c);

/// Throws InputError(ConfigError) naming `workload` when the config has none (a [network]
/// config, sim/network.h), so a command that needs a workload never runs an empty one.
void check_has_workload(const Config& c);

/// Throws InputError(ConfigError) naming `workload.in_flight` when the config starts with
/// requests in flight: the Z3 backends (check, prove, buffer, analyze --exact, the gate's Z3
/// rows) encode runs from the empty engine only, so they refuse rather than answer wrongly.
void refuse_in_flight_for_z3(const Config& c);

/// Reads an Azure LLM inference trace (`TIMESTAMP,ContextTokens,GeneratedTokens`). Arrival times
/// are seconds since the first row, times `time_scale`; `limit` > 0 keeps the first rows only.
Workload load_azure_csv(const std::filesystem::path& path, double time_scale, std::int64_t limit);

/// Deterministic, platform-independent Poisson(mean) sample from a splitmix64 stream.
std::int64_t poisson_sample(std::uint64_t& state, double mean);
/// Poisson(rate) conditioned on >= 1, by inverse CDF from one splitmix64 draw (the sparse
/// generators' arrivals in a step known to have one; rate < 0.01).
std::int64_t positive_poisson(std::uint64_t& rng, double rate);
/// Uniform double in [0, 1) from a splitmix64 stream.
double uniform01(std::uint64_t& state);

}  // namespace kvcheck
