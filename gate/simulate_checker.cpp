#include "gate/simulate_checker.h"

#include <chrono>

#include "counterexamples/recorder.h"
#include "io/workload.h"
#include "models/choice_source.h"
#include "sim/simulator.h"

namespace kvcheck {

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
  if (workload.requests.size() <= kMaxTracedRequests) {
    TraceMeta meta;
    meta.source = "simulate";
    meta.config_name = cfg.name;
    meta.config_hash = cfg.hash;
    meta.seed = budget.seed;
    auto trace = record_run(cfg.model, cfg.time, workload, choices, opts, meta, &outcome);
    if (!outcome.violations.empty() || outcome.stalled) out.counterexample = std::move(trace);
  } else {
    outcome = simulate(cfg.model, cfg.time, workload, choices, opts);
  }
  out.verdict = outcome.verdict(budget.depth <= 0 && !cfg.check.max_steps_declared);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.summary = std::to_string(outcome.steps) + " iterations, " +
                std::to_string(workload.requests.size()) + " requests";
  return out;
}

}  // namespace kvcheck
