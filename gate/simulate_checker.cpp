#include "gate/simulate_checker.h"

#include <chrono>

#include "counterexamples/recorder.h"
#include "gate/gate_metrics.h"
#include "io/workload.h"
#include "models/choice_source.h"
#include "sim/metrics.h"
#include "sim/simulator.h"

namespace kvcheck {
namespace {

/// The run's serving metrics, as gate_metrics.h names and reads them.
std::map<std::string, double> gate_metrics(const Metrics& m) {
  std::map<std::string, double> out;
  for (const auto& g : kGateMetrics) out[std::string(g.name)] = g.of(m);
  return out;
}

}  // namespace

CheckResult SimulateChecker::run(const Config& cfg, const CheckBudget& budget) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto workload = build_workload(cfg);
  SeededChoices choices(budget.seed);
  SimOptions opts;
  opts.properties = cfg.check.properties;
  opts.max_steps = budget.depth > 0 ? budget.depth : cfg.check.max_steps;
  opts.max_idle_steps = cfg.check.max_idle_steps;
  opts.stop_at_violation = true;
  CheckResult out;
  SimOutcome outcome;
  // Traces are recorded only for small workloads; large runs report the verdict alone.
  const bool traced = workload.requests.size() <= kMaxTracedRequests;
  if (traced) {
    TraceMeta meta;
    meta.source = "simulate";
    meta.config_name = cfg.name;
    meta.config_hash = cfg.hash;
    meta.seed = budget.seed;
    auto trace = record_run(cfg.model, cfg.time, workload, choices, opts, meta, &outcome);
    if (!outcome.violations.empty() || outcome.stalled || outcome.livelock)
      out.counterexample = std::move(trace);
  } else {
    outcome = simulate(cfg.model, cfg.time, workload, choices, opts);
  }
  // The serving metrics (--baseline compares them between builds) come from the whole
  // workload, not the prefix up to the first violation: a run cut at a violation completes
  // nothing, and its empty latency percentiles would read as an improvement.
  MetricsCollector metrics(cfg.model);
  StepObserver* obs[] = {&metrics};
  SimOptions whole = opts;
  whole.stop_at_violation = false;
  SeededChoices again(budget.seed);
  (void)simulate(cfg.model, cfg.time, workload, again, whole, obs);
  out.metrics = gate_metrics(metrics.metrics());
  out.verdict = outcome.verdict(budget.depth <= 0 && !cfg.check.max_steps_declared);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.summary = std::to_string(outcome.steps) + " iterations, " +
                std::to_string(workload.requests.size()) + " requests";
  return out;
}

}  // namespace kvcheck
