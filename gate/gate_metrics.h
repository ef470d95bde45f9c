#pragma once
/// \file gate_metrics.h
/// The serving metrics the gate records for every config's own workload (the simulate
/// checker) and `--baseline` compares between two builds: the numbers a reviewer of a
/// scheduler change looks at (vLLM's benchmark prints the same quantities: TTFT and end-to-end
/// latency percentiles, preemptions, throughput). Stated once: the simulate checker fills
/// them by these names, the baseline comparison reads their direction from here.
#include <array>
#include <string_view>

namespace kvcheck {

struct GateMetric {
  std::string_view name;
  bool higher_is_better;
  std::string_view description;
};

inline constexpr std::array<GateMetric, 8> kGateMetrics{{
    {"ttft_p99_s", false, "time to first token, 99th percentile (seconds; 0 on a step clock)"},
    {"e2e_p99_s", false, "end-to-end latency, 99th percentile (seconds; 0 on a step clock)"},
    {"ttft_p99_iterations", false, "time to first token, 99th percentile (iterations)"},
    {"e2e_p99_iterations", false, "end-to-end latency, 99th percentile (iterations)"},
    {"preemptions", false, "requests preempted (recompute)"},
    {"evictions", false, "requests evicted after an overflow"},
    {"tokens_per_iteration", true, "throughput: prefill + decode tokens per iteration"},
    {"completed", true, "requests completed"},
}};

}  // namespace kvcheck
