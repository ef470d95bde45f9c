#pragma once
/// \file metrics.h
/// Workload metrics of one simulated run, collected by a StepObserver: throughput, latency
/// distributions (TTFT, end-to-end; seconds and iterations), KV utilization, queue and running
/// series, and the disruption counters (preemptions, evictions, restarts, wasted tokens,
/// rejections, overflow events). Accepts steady runs, so the event-skipping loop produces the
/// same Metrics as the plain stepper (tests/sim check equality).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/params.h"
#include "sim/series.h"
#include "sim/simulator.h"

namespace kvcheck {

/// A distribution's summary; all zero when `count` is 0. Percentiles are nearest-rank.
struct Summary {
  std::int64_t count = 0;
  double mean = 0.0, p50 = 0.0, p95 = 0.0, p99 = 0.0, max = 0.0;
  bool operator==(const Summary&) const = default;
};

/// Summary of `values` (reordered in place).
Summary summarize(std::vector<double>& values);

struct Metrics {
  // --- run ---
  std::int64_t iterations = 0;       ///< engine iterations run
  std::int64_t busy_iterations = 0;  ///< iterations with a non-empty batch
  double sim_seconds = 0.0;          ///< simulated clock at the end
  std::int64_t requests = 0, arrived = 0, completed = 0, rejected = 0;
  std::int64_t unfinished = 0;       ///< arrived but neither done nor rejected at the end
  // --- throughput ---
  std::int64_t prefill_tokens = 0, decode_tokens = 0;  ///< tokens processed
  std::int64_t output_tokens = 0;    ///< output tokens of completed requests
  double tokens_per_second = 0.0, tokens_per_iteration = 0.0;  ///< prefill + decode
  double output_tokens_per_second = 0.0;
  double requests_per_second = 0.0, requests_per_iteration = 0.0;  ///< completions
  // --- latency of completed requests (iterations count arrival and completion inclusive) ---
  Summary ttft_seconds, ttft_iterations, e2e_seconds, e2e_iterations;
  /// vLLM bench's TPOT per request: (e2e - ttft) / (output - 1), requests with output > 1.
  Summary tpot_seconds;
  /// vLLM bench's mean ITL: every inter-token gap pooled, = sum (e2e - ttft) / sum (output - 1)
  /// (the percentiles of the pooled gaps are not kept).
  double itl_mean_seconds = 0.0;
  // --- memory and queues (means over iterations) ---
  std::int64_t num_blocks = 0;
  double kv_util_mean = 0.0, kv_util_max = 0.0;  ///< fraction of the pool reserved
  std::int64_t kv_blocks_max = 0;
  double waiting_mean = 0.0, running_mean = 0.0;
  std::int64_t waiting_max = 0, running_max = 0;
  // --- disruption ---
  std::int64_t preemptions = 0, evictions = 0;  ///< events
  std::int64_t restarts = 0;        ///< requests preempted or evicted at least once
  std::int64_t wasted_tokens = 0;   ///< sum of RequestState::wasted_tokens
  std::int64_t overflow_events = 0; ///< iterations whose plan overflowed the pool
  // --- vLLM V0's swap mode (`preemption_mode = "swap"`; reported only then) ---
  bool swap = false;
  std::int64_t swap_outs = 0, swap_ins = 0;  ///< events (a swap out is also a preemption)
  std::int64_t cpu_blocks = 0, cpu_blocks_max = 0;  ///< the CPU pool and its peak use
  // --- series ---
  std::int64_t series_width = 1;    ///< iterations per series point
  std::vector<SeriesPoint> series;
  bool operator==(const Metrics&) const = default;
};

class MetricsCollector final : public StepObserver {
 public:
  explicit MetricsCollector(const ModelParams& params, std::size_t max_points = 400);
  void on_step(const ConcreteView& v) override;
  bool accepts_steady_runs() const override { return true; }
  void on_steady_run(const ConcreteView& v, const SteadyRun& run) override;
  void on_finish(const ConcreteView& v) override;
  /// The metrics; complete after on_finish.
  const Metrics& metrics() const { return m_; }

 private:
  void add_iteration(std::int64_t step, double start, std::int64_t blocks, std::int64_t waiting,
                     std::int64_t running);
  void finish_requests(const ConcreteView& v);

  Metrics m_;
  Downsampler series_;
  std::int64_t kv_sum_ = 0, waiting_sum_ = 0, running_sum_ = 0;
};

}  // namespace kvcheck
