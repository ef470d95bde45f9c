#include "checkers/z3/generic_proof.h"

#include <fmt/format.h>

#include <array>
#include <map>
#include <set>

#include "checkers/z3/deadline.h"
#include "checkers/z3/generalize.h"
#include "checkers/z3/generic_view.h"
#include "checkers/z3/solver_limits.h"
#include "models/engine_step.h"

namespace kvcheck {
namespace {

using D = Symbolic;
constexpr std::uint64_t kDefaultQueryWork = 10'000'000;

/// The knobs as terms: a constant named after the knob where ranged, else the value.
struct Knobs {
  KnobTerms terms;
  std::vector<std::pair<z3::expr, Interval>> ranges;
  SymBool in_range;
};

Knobs make_knobs(const ModelParams& params, const std::vector<KnobRange>& ranges) {
  Knobs k{configured_knobs(params), {}, D::truth(true)};
  for (const auto& r : ranges) {
    const auto c = D::var("knob_" + std::string(knob_key(r.knob)));
    k.terms[static_cast<std::size_t>(r.knob)] = c;
    k.ranges.push_back({c.e, Interval{r.lo, r.hi}});
    k.in_range = k.in_range && D::lit(r.lo) <= c && c <= D::lit(r.hi);
  }
  return k;
}

/// Whether constant `c` occurs in `e`.
bool occurs(const z3::expr& c, const z3::expr& e, std::set<unsigned>& seen) {
  if (z3::eq(c, e)) return true;
  if (!seen.insert(e.id()).second || !e.is_app()) return false;
  for (unsigned i = 0; i < e.num_args(); ++i)
    if (occurs(c, e.arg(i), seen)) return true;
  return false;
}

/// The invariant of the snapshots that occur in `claim` (the others would only add
/// hypotheses whose number grows with the reads of the step).
SymBool snapshots_nonneg(const GenericRequest& g, const z3::expr& claim) {
  auto all = D::truth(true);
  for (const auto& s : g.snapshots) {
    std::set<unsigned> seen;
    if (occurs(s.e, claim, seen)) all = all && s >= D::lit(0);
  }
  return all;
}

}  // namespace

SymBool request_invariant(const GenericRequest& g, const ModelParams& params,
                          const z3::expr& claim) {
  const auto classes = static_cast<std::int64_t>(params.classes.size());
  return g.prompt >= D::lit(1) && g.output >= D::lit(1) && g.klass >= D::lit(0) &&
         g.klass < D::lit(std::max<std::int64_t>(classes, 1)) && g.rank >= D::lit(0) &&
         g.computed >= D::lit(0) && g.generated >= D::lit(0) && g.blocks >= D::lit(0) &&
         g.tokens >= D::lit(0) && g.sched >= D::lit(0) && snapshots_nonneg(g, claim);
}

namespace {

/// The obligation as one formula: hypotheses => claim, and what generalisation keeps.
struct Formula {
  z3::expr f;
  std::vector<z3::expr> kept;
};

Formula formula(const GenericView& v, const Obligation& o, const ModelParams& params,
                const Knobs& knobs) {
  const auto pool = knobs.terms[static_cast<std::size_t>(Knob::NumBlocks)];
  const auto& u = v.reads();
  const auto& read = u[static_cast<std::size_t>(o.read)];
  const auto& base = u[static_cast<std::size_t>(o.base)];
  auto hyp = knobs.in_range && read <= pool && base <= pool;
  if (o.since_read_releases) hyp = hyp && base <= read;
  std::vector<z3::expr> kept{read.e, base.e};
  if (o.who >= 0) {
    const auto& g = v.requests()[static_cast<std::size_t>(o.who)];
    hyp = hyp && request_invariant(g, params, o.claim.e);
    for (const auto& c : g.constants()) kept.push_back(c);
  }
  return {z3::implies(hyp.e, o.claim.e), kept};
}

enum class Answer { Valid, Invalid, Unknown };

Answer check_valid(z3::context& ctx, const z3::expr& f, const SolverOptions& opts) {
  z3::solver s(ctx);
  const auto work = opts.rlimit > 0 ? opts.rlimit : kDefaultQueryWork;
  s.set("rlimit", z3_units(work));
  if (opts.timeout_ms > 0) s.set("timeout", z3_millis(opts.timeout_ms));
  s.add(!f);
  // Past the outer guard every query is unknown (deadline.h), even one Z3 would still finish.
  if (expired(opts.deadline)) return Answer::Unknown;
  const auto r = s.check();
  if (expired(opts.deadline)) return Answer::Unknown;
  switch (r) {
    case z3::unsat: return Answer::Valid;
    case z3::sat: return Answer::Invalid;
    default: return Answer::Unknown;
  }
}

/// One K: every obligation's shape, each new one checked. Returns false (with `out.reason`)
/// at the first obligation not shown valid.
bool check_positions(z3::context& ctx, const ModelParams& params, const Knobs& knobs, int k,
                     const SolverOptions& opts, std::map<std::string, Answer>& seen,
                     std::set<std::string>& shapes, GenericProof& out) {
  GenericView v(params, knobs.terms, k, "K" + std::to_string(k));
  engine_step(v);
  for (const auto& o : v.obligations()) {
    ++out.obligations;
    const auto fo = formula(v, o, params, knobs);
    const auto g = generalize(fo.f, fo.kept, knobs.ranges);
    shapes.insert(g.shape);
    auto it = seen.find(g.shape);
    if (it == seen.end()) {
      ++out.queries;
      it = seen.emplace(g.shape, check_valid(ctx, g.formula, opts)).first;
    }
    if (it->second == Answer::Valid) continue;
    out.reason = fmt::format("{} at {} position{} per queue: {}", o.action, k, k == 1 ? "" : "s",
                             it->second == Answer::Invalid
                                 ? "not valid for a generic request (the guard does not imply "
                                   "that the counter stays within the pool)"
                                 : "the solver gave up (unknown)");
    return false;
  }
  return true;
}

}  // namespace

const std::vector<PropertyId>& every_n_properties() {
  static const std::vector<PropertyId> props{PropertyId::KvNoOverflow,
                                             PropertyId::KvWithinCapacity,
                                             PropertyId::NoEviction};
  return props;
}

std::string describe_knobs(const ModelParams& params, const std::vector<KnobRange>& ranges) {
  std::string out;
  for (const auto knob : kKnobs) {
    if (!out.empty()) out += ", ";
    const KnobRange* r = nullptr;
    for (const auto& x : ranges) r = x.knob == knob ? &x : r;
    const auto v = knob_value(params, knob);
    if (r)
      out += fmt::format("{} in [{}, {}]", knob_key(knob), r->lo, r->hi);
    else
      out += fmt::format("{} = {}", knob_key(knob),
                         v >= kUnlimited ? std::string("unlimited") : std::to_string(v));
  }
  return out;
}

GenericProof prove_every_n(const ModelParams& params, const std::vector<KnobRange>& ranges,
                           const SolverOptions& opts, int max_positions) {
  GenericProof out;
  if (swaps(params)) {
    // GenericView has no swapped queue (models/view.h, SwapView): the policy would refuse to
    // run the swap rules as recompute. Not shown; the [bmc] slots' proof takes the properties.
    out.reason = "vLLM V0's swap mode: the generic request view has no swapped queue or CPU "
                 "pool (docs/z3-backend.md, \"Swap\")";
    return out;
  }
  z3::context ctx;
  SymbolicScope scope(ctx);
  DeadlineGuard guard(ctx, opts.deadline);
  const auto knobs = make_knobs(params, ranges);
  // The base case: the empty engine's counter, 0, is within every pool of the ranges (the
  // per-request invariant holds of a request that has done nothing: every size is 0).
  const auto pool = knobs.terms[static_cast<std::size_t>(Knob::NumBlocks)];
  ++out.queries;
  if (check_valid(ctx, z3::implies(knobs.in_range.e, (D::lit(0) <= pool).e), opts) !=
      Answer::Valid) {
    out.reason = "the initial state: a pool of the ranges is smaller than the empty engine's 0";
    return out;
  }
  std::map<std::string, Answer> seen;
  std::set<std::string> previous;
  for (int k = 1; k <= max_positions; ++k) {
    std::set<std::string> shapes;
    if (!check_positions(ctx, params, knobs, k, opts, seen, shapes, out)) return out;
    if (k >= 3 && shapes == previous) {
      out.holds = true;
      out.positions = k;
      out.shapes = static_cast<int>(seen.size());
      out.claim = fmt::format(
          "for every number of requests and every workload (any prompt and output lengths, "
          "any arrivals), with {}: the pool counter never exceeds the pool, so no plan "
          "overflows and nothing is evicted (every-N argument: {} per-action obligations of a "
          "generic request, {} shapes, all valid; no new shape from {} to {} positions)",
          describe_knobs(params, ranges), out.obligations, out.shapes, k - 1, k);
      return out;
    }
    previous = std::move(shapes);
  }
  out.reason = fmt::format("the obligations' shapes still change at {} positions per queue",
                           max_positions);
  return out;
}

}  // namespace kvcheck
