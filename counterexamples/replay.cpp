#include "counterexamples/replay.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <limits>

#include "counterexamples/recorder.h"
#include "models/choice_source.h"
#include "properties/property.h"

namespace kvcheck {
namespace {

/// Field-by-field comparison of recorded and re-executed states; remembers the first difference.
class Diff {
 public:
  explicit Diff(ReplayResult& r) : r_(r) {}
  bool found() const { return !r_.field.empty(); }

  template <class T>
  void field(const std::string& path, const T& expected, const T& actual) {
    if (found() || expected == actual) return;
    r_.field = path;
    r_.expected = render(expected);
    r_.actual = render(actual);
  }
  void state(std::size_t i, const StepState& e, const StepState& a);

 private:
  template <class T>
  static std::string render(const T& v) {
    if constexpr (std::is_same_v<T, std::vector<std::pair<std::int32_t, std::int64_t>>>) {
      std::string out;
      for (const auto& [id, n] : v) out += fmt::format("{}<{},{}>", out.empty() ? "" : " ", id, n);
      return "[" + out + "]";
    } else {
      return fmt::format("{}", v);
    }
  }
  void requests(const std::string& p, const std::vector<RequestSnapshot>& e,
                const std::vector<RequestSnapshot>& a);
  ReplayResult& r_;
};

std::vector<std::int32_t> ids(const std::vector<RequestSnapshot>& rs) {
  std::vector<std::int32_t> out;
  for (const auto& r : rs) out.push_back(r.id);
  return out;
}

void Diff::requests(const std::string& p, const std::vector<RequestSnapshot>& e,
                    const std::vector<RequestSnapshot>& a) {
  field(p + ".requests", ids(e), ids(a));
  for (std::size_t k = 0; k < e.size() && !found(); ++k) {
    const auto q = fmt::format("{}.requests[id={}]", p, e[k].id);
    field(q + ".status", e[k].status, a[k].status);
    field(q + ".computed", e[k].computed, a[k].computed);
    field(q + ".generated", e[k].generated, a[k].generated);
    field(q + ".blocks", e[k].blocks, a[k].blocks);
  }
}

void Diff::state(std::size_t i, const StepState& e, const StepState& a) {
  const auto p = fmt::format("states[{}]", i + 1);
  field(p + ".step", e.step, a.step);
  field(p + ".mbt::actionTaken", e.action, a.action);
  field(p + ".mbt::nondetPicks.choices", e.picks, a.picks);
  field(p + ".arrived", e.arrived, a.arrived);
  field(p + ".rejected", e.rejected, a.rejected);
  field(p + ".admitted", e.admitted, a.admitted);
  field(p + ".preempted", e.preempted, a.preempted);
  field(p + ".evicted", e.evicted, a.evicted);
  field(p + ".completed", e.completed, a.completed);
  field(p + ".batch", e.batch, a.batch);
  field(p + ".demand_blocks", e.demand_blocks, a.demand_blocks);
  field(p + ".used_blocks", e.used_blocks, a.used_blocks);
  field(p + ".used_tokens", e.used_tokens, a.used_tokens);
  field(p + ".overflow", e.overflow, a.overflow);
  field(p + ".waiting", e.waiting, a.waiting);
  field(p + ".running", e.running, a.running);
  field(p + ".swapped", e.swapped, a.swapped);
  field(p + ".swapped_out", e.swapped_out, a.swapped_out);
  field(p + ".swapped_in", e.swapped_in, a.swapped_in);
  field(p + ".swap_abort", e.swap_abort, a.swap_abort);
  field(p + ".cpu_used_blocks", e.cpu_used_blocks, a.cpu_used_blocks);
  requests(p, e.requests, a.requests);
}

/// A stall (no arrival and an empty batch while requests are resident) at the end of `states`.
bool ends_stalled(const std::vector<StepState>& states) {
  if (states.empty()) return false;
  const auto& s = states.back();
  return s.batch.empty() && s.arrived.empty() &&
         (!s.waiting.empty() || !s.running.empty() || !s.swapped.empty());
}

/// Checks meta's violated property against the re-executed outcome.
void check_violation(const Trace& t, const SimOutcome& out, const Trace& re, ReplayResult& r) {
  if (r.field.size() || t.meta.status != "violated") return;
  const auto& name = t.meta.violated_property;
  const auto step = t.meta.violation_step;
  std::string actual = "not violated";
  bool ok = false;
  if (name == "stalled") {
    ok = ends_stalled(re.states) && step == static_cast<std::int64_t>(re.states.size());
    if (ends_stalled(re.states)) actual = fmt::format("stalled after {} steps", re.states.size());
  } else if (const auto id = parse_property(name)) {
    for (const auto& v : out.violations)
      if (v.id == *id) {
        ok = v.step == step;
        actual = fmt::format("{} violated at step {}", name, v.step);
      }
  } else if (t.loop) {
    r.unchecked = fmt::format("lasso property '{}' (loop from ITF state {}) is not re-checked: "
                              "replay checks the states only", name, *t.loop + 1);
    return;
  } else {
    actual = "unknown property";
  }
  if (ok) return;
  r.field = "#meta.violated_property";
  r.expected = fmt::format("{} violated at step {}", name, step);
  r.actual = actual;
}

}  // namespace

void check_recorded_status(const Trace& t, ReplayResult& r) {
  if (!r.field.empty()) return;
  const auto& m = t.meta;
  const bool names = !m.violated_property.empty() || m.violation_step >= 0;
  if (m.status == "ok" && !names) return;
  if (m.status == "violated" && !m.violated_property.empty() && m.violation_step >= 0) return;
  r.field = "#meta.status";
  r.expected = m.status == "ok" || m.status == "violated"
                   ? fmt::format("a status that agrees with #meta.violated_property = \"{}\" "
                                 "and #meta.violation_step = {}",
                                 m.violated_property, m.violation_step)
                   : std::string("\"ok\" or \"violated\"");
  r.actual = "\"" + m.status + "\"";
  r.reproduced = false;
}

std::string ReplayResult::message() const {
  if (reproduced) return fmt::format("reproduced ({} states)", states_checked);
  return fmt::format("diverged at {}: expected {}, actual {}", field, expected, actual);
}

ReplayResult replay(const Trace& t) {
  ScriptedChoices choices(t.picks());
  SimOptions opts;
  opts.max_steps = static_cast<std::int64_t>(t.states.size());
  opts.max_idle_steps = std::numeric_limits<std::int64_t>::max();
  if (const auto id = parse_property(t.meta.violated_property)) opts.properties.push_back(*id);
  Trace re;
  TraceRecorder rec(re);
  StepObserver* obs[] = {&rec};
  const auto out = simulate(t.params, t.time, t.workload, choices, opts, obs);
  ReplayResult r;
  Diff diff(r);
  const auto n = std::min(t.states.size(), re.states.size());
  for (std::size_t i = 0; i < n && !diff.found(); ++i) {
    diff.state(i, t.states[i], re.states[i]);
    if (diff.found()) r.state = static_cast<std::int64_t>(i);
    else r.states_checked = static_cast<std::int64_t>(i) + 1;
  }
  if (!diff.found() && t.states.size() != re.states.size()) {
    r.state = static_cast<std::int64_t>(n);
    r.field = fmt::format("states[{}]", n + 1);
    r.expected = fmt::format("{} recorded states", t.states.size());
    r.actual = fmt::format("the run ended after {} states", re.states.size());
  }
  check_recorded_status(t, r);
  check_violation(t, out, re, r);
  r.reproduced = r.field.empty();
  return r;
}

}  // namespace kvcheck
