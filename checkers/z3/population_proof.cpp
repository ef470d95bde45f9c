#include "checkers/z3/population_proof.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <ostream>
#include <sstream>

#include "checkers/z3/deadline.h"
#include "checkers/z3/solver_limits.h"
#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "models/time_model.h"
#include "properties/predicates.h"

namespace kvcheck {

namespace {

using Claim = std::vector<std::pair<std::string, SymBool>>;

SymBool conj(const Claim& c) {
  SymBool all = Symbolic::truth(true);
  for (const auto& [name, b] : c) all = all && b;
  return all;
}

/// Over a class budget range the layout's caps are the range's top; the cap that holds is the
/// run's own b_k (P1 admits at most b_k of class k a step, and a stage holds one step's
/// admissions), claimed like the caps (empty without budget terms).
Claim budget_caps(const PopulationLayout& l, const PopState& s, const std::vector<SymInt>& budgets) {
  Claim out;
  for (std::size_t k = 0; k < budgets.size(); ++k)
    for (std::size_t st = 1; st < s.run[k].size(); ++st)
      if (l.classes[k].stage[st])
        out.emplace_back("class " + std::to_string(k) + " stage " + std::to_string(st) +
                             ": residents <= b_" + std::to_string(k),
                         s.run[k][st] <= budgets[k]);
  return out;
}

/// An unrolling of the encoding in one solver: from the empty engine (BMC, base cases) or from
/// a free well-formed state (the step case).
class Unrolling {
 public:
  Unrolling(z3::context& ctx, const ModelParams& p, const PopulationLayout& l,
            const std::vector<PropertyId>& props, const PopulationBounds& b,
            const SolverOptions& opts, bool free_start, std::string tag,
            const std::vector<SymInt>& budgets)
      : p_(p), l_(l), props_(props), b_(b), progress_(opts.progress), solver_(ctx),
        tag_(std::move(tag)),
        state_(free_start ? pop_fresh(l, tag_ + "0") : pop_empty(l)), budgets_(budgets) {
    if (opts.timeout_ms > 0) solver_.set("timeout", z3_millis(opts.timeout_ms));
    if (opts.rlimit > 0) solver_.set("rlimit", z3_units(opts.rlimit));
    // The same budget constants at every step: a run has one budget vector, within the range.
    for (const auto& bk : budgets_)
      solver_.add(bk.e >= solver_.ctx().int_val(b_.class_budget->first) &&
                  bk.e <= solver_.ctx().int_val(b_.class_budget->second));
    // A free start assumes what every step claims of its post-state (sound: the step that
    // produced it proved it).
    if (free_start) solver_.add((pop_well_formed(l, state_) && conj(budget_caps(l, state_, budgets_))).e);
  }

  /// Adds one step; returns its claim (not asserted).
  const Claim& extend() {
    const auto t = std::to_string(claims_.size() + 1);
    std::vector<SymInt> a;
    for (std::size_t k = 0; k < l_.classes.size(); ++k) {
      a.push_back(Symbolic::var("a_" + tag_ + t + "_" + std::to_string(k)));
      solver_.add(a.back().e >= 0);
      if (b_.max_arrivals >= 0) solver_.add(a.back().e <= solver_.ctx().int_val(b_.max_arrivals));
    }
    auto step = population_step(p_, l_, props_, state_, a, budgets_);
    for (const auto& d : step.side) solver_.add(d.e);
    state_ = step.post;
    arrivals_.push_back(std::move(a));
    claims_.push_back(std::move(step.claim));
    return claims_.back();
  }

