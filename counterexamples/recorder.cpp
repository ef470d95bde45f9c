#include "counterexamples/recorder.h"

#include <algorithm>

#include "properties/property.h"

namespace kvcheck {
namespace {

const char* status_name(Status s) {
  switch (s) {
    case Status::Pending: return "pending";
    case Status::Waiting: return "waiting";
    case Status::Running: return "running";
    case Status::Done: return "done";
    case Status::Rejected: return "rejected";
    case Status::Swapped: return "swapped";
  }
  return "unknown";
}

RequestSnapshot snap(const ConcreteView& v, std::int32_t id) {
  const auto& s = v.state(id);
  return {id, status_name(s.status), s.computed, s.generated, s.blocks};
}

}  // namespace

StepState snapshot(const ConcreteView& v) {
  const auto& r = v.last_step();
  StepState s;
  static_cast<StepEvents&>(s) = r;  // the events, field for field
  s.action = "step";
  s.waiting.assign(v.waiting().begin(), v.waiting().end());
  s.running = v.running();
  s.swapped.assign(v.swapped().begin(), v.swapped().end());
  for (auto id : s.waiting) s.requests.push_back(snap(v, id));
  for (auto id : s.running) s.requests.push_back(snap(v, id));
  for (auto id : s.swapped) s.requests.push_back(snap(v, id));
  for (auto id : r.completed) s.requests.push_back(snap(v, id));
  std::sort(s.requests.begin(), s.requests.end(),
            [](const RequestSnapshot& a, const RequestSnapshot& b) { return a.id < b.id; });
  return s;
}

Trace record_run(const ModelParams& params, const TimeModel& time, const Workload& workload,
                 ChoiceSource& choices, const SimOptions& opts, TraceMeta meta,
                 SimOutcome* outcome) {
  Trace t;
  t.params = params;
  t.time = time;
  t.workload = workload;
  TraceRecorder rec(t);
  StepObserver* obs[] = {&rec};
  const auto out = simulate(params, time, workload, choices, opts, obs);
  t.meta = std::move(meta);
  t.meta.depth = static_cast<std::int64_t>(t.states.size());
  if (!out.violations.empty()) {
    const auto& first = *std::min_element(
        out.violations.begin(), out.violations.end(),
        [](const PropertyViolation& a, const PropertyViolation& b) { return a.step < b.step; });
    t.meta.status = "violated";
    t.meta.violated_property = std::string(info(first.id).name);
    t.meta.violation_step = first.step;
  } else if (out.stalled) {
    t.meta.status = "violated";
    t.meta.violated_property = "stalled";
    t.meta.violation_step = out.steps;
  } else if (out.livelock) {
    // The last state recurs: the trace is the lasso's stem plus one turn of the cycle, and
    // the note says where the loop closes (states from + 1 .. from + period repeat for ever).
    t.meta.status = "violated";
    t.meta.violated_property = "livelock";
    t.meta.violation_step = out.livelock->from + out.livelock->period;
    t.meta.note = out.livelock->describe();
  } else if (t.meta.status.empty()) {
    t.meta.status = "ok";
  }
  if (outcome) *outcome = out;
  return t;
}

}  // namespace kvcheck
