#include "checkers/z3/prefix_bmc.h"

#include <algorithm>

#include "checkers/z3/bmc.h"
#include "checkers/z3/vacuity.h"

namespace kvcheck {
namespace {

std::string scope(std::int64_t depth, const PrefixRun& p) {
  return "within depth " + std::to_string(depth) + " after the sampled prefix of " +
         std::to_string(p.start.step) + " steps (" + std::to_string(p.start.residents.size()) +
         " residents, " + std::to_string(p.start.used) + " blocks held); this covers only runs "
         "through that state";
}

/// The whole run: the prefix's workload and choices, then the solver's arrivals and choices.
Counterexample whole_run(const PrefixRun& p, const Counterexample& tail) {
  Counterexample c;
  c.workload = p.workload;
  for (const auto& r : tail.workload.requests) c.workload.requests.push_back(r);
  c.picks = p.picks;
  c.picks.resize(static_cast<std::size_t>(p.start.step));
  for (const auto& step : tail.picks) c.picks.push_back(step);
  c.property = tail.property;
  c.step = p.start.step + tail.step;
  return c;
}

/// No violation within the depth means something only if some run from the sampled state
/// schedules work within it (as checkers/z3/vacuity.h asks of BMC from the empty engine): a
/// state whose residents nothing ever schedules (strict WAIT below its threshold, arrivals past
/// the horizon), or an encoding that contradicts itself, would make every depth unsat. Sat:
/// clean; unsat: vacuous; unknown: neither.
void check_exercised(BmcSession& s, const std::vector<SymBool>& busy, std::int64_t depth,
                     PrefixBmcResult& out) {
  SymBool some = Symbolic::truth(false);
  for (const auto& b : busy) some = some || b;
  const auto r = s.query(some, "prefix_bmc_activity");
  if (r.result == z3::sat) {
    out.verdict = Verdict::unknown("no violation " + scope(depth, out.prefix));
    out.clean = true;
  } else if (r.result == z3::unsat) {
    out.vacuous = true;
    out.verdict = Verdict::unknown(
        "vacuous: no run from the sampled state schedules a single token within " +
        std::to_string(depth) + " steps, so no property can fail in them; widen the [bmc] "
        "arrival range or the depth, or check the in-flight requests against the policy");
  } else {
    out.verdict = Verdict::unknown("could not decide whether any run from the sampled state "
                                   "schedules work (solver unknown: " + r.reason + ")");
  }
}

/// At most this many residents: the incremental solver (see unroll).
constexpr std::size_t kIncrementalResidents = 4;

void unroll(const ModelParams& params, const BmcSpec& spec, std::int64_t depth,
            SolverOptions opts, PrefixBmcResult& out) {
  // Lemmas, the allocation invariant and closure speak about every run from the empty engine;
  // here they could only end in UNKNOWN anyway.
  opts.lemma_after_work = -1;
  opts.alloc_after_work = -1;
  // Many residents: a tactic solver, each query preprocessing the whole unrolling in one pass.
  // The incremental kernel preprocesses each assertion as it comes, and took minutes on one
  // step's pool-counter equality with 16 residents (the same formula alone: 1 s). Few residents
  // (an in-flight start): the incremental kernel, which keeps what it learnt from depth to depth
  // (the tactic solver re-solved 10 depths of configs/p2_example2_inflight.toml in 8.5 min).
  opts.buffered = out.prefix.start.residents.size() > kIncrementalResidents;
  BmcSession s(params, spec, opts, false, &out.prefix.start);
  SymbolicScope sc(s.ctx());
  std::vector<SymBool> busy;  // step t schedules work (the non-vacuity query below)
  for (std::int64_t t = 0; t < depth; ++t) {
    const auto props = s.extend(false);
    busy.push_back(last_step_busy(s));
    const auto r = s.query(any_false(props), "prefix_bmc_depth_" + std::to_string(t));
    if (r.result == z3::unknown) {
      out.verdict = Verdict::unknown("solver unknown at depth " + std::to_string(t) +
                                     " after the sampled prefix: " + r.reason);
      return;
    }
    if (r.result == z3::sat) {
      const auto id = spec.properties[first_false(*r.model, props)];
      out.cex = whole_run(out.prefix, s.counterexample(*r.model, id, t));
      const auto& pi = info(id);
      out.verdict = Verdict::violated(out.cex->step, pi.kind, std::string(pi.name));
      return;
    }
    s.assume(all_true(props));
  }
  check_exercised(s, busy, depth, out);
}

}  // namespace

PrefixBmcResult run_prefix_bmc(const ModelParams& params, const TimeModel& time,
                               const Workload& w, const BmcSpec& spec, std::int64_t step,
                               std::int64_t depth, const SolverOptions& opts,
                               std::size_t max_residents) {
  PrefixBmcResult out{Verdict::unknown(""), std::nullopt,
                      simulate_prefix(params, time, w, step, spec.properties), false};
  auto& p = out.prefix;
  if (p.violated) {
    const auto& pi = info(*p.violated);
    out.verdict = Verdict::violated(p.violation_step, pi.kind, std::string(pi.name));
    out.cex = Counterexample{p.workload, p.picks, *p.violated, p.violation_step};
    out.in_prefix = true;
    return out;
  }
  if (p.start.residents.size() > max_residents) {
    out.verdict = Verdict::unknown(
        "the sampled state at step " + std::to_string(step) + " holds " +
        std::to_string(p.start.residents.size()) + " residents, more than the " +
        std::to_string(max_residents) + " slots BMC from a prefix takes");
    return out;
  }
  try {
    unroll(params, spec, depth, opts, out);
  } catch (const z3::exception& e) {
    if (!expired(opts.deadline)) throw;
    out.verdict = Verdict::unknown(std::string("time limit reached (") + e.msg() + ")");
    out.cex.reset();
  }
  return out;
}

bool starts_with_prefix(const std::vector<StepState>& states, const PrefixRun& prefix) {
  if (states.size() < prefix.states.size()) return false;
  return std::equal(prefix.states.begin(), prefix.states.end(), states.begin());
}

}  // namespace kvcheck
