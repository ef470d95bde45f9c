#pragma once
/// \file bench_workload.h
/// `vllm bench serve` arguments as a kvcheck `[workload]` of kind `random` (io/bench_workload.h,
/// docs/vllm.md "vllm bench serve workloads"): vLLM's RandomDataset lengths (uniform in
/// [floor(L(1-r)), ceil(L(1+r))], outputs at least 1, plus the prefix), `--request-rate` per
/// second with gamma gaps of shape `--burstiness` (inf: all at once), `--max-concurrency` as
/// the closed loop. A finite rate needs an iteration time: `--step-seconds S` writes a `[time]`
/// unit model (an assumption; calibrate it).
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
  std::optional<Section> time;                  ///< [time] from --step-seconds
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
