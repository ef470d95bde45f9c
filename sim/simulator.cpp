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
                                     "livelock"));  // the finding's name; describe() in reports
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
/// The first request that joined the queue in the last iteration and can never be admitted;
/// -1 if none.
std::int32_t never_admissible_joiner(const ConcreteView& v) {
  const auto& r = v.last_step();
  const auto bad = [&v](std::int32_t id) {
    const auto& s = v.state(id);
    return s.status == Status::Waiting &&
           never_admissible<Concrete>(v.params(), v.prompt(id), s.computed, s.generated);
  };
  for (const auto* ids : {&r.arrived, &r.preempted, &r.evicted})
    if (const auto it = std::find_if(ids->begin(), ids->end(), bad); it != ids->end()) return *it;
  return -1;
}

/// "request 0 (prompt 32700, 53 output tokens kept) needs 2048 blocks to be admitted; the pool
/// has 2047 (watermark 0 on an idle engine)".
std::string never_admissible_detail(const ConcreteView& v, std::int32_t id) {
  const auto& p = v.params();
  const auto& e = p.engine;
  const auto& s = v.state(id);
  const auto known = known_tokens<Concrete>(e, v.prompt(id), s.generated);
  const auto n = e.chunked_prefill ? cap_chunk<Concrete>(e, std::min(known, e.max_batched_tokens))
                                   : known;
  const auto need = admission_blocks<Concrete>(p, known, s.computed, n);
  const auto wm = p.policy.watermark_only_when_busy ? 0 : p.policy.watermark_blocks;
  return "request " + std::to_string(id) + " (prompt " + std::to_string(v.prompt(id)) + ", " +
         std::to_string(s.generated) + " output tokens kept) needs " + std::to_string(need) +
         " blocks to be admitted; the pool has " + std::to_string(e.num_blocks) +
         " (watermark " + std::to_string(wm) + " on an idle engine): it waits for ever";
}

/// Whether property `id` holds after the last iteration; `detail` says who broke it where the
/// property can name a request.
bool holds_after_step(PropertyId id, const ConcreteView& v, std::string& detail) {
  switch (id) {
    case PropertyId::ExactDelivery: return exact_delivery_incremental(v);
    case PropertyId::Schedulable: {
      const auto bad = never_admissible_joiner(v);
      if (bad >= 0) detail = never_admissible_detail(v, bad);
      return bad < 0;
    }
    default: return holds(id, v);
  }
}

void check_properties(const ConcreteView& v, const SimOptions& opts, std::vector<bool>& seen,
                      SimOutcome& out) {
  for (std::size_t i = 0; i < opts.properties.size(); ++i) {
    if (seen[i]) continue;
    std::string detail;
    const bool ok = holds_after_step(opts.properties[i], v, detail);
    if (!ok) {
      seen[i] = true;
      out.violations.push_back({opts.properties[i], v.last_step().step, std::move(detail)});
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
    // vLLM V0 raised "Aborted due to the lack of CPU swap space": the engine is gone. The run
    // reports it even where [check] properties does not list swap_space.
    if (v.last_step().swap_abort) {
      if (std::find(opts.properties.begin(), opts.properties.end(), PropertyId::SwapSpace) ==
          opts.properties.end())
        out.violations.push_back({PropertyId::SwapSpace, v.last_step().step, {}});
      break;
    }
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
