#include "sim/metrics.h"

#include <algorithm>
#include <cmath>

namespace kvcheck {

Summary summarize(std::vector<double>& values) {
  Summary s;
  if (values.empty()) return s;
  const auto n = values.size();
  s.count = static_cast<std::int64_t>(n);
  double sum = 0.0, max = values.front();
  for (double x : values) {
    sum += x;
    max = std::max(max, x);
  }
  s.mean = sum / static_cast<double>(n);
  s.max = max;
  // Nearest rank: the ceil(p * n)-th smallest. Selection instead of a full sort: each
  // nth_element works on the part above the previous rank (ranks are non-decreasing in p).
  auto from = values.begin();
  const auto rank = [&](double p) {
    const auto k = std::clamp<std::size_t>(
        static_cast<std::size_t>(std::ceil(p * static_cast<double>(n))), 1, n) - 1;
    const auto kth = values.begin() + static_cast<std::ptrdiff_t>(k);
    std::nth_element(from, kth, values.end());
    from = kth;
    return *kth;
  };
  s.p50 = rank(0.50);
  s.p95 = rank(0.95);
  s.p99 = rank(0.99);
  return s;
}

MetricsCollector::MetricsCollector(const ModelParams& params, std::size_t max_points)
    : series_(max_points) {
  m_.num_blocks = params.engine.num_blocks;
  m_.swap = params.policy.preemption_mode == PreemptionMode::Swap;
  m_.cpu_blocks = m_.swap ? params.engine.cpu_blocks : 0;
}

void MetricsCollector::add_iteration(std::int64_t step, double start, std::int64_t blocks,
                                     std::int64_t waiting, std::int64_t running) {
  ++m_.iterations;
  kv_sum_ += blocks;
  waiting_sum_ += waiting;
  running_sum_ += running;
  m_.kv_blocks_max = std::max(m_.kv_blocks_max, blocks);
  m_.waiting_max = std::max(m_.waiting_max, waiting);
  m_.running_max = std::max(m_.running_max, running);
  series_.add(step, start, blocks, waiting, running);
}

void MetricsCollector::on_step(const ConcreteView& v) {
  const auto& r = v.last_step();
  add_iteration(r.step, r.start_time, r.used_blocks, r.waiting_after, r.running_after);
  if (!r.batch.empty()) ++m_.busy_iterations;
  m_.prefill_tokens += r.prefill_tokens;
  m_.decode_tokens += r.decode_tokens;
  m_.preemptions += static_cast<std::int64_t>(r.preempted.size());
  m_.evictions += static_cast<std::int64_t>(r.evicted.size());
  if (r.overflow) ++m_.overflow_events;
  m_.swap_outs += static_cast<std::int64_t>(r.swapped_out.size());
  m_.swap_ins += static_cast<std::int64_t>(r.swapped_in.size());
  m_.preemptions += static_cast<std::int64_t>(r.swapped_out.size());
  m_.cpu_blocks_max = std::max(m_.cpu_blocks_max, r.cpu_used_blocks);
}

void MetricsCollector::on_steady_run(const ConcreteView&, const SteadyRun& run) {
  // add_iteration per step, with the run's constants (queue, running) hoisted.
  const auto n = static_cast<std::int64_t>(run.steps.size());
  if (n == 0) return;
  m_.iterations += n;
  waiting_sum_ += n * run.waiting;
  running_sum_ += n * run.running;
  m_.waiting_max = std::max(m_.waiting_max, run.waiting);
  m_.running_max = std::max(m_.running_max, run.running);
  for (const auto& s : run.steps) {
    kv_sum_ += s.used_blocks;
    m_.kv_blocks_max = std::max(m_.kv_blocks_max, s.used_blocks);
  }
  series_.add_constant(run.steps.begin(), run.steps.end(), run.waiting, run.running);
  m_.busy_iterations += n;
  m_.decode_tokens += n * run.running;
}

void MetricsCollector::finish_requests(const ConcreteView& v) {
  std::vector<double> ttft, ttft_it, e2e, e2e_it, tpot;
  double gaps_seconds = 0.0;
  std::int64_t gaps = 0;
  for (auto* vec : {&ttft, &ttft_it, &e2e, &e2e_it})
    vec->reserve(static_cast<std::size_t>(v.done()));
  for (std::int64_t i = 0; i < v.num_requests(); ++i) {
    const auto& s = v.state(static_cast<ConcreteView::Ref>(i));
    m_.wasted_tokens += s.wasted_tokens;
    if (s.preemptions + s.evictions > 0) ++m_.restarts;
    if (s.status != Status::Done) continue;
    m_.output_tokens += s.generated;
    ttft.push_back(s.first_token_time - s.arrived_time);
    ttft_it.push_back(static_cast<double>(s.first_token_step - s.arrived_step + 1));
    e2e.push_back(s.finish_time - s.arrived_time);
    e2e_it.push_back(static_cast<double>(s.finish_step - s.arrived_step + 1));
    if (s.generated > 1) {
      const double decode = s.finish_time - s.first_token_time;
      tpot.push_back(decode / static_cast<double>(s.generated - 1));
      gaps_seconds += decode;
      gaps += s.generated - 1;
    }
  }
  m_.tpot_seconds = summarize(tpot);
  m_.itl_mean_seconds = gaps > 0 ? gaps_seconds / static_cast<double>(gaps) : 0.0;
  m_.ttft_seconds = summarize(ttft);
  m_.ttft_iterations = summarize(ttft_it);
  m_.e2e_seconds = summarize(e2e);
  m_.e2e_iterations = summarize(e2e_it);
}

void MetricsCollector::on_finish(const ConcreteView& v) {
  m_.sim_seconds = v.now();
  m_.requests = v.num_requests();
  m_.arrived = v.arrived();
  m_.completed = v.done();
  m_.rejected = v.rejected();
  m_.unfinished = v.arrived() - v.done() - v.rejected();
  finish_requests(v);
  const auto per = [](double x, double over) { return over > 0.0 ? x / over : 0.0; };
  const auto iters = static_cast<double>(m_.iterations);
  const auto tokens = static_cast<double>(m_.prefill_tokens + m_.decode_tokens);
  m_.tokens_per_second = per(tokens, m_.sim_seconds);
  m_.tokens_per_iteration = per(tokens, iters);
  m_.output_tokens_per_second = per(static_cast<double>(m_.output_tokens), m_.sim_seconds);
  m_.requests_per_second = per(static_cast<double>(m_.completed), m_.sim_seconds);
  m_.requests_per_iteration = per(static_cast<double>(m_.completed), iters);
  m_.kv_util_mean = per(per(static_cast<double>(kv_sum_), iters), static_cast<double>(m_.num_blocks));
  m_.kv_util_max = per(static_cast<double>(m_.kv_blocks_max), static_cast<double>(m_.num_blocks));
  m_.waiting_mean = per(static_cast<double>(waiting_sum_), iters);
  m_.running_mean = per(static_cast<double>(running_sum_), iters);
  m_.series = series_.points();
  m_.series_width = series_.width();
}

}  // namespace kvcheck
