#include "checkers/fuzz/case_runner.h"

#include <algorithm>

#include "checkers/fuzz/stability.h"
#include "models/choice_source.h"
#include "models/engine_rules.h"

namespace kvcheck::fuzz {
namespace {

/// Watches a case's run: peak KV occupancy, preemptions/evictions, and starvation streaks.
class CaseProbe final : public StepObserver {
 public:
  CaseProbe(const FuzzModel& m, std::size_t n) : m_(m), streak_(n, 0) {}

  void on_step(const ConcreteView& v) override {
    const auto& s = v.last_step();
    peak_blocks = std::max(peak_blocks, s.used_blocks);
    preempted = preempted || !s.preempted.empty() || !s.evicted.empty();
    if (m_.spec.starvation_bound > 0 && starved_step < 0) watch_waiting(v);
  }

  /// Without starvation watching the probe only needs KV peaks, which a steady run reports per
  /// iteration, and preemptions, which a steady run has none of; so the event-skipping loop may
  /// jump over such runs (SimOptions::skip_steady). Starvation streaks are judged per iteration.
  bool accepts_steady_runs() const override { return m_.spec.starvation_bound <= 0; }
  void on_steady_run(const ConcreteView&, const SteadyRun& run) override {
    for (const auto& st : run.steps) peak_blocks = std::max(peak_blocks, st.used_blocks);
  }

  std::int64_t peak_blocks = 0;
  bool preempted = false;
  std::int64_t starved_step = -1;
  std::int32_t starved_request = -1;

 private:
  /// Blocks admitting r next step would reserve, or -1 when the engine's rules forbid it
  /// (unservable: too big for the pool, or a prompt over the token budget without chunked
  /// prefill). Otherwise the next chunk fits the budget or is cut to it (chunked prefill).
  std::int64_t need(const ConcreteView& v, ConcreteView::Ref r) const {
    const auto& e = m_.params.engine;
    const auto& in = v.input(r);
    if (unservable<Concrete>(e, in.prompt, in.output)) return -1;
    const auto chunk = std::min(in.prompt - v.computed(r), e.max_batched_tokens);
    return blocks_for<Concrete>(e, v.computed(r) + chunk + e.lookahead);
  }

  /// First-fit admission in queue order under the engine's rules: the requests it would admit
  /// "would fit"; each extends its streak, every other waiting request restarts at 0.
  void watch_waiting(const ConcreteView& v) {
    auto free = v.free_blocks() - m_.params.policy.watermark_blocks;
    auto seqs = m_.params.engine.max_num_seqs - v.num_running();
    for (const auto r : v.waiting()) {
      auto& k = streak_[static_cast<std::size_t>(r)];
      const auto n = need(v, r);
      const bool fits = n >= 0 && n <= free && seqs > 0;
      k = fits ? k + 1 : 0;
      if (fits) free -= n, --seqs;
      if (k > m_.spec.starvation_bound) {
        starved_step = v.last_step().step;
        starved_request = r;
        return;
      }
    }
    for (const auto r : v.running()) streak_[static_cast<std::size_t>(r)] = 0;
  }

  const FuzzModel& m_;
  std::vector<std::int64_t> streak_;
};

}  // namespace

SimOptions case_options(const FuzzModel& m) {
  SimOptions o;
  o.properties = m.properties;
  o.max_steps = m.spec.max_steps;
  o.max_idle_steps = std::min<std::int64_t>(m.spec.max_steps, 10'000);
  o.stop_at_violation = true;
  // The same outcome and observations as the plain stepper (sim/steady_skip.h), faster where
  // the policy, the properties and the probe allow it.
  o.skip_steady = true;
  return o;
}

double case_offered_load(const FuzzModel& m, const Workload& w) {
  if (w.requests.empty()) return 0.0;
  std::vector<Stream> streams;
  double outputs = 0.0;
  for (const auto& r : w.requests) {
    streams.push_back({1.0, r.prompt, r.output});
    outputs += static_cast<double>(r.output);
  }
  const auto arrival_span = static_cast<double>(w.requests.back().arrival_step -
                                                w.requests.front().arrival_step + 1);
  const auto span = std::max(arrival_span, outputs / static_cast<double>(w.requests.size()));
  return offered_load(m.params, streams).rho() / span;
}

CaseResult run_case(const FuzzModel& m, const FuzzCase& c) {
  const auto w = m.case_workload(c);
  SeededChoices choices(c.choice_seed);
  CaseProbe probe(m, w.requests.size());
  StepObserver* obs[] = {&probe};
  const auto out = simulate(m.params, m.time, w, choices, case_options(m), obs);
  CaseResult r;
  r.steps = out.steps;
  r.requests = static_cast<std::int64_t>(w.requests.size());
  r.verdict = out.verdict();
  if (!out.violations.empty()) r.what = std::string(info(out.violations.front().id).name);
  else if (out.stalled) r.what = "stalled";
  else if (out.livelock) r.what = "livelock";
  if (probe.starved_step >= 0 && !r.failed()) {
    r.verdict = Verdict::violated(probe.starved_step, PropertyKind::Liveness,
                                  "starvation: request " + std::to_string(probe.starved_request) +
                                      " waited while it would fit");
    r.what = "starvation";
  }
  const auto pool = static_cast<double>(std::max<std::int64_t>(1, m.params.engine.num_blocks));
  r.coverage.peak_occupancy = static_cast<double>(probe.peak_blocks) / pool;
  r.coverage.high_occupancy = r.coverage.peak_occupancy >= m.spec.occupancy_threshold;
  r.coverage.preemption = probe.preempted;
  r.coverage.offered_load = case_offered_load(m, w);
  r.coverage.near_boundary = r.coverage.offered_load >= 0.7 && r.coverage.offered_load <= 1.3;
  return r;
}

}  // namespace kvcheck::fuzz
