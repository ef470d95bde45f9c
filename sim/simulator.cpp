#include "sim/simulator.h"

#include <string>

#include "models/engine_step.h"
#include "properties/predicates.h"
#include "sim/steady_skip.h"

namespace kvcheck {

Verdict SimOutcome::verdict() const {
  Verdict v = Verdict::bounded_ok(steps);
  for (const auto& viol : violations) {
    const auto& pi = info(viol.id);
    v = combine(v, Verdict::violated(viol.step, pi.kind, std::string(pi.name)));
  }
  if (stalled)
    v = combine(v, Verdict::violated(steps, PropertyKind::Liveness,
                                     "stalled: no request progressed for max_idle_steps"));
  return v;
}

namespace {

void check_properties(const ConcreteView& v, const SimOptions& opts, std::vector<bool>& seen,
                      SimOutcome& out) {
  for (std::size_t i = 0; i < opts.properties.size(); ++i) {
    if (seen[i]) continue;
    if (!holds(opts.properties[i], v)) {
      seen[i] = true;
      out.violations.push_back({opts.properties[i], v.last_step().step});
    }
  }
}

}  // namespace

SimOutcome simulate(const ModelParams& params, const TimeModel& time, const Workload& workload,
                    ChoiceSource& choices, const SimOptions& opts,
                    std::span<StepObserver* const> observers) {
  ConcreteView v(params, workload, time, choices);
  SimOutcome out;
  std::vector<bool> seen(opts.properties.size(), false);
  std::int64_t idle = 0;
  SteadySkipper skipper(params, time, workload, opts, observers);
  while (!v.finished()) {
    if (out.steps >= opts.max_steps) {
      out.hit_max_steps = true;
      break;
    }
    v.skip_idle();
    engine_step(v);
    ++out.steps;
    for (auto* o : observers) o->on_step(v);
    check_properties(v, opts, seen, out);
    if (opts.stop_at_violation && !out.violations.empty()) break;
    const bool progressed = !v.last_step().batch.empty() || !v.last_step().arrived.empty();
    idle = progressed ? 0 : idle + 1;
    if (idle >= opts.max_idle_steps) {
      out.stalled = true;
      break;
    }
    out.steps += skipper.skip(v, opts.max_steps - out.steps);  // 0 unless skip_steady
  }
  out.finished = v.finished();
  for (auto* o : observers) o->on_finish(v);
  return out;
}

}  // namespace kvcheck
