#pragma once
/// \file bench_workload.h
/// The workloads of `vllm bench serve` (docs/config.md, kinds `random` and `dataset`): vLLM's
/// RandomDataset lengths, its Poisson / gamma request times, and a CSV of (prompt, output)
/// lengths. Every draw comes from kvcheck's own splitmix64 stream (io/workload.h uniform01), so a
/// seed gives the same workload on every platform; vLLM's numpy streams are not reproduced, only
/// its distributions and bounds.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "io/config.h"
#include "models/request.h"

namespace kvcheck {

/// An inclusive integer range of lengths.
struct LenBounds {
  std::int64_t lo = 1, hi = 1;
};

/// vLLM's RandomDataset.get_sampling_params (vllm/benchmarks/datasets/random.py): lengths are
/// uniform integers in [floor(L (1 - r)), ceil(L (1 + r))], the output's clamped to >= 1. No
/// tokenizer here, so no special tokens are subtracted from the input length.
LenBounds random_input_bounds(std::int64_t input_len, double range_ratio);
LenBounds random_output_bounds(std::int64_t output_len, double range_ratio);

/// A Gamma(shape, 1) sample (Marsaglia & Tsang 2000; shape < 1 by Gamma(shape + 1) U^(1/shape)),
/// from a splitmix64 stream; normal deviates by Marsaglia's polar method.
double gamma_sample(std::uint64_t& rng, double shape);

/// Request send times in seconds, as vllm/benchmarks/serve.py get_request() makes them: an
/// infinite rate sends everything at 0; otherwise gaps are Gamma(shape = burstiness,
/// scale = 1 / (rate x burstiness)) (mean 1 / rate; burstiness 1 = Poisson), summed from the
/// first gap, then scaled so that the last time is exactly n / rate (get_request's
/// normalize_factor, which vLLM applies when no ramp-up is set).
std::vector<double> bench_send_times(std::uint64_t& rng, std::int64_t n, double rate,
                                     double burstiness);

/// `kind = "random"`: num_prompts requests, prompt = prefix_len + a random input length, output
/// a random output length, sent at bench_send_times, max_concurrency as given.
Workload random_workload(const WorkloadSpec& w);

/// `kind = "dataset"`: the (prompt, output) rows of w.dataset (a header line is skipped; the
/// first num_prompts rows, 0 = all), sent at bench_send_times. Throws InputError (150) naming the
/// CSV file and line on a bad row.
Workload dataset_workload(const WorkloadSpec& w);

}  // namespace kvcheck
