#include "sim/simulator.h"

#include <algorithm>
#include <string>

#include "models/engine_step.h"
#include "properties/predicates.h"
#include "sim/steady_skip.h"

namespace kvcheck {

Verdict SimOutcome::verdict(bool require_complete) const {
  Verdict v = Verdict::bounded_ok(steps);
  if (require_complete && hit_max_steps && unfinished > 0)
    v = Verdict::unknown("incomplete: stopped at max_steps = " + std::to_string(steps) + " with " +
                         std::to_string(unfinished) + " requests unfinished (" +
                         std::to_string(not_arrived) +
                         " never arrived); raise [check] max_steps or --max-steps");
  for (const auto& viol : violations) {
    const auto& pi = info(viol.id);
    v = combine(v, Verdict::violated(viol.step, pi.kind, std::string(pi.name)));
  }
  if (stalled)
    v = combine(v, Verdict::violated(steps, PropertyKind::Liveness,
                                     "stalled: no request progressed for max_idle_steps"));
  if (livelock)
    v = combine(v, Verdict::violated(livelock->from + livelock->period, PropertyKind::Liveness,
                                     livelock->describe()));
  return v;
}

namespace {

/// exact_delivery (properties/predicates.h) evaluated on what the last iteration changed. The
/// predicate asks generated == output of every completed request and generated < output of
/// every running one. While it held after the previous check, a running request can only fail
/// it if its `generated` changed (it was in the batch) or it joined the running set (it was
/// admitted): nothing else changes `generated` of a running request, and skipped steady runs
/// stop before any request reaches its output (sim/steady_skip.h). So checking the completed
/// requests, the batch and the admitted requests equals the full predicate. Once it fails it is
/// never evaluated again (first violation only).
bool exact_delivery_incremental(const ConcreteView& v) {
  const auto& r = v.last_step();
  for (auto id : r.completed)
    if (v.generated(id) != v.output(id)) return false;
  for (const auto& [id, n] : r.batch) {
    const auto& s = v.state(id);
    if (s.status == Status::Running && s.generated >= v.output(id)) return false;
  }
  for (auto id : r.admitted) {
    const auto& s = v.state(id);
    if (s.status == Status::Running && s.generated >= v.output(id)) return false;
  }
  return true;
}

/// schedulable (properties/predicates.h) on what the last iteration changed: a waiting
/// request's admission need changes only when it joins the queue (arrival, preemption,
/// eviction), so while the predicate held before, only those requests can break it.
bool schedulable_incremental(const ConcreteView& v) {
  const auto& r = v.last_step();
  const auto bad = [&v](std::int32_t id) {
    const auto& s = v.state(id);
    return s.status == Status::Waiting &&
           never_admissible<Concrete>(v.params(), v.prompt(id), s.computed, s.generated);
  };
  return std::none_of(r.arrived.begin(), r.arrived.end(), bad) &&
         std::none_of(r.preempted.begin(), r.preempted.end(), bad) &&
         std::none_of(r.evicted.begin(), r.evicted.end(), bad);
}

bool holds_after_step(PropertyId id, const ConcreteView& v) {
  switch (id) {
    case PropertyId::ExactDelivery: return exact_delivery_incremental(v);
    case PropertyId::Schedulable: return schedulable_incremental(v);
    default: return holds(id, v);
  }
}

void check_properties(const ConcreteView& v, const SimOptions& opts, std::vector<bool>& seen,
                      SimOutcome& out) {
  for (std::size_t i = 0; i < opts.properties.size(); ++i) {
    if (seen[i]) continue;
    const bool ok = holds_after_step(opts.properties[i], v);
    if (!ok) {
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
  LivelockDetector livelock;
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
    if ((out.livelock = livelock.observe(v))) break;
    const bool progressed = !v.last_step().batch.empty() || !v.last_step().arrived.empty();
    idle = progressed ? 0 : idle + 1;
    if (idle >= opts.max_idle_steps) {
      out.stalled = true;
      break;
    }
    out.steps += skipper.skip(v, opts.max_steps - out.steps);  // 0 unless skip_steady
  }
  out.finished = v.finished();
  const auto total = static_cast<std::int64_t>(workload.requests.size());
  out.unfinished = total - v.done() - v.rejected();
  out.not_arrived = total - v.arrived();
  for (auto* o : observers) o->on_finish(v);
  return out;
}

}  // namespace kvcheck
