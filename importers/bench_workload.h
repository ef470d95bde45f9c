#pragma once
/// \file bench_workload.h
/// `vllm bench serve` arguments as a kvcheck `[workload]` (and `[envelope]`). vLLM's random
/// dataset draws each prompt and output length uniformly from [floor(L(1-r)), ceil(L(1+r))]
/// (`vllm/benchmarks/datasets.py`, RandomDataset.get_text_sampling_params; outputs at least 1),
/// and sends requests at `--request-rate` per second (inf: all at once) with gamma
/// inter-arrival times of shape `--burstiness` (1: Poisson). kvcheck's generators have one
/// prompt and one output length and arrive per iteration (step), so:
///   - r = 0: `deterministic` (all at step 0) or `poisson` (rate = R x --step-seconds);
///   - r > 0: an `explicit` list whose lengths kvcheck draws from the same uniform ranges (its
///     own seeded generator: the same distribution, not vLLM's sample), arrivals likewise.
/// A per-second rate needs the stated step length `--step-seconds`; `--max-concurrency`
/// (closed loop) and burstiness != 1 have no kvcheck form and are errors.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "importers/toml_out.h"

namespace kvcheck::importers {

struct BenchOptions {
  std::optional<double> step_seconds;  ///< seconds per engine iteration (an assumption)
};

struct BenchImport {
  Section workload;
  std::optional<Section> envelope;
  std::vector<std::string> ignored;             ///< bench flags accepted and not mapped
  std::int64_t max_prompt = 0, max_output = 0;  ///< longest request the workload can hold
  std::int64_t count = 0;
};

/// Maps the words of `--bench "..."`. Errors are config_error("command line", "--bench: --flag").
BenchImport import_bench(const std::vector<std::string>& words, const BenchOptions& opt);

/// The workload written without --bench: the random dataset's default lengths (1024 in, 128
/// out), 100 requests at step 0.
BenchImport default_bench();

}  // namespace kvcheck::importers
