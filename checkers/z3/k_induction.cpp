#include "checkers/z3/k_induction.h"

#include "checkers/z3/bmc.h"
#include "checkers/z3/seed_search.h"
#include "checkers/z3/vacuity.h"

namespace kvcheck {
namespace {

std::string range(std::int64_t lo, std::int64_t hi) {
  std::string s = "[";  // appended: GCC 12 warns (-Wrestrict) on "[" + to_string(...)
  s += std::to_string(lo);
  s += ", ";
  s += std::to_string(hi);
  s += "]";
  return s;
}

/// The base case found Q false at step t: a property violation (reported with its trace) or a
/// failed invariant (built-in: a bug in kvcheck; user: the strengthening is not invariant).
ProveResult base_failure(BmcSession& base, const BmcSpec& spec, const z3::model& m,
                         const std::vector<SymBool>& q, std::int64_t t) {
  const auto i = first_false(m, q);
  if (i < spec.properties.size()) {
    const auto id = spec.properties[i];
    const auto& pi = info(id);
    return {Verdict::violated(t, pi.kind, std::string(pi.name)),
            base.counterexample(m, id, t), 0, {}};
  }
  const auto wf = base.unroller().well_formed(base.steps().back().post);
  if (!Unroller::value(m, wf))
    return {Verdict::error("built-in well-formedness invariant fails at step " +
                           std::to_string(t) + " (a kvcheck bug)"),
            std::nullopt, 0, {}};
  return {Verdict::unknown("a [bmc] invariant does not hold at step " + std::to_string(t)),
          std::nullopt, 0, {}};
}

/// The well-formedness and [bmc] invariants in the initial state (under the input bounds):
/// UNKNOWN when some workload's initial state breaks them (a user invariant that is false
/// initially can never strengthen a proof), an error when the built-in part fails.
std::optional<ProveResult> initial_invariant_failure(BmcSession& base) {
  const auto init = base.unroller().initial();
  const auto r = base.query(!base.invariant(init), "kind_init");
  if (r.result == z3::unsat) return std::nullopt;
  if (r.result == z3::unknown)
    return ProveResult{Verdict::unknown("initial-state invariant check: " + r.reason),
                       std::nullopt, 0, {}};
  if (!Unroller::value(*r.model, base.unroller().well_formed(init)))
    return ProveResult{Verdict::error("built-in well-formedness invariant fails in the initial "
                                      "state (a kvcheck bug)"),
                       std::nullopt, 0, {}};
  return ProveResult{Verdict::unknown("a [bmc] invariant does not hold in the initial state, "
                                      "so it cannot strengthen the induction"),
                     std::nullopt, 0, {}};
}

}  // namespace

std::string describe_scope(const BmcSpec& spec) {
  std::string s = "for all workloads of <= " + std::to_string(spec.slots) + " requests";
  if (spec.per_class) s += " of the configured classes";
  else s += " with prompt in " + range(spec.prompt_lo, spec.prompt_hi) + ", output in " +
            range(spec.output_lo, spec.output_hi);
  s += ", arrival steps in " + range(spec.arrival_lo, spec.arrival_hi);
  if (spec.max_arrivals_per_step > 0)
    s += ", <= " + std::to_string(spec.max_arrivals_per_step) + " arrivals per step";
  return s;
}

ProveResult prove_k_induction(const ModelParams& params, const BmcSpec& spec,
                              const SolverOptions& opts) {
  try {
    return prove_unguarded(params, spec, opts);
  } catch (const z3::exception& e) {
    if (!expired(opts.deadline)) throw;
    ProveResult r;  // no k, claim or trace: an interrupted run proved nothing
    r.verdict = Verdict::unknown(std::string("time limit reached (") + e.msg() + ")");
    return r;
  }
}

ProveResult prove_unguarded(const ModelParams& params, const BmcSpec& spec,
                            const SolverOptions& opts) {
  if (const auto a = check_activity(params, spec, prove_activity_horizon(spec), opts);
      a.activity != Activity::Exercised) {
    ProveResult out{not_exercised(a), std::nullopt, 0, {}};
    out.vacuous = a.activity == Activity::Vacuous;
    return out;
  }
  BmcSession base(params, spec, opts, false);
  BmcSession step(params, spec, opts, true);
  SymbolicScope scope(base.ctx());
  std::string unknown;
  // A violation simulated at step s ends the base case there (after steps < s were unsat).
  const auto hint = opts.seed_runs > 0
                        ? seed_search(params, spec, spec.max_k, opts.seed_runs, opts.seed)
                        : std::nullopt;
  // The allocation invariant first: when it is inductive and implies the properties, that is
  // the proof (k = 1), stated with the invariant.
  if (opts.alloc_after_work >= 0 && step.implied_by_allocation_invariant(opts.lemma_query_work)) {
    ProveResult out{Verdict::proved("inductive invariant, k = 1"), std::nullopt, 1, {}};
    out.claim = describe_scope(spec) + ": every property holds after every step; inductive " +
                "invariant: pool counter <= " + std::to_string(params.engine.num_blocks) +
                " blocks and every request's computed, generated, blocks, tokens >= 0 " +
                "(checked action by action; it holds initially, every step keeps it, and no " +
                "step from a state satisfying it violates a property)" +
                (spec.invariants.empty() ? "" : "; the [bmc] invariants were not needed and "
                                                "were not checked");
    return out;
  }
  // Lemmas first (well-formedness parts and queue-order facts proved inductive on their own,
  // Houdini): the step case assumes them of every state and no longer has to re-prove them.
  std::size_t lemmas = 0;
  if (opts.lemma_after_work >= 0) {
    SymbolicScope s2(step.ctx());
    lemmas = step.prove_lemmas(opts.lemma_query_work, opts.lemma_total_work).size();
  }
  // The step case assumes the invariants of its arbitrary start state, so they must hold in
  // the initial state too (a false or wrong strengthening must never be assumed unchecked).
  if (auto bad = initial_invariant_failure(base)) return *bad;
  // Base case k before step case k + 1: PROVED at k + 1 needs steps 0..k from the initial
  // state shown safe, every one of them.
  for (std::int64_t k = 0; k < spec.max_k; ++k) {
    if (hint && hint->step == k) {  // steps < k were unsat in the base case
      const auto& pi = info(hint->property);
      return {Verdict::violated(k, pi.kind, std::string(pi.name)),
              Counterexample{hint->workload, hint->picks, hint->property, k}, 0, {}};
    }
    {
      const auto q = base.extend(true);
      const auto r = base.query(any_false(q), "kind_base_" + std::to_string(k));
      if (r.result == z3::sat) return base_failure(base, spec, *r.model, q, k);
      if (r.result == z3::unknown)
        return {Verdict::unknown("base case at step " + std::to_string(k) + ": " + r.reason),
                std::nullopt, 0, {}};
      base.assume(all_true(q));
    }
    SymbolicScope s2(step.ctx());
    const auto q = step.extend(true);
    const auto r = step.query(any_false(q), "kind_step_k" + std::to_string(k + 1));
    if (r.result == z3::unsat) {
      ProveResult out{Verdict::proved("k-induction, k = " + std::to_string(k + 1)), std::nullopt,
                      k + 1, {}};
      out.claim = describe_scope(spec) + ": every property holds after every step (k = " +
                  std::to_string(k + 1) + ", strengthened by the built-in well-formedness " +
                  "invariant" +
                  (spec.invariants.empty()
                       ? std::string()
                       : ", the [bmc] invariants (checked in the initial state and proved "
                         "inductive with the properties)") +
                  " and " + std::to_string(lemmas) + " lemmas proved inductive first)";
      return out;
    }
    if (r.result == z3::unknown) unknown = "step case k = " + std::to_string(k + 1) + ": " + r.reason;
    step.assume(all_true(q));
  }
  return {Verdict::unknown("not k-inductive for k <= " + std::to_string(spec.max_k) +
                           (unknown.empty() ? std::string() : "; last solver unknown: " + unknown)),
          std::nullopt, 0, {}};
}

}  // namespace kvcheck
