#include "checkers/z3/population_view.h"

#include <cstddef>

#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_rules.h"
#include "models/engine_step.h"
#include "models/time_model.h"
#include "properties/property.h"

namespace kvcheck {

namespace {

using Stages = std::vector<std::optional<StageFields>>;

/// The fields of class k's residents by stage, as the concrete engine produces them on a
/// steady stream of `per_step` class-k arrivals, in a pool large enough never to overflow (the
/// fields depend on the reservation rule, not on the pool; every transition the encoding
/// builds is checked against this table anyway). A stage met with two different field sets:
/// nullopt.
std::optional<Stages> stage_table(const ModelParams& model, int k, std::int64_t per_step,
                                  std::string& why) {
  ModelParams p = model;
  p.engine.num_blocks = std::int64_t{1} << 40;
  const auto& c = p.classes[static_cast<std::size_t>(k)];
  Workload w;
  for (std::int64_t t = 0; t <= c.output + 1; ++t)
    for (std::int64_t i = 0; i < per_step; ++i)
      w.requests.push_back(Request{t, 0.0, c.prompt, c.output, k});
  TimeModel time;
  SeededChoices choices(1);
  ConcreteView v(p, w, time, choices);
  Stages table(static_cast<std::size_t>(c.output > 0 ? c.output : 0));
  for (std::int64_t step = 0; step < c.output + 3; ++step) {
    engine_step(v);
    const auto& rec = v.last_step();
    if (rec.overflow || !rec.evicted.empty() || !rec.preempted.empty()) break;
    for (auto id : v.running()) {
      const auto& s = v.state(id);
      if (s.generated < 1 || s.generated >= c.output) {
        why = "class " + c.name + ": a resident at stage " + std::to_string(s.generated) +
              " (partial prefill?)";
        return std::nullopt;
      }
      const StageFields f{s.computed, s.blocks, s.tokens};
      auto& slot = table[static_cast<std::size_t>(s.generated)];
      if (slot && !(*slot == f)) {
        why = "class " + c.name + ": residents at stage " + std::to_string(s.generated) +
              " hold different fields";
        return std::nullopt;
      }
      slot = f;
    }
  }
  return table;
}

/// The policy's per-class admission bound: at most this many class-k requests are admitted per
/// step, and (these policies serve a group at most this many per step) at most this many sit
/// at any stage. nullopt: not a policy this encoding takes.
std::optional<std::int64_t> admission_bound(const ModelParams& p, const ClassSpec& c) {
  switch (p.policy.kind) {
    case PolicyKind::P1ClassBudgets: return c.budget;
    case PolicyKind::P2Wait: return c.threshold;
    default: return std::nullopt;
  }
}

SymInt times(const SymInt& x, std::int64_t b) {
  std::int64_t v = 0;
  if (b == 0) return Symbolic::lit(0);
  if (x.e.is_numeral_i64(v)) return Symbolic::lit(v * b);
  if (b == 1) return x;
  return {x.e * x.e.ctx().int_val(b)};
}

SymInt ind(const SymBool& b) { return Symbolic::select(b, Symbolic::lit(1), Symbolic::lit(0)); }

std::int64_t numeral(const SymInt& x, const char* what) {
  std::int64_t v = 0;
  if (!x.e.is_numeral_i64(v))
    throw PopulationNotApplicable(std::string("population view: ") + what + " is not a numeral");
  return v;
}

}  // namespace

std::optional<PopulationLayout> population_layout(const ModelParams& p, std::string& why,
                                                  std::int64_t cap_delta) {
  if (p.classes.empty()) {
    why = "the population encoding needs [[classes]] with exact lengths";
    return std::nullopt;
  }
  if (p.policy.kind != PolicyKind::P1ClassBudgets && p.policy.kind != PolicyKind::P2Wait) {
    why = "the population encoding takes p1_class_budgets and p2_wait only";
    return std::nullopt;
  }
  if (p.engine.chunked_prefill) {
    why = "the population encoding does not model chunked prefill";
    return std::nullopt;
  }
  PopulationLayout out;
  for (std::size_t k = 0; k < p.classes.size(); ++k) {
    const auto& c = p.classes[k];
    if (c.prompt < 1 || c.output < 1) {
      why = "class " + c.name + ": prompt and output must be >= 1";
      return std::nullopt;
    }
    const auto bound = *admission_bound(p, c);
    PopulationClass pc;
    pc.prompt = c.prompt;
    pc.output = c.output;
    pc.unservable = unservable<Concrete>(p.engine, c.prompt, c.output);
    pc.run_cap = bound + cap_delta > 0 ? bound + cap_delta : 0;
    pc.wait_cap = bound + 1 + cap_delta > 0 ? bound + 1 + cap_delta : 0;
    // P1 admits every arrival while its budget lasts: one a step walks every stage. WAIT
    // serves a type only with n_k waiting: n_k a step keeps it eligible.
    const std::int64_t per_step = p.policy.kind == PolicyKind::P2Wait ? bound : 1;
    if (!pc.unservable && bound > 0) {
      auto t = stage_table(p, static_cast<int>(k), per_step, why);
      if (!t) return std::nullopt;
      pc.stage = std::move(*t);
    } else {
      pc.stage.assign(static_cast<std::size_t>(c.output), std::nullopt);
    }
    out.classes.push_back(std::move(pc));
  }
  return out;
}

PopState pop_empty(const PopulationLayout& l) {
  const auto zero = Symbolic::lit(0);
  PopState s{{}, {}, zero, zero, zero};
  for (const auto& c : l.classes) {
    s.wait.push_back(zero);
    s.run.emplace_back(static_cast<std::size_t>(c.output), zero);
  }
  return s;
}

PopState pop_fresh(const PopulationLayout& l, const std::string& tag) {
  PopState s = pop_empty(l);
  s.arrived = Symbolic::var("arrived_" + tag);
  s.done = Symbolic::var("done_" + tag);
  s.rejected = Symbolic::var("rejected_" + tag);
  for (std::size_t k = 0; k < l.classes.size(); ++k) {
    const auto ks = std::to_string(k);
    s.wait[k] = Symbolic::var("wait_" + tag + "_" + ks);
    for (std::size_t st = 1; st < s.run[k].size(); ++st)
      if (l.classes[k].stage[st])
        s.run[k][st] = Symbolic::var("run_" + tag + "_" + ks + "_" + std::to_string(st));
  }
  return s;
}

std::vector<std::pair<std::string, SymBool>> pop_well_formed_parts(const PopulationLayout& l,
                                                                   const PopState& s) {
  const auto zero = Symbolic::lit(0);
  std::vector<std::pair<std::string, SymBool>> out;
  out.emplace_back("done, rejected >= 0", s.done >= zero && s.rejected >= zero);
  SymInt in_flight = zero;
  for (std::size_t k = 0; k < l.classes.size(); ++k) {
    const auto ks = "class " + std::to_string(k);
    out.emplace_back(ks + ": waiting >= 0", s.wait[k] >= zero);
    in_flight = in_flight + s.wait[k];
    for (std::size_t st = 1; st < s.run[k].size(); ++st) {
      in_flight = in_flight + s.run[k][st];
      if (!l.classes[k].stage[st]) continue;  // the numeral 0
      out.emplace_back(ks + " stage " + std::to_string(st) + ": 0 <= residents <= " +
                           std::to_string(l.classes[k].run_cap),
                       s.run[k][st] >= zero && s.run[k][st] <= Symbolic::lit(l.classes[k].run_cap));
    }
  }
  out.emplace_back("arrived = waiting + running + done + rejected",
                   s.arrived == in_flight + s.done + s.rejected);
  return out;
}

SymBool pop_well_formed(const PopulationLayout& l, const PopState& s) {
  SymBool ok = Symbolic::truth(true);
  for (const auto& [name, b] : pop_well_formed_parts(l, s)) ok = ok && b;
  return ok;
}

// --- the view ------------------------------------------------------------------------------

PopulationView::PopulationView(const ModelParams& params, const PopulationLayout& layout,
                               const PopState& pre, std::vector<SymInt> arrivals,
                               std::vector<SymInt> budgets)
    : params_(params), layout_(layout), pre_(pre), post_(pre), arrivals_(std::move(arrivals)),
      budgets_(std::move(budgets)), used_blocks_(lit(0)), used_tokens_(lit(0)), num_running_(lit(0)), evictions_(lit(0)),
      batch_size_(lit(0)), step_used_blocks_(lit(0)), step_used_tokens_(lit(0)),
      overflow_(Symbolic::truth(false)) {}

PopulationView::Int PopulationView::alg1_memory_bound() const {
  auto sum = lit(0);
  for (std::size_t k = 0; k < params_.classes.size(); ++k) {
    const auto& c = params_.classes[k];
    sum = sum + times(class_budget(k), kv_workload(c.prompt, c.output));
  }
  return sum;
}

PopulationView::Ref PopulationView::add_member(int klass, std::int64_t stage, SymBool valid,
                                               const StageFields& f) {
  members_.emplace_back(klass, stage, std::move(valid), f);
  return static_cast<Ref>(members_.size() - 1);
}

void PopulationView::begin_step() {
  // Arrivals first (ConcreteView::begin_step): unservable classes are rejected at arrival.
  for (std::size_t k = 0; k < layout_.classes.size(); ++k) {
    const auto& c = layout_.classes[k];
    wait_total_.push_back(c.unservable ? pre_.wait[k] : pre_.wait[k] + arrivals_[k]);
    post_.arrived = post_.arrived + arrivals_[k];
    if (c.unservable) post_.rejected = post_.rejected + arrivals_[k];
  }
  for (std::size_t k = 0; k < layout_.classes.size(); ++k) {
    const auto& c = layout_.classes[k];
    for (std::size_t s = 1; s < c.stage.size(); ++s) {
      if (!c.stage[s]) continue;
      const auto& count = pre_.run[k][s];
      used_blocks_ = used_blocks_ + times(count, c.stage[s]->blocks);
      used_tokens_ = used_tokens_ + times(count, c.stage[s]->tokens);
      num_running_ = num_running_ + count;
      for (std::int64_t i = 0; i < c.run_cap; ++i) {
        const auto r = add_member(static_cast<int>(k), static_cast<std::int64_t>(s),
                                  lit(i) < count, *c.stage[s]);
        run_.push_back(r);
        rvalid_.push_back(m(r).valid);
      }
    }
  }
  for (std::size_t k = 0; k < layout_.classes.size(); ++k)
    for (std::int64_t i = 0; i < layout_.classes[k].wait_cap; ++i)
      wait_.push_back(add_member(static_cast<int>(k), 0, lit(i) < wait_total_[k], StageFields{}));
}

PopulationView::Int PopulationView::arrival_rank(Ref) const {
  throw PopulationNotApplicable("population view: the policy reads arrival_rank");
}

PopulationView::Int PopulationView::sched(Ref r) const {
  const auto& x = m(r);
  if (x.n < 0) return lit(0);
  return Symbolic::select(x.sched, lit(x.n), lit(0));
}

void PopulationView::schedule(Ref r, Int n, Bool when) {
  if (when.e.is_false()) return;
  auto& x = m(r);
  const auto nv = numeral(n, "a scheduled token count");
  if (x.n >= 0 && x.n != nv)
    throw PopulationNotApplicable("population view: one request scheduled with two counts");
  x.n = nv;
  // ConcreteView::do_schedule: the reservation becomes computed + n + lookahead tokens.
  const auto& e = params_.engine;
  const auto tokens = numeral(x.computed, "computed") + nv + e.lookahead;
  const auto blocks = blocks_for<Concrete>(e, tokens);
  used_blocks_ = used_blocks_ + Symbolic::select(when, lit(blocks) - x.blocks, lit(0));
  used_tokens_ = used_tokens_ + Symbolic::select(when, lit(tokens) - x.tokens, lit(0));
  x.blocks = Symbolic::select(when, lit(blocks), x.blocks);
  x.tokens = Symbolic::select(when, lit(tokens), x.tokens);
  x.sched = x.sched || when;
}

void PopulationView::admit(Ref r, Bool when) {
  if (when.e.is_false()) return;
  auto& x = m(r);
  if (x.stage != 0) throw PopulationNotApplicable("population view: admit of a running request");
  x.admitted = x.admitted || when;
  num_running_ = num_running_ + ind(when);
}

void PopulationView::preempt(Ref, Bool when) {
  if (when.e.is_false()) return;
  throw PopulationNotApplicable("population view: the policy preempts (not modelled)");
}

PopulationView::Int PopulationView::choose(int, std::int64_t, std::int64_t) {
  throw PopulationNotApplicable("population view: the policy makes choices (not modelled)");
}

void PopulationView::commit() {
  // ConcreteView::commit: admitted requests follow the running ones. Positions here are
  // member records; an admitted waiting member is a running position valid where admitted.
  for (auto w : wait_) {
    run_.push_back(w);
    rvalid_.push_back(m(w).admitted);
  }
}

void PopulationView::evict(Ref r, Bool when) {
  if (when.e.is_false()) return;
  // models/engine_step.h evicts only while used > pool, and used only falls during its loop
  // (released blocks are >= 0), so `when` implies the overflow noted before the loop. Stating
  // it (when && overflow) changes no value and lets the solver see at once that a step without
  // overflow evicts nothing, instead of following the loop's chain of pool terms.
  const auto w = when && overflow_;
  auto& x = m(r);
  x.gone = x.gone || w;
  used_blocks_ = used_blocks_ - Symbolic::select(w, x.blocks, lit(0));
  used_tokens_ = used_tokens_ - Symbolic::select(w, x.tokens, lit(0));
  x.blocks = Symbolic::select(w, lit(0), x.blocks);
  x.tokens = Symbolic::select(w, lit(0), x.tokens);
  x.sched = x.sched && !w;
  evictions_ = evictions_ + ind(w);
  num_running_ = num_running_ - ind(w);
  // The loop reads the pool after every eviction: named, each reading is one small term, not
  // a sum that Z3 flattens anew for every position (quadratic in the positions).
  used_blocks_ = named(used_blocks_, "used");
  used_tokens_ = named(used_tokens_, "used_tokens");
}

PopulationView::Int PopulationView::named(const Int& t, const char* prefix) {
  std::int64_t v = 0;
  if (t.e.is_numeral_i64(v) || t.e.is_const()) return t;
  auto& ctx = t.e.ctx();
  const Int fresh{z3::expr(ctx, Z3_mk_fresh_const(ctx, prefix, ctx.int_sort()))};
  side_.push_back(fresh == t);
  return fresh;
}

void PopulationView::batch_ready() {
  step_used_blocks_ = used_blocks_;
  step_used_tokens_ = used_tokens_;
}

std::int64_t PopulationView::target_stage(const Member& x) const {
  const auto& c = layout_.classes[static_cast<std::size_t>(x.klass)];
  const auto& e = params_.engine;
  std::int64_t c1 = 0, g1 = 0;
  const auto c0 = numeral(x.computed, "computed");
  progress_after<Concrete>(e, c.prompt, c0, numeral(x.generated, "generated"), x.n, c1, g1);
  if (g1 >= c.output) return g1;  // completes: leaves the engine
  if (g1 < 1) throw PopulationNotApplicable("population view: a resident without output");
  const auto tokens = c0 + x.n + e.lookahead;
  const StageFields f{c1, blocks_for<Concrete>(e, tokens), tokens};
  const auto& want = c.stage[static_cast<std::size_t>(g1)];
  if (!want || !(*want == f))
    throw PopulationNotApplicable("population view: class " + std::to_string(x.klass) +
                                  " reaches stage " + std::to_string(g1) +
                                  " with fields the stage table does not have");
  return g1;
}

void PopulationView::finish(Ref r, Int computed, Int generated, Bool done, Bool when) {
  if (when.e.is_false()) return;
  auto& x = m(r);
  if (x.n <= 0) throw PopulationNotApplicable("population view: progress without a schedule");
  // The destination stage is static: where `when` holds, sched(r) is the numeral x.n, so the
  // engine's progress terms equal progress_after on numerals.
  x.to_stage = target_stage(x);
  x.live = when;
  x.done = done;
  // ConcreteView::do_finish: new progress; a completed request releases its reservation.
  used_blocks_ = used_blocks_ - Symbolic::select(done, x.blocks, lit(0));
  used_tokens_ = used_tokens_ - Symbolic::select(done, x.tokens, lit(0));
  x.computed = Symbolic::select(when, computed, x.computed);
  x.generated = Symbolic::select(when, generated, x.generated);
  batch_size_ = batch_size_ + ind(when);
  num_running_ = num_running_ - ind(done);
  completed_.push_back(r);
}

void PopulationView::end_step() {
  // Every member that acted leaves its origin through exactly one of three indicator terms
  // (progressed and still running, completed, evicted), and the SAME terms are added where it
  // goes: the origin group loses them (run - sum) instead of recounting its valid members, so
  // conservation of requests is linear arithmetic over shared terms. That this bookkeeping is
  // exact is the per-member obligation "actions are consistent" (each indicator implies a valid
  // position, they exclude each other, an admitted request is one of them, and completion is
  // the static destination's), local facts with no sums in them.
  const std::size_t nk = layout_.classes.size();
  std::vector<SymBool> prefix_ok(nk, Symbolic::truth(true)), consistent(nk, Symbolic::truth(true));
  for (std::size_t k = 0; k < nk; ++k) {
    post_.wait[k] = wait_total_[k];
    for (std::size_t s = 1; s < post_.run[k].size(); ++s) post_.run[k][s] = pre_.run[k][s];
  }
  std::vector<std::int64_t> seen(nk, 0);
  for (const auto& x : members_) {
    const auto k = static_cast<std::size_t>(x.klass);
    const auto& c = layout_.classes[k];
    const auto moves = x.live && !x.done;
    const auto on = x.stage == 0 ? x.admitted : x.valid;  // holds a running request
    auto ok = (!x.gone || on) && (!x.live || on) && (!x.done || x.live) && !(x.live && x.gone);
    if (x.stage == 0) {
      ok = ok && (!x.admitted || (x.valid && (x.live || x.gone)));
      if (++seen[k] == c.wait_cap) prefix_ok[k] = !(x.valid && x.admitted);
    }
    if (x.to_stage >= 0) ok = ok && (!x.live || (x.to_stage >= c.output ? x.done : !x.done));
    consistent[k] = consistent[k] && ok;
    const auto leave = ind(moves) + ind(x.done) + ind(x.gone);
    if (x.stage == 0)
      post_.wait[k] = post_.wait[k] - leave;
    else
      post_.run[k][static_cast<std::size_t>(x.stage)] =
          post_.run[k][static_cast<std::size_t>(x.stage)] - leave;
    post_.wait[k] = post_.wait[k] + ind(x.gone);
    if (x.to_stage >= 1 && x.to_stage < c.output) {
      auto& to = post_.run[k][static_cast<std::size_t>(x.to_stage)];
      to = to + ind(moves);
    }
    post_.done = post_.done + ind(x.done);
  }
  for (std::size_t k = 0; k < nk; ++k) {
    const auto name = "class " + std::to_string(k);
    oblig_.emplace_back(name + ": the visible waiting prefix suffices", prefix_ok[k]);
    oblig_.emplace_back(name + ": actions are consistent", consistent[k]);
  }
  build_post();
}

void PopulationView::build_post() {
  // Positions of the post-state, for the predicates read after the step (exact_delivery's
  // residents): the groups again, valid below the new counts.
  run_.clear();
  rvalid_.clear();
  wait_.clear();
  for (std::size_t k = 0; k < layout_.classes.size(); ++k) {
    const auto& c = layout_.classes[k];
    for (std::size_t s = 1; s < c.stage.size(); ++s) {
      if (!c.stage[s]) continue;
      for (std::int64_t i = 0; i < c.run_cap; ++i) {
        const auto r = add_member(static_cast<int>(k), static_cast<std::int64_t>(s),
                                  lit(i) < post_.run[k][s], *c.stage[s]);
        run_.push_back(r);
        rvalid_.push_back(m(r).valid);
      }
    }
    for (std::int64_t i = 0; i < c.wait_cap; ++i)
      wait_.push_back(add_member(static_cast<int>(k), 0, lit(i) < post_.wait[k], StageFields{}));
  }
}

PopulationView::Int PopulationView::count_waiting() const {
  Int n = lit(0);
  for (const auto& w : post_.wait) n = n + w;
  return n;
}

PopulationView::Int PopulationView::count_running() const {
  Int n = lit(0);
  for (const auto& g : post_.run)
    for (const auto& c : g) n = n + c;
  return n;
}

}  // namespace kvcheck
