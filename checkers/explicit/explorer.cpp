#include "checkers/explicit/explorer.h"

#include <cmath>

#include "checkers/explicit/instability.h"
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
  if (!r.complete)
    return Verdict::unknown("state limit reached after " + std::to_string(r.states) + " states");
  if (r.window_exhausted)
    return Verdict::unknown("saturated mode: a step admitted the whole queue window; raise "
                            "explore.queue_window");
  return Verdict::proved("whole reachable graph explored (" + std::to_string(r.states) +
                         " states) within the configured bounds");
}

}  // namespace

ExploreReport explore(const Config& cfg, const ExploreOptions& opts) {
  SuccessorGenerator gen(cfg.model, cfg.time, opts);
  const auto g = build_graph(gen, opts.max_states);
  ExploreReport r;
  r.states = static_cast<std::int64_t>(g.states.size());
  r.transitions = static_cast<std::int64_t>(g.edges.size());
  r.seconds = g.seconds;
  r.complete = g.complete;
  for (const auto& t : g.edges) r.window_exhausted = r.window_exhausted || t.window_exhausted;
  const auto sccs = count_sccs(g);
  r.sccs = sccs.total;
  r.nontrivial_sccs = sccs.nontrivial;
  const auto tree = bfs_tree(g);
  std::string error;
  if (opts.analyses.safety)
    r.safety = to_finding(g, shortest_violation(g, tree, opts), cfg, opts, error);
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