  /// Whether the last step's claim can fail (given the earlier ones, asserted by `assume`).
  /// Its parts are checked one at a time, each assuming the parts before it: the claim fails
  /// iff some part fails while the earlier ones hold, so this is the same question, and each
  /// query is smaller (the caps need not reason about the eviction chain once there is no
  /// overflow). Parts shown are kept asserted (the claim is assumed afterwards anyway).
  z3::check_result violable() {
    // Wall-clock time is printed on the progress lines only; no decision reads it (the budget
    // is the solver's rlimit).
    const auto t0 = std::chrono::steady_clock::now();
    auto r = z3::unsat;
    failed_.clear();
    for (const auto& [name, b] : claims_.back()) {
      solver_.push();
      solver_.add(!b.e);
      const auto t1 = std::chrono::steady_clock::now();
      r = solver_.check();
      if (progress_)
        *progress_ << "  part " << name << ": " << (r == z3::sat ? "sat" : r == z3::unsat ? "unsat" : "unknown")
                   << " in " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count() << " s" << std::endl;
      if (r == z3::sat) {
        model_ = solver_.get_model();
        failed_ = name;
      }
      reason_ = r == z3::unknown ? solver_.reason_unknown() : std::string{};
      solver_.pop();
      if (r != z3::unsat) break;
      solver_.add(b.e);
    }
    if (progress_)
      *progress_ << "population " << (tag_ == "b" ? "base" : "step") << " depth " << depth()
                 << ": " << (r == z3::sat ? "sat" : r == z3::unsat ? "unsat" : "unknown") << " in "
                 << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
                 << " s, " << resource_count(solver_) << " units" << std::endl;
    return r;
  }
  void assume_last() { solver_.add(conj(claims_.back()).e); }

  /// After a sat violable(): the claim parts that fail in its model (the first one checked
  /// and any others), and the arrivals of every step.
  std::vector<std::string> failed_parts() const {
    std::vector<std::string> out{failed_};
    for (const auto& [name, b] : claims_.back())
      if (name != failed_ && model_->eval(b.e, true).is_false()) out.push_back(name);
    return out;
  }
  std::vector<std::vector<std::int64_t>> model_arrivals() const {
    std::vector<std::vector<std::int64_t>> out;
    for (const auto& step : arrivals_) {
      out.emplace_back();
      for (const auto& a : step) {
        std::int64_t v = 0;
        model_->eval(a.e, true).is_numeral_i64(v);
        out.back().push_back(v);
      }
    }
    return out;
  }
  /// After a sat violable(): the budget vector of its model, "(5, 5, 5)".
  std::string model_budgets() const {
    std::string out;
    for (const auto& bk : budgets_) {
      std::int64_t v = 0;
      model_->eval(bk.e, true).is_numeral_i64(v);
      out += (out.empty() ? "(" : ", ") + std::to_string(v);
    }
    return out + ")";
  }
  int depth() const { return static_cast<int>(claims_.size()); }
  const std::string& reason() const { return reason_; }
  std::uint64_t work() const { return resource_count(solver_); }

