#include "checkers/z3/bmc.h"

#include "checkers/z3/seed_search.h"
#include "checkers/z3/vacuity.h"

namespace kvcheck {
namespace {

/// The seed search's hint, announced on the progress stream.
std::optional<SeedHint> find_hint(const ModelParams& params, const BmcSpec& spec,
                                  std::int64_t depth, const SolverOptions& opts) {
  if (opts.seed_runs <= 0) return std::nullopt;
  auto hint = seed_search(params, spec, depth, opts.seed_runs, opts.seed);
  if (opts.progress) {
    if (hint)
      *opts.progress << "seed search: " << info(hint->property).name << " fails at step "
                     << hint->step << " in simulation run " << hint->run << " of "
                     << opts.seed_runs << " (" << hint->workload.requests.size()
                     << " requests); the solver checks every shallower depth first\n";
    else
      *opts.progress << "seed search: no violation in " << opts.seed_runs
                     << " simulated workloads\n";
  }
  return hint;
}

}  // namespace

std::size_t first_false(const z3::model& m, const std::vector<SymBool>& props) {
  for (std::size_t i = 0; i < props.size(); ++i)
    if (!Unroller::value(m, props[i])) return i;
  return props.size();
}

BmcResult run_bmc(const ModelParams& params, const BmcSpec& spec, std::int64_t depth,
                    const SolverOptions& opts) {
  try {
    return run_bmc_unguarded(params, spec, depth, opts);
  } catch (const z3::exception& e) {
    if (!expired(opts.deadline)) throw;
    return {Verdict::unknown(std::string("time limit reached (") + e.msg() + ")"), std::nullopt};
  }
}

BmcResult run_bmc_unguarded(const ModelParams& params, const BmcSpec& spec, std::int64_t depth,
                            const SolverOptions& opts) {
  if (const auto a = check_activity(params, spec, depth, opts); a.activity != Activity::Exercised)
    return {not_exercised(a), std::nullopt, a.activity == Activity::Vacuous};
  const auto hint = find_hint(params, spec, depth, opts);
  BmcSession s(params, spec, opts, false);
  SymbolicScope scope(s.ctx());
  const auto after = opts.lemma_after_work;
  bool alloc_tried = false;
  const auto closed = [&](std::int64_t t, const char* how) {
    auto v = Verdict::bounded_ok(depth);
    v.reason = "closed at depth " + std::to_string(t + 1) + ": the properties follow in one " +
               "step from " + how + ", so they hold at every depth";
    return BmcResult{v, std::nullopt};
  };
  for (std::int64_t t = 0; t < depth; ++t) {
    const auto props = s.extend(false);
    const auto name = "bmc_depth_" + std::to_string(t);
    // Every shallower depth is unsat for all workloads: the simulated witness is a shortest
    // counterexample (replayed concretely by the caller like any other).
    if (hint && hint->step == t) {
      if (opts.progress)
        *opts.progress << name << ": the seed search's witness (depths < " << t
                       << " are unsat)\n";
      const auto& pi = info(hint->property);
      return {Verdict::violated(t, pi.kind, std::string(pi.name)),
              Counterexample{hint->workload, hint->picks, hint->property, t}};
    }
    const auto r = s.query(any_false(props), name);
    if (r.result == z3::unknown)
      return {Verdict::unknown("solver unknown at depth " + std::to_string(t) + ": " + r.reason),
              std::nullopt};
    if (r.result == z3::sat) {
      const auto i = first_false(*r.model, props);
      const auto id = spec.properties[i];
      const auto& pi = info(id);
      return {Verdict::violated(t, pi.kind, std::string(pi.name)),
              s.counterexample(*r.model, id, t)};
    }
    s.assume(all_true(props));  // holds at depth t: later queries look for later violations
    // A slow depth: try the allocation invariant once (cheap; it settles guarded policies).
    // Nothing to gain when the simulated witness is at the very next depth.
    const bool witness_next = hint && hint->step == t + 1;
    if (!alloc_tried && !witness_next && opts.alloc_after_work >= 0 && t + 1 < depth &&
        r.work >= static_cast<std::uint64_t>(opts.alloc_after_work)) {
      alloc_tried = true;
      if (s.implied_by_allocation_invariant(opts.lemma_query_work))
        return closed(t, "the allocation invariant (pool counter <= pool, sizes >= 0), "
                         "inductive");
    }
    // A slower depth: prove the well-formedness lemmas once; they prune every later query.
    // If the properties follow from the lemmas in one step, no depth can violate them.
    if (after >= 0 && !witness_next && t + 1 < depth && !s.lemmas_proved() &&
        r.work >= static_cast<std::uint64_t>(after)) {
      (void)s.prove_lemmas(opts.lemma_query_work, opts.lemma_total_work);
      if (s.implied_by_lemmas(opts.lemma_query_work))
        return closed(t, "invariants proved inductive");
    }
  }
  return {Verdict::bounded_ok(depth), std::nullopt};
}

}  // namespace kvcheck
