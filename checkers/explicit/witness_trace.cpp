#include "checkers/explicit/witness_trace.h"

#include <array>
#include <map>

#include "counterexamples/recorder.h"

namespace kvcheck::explicit_state {
namespace {

// queue flag (0 waiting, 1 running, 2 swapped), prompt, output, class, computed, gen, blocks
using Row = std::array<std::int64_t, 7>;

std::vector<Row> signature(const ExplicitState& s, bool saturated) {
  std::vector<Row> out;
  if (!saturated)
    for (const auto& r : s.waiting)
      out.push_back({0, r.prompt, r.output, r.klass, r.computed, r.generated, r.blocks});
  for (const auto& r : s.running)
    out.push_back({1, r.prompt, r.output, r.klass, r.computed, r.generated, r.blocks});
  for (const auto& r : s.swapped)
    out.push_back({2, r.prompt, r.output, r.klass, r.computed, r.generated, r.blocks});
  return out;
}

std::vector<Row> signature(const StepState& s, const Workload& wl, bool saturated) {
  std::map<std::int32_t, const RequestSnapshot*> by_id;
  for (const auto& r : s.requests) by_id[r.id] = &r;
  std::vector<Row> out;
  const auto add = [&](std::int64_t flag, std::int32_t id) {
    const auto& in = wl.requests[static_cast<std::size_t>(id)];
    const auto* r = by_id.at(id);
    out.push_back({flag, in.prompt, in.output, in.klass, r->computed, r->generated, r->blocks});
  };
  if (!saturated)
    for (auto id : s.waiting) add(0, id);
  for (auto id : s.running) add(1, id);
  for (auto id : s.swapped) add(2, id);
  return out;
}

}  // namespace

Workload witness_workload(const ExploredGraph& g, const Witness& w, const ExploreOptions& opts) {
  Workload wl;
  wl.requests = opts.in_flight;  // running from step 0, before every arrival
  const auto shape = [&](std::size_t a, std::int64_t step) {
    const auto& s = opts.shapes[a];
    return Request{step, static_cast<double>(step), s.prompt, s.output, s.klass};
  };
  if (opts.mode == ExploreMode::Saturated) {
    std::int64_t backlog = opts.queue_window;
    for (auto id : w.edges) backlog += g.edges[id].admitted;
    for (std::int64_t i = 0; i < backlog; ++i) wl.requests.push_back(shape(0, 0));
  }
  for (std::size_t i = 0; i < w.edges.size(); ++i) {
    const auto& t = g.edges[w.edges[i]];
    const auto step = static_cast<std::int64_t>(i);
    if (opts.mode == ExploreMode::Saturated) {
      for (std::int64_t k = 0; k < t.arrival_count; ++k) wl.requests.push_back(shape(0, step));
    } else {
      for (auto a : t.arrivals) wl.requests.push_back(shape(static_cast<std::size_t>(a), step));
    }
  }
  return wl;
}

Trace witness_trace(const ExploredGraph& g, const Witness& w, const Config& cfg,
                    const ExploreOptions& opts) {
  std::vector<std::vector<std::int64_t>> picks;
  for (auto id : w.edges) picks.push_back(g.edges[id].picks);
  ScriptedChoices choices(std::move(picks));
  SimOptions so;
  so.properties = opts.properties;
  so.max_steps = static_cast<std::int64_t>(w.edges.size());
  so.max_idle_steps = so.max_steps + 1;
  TraceMeta meta;
  meta.source = "explore";
  meta.config_name = cfg.name;
  meta.config_hash = cfg.hash;
  auto t = record_run(cfg.model, cfg.time, witness_workload(g, w, opts), choices, so, meta);
  t.meta.note = w.detail;
  if (w.loop) {
    t.loop = static_cast<std::int64_t>(*w.loop);
    t.meta.status = "violated";
    t.meta.violated_property = w.property;
    t.meta.violation_step = static_cast<std::int64_t>(w.edges.size()) - 1;
  }
  return t;
}

bool trace_matches(const Trace& t, const ExploredGraph& g, const Witness& w,
                   const ExploreOptions& opts, std::string& why) {
  const bool saturated = opts.mode == ExploreMode::Saturated;
  if (t.states.size() != w.edges.size()) {
    why = "replay ran " + std::to_string(t.states.size()) + " steps, the witness has " +
          std::to_string(w.edges.size());
    return false;
  }
  for (std::size_t i = 0; i < w.edges.size(); ++i) {
    const auto& expect = g.states[g.edge_target[w.edges[i]]];
    if (signature(t.states[i], t.workload, saturated) != signature(expect, saturated)) {
      why = "replayed state after step " + std::to_string(i) + " differs from the explored one";
      return false;
    }
  }
  const auto last = static_cast<std::int64_t>(w.edges.size()) - 1;
  if (!w.loop && (t.meta.violated_property != w.property || t.meta.violation_step != last)) {
    why = "replay does not fail " + w.property + " at step " + std::to_string(last);
    return false;
  }
  return true;
}

}  // namespace kvcheck::explicit_state
