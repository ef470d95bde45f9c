#include "checkers/fuzz/stability.h"

#include <cmath>

#include "io/workload.h"
#include "models/choice_source.h"
#include "sim/simulator.h"
#include "theory/p1_work.h"

namespace kvcheck::fuzz {
namespace {

/// Records requests in system and completions after every step.
class QueueProbe final : public StepObserver {
 public:
  void on_step(const ConcreteView& v) override {
    step.push_back(static_cast<double>(v.last_step().step));
    in_system.push_back(static_cast<double>(v.waiting().size() + v.running().size()));
    done.push_back(static_cast<double>(v.done()));
  }
  std::vector<double> step, in_system, done;
};

bool carriable(const LoadEstimate& l) { return l.rho() <= 1.0 + 1e-9; }

}  // namespace

double kv_token_steps(const EngineParams& e, std::int64_t prompt, std::int64_t output) {
  return static_cast<double>(theory::p1_work(prompt, output, e.lookahead));
}

LoadEstimate offered_load(const ModelParams& p, const std::vector<Stream>& streams) {
  LoadEstimate l;
  const auto pool = static_cast<double>(p.engine.num_blocks * p.engine.block_size);
  const bool budget = p.engine.max_batched_tokens < kUnlimited;
  for (const auto& s : streams) {
    l.memory += s.rate * kv_token_steps(p.engine, s.prompt, s.output) / pool;
    if (budget)
      l.tokens += s.rate * static_cast<double>(s.prompt + s.output - 1) /
                  static_cast<double>(p.engine.max_batched_tokens);
  }
  return l;
}

std::vector<Stream> config_streams(const Config& c) {
  const auto& w = c.workload;
  if (w.clock == ArrivalClock::Timed) return {};  // clock = "seconds": rates per second
  switch (w.kind) {
    case WorkloadKind::Deterministic:
      return {{static_cast<double>(w.burst) / static_cast<double>(w.interval), w.prompt, w.output}};
    case WorkloadKind::Poisson: return {{w.rate, w.prompt, w.output}};
    case WorkloadKind::ClassMix: {
      std::vector<Stream> out;
      for (const auto& k : c.model.classes) out.push_back({k.rate, k.prompt, k.output});
      return out;
    }
    case WorkloadKind::Explicit:
    case WorkloadKind::Trace:
    case WorkloadKind::Random:  // rates per second, not per step
    case WorkloadKind::Dataset: break;
  }
  return {};
}

double ls_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const auto n = static_cast<double>(x.size());
  if (x.size() < 2) return 0.0;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i], sy += y[i], sxx += x[i] * x[i], sxy += x[i] * y[i];
  }
  const double den = n * sxx - sx * sx;
  return den == 0.0 ? 0.0 : (n * sxy - sx * sy) / den;
}

StabilityReport check_stability(const Config& c, const FuzzModel& m) {
  StabilityReport r;
  const auto streams = config_streams(c);
  if (!m.spec.stability.enabled || streams.empty()) return r;
  r.horizon = m.spec.stability.horizon;
  for (const auto& s : streams) r.rate += s.rate;
  r.load = offered_load(c.model, streams);
  r.epsilon = m.spec.stability.epsilon >= 0.0 ? m.spec.stability.epsilon : 0.05 * r.rate;
  Config run = c;
  run.workload.count = c.workload.backlog +
                       static_cast<std::int64_t>(std::ceil(r.rate * static_cast<double>(r.horizon)));
  const auto workload = build_workload(run);
  SeededChoices choices(c.workload.seed);
  SimOptions opts;
  opts.max_steps = r.horizon;
  opts.max_idle_steps = r.horizon + 1;
  QueueProbe probe;
  StepObserver* obs[] = {&probe};
  (void)simulate(c.model, c.time, workload, choices, opts, obs);
  const auto half = probe.step.size() / 2;
  const std::vector<double> xs(probe.step.begin() + static_cast<std::ptrdiff_t>(half), probe.step.end());
  const std::vector<double> ys(probe.in_system.begin() + static_cast<std::ptrdiff_t>(half),
                               probe.in_system.end());
  r.slope = ls_slope(xs, ys);
  if (xs.size() >= 2)
    r.throughput = (probe.done.back() - probe.done[half]) / (xs.back() - xs.front());
  r.final_in_system = probe.in_system.empty() ? 0 : static_cast<std::int64_t>(probe.in_system.back());
  if (r.slope <= r.epsilon) r.drift = Drift::Stable;
  else r.drift = carriable(r.load) ? Drift::Unstable : Drift::ExpectedOverload;
  return r;
}

std::string to_string(Drift d) {
  switch (d) {
    case Drift::Stable: return "stable";
    case Drift::ExpectedOverload: return "drift_expected_overload";
    case Drift::Unstable: return "unstable";
    case Drift::NotApplicable: return "not_applicable";
  }
  return "?";
}

}  // namespace kvcheck::fuzz
