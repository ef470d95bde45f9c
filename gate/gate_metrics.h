#pragma once
/// \file gate_metrics.h
/// The serving metrics the gate records for every config's own workload (the simulate
/// checker) and `--baseline` compares between two builds: the numbers a reviewer of a
/// scheduler change looks at (vLLM's benchmark prints the same quantities: TTFT and end-to-end
/// latency percentiles, preemptions, throughput). Stated once: each entry's name, direction
/// and how it is read from a run's Metrics; the simulate checker and the baseline comparison
/// both loop over this table.
#include <array>
#include <string_view>

#include "sim/metrics.h"

namespace kvcheck {

struct GateMetric {
  std::string_view name;
  bool higher_is_better;
  std::string_view description;
  double (*of)(const Metrics&);  ///< the value in a finished run's metrics
};

inline constexpr std::array<GateMetric, 8> kGateMetrics{{
    {"ttft_p99_s", false, "time to first token, 99th percentile (seconds; 0 on a step clock)",
     [](const Metrics& m) { return m.ttft_seconds.p99; }},
    {"e2e_p99_s", false, "end-to-end latency, 99th percentile (seconds; 0 on a step clock)",
     [](const Metrics& m) { return m.e2e_seconds.p99; }},
    {"ttft_p99_iterations", false, "time to first token, 99th percentile (iterations)",
     [](const Metrics& m) { return m.ttft_iterations.p99; }},
    {"e2e_p99_iterations", false, "end-to-end latency, 99th percentile (iterations)",
     [](const Metrics& m) { return m.e2e_iterations.p99; }},
    {"preemptions", false, "requests preempted (recompute)",
     [](const Metrics& m) { return static_cast<double>(m.preemptions); }},
    {"evictions", false, "requests evicted after an overflow",
     [](const Metrics& m) { return static_cast<double>(m.evictions); }},
    {"tokens_per_iteration", true, "throughput: prefill + decode tokens per iteration",
     [](const Metrics& m) { return m.tokens_per_iteration; }},
    {"completed", true, "requests completed",
     [](const Metrics& m) { return static_cast<double>(m.completed); }},
}};

}  // namespace kvcheck
