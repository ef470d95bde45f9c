#include "checkers/z3/prefix_run.h"

#include <algorithm>
#include <stdexcept>

#include "counterexamples/recorder.h"
#include "io/input_error.h"
#include "models/choice_source.h"
#include "models/engine_step.h"
#include "properties/predicates.h"

namespace kvcheck {
namespace {

/// The policy's choices in the prefix run: one seed for `fullest_step` and `simulate_prefix`,
/// so `auto` picks a step of the very run the prefix repeats.
constexpr std::uint64_t kPrefixSeed = 1;

/// Where a prefix run stopped.
struct Stop {
  std::optional<PropertyId> violated;
  std::int64_t step = -1;  ///< the violating step, if any
};

/// Steps `v` (the simulator's loop: idle time skipped, one engine_step per iteration) until the
/// start of step `until`, the end of the workload, or the first violation of `props`. With a
/// step clock an idle engine whose next arrival is at `until` or later stops: nothing happens
/// before `until` (skipping would jump past it).
Stop run_until(ConcreteView& v, const Workload& w, std::int64_t until,
               const std::vector<PropertyId>& props, std::vector<StepState>* states) {
  while (v.step() < until && !v.finished()) {
    const bool idle = v.waiting().empty() && v.running().empty();
    if (idle && w.clock == ArrivalClock::Steps && v.next_arrival_step() >= until) break;
    v.skip_idle();
    engine_step(v);
    if (states) states->push_back(snapshot(v));
    for (const auto id : props)
      if (!holds(id, v)) return {id, v.last_step().step};
  }
  return {};
}

bool same_start(const ConcreteStart& a, const ConcreteStart& b) {
  if (a.used != b.used || a.residents.size() != b.residents.size()) return false;
  for (std::size_t i = 0; i < a.residents.size(); ++i) {
    const auto &x = a.residents[i], &y = b.residents[i];
    if (x.id != y.id || x.status != y.status || x.pos != y.pos || x.computed != y.computed ||
        x.generated != y.generated || x.blocks != y.blocks || x.tokens != y.tokens ||
        x.input.prompt != y.input.prompt || x.input.output != y.input.output)
      return false;
  }
  return true;
}

}  // namespace

ConcreteStart concrete_start(const ConcreteView& v, std::int64_t step) {
  ConcreteStart s;
  s.step = step;
  s.used = v.used_blocks();
  const auto add = [&](std::int32_t id, std::int64_t pos) {
    const auto& st = v.state(id);
    s.residents.push_back({id, v.input(id), st.status, pos, st.computed, st.generated,
                           st.blocks, st.tokens});
  };
  for (std::size_t k = 0; k < v.waiting().size(); ++k)
    add(v.waiting()[k], static_cast<std::int64_t>(k));
  for (std::size_t k = 0; k < v.running().size(); ++k)
    add(v.running()[k], static_cast<std::int64_t>(k));
  for (std::size_t k = 0; k < v.swapped().size(); ++k)
    add(v.swapped()[k], static_cast<std::int64_t>(k));
  std::sort(s.residents.begin(), s.residents.end(),
            [](const ResidentSlot& a, const ResidentSlot& b) { return a.id < b.id; });
  return s;
}

PrefixRun simulate_prefix(const ModelParams& params, const TimeModel& time, const Workload& w,
                          std::int64_t step, const std::vector<PropertyId>& properties,
                          const std::string& flag) {
  if (step < 0)
    throw config_error("", flag, "must be >= 0 (the step at which BMC starts), got " +
                                     std::to_string(step));
  if (w.max_concurrency > 0)
    throw config_error("", flag, "a closed-loop workload (max_concurrency) is not supported");
  // Pass 1: the config's workload as it is (any clock).
  RecordedChoices choices(kPrefixSeed);
  ConcreteView v(params, w, time, choices);
  const auto stop = run_until(v, w, step, properties, nullptr);
  if (!stop.violated && v.finished() && v.step() < step)
    throw config_error("", flag,
                       std::to_string(step) + " is past the end of the workload's run (every "
                       "request has left by step " + std::to_string(v.step()) + ")");
  // The prefix as a step-clocked workload: the requests that arrived, at their arrival steps.
  PrefixRun out;
  out.workload.clock = ArrivalClock::Steps;
  for (std::int32_t i = 0; i < static_cast<std::int32_t>(v.arrived()); ++i) {
    auto r = v.input(i);
    r.arrival_step = v.state(i).arrived_step;
    r.arrival_time = static_cast<double>(r.arrival_step);
    out.workload.requests.push_back(r);
  }
  out.picks = choices.picks;
  const auto until = stop.violated ? stop.step + 1 : step;
  out.picks.resize(static_cast<std::size_t>(std::max<std::int64_t>(until, 0)));
  // Pass 2: what a replay of that workload does; it must reach the same state.
  ScriptedChoices scripted(out.picks);
  ConcreteView v2(params, out.workload, time, scripted);
  const auto stop2 = run_until(v2, out.workload, until, properties, &out.states);
  out.start = concrete_start(v2, step);
  if (stop2.violated != stop.violated || stop2.step != stop.step || scripted.exhausted() ||
      !same_start(out.start, concrete_start(v, step)))
    throw std::logic_error("simulate_prefix: the step-clock re-run of the prefix diverged");
  out.violated = stop.violated;
  out.violation_step = stop.step;
  return out;
}

std::int64_t fullest_step(const ModelParams& params, const TimeModel& time, const Workload& w,
                          std::int64_t max_steps) {
  SeededChoices choices(kPrefixSeed);  // the run simulate_prefix repeats
  ConcreteView v(params, w, time, choices);
  std::int64_t best = 0, best_used = 0;
  for (std::int64_t n = 0; n < max_steps && !v.finished(); ++n) {
    v.skip_idle();
    engine_step(v);
    if (v.used_blocks() > best_used) {
      best_used = v.used_blocks();
      best = v.step();
    }
  }
  return best;
}

}  // namespace kvcheck