 private:
  const ModelParams& p_;
  const PopulationLayout& l_;
  const std::vector<PropertyId>& props_;
  const PopulationBounds& b_;
  std::ostream* progress_;
  z3::solver solver_;
  std::string tag_;
  PopState state_;
  std::vector<SymInt> budgets_;
  std::vector<std::vector<SymInt>> arrivals_;
  std::vector<Claim> claims_;
  std::optional<z3::model> model_;
  std::string reason_, failed_;
};

/// The per-request simulator on the given per-step class arrivals: the first (0-based) step
/// at which a property (or kv_no_overflow) fails, and which; nullopt if none within the steps.
std::optional<std::pair<std::int64_t, PropertyId>> replay(
    const ModelParams& p, const std::vector<PropertyId>& props,
    const std::vector<std::vector<std::int64_t>>& arrivals) {
  Workload w;
  for (std::size_t t = 0; t < arrivals.size(); ++t)
    for (std::size_t k = 0; k < arrivals[t].size(); ++k)
      for (std::int64_t i = 0; i < arrivals[t][k]; ++i) {
        const auto& c = p.classes[k];
        w.requests.push_back(
            Request{static_cast<std::int64_t>(t), 0.0, c.prompt, c.output, static_cast<std::int64_t>(k)});
      }
  TimeModel time;
  SeededChoices choices(1);
  ConcreteView v(p, w, time, choices);
  auto all = props;
  all.push_back(PropertyId::KvNoOverflow);
  for (std::size_t t = 0; t < arrivals.size(); ++t) {
    engine_step(v);
    for (auto id : all)
      if (!holds(id, v)) return std::pair{static_cast<std::int64_t>(t), id};
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "; ") + s;
  return out;
}

/// A sat base case at `depth`: VIOLATED when a property failed and the arrivals replay into a
/// violation on the per-request simulator, UNKNOWN otherwise (the encoding's own claims).
PopulationResult base_failure(const ModelParams& p, const std::vector<PropertyId>& props,
                              const Unrolling& u, bool ranged) {
  PopulationResult out;
  out.applicable = true;
  const auto parts = u.failed_parts();
  const auto arr = u.model_arrivals();
  bool property = false;
  for (const auto& part : parts) property = property || parse_property(part).has_value();
  if (!property) {
    out.verdict = Verdict::unknown("population encoding: from the empty engine, step " +
                                   std::to_string(u.depth()) + " breaks the encoding's own " +
                                   "claim (" + join(parts) + "): its caps are too small");
    return out;
  }
  if (ranged) {
    // The model's budgets are not the config's: the replay below would run other params.
    out.verdict = Verdict::unknown(
        "population encoding: over the class budget range, step " + std::to_string(u.depth()) +
        " from the empty engine breaks " + join(parts) + " at class budgets " +
        u.model_budgets() + " (prove the config at those budgets for a replayed trace)");
    return out;
  }
  std::int64_t total = 0;
  for (const auto& s : arr)
    for (auto a : s) total += a;
  if (total > 10'000'000) {
    out.verdict = Verdict::unknown("population counterexample too large to replay (" +
                                   std::to_string(total) + " requests)");
    return out;
  }
  const auto conc = replay(p, props, arr);
  if (!conc) {
    out.verdict = Verdict::unknown("population counterexample at step " +
                                   std::to_string(u.depth()) + " (" + join(parts) +
                                   ") does not replay on the per-request simulator");
    return out;
  }
  const auto& info_ = info(conc->second);
  out.verdict = Verdict::violated(conc->first, info_.kind,
                                  std::string(info_.name) + " fails at step " +
                                      std::to_string(conc->first) +
                                      " (0-based) of the replayed workload");
  out.arrivals = arr;
  return out;
}

std::string describe_claim(const ModelParams& p, const PopulationLayout& l,
                           const std::vector<PropertyId>& props, const PopulationBounds& b,
                           std::int64_t k) {
  std::ostringstream os;
  os << "population encoding, k-induction at k = " << k << ": for every workload of the classes ";
  for (std::size_t i = 0; i < p.classes.size(); ++i)
    os << (i ? ", " : "") << p.classes[i].name << " (l = " << p.classes[i].prompt
       << ", o = " << p.classes[i].output << ")";
  os << ", any number of requests per class, ";
  if (b.max_arrivals < 0)
    os << "any number of arrivals per class per step";
  else
    os << "at most " << b.max_arrivals << " arrivals per class per step";
  os << ", from the empty engine, with M = " << p.engine.num_blocks * p.engine.block_size
     << " tokens (" << p.engine.num_blocks << " blocks of " << p.engine.block_size << ")";
  if (b.class_budget) os << " and every class budget vector with " << describe_class_budgets(p, b);
  os << ": ";
  os << "kv_no_overflow";
  for (auto id : props)
    if (id != PropertyId::KvNoOverflow) os << ", " << info(id).name;
  os << " hold at every step, forever; every (class, stage) holds at most ";
  for (std::size_t i = 0; i < l.classes.size(); ++i)
    os << (i ? "/" : "") << l.classes[i].run_cap;
  os << " residents (proved).";
  return os.str();
}

}  // namespace

bool population_supports(PropertyId id) { return id != PropertyId::Schedulable; }

std::vector<PropertyId> population_default_properties(const ModelParams& params) {
  std::vector<PropertyId> out{PropertyId::KvNoOverflow, PropertyId::NoEviction,
                              PropertyId::Conservation};
  if (params.policy.kind == PolicyKind::P1ClassBudgets)
    out.push_back(PropertyId::Alg1MemoryBound);
  return out;
}

std::string describe_class_budgets(const ModelParams& params, const PopulationBounds& bounds) {
  if (!bounds.class_budget) return "";
  const auto n = params.classes.size();
  return "b_k in [" + std::to_string(bounds.class_budget->first) + ", " +
         std::to_string(bounds.class_budget->second) + "] for each of the " + std::to_string(n) +
         " class" + (n == 1 ? "" : "es");
}

PopulationStep population_step(const ModelParams& params, const PopulationLayout& layout,
                               const std::vector<PropertyId>& properties, const PopState& pre,
                               const std::vector<SymInt>& arrivals,
                               const std::vector<SymInt>& budgets) {
  PopulationView v(params, layout, pre, arrivals, budgets);
  engine_step(v);
  PopulationStep out{v.post(), {}, v.side(), v.step_used_blocks(), v.step_used_tokens(),
                     v.step_overflow()};
  // kv_no_overflow first: the proof checks the parts in order, each assuming the earlier ones.
  out.claim.emplace_back("kv_no_overflow", !v.step_overflow());
  // The budget caps next: alg1_memory_bound over ranged budgets needs them (a stage holds at
  // most b_k, so its tokens are at most b_k times the stage's), and they do not need it.
  for (auto& part : budget_caps(layout, v.post(), budgets)) out.claim.push_back(std::move(part));
  for (auto id : properties)
    if (id != PropertyId::KvNoOverflow) out.claim.emplace_back(std::string(info(id).name), holds(id, v));
  for (const auto& o : v.obligations()) out.claim.push_back(o);
  for (auto& part : pop_well_formed_parts(layout, v.post())) out.claim.push_back(std::move(part));
  return out;
}

PopulationResult prove_population(const ModelParams& params, const PopulationBounds& bounds,
                                  const SolverOptions& opts) {
  PopulationResult out;
  std::string why;
  if (bounds.class_budget && params.policy.kind != PolicyKind::P1ClassBudgets) {
    out.verdict = Verdict::unknown("not applicable: a class budget range needs p1_class_budgets");
    return out;
  }
  // Over a budget range the caps are the range's top: every budget of the range fits them.
  auto layout_params = params;
  if (bounds.class_budget)
    for (auto& c : layout_params.classes) c.budget = bounds.class_budget->second;
  const auto layout = population_layout(layout_params, why, bounds.cap_delta);
  if (!layout) {
    out.verdict = Verdict::unknown("not applicable: " + why);
    return out;
  }
  auto props = bounds.properties.empty() ? population_default_properties(params) : bounds.properties;
  for (auto id : props)
    if (!population_supports(id)) {
      out.verdict = Verdict::unknown(std::string("not applicable: the population encoding does "
                                                 "not check ") + std::string(info(id).name));
      return out;
    }
  out.applicable = true;
  z3::context ctx;
  SymbolicScope scope(ctx);
  DeadlineGuard guard(ctx, opts.deadline);
  try {
    std::vector<SymInt> budgets;
    if (bounds.class_budget)
      for (std::size_t k = 0; k < params.classes.size(); ++k)
        budgets.push_back(Symbolic::var("budget_" + std::to_string(k)));
    Unrolling base(ctx, params, *layout, props, bounds, opts, false, "b", budgets);
    Unrolling step(ctx, params, *layout, props, bounds, opts, true, "s", budgets);
    auto unknown = [&](const Unrolling& u, const std::string& what) {
      out.verdict = Verdict::unknown("population encoding: " + what + " at depth " +
                                     std::to_string(u.depth()) + " unknown (" + u.reason() + ")");
      out.work = base.work() + step.work();
      return out;
    };
    // One more step from the empty engine: a failure there is the result (a violation replayed
    // concretely, or unknown); nothing means the step holds and is assumed from then on.
    const auto base_step = [&](const char* what) -> std::optional<PopulationResult> {
      base.extend();
      const auto rb = base.violable();
      if (rb == z3::unknown) return unknown(base, what);
      if (rb == z3::sat) {
        auto r = base_failure(params, props, base, bounds.class_budget.has_value());
        r.work = base.work() + step.work();
        return r;
      }
      base.assume_last();
      return std::nullopt;
    };
    const int max_k = std::max(1, bounds.max_k);
    for (int k = 1; k <= max_k; ++k) {
      if (auto r = base_step("base case")) return *r;
      step.extend();
      const auto rs = step.violable();
      if (rs == z3::unknown) return unknown(step, "step case");
      if (rs == z3::unsat) {
        out.verdict = Verdict::proved();
        out.k = k;
        out.claim = describe_claim(params, *layout, props, bounds, k);
        out.work = base.work() + step.work();
        return out;
      }
      step.assume_last();
    }
    while (base.depth() < bounds.cex_depth)
      if (auto r = base_step("counterexample search")) return *r;
    out.verdict = Verdict::unknown(
        "population encoding: not inductive at k <= " + std::to_string(max_k) +
        "; no violation from the empty engine within " + std::to_string(base.depth()) + " steps");
    out.work = base.work() + step.work();
  } catch (const PopulationNotApplicable& e) {
    out.applicable = false;
    out.verdict = Verdict::unknown(std::string("not applicable: ") + e.what());
  } catch (const z3::exception& e) {
    out.verdict = Verdict::unknown(std::string("population encoding: Z3: ") + e.msg());
  }
  return out;
}

}  // namespace kvcheck
