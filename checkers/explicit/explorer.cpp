#include "checkers/explicit/explorer.h"

#include <chrono>
#include <cmath>

#include "checkers/explicit/instability.h"
#include "checkers/explicit/safety_search.h"
#include "checkers/explicit/shortest_counterexample.h"
#include "checkers/explicit/starvation.h"
#include "checkers/explicit/witness_trace.h"

namespace kvcheck::explicit_state {
namespace {

/// Re-records a witness; a replay that differs from the explored path is a kvcheck bug.
std::optional<Finding> to_finding(const ExploredGraph& g, std::optional<Witness> w,
                                  const Config& cfg, const ExploreOptions& opts,
                                  std::string& error) {
  if (!w) return std::nullopt;
  Finding f{*w, witness_trace(g, *w, cfg, opts)};
  std::string why;
  if (!trace_matches(f.trace, g, *w, opts, why) && error.empty())
    error = w->property + " witness does not replay: " + why;
  return f;
}

Verdict decide(const ExploreReport& r, const std::string& error) {
  if (!error.empty()) return Verdict::error(error);
  for (const auto* f : {&r.safety, &r.starvation, &r.instability})
    if (*f)
      return Verdict::violated(static_cast<std::int64_t>((*f)->witness.edges.size()) - 1,
                               (*f)->witness.kind, (*f)->witness.detail);
  if (r.hash_compaction)
    return Verdict::unknown("hash compaction: " + std::to_string(r.states) +
                            " states visited, none violating, but states whose 64-bit "
                            "fingerprints collide were taken for one, so the search is "
                            "incomplete; use explore.storage = \"exact\" for a proof");
  if (!r.complete)
    return Verdict::unknown("state limit reached after " + std::to_string(r.states) + " states");
  if (r.window_exhausted)
    return Verdict::unknown("saturated mode: a step admitted the whole queue window; raise "
                            "explore.queue_window");
  return Verdict::proved("whole reachable graph explored (" + std::to_string(r.states) +
                         " states) within the configured bounds");
}

bool needs_graph(const ExploreOptions& opts) {
  return (opts.analyses.starvation && opts.mode == ExploreMode::Bounded) ||
         (opts.analyses.instability && opts.mode == ExploreMode::Saturated);
}

/// The safety pass (safety_search.h); fills the report from it. True when it settled the run:
/// a violation, or no graph analysis to run after it.
bool run_safety_pass(const Config& cfg, const ExploreOptions& opts,
                     const SuccessorGenerator& gen, ExploreReport& r, std::string& error) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto s = safety_search(gen, opts);
  r.states = s.states;
  r.transitions = s.transitions;
  r.complete = s.exhausted;
  r.memory_bytes = s.memory_bytes;
  r.hash_compaction = s.storage == StateStorage::HashCompaction;
  r.window_exhausted = s.window_exhausted;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (s.violation) {
    const auto g = path_graph(gen, *s.violation);
    r.safety = to_finding(g, shortest_violation(g, bfs_tree(g), opts), cfg, opts, error);
    return true;
  }
  return !needs_graph(opts);
}

}  // namespace

ExploreReport explore(const Config& cfg, const ExploreOptions& opts) {
  SuccessorGenerator gen(cfg.model, cfg.time, opts);
  ExploreReport r;
  std::string error;
  if (opts.analyses.safety && run_safety_pass(cfg, opts, gen, r, error)) {
    r.verdict = decide(r, error);
    return r;
  }
  r.hash_compaction = false;  // the graph below stores every state whole
  r.graph = true;
  const auto g = build_graph(gen, opts.max_states);
  r.states = static_cast<std::int64_t>(g.states.size());
  r.transitions = static_cast<std::int64_t>(g.edges.size());
  r.seconds += g.seconds;
  r.complete = g.complete;
  for (const auto& t : g.edges) r.window_exhausted = r.window_exhausted || t.window_exhausted;
  const auto sccs = count_sccs(g);
  r.sccs = sccs.total;
  r.nontrivial_sccs = sccs.nontrivial;
  const auto tree = bfs_tree(g);
  if (opts.analyses.starvation && opts.mode == ExploreMode::Bounded)
    r.starvation = to_finding(g, find_starvation(g, tree), cfg, opts, error);
  if (opts.analyses.instability && opts.mode == ExploreMode::Saturated) {
    auto cr = find_instability(g, tree);
    if (std::isfinite(cr.max_ratio)) r.max_cycle_ratio = cr.max_ratio;
    r.instability = to_finding(g, std::move(cr.witness), cfg, opts, error);
  }
  r.verdict = decide(r, error);
  return r;
}

}  // namespace kvcheck::explicit_state
